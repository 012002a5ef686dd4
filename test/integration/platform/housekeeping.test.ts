import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { createTestDatabase, type TestDatabase } from '../../support/database.ts'
import { housekeepingTasks } from '../../../src/lib/jobs/housekeeping.ts'
import { countHit } from '../../../src/lib/http/rate-limits.ts'

describe('hourly housekeeping', () => {
  let database: TestDatabase
  beforeAll(async () => {
    database = await createTestDatabase()
  })
  afterAll(() => database.destroy())

  it('removes ended sessions and old rate-limit windows, and keeps live ones', async () => {
    const { db } = database
    const hourAgo = new Date(Date.now() - 3_600_000)
    const inAnHour = new Date(Date.now() + 3_600_000)
    await db
      .insertInto('sessions')
      .values([
        { id: 'ended', data: '{}', expires_at: hourAgo },
        { id: 'live', data: '{}', expires_at: inAnHour },
      ])
      .execute()
    await countHit(db, { key: 'old-window', limit: 5, windowSeconds: 60 })
    await countHit(db, { key: 'current-window', limit: 5, windowSeconds: 60 })
    await db.updateTable('rate_limit_counters').set({ window_started_at: sql`now() - interval '2 days'` }).where('key', '=', 'old-window').execute()

    await housekeepingTasks(db)['remove-expired-records']!({}, {} as never)

    expect((await db.selectFrom('sessions').select('id').execute()).map((row) => row.id)).toEqual(['live'])
    expect((await db.selectFrom('rate_limit_counters').select('key').execute()).map((row) => row.key)).toEqual(['current-window'])
  })

  it('counts hits in a window and starts a fresh window once it has passed', async () => {
    const { db } = database
    const limit = { key: 'sign-in:test', limit: 2, windowSeconds: 60 }
    expect((await countHit(db, limit)).allowed).toBe(true)
    expect((await countHit(db, limit)).allowed).toBe(true)
    const third = await countHit(db, limit)
    expect(third).toMatchObject({ allowed: false, hits: 3 })
    expect(third.retryAt.getTime()).toBeGreaterThan(Date.now())
    await db.updateTable('rate_limit_counters').set({ window_started_at: sql`now() - interval '61 seconds'` }).where('key', '=', limit.key).execute()
    expect(await countHit(db, limit)).toMatchObject({ allowed: true, hits: 1 })
  })
})
