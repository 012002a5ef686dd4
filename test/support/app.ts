import type { FastifyInstance } from 'fastify'
import { loadConfig, type Config } from '../../src/config.ts'
import { buildApp } from '../../src/app.ts'
import { createServices, type Services } from '../../src/container.ts'
import { createLogger } from '../../src/lib/log.ts'
import { createTestDatabase, type TestDatabase } from './database.ts'

export interface TestApp {
  app: FastifyInstance
  config: Config
  services: Services
  database: TestDatabase
  close(): Promise<void>
}

export function testConfig(environment: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: 'postgres://unused-in-tests/guildhall',
    LOG_LEVEL: 'silent',
    SESSION_SECRET: 'test-session-secret-that-is-long-enough-123',
    DEMO_DATA: 'false',
    ...environment,
  })
}

/** The real application on a database of this test file's own, reached with app.inject. */
export async function createTestApp(
  options: { environment?: Record<string, string>; services?: (services: Services) => Partial<Services> } = {},
): Promise<TestApp> {
  const database = await createTestDatabase()
  const config = testConfig(options.environment)
  const logger = createLogger('silent')
  const built = createServices({ config, db: database.db, logger })
  const services = { ...built, ...options.services?.(built) }
  const app = await buildApp({ config, db: database.db, logger, services, cookieSecret: config.sessionSecret! })
  await app.ready()
  return {
    app,
    config,
    services,
    database,
    async close() {
      await app.close()
      await database.destroy()
    },
  }
}
