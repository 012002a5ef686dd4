import { loadConfig } from '../../../src/config.ts'
import { createLogger } from '../../../src/lib/log.ts'
import { openPlatform } from '../../../src/platform.ts'

/**
 * The smallest command-line tool: opens the platform as every tool does, writes the row named on
 * its command line, and closes. The lifecycle tests run it while the server is up.
 */
const config = loadConfig()
const platform = await openPlatform(config, createLogger(config.logLevel), 'tool')
await platform.db
  .insertInto('rate_limit_counters')
  .values({ key: process.argv[2] ?? 'written-by-a-tool', window_started_at: new Date(), hits: 1 })
  .execute()
await platform.close()
