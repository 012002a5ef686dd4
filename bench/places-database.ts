import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { attachOrStartEmbeddedDatabase, databaseUrlFor } from '../src/lib/database/embedded.ts'
import { loadConfig, type Config } from '../src/config.ts'
import { connectDatabase, type DatabaseHandle } from '../src/lib/database/connection.ts'
import { migrateToLatest } from '../src/lib/database/migrations.ts'

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/**
 * A fresh embedded PostgreSQL in a temporary folder, migrated, so a benchmark never touches the
 * demo data in ./data and starts from the same empty register every time.
 */
export async function benchmarkDatabase(): Promise<{ db: DatabaseHandle; connectionString: string; close(): Promise<void> }> {
  const folder = mkdtempSync(path.join(tmpdir(), 'guildhall-bench-'))
  // When run as root the database runs as another user, who must be able to reach the folder.
  chmodSync(folder, 0o755)
  const server = await attachOrStartEmbeddedDatabase({ dataDirectory: path.join(folder, 'postgres'), port: await freePort(), adoptOrphan: true })
  const admin = new pg.Client({ connectionString: server.connectionString })
  await admin.connect()
  await admin.query('create database bench')
  await admin.end()
  const connectionString = databaseUrlFor(server.connectionString, 'bench')
  const { db } = connectDatabase(connectionString, 20)
  await migrateToLatest(db, connectionString)
  return {
    db,
    connectionString,
    async close() {
      await db.destroy()
      await server.stop()
      rmSync(folder, { recursive: true, force: true })
    },
  }
}

/** The platform's settings for a benchmark run on its own database: no demo, no logging, and any others given. */
export function benchmarkConfig(connectionString: string, settings: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: connectionString,
    DATABASE_POOL_SIZE: '20',
    DEMO_DATA: 'false',
    SESSION_SECRET: 'benchmark-secret-that-is-long-enough-1234',
    LOG_LEVEL: 'silent',
    ...settings,
  })
}
