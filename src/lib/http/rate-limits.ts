import { sql } from 'kysely'
import type { DatabaseHandle } from '../database/connection.ts'

export interface RateLimit {
  /** Names what is limited and for whom, e.g. "sign-in:ip:203.0.113.9". */
  key: string
  limit: number
  windowSeconds: number
}

export interface RateLimitResult {
  allowed: boolean
  hits: number
  retryAt: Date
}

/**
 * Counts one hit against a fixed window. The counter lives in PostgreSQL, so the limit holds
 * however many app instances share the load.
 */
export async function countHit(db: DatabaseHandle, { key, limit, windowSeconds }: RateLimit): Promise<RateLimitResult> {
  const window = sql`make_interval(secs => ${windowSeconds})`
  const row = await db
    .insertInto('rate_limit_counters')
    .values({ key, window_started_at: sql`now()`, hits: 1 })
    .onConflict((conflict) =>
      conflict.column('key').doUpdateSet({
        hits: sql`case when rate_limit_counters.window_started_at + ${window} <= now() then 1 else rate_limit_counters.hits + 1 end`,
        window_started_at: sql`case when rate_limit_counters.window_started_at + ${window} <= now() then now() else rate_limit_counters.window_started_at end`,
      }),
    )
    .returning(['hits', sql<Date>`window_started_at + ${window}`.as('retry_at')])
    .executeTakeFirstOrThrow()
  return { allowed: row.hits <= limit, hits: row.hits, retryAt: row.retry_at }
}

export async function resetCounter(db: DatabaseHandle, key: string): Promise<void> {
  await db.deleteFrom('rate_limit_counters').where('key', '=', key).execute()
}

export async function removeExpiredCounters(db: DatabaseHandle, olderThanSeconds = 86_400): Promise<void> {
  await db
    .deleteFrom('rate_limit_counters')
    .where('window_started_at', '<', sql<Date>`now() - make_interval(secs => ${olderThanSeconds})`)
    .execute()
}

/** Reads a counter without counting a hit: has the limit already been reached in this window? */
export async function limitReached(db: DatabaseHandle, { key, limit, windowSeconds }: RateLimit): Promise<RateLimitResult> {
  const window = sql`make_interval(secs => ${windowSeconds})`
  const row = await db
    .selectFrom('rate_limit_counters')
    .select(['hits', sql<Date>`window_started_at + ${window}`.as('retry_at')])
    .where('key', '=', key)
    .where(sql<boolean>`window_started_at + ${window} > now()`)
    .executeTakeFirst()
  if (!row) return { allowed: true, hits: 0, retryAt: new Date() }
  return { allowed: row.hits < limit, hits: row.hits, retryAt: row.retry_at }
}
