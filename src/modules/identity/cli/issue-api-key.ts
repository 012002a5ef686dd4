import { ConfigurationError, loadConfig } from '../../../config.ts'
import { EmbeddedDatabaseError } from '../../../lib/database/embedded.ts'
import { translator } from '../../../lib/i18n/index.ts'
import { createLogger } from '../../../lib/log.ts'
import { openPlatform } from '../../../platform.ts'
import { checkApiKeyForm } from '../api-keys/rules.ts'
import { readApiKeyArguments } from './api-key-arguments.ts'

const t = translator('en')
const say = (key: string, values?: Record<string, string>) => t(`identity.apiKeys.${key}`, values)

/**
 * Issues an API key from the command line, for setting up a partner before anyone can sign in to
 * the back office. The key alone goes to stdout, so a script can capture it; everything else to stderr.
 * Exit codes: 0 issued, 1 the request was refused (nothing issued), 2 it could not run.
 */
async function issueApiKey(args: readonly string[]): Promise<number> {
  const read = readApiKeyArguments(args)
  if ('problem' in read) {
    console.error(say(read.problem, read.values))
    console.error(say('cli.usage'))
    return 1
  }

  let platform: Awaited<ReturnType<typeof openPlatform>> | undefined
  try {
    // Opened the way the server opens it, so a running server's embedded database is shared, not fought over.
    platform = await openPlatform(loadConfig(), createLogger('warn'), 'tool')
    const codes = (await platform.services.catalogue.listServices()).map((service) => service.code).sort()
    const checked = checkApiKeyForm(read.form, codes)
    if ('errors' in checked) {
      for (const key of Object.values(checked.errors)) console.error(say(key))
      if (checked.errors.services === 'errors.serviceUnknown') console.error(say('cli.knownServices', { codes: codes.join(', ') }))
      console.error(say('cli.usage'))
      return 1
    }
    const issued = await platform.services.identity.apiKeys.issue(checked.grant, { kind: 'system' })
    console.error(say('cli.issued', { name: issued.name }))
    process.stdout.write(`${issued.key}\n`)
    return 0
  } catch (error) {
    if (error instanceof ConfigurationError || error instanceof EmbeddedDatabaseError) console.error(error.message)
    else console.error(error)
    return 2
  } finally {
    await platform?.close()
  }
}

// Exits explicitly: an exit code set with process.exitCode is lost when run through tsx.
process.exit(await issueApiKey(process.argv.slice(2)))
