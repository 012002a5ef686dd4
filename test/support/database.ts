import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { inject } from 'vitest'
import { databaseUrlFor } from '../../src/lib/database/embedded.ts'
import { connectDatabase, type DatabaseHandle } from '../../src/lib/database/connection.ts'

export interface TestDatabase {
  db: DatabaseHandle
  connectionString: string
  destroy(): Promise<void>
}

async function withServer<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: inject('databaseServerUrl') })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

/** A fresh, migrated database of this test file's own, copied from the run's template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `test_${randomBytes(6).toString('hex')}`
  await withServer((client) => client.query(`create database ${name} template guildhall_template`))
  const connectionString = databaseUrlFor(inject('databaseServerUrl'), name)
  const { db } = connectDatabase(connectionString, 5)
  return {
    db,
    connectionString,
    async destroy() {
      await db.destroy()
      await withServer((client) => client.query(`drop database if exists ${name} with (force)`))
    },
  }
}
