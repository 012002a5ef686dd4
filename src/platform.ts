import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import pg from 'pg'
import { derivedSecret, type Config } from './config.ts'
import { attachOrStartEmbeddedDatabase, databaseUrlFor, type EmbeddedDatabase } from './lib/database/embedded.ts'
import { connectDatabase, type DatabaseHandle } from './lib/database/connection.ts'
import { migrateToLatest } from './lib/database/migrations.ts'
import type { Logger } from './lib/log.ts'
import { createServices, type Services } from './container.ts'

export interface Platform {
  db: DatabaseHandle
  connectionString: string
  services: Services
  close(): Promise<void>
}

const embeddedDatabaseName = 'guildhall'

async function ensureDatabaseExists(serverUrl: string, name: string) {
  const client = new pg.Client({ connectionString: serverUrl })
  await client.connect()
  try {
    const existing = await client.query('select 1 from pg_database where datname = $1', [name])
    if (existing.rowCount === 0) await client.query(`create database "${name}"`)
  } finally {
    await client.end()
  }
}

/**
 * Opens the database the configuration names, migrated to the latest schema, and builds the
 * services on it. The web server and every command-line tool start here, so a tool run while the
 * server is up attaches to the same embedded database instead of fighting over its folder.
 */
export async function openPlatform(config: Config, logger: Logger, role: 'server' | 'tool'): Promise<Platform> {
  let embedded: EmbeddedDatabase | undefined
  let connectionString: string
  if (config.database.kind === 'embedded') {
    embedded = await attachOrStartEmbeddedDatabase({
      dataDirectory: config.database.dataDirectory,
      port: config.database.port,
      adoptOrphan: role === 'server',
      log: (message) => logger.info(message),
    })
    await ensureDatabaseExists(embedded.connectionString, embeddedDatabaseName)
    connectionString = databaseUrlFor(embedded.connectionString, embeddedDatabaseName)
  } else {
    connectionString = config.database.url
  }

  const { db } = connectDatabase(connectionString, config.database.poolSize, (error) =>
    logger.warn({ err: error }, 'A database connection was lost; the next query opens a new one'),
  )
  try {
    await migrateToLatest(db, connectionString)
  } catch (error) {
    await db.destroy()
    await embedded?.stop()
    throw error
  }
  // The demo has no SESSION_SECRET, so its change links are signed with a key made from the cookie secret it keeps.
  const changeLinkSecret = config.scheduling.changeLinkSecret ?? derivedSecret(cookieSecretFor(config), 'appointment-change-links')
  const services = createServices({ config: { ...config, scheduling: { ...config.scheduling, changeLinkSecret } }, db, logger })
  return {
    db,
    connectionString,
    services,
    async close() {
      await db.destroy()
      await embedded?.stop()
    },
  }
}

/** The secret that signs cookies: SESSION_SECRET, or for the embedded demo one kept in DATA_DIR. */
export function cookieSecretFor(config: Config): string {
  if (config.sessionSecret) return config.sessionSecret
  const file = path.join(config.dataDirectory, 'cookie-secret')
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  mkdirSync(config.dataDirectory, { recursive: true })
  const secret = randomBytes(32).toString('base64url')
  writeFileSync(file, secret, { mode: 0o600 })
  return secret
}
