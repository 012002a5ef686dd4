import type { Runner } from 'graphile-worker'
import { ConfigurationError, loadConfig } from './config.ts'
import { buildApp } from './app.ts'
import { createLogger } from './lib/log.ts'
import { EmbeddedDatabaseError } from './lib/database/embedded.ts'
import { startWorker } from './lib/jobs/queue.ts'
import { cookieSecretFor, openPlatform } from './platform.ts'
import { loadDemoCouncil } from './demo/load-demo-council.ts'

async function main() {
  const startedAt = Date.now()
  const config = loadConfig()
  const logger = createLogger(config.logLevel)
  const platform = await openPlatform(config, logger, 'server')

  if (config.loadDemoData) await loadDemoCouncil(platform.services, { config, db: platform.db, logger })

  let worker: Runner | undefined
  if (config.runWorker) {
    worker = await startWorker({
      connectionString: platform.connectionString,
      tasks: platform.services.tasks,
      crontab: platform.services.schedule,
      logger,
    })
  }

  const app = await buildApp({ config, db: platform.db, logger, services: platform.services, cookieSecret: cookieSecretFor(config) })
  await app.listen({ port: config.port, host: config.host })
  logger.info({ startupMs: Date.now() - startedAt }, `${config.council.name} is open at ${config.baseUrl}`)

  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    logger.info(`${signal} received: finishing requests in flight, then stopping`)
    // Each step runs even if an earlier one fails, so the database is always stopped cleanly.
    const steps = [() => app.close(), () => worker?.stop(), () => platform.close()]
    let clean = true
    for (const step of steps) {
      try {
        await step()
      } catch (error) {
        clean = false
        logger.error({ err: error }, 'a step of shutting down failed')
      }
    }
    logger.info(clean ? 'Stopped cleanly' : 'Stopped, with errors logged above')
    process.exit(clean ? 0 : 1)
  }
  process.on('SIGTERM', () => void stop('SIGTERM'))
  process.on('SIGINT', () => void stop('SIGINT'))
}

main().catch((error: unknown) => {
  if (error instanceof ConfigurationError || error instanceof EmbeddedDatabaseError) {
    console.error(`Guildhall cannot start: ${error.message}`)
  } else {
    console.error('Guildhall cannot start:', error)
  }
  process.exit(1)
})
