import { ConfigurationError, loadConfig } from './config.ts'
import { createLogger } from './lib/log.ts'
import { EmbeddedDatabaseError } from './lib/database/embedded.ts'
import { startWorker } from './lib/jobs/queue.ts'
import { openPlatform } from './platform.ts'

/** The job worker on its own, for production where web and worker processes scale separately. */
async function main() {
  const config = loadConfig()
  const logger = createLogger(config.logLevel)
  const platform = await openPlatform(config, logger, 'tool')
  const worker = await startWorker({
    connectionString: platform.connectionString,
    tasks: platform.services.tasks,
    crontab: platform.services.schedule,
    logger,
  })
  logger.info('Job worker running')

  const stop = async () => {
    await worker.stop()
    await platform.close()
    process.exit(0)
  }
  process.once('SIGTERM', () => void stop())
  process.once('SIGINT', () => void stop())
  await worker.promise
}

main().catch((error: unknown) => {
  const known = error instanceof ConfigurationError || error instanceof EmbeddedDatabaseError
  console.error(`Guildhall's worker cannot start: ${known ? (error as Error).message : String(error)}`)
  process.exit(1)
})
