import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectDatabase } from '../../../src/lib/database/connection.ts'
import { createTestDatabase, type TestDatabase } from '../../support/database.ts'

describe('the database connection pool', () => {
  let database: TestDatabase
  beforeAll(async () => {
    database = await createTestDatabase()
  })
  afterAll(async () => {
    await database?.destroy()
  })

  it('hears a connection the server ends, and carries on with a new one', async () => {
    const lost: Error[] = []
    const { db } = connectDatabase(database.connectionString, 2, (error) => lost.push(error))
    try {
      const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db)
      const idlePid = rows[0]!.pid
      await sql`select pg_terminate_backend(${idlePid})`.execute(database.db)
      await expect.poll(() => lost.length).toBe(1)
      expect(lost[0]!.message).toContain('terminating connection due to administrator command')

      const after = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db)
      expect(after.rows[0]!.pid).not.toBe(idlePid)
    } finally {
      await db.destroy()
    }
  })
})
