import { mkdtempSync, rmSync, chmodSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import type { TestProject } from 'vitest/node'
import { attachOrStartEmbeddedDatabase, databaseUrlFor } from '../../src/lib/database/embedded.ts'
import { connectDatabase } from '../../src/lib/database/connection.ts'
import { migrateToLatest } from '../../src/lib/database/migrations.ts'

export const templateDatabase = 'guildhall_template'

declare module 'vitest' {
  export interface ProvidedContext {
    databaseServerUrl: string
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/**
 * One PostgreSQL for the whole run, with a migrated template database; each test file then makes
 * its own database from the template in a few milliseconds.
 */
export default async function setup(project: TestProject) {
  const folder = mkdtempSync(path.join(tmpdir(), 'guildhall-test-'))
  chmodSync(folder, 0o755)
  const server = await attachOrStartEmbeddedDatabase({
    dataDirectory: path.join(folder, 'postgres'),
    port: await freePort(),
    adoptOrphan: true,
  })
  const admin = new pg.Client({ connectionString: server.connectionString })
  await admin.connect()
  await admin.query(`create database ${templateDatabase}`)
  await admin.end()

  const templateUrl = databaseUrlFor(server.connectionString, templateDatabase)
  const { db } = connectDatabase(templateUrl, 2)
  await migrateToLatest(db, templateUrl)
  await db.destroy()

  project.provide('databaseServerUrl', server.connectionString)
  return async () => {
    await server.stop()
    rmSync(folder, { recursive: true, force: true })
  }
}
