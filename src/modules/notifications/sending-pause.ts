import { sql, type Kysely } from 'kysely'
import type { Database } from '../../database.ts'
import { addJob } from '../../lib/jobs/queue.ts'
import { sendMessageJobKey, sendMessageTask } from './outbox.ts'

/** Long enough for an administrator to notice, short enough that a passing fault costs little. */
export const pauseMinutes = 5

export interface SendingPause {
  pausedUntil: Date
  reason: string
}

/** A pause in force, with when it began, for administrators to see. */
export interface ActivePause extends SendingPause {
  pausedAt: Date
}

/** The pause still in force, if any. */
export async function activePause(db: Kysely<Database>): Promise<ActivePause | undefined> {
  const row = await db
    .selectFrom('notification_sending_pause')
    .select(['paused_at', 'paused_until', 'reason'])
    .where('paused_until', '>', sql<Date>`now()`)
    .executeTakeFirst()
  return row && { pausedAt: row.paused_at, pausedUntil: row.paused_until, reason: row.reason }
}

/**
 * Pauses sending for a few minutes. Only the call that starts a pause (none was in force) is told
 * so, so a burst of refused messages raises one alert, not one each.
 */
export async function pauseSending(db: Kysely<Database>, reason: string): Promise<SendingPause & { started: boolean }> {
  const started = await db
    .insertInto('notification_sending_pause')
    .values({ paused_until: sql<Date>`now() + make_interval(mins => ${pauseMinutes})`, reason })
    .onConflict((conflict) =>
      conflict.column('only_row').doUpdateSet({ paused_until: (eb) => eb.ref('excluded.paused_until'), reason, paused_at: sql<Date>`now()` }).where('notification_sending_pause.paused_until', '<=', sql<Date>`now()`),
    )
    .returning('paused_until')
    .executeTakeFirst()
  if (started) return { pausedUntil: started.paused_until, reason, started: true }
  const current = await activePause(db)
  return { pausedUntil: current?.pausedUntil ?? new Date(Date.now() + pauseMinutes * 60_000), reason: current?.reason ?? reason, started: false }
}

/**
 * Ends a pause before its time (an administrator has put the configuration right) and wakes every
 * message waiting to be sent, rather than leaving them until the pause would have ended. Given a
 * transaction it works in it, so the caller can record who resumed sending alongside.
 */
export async function resumeSending(db: Kysely<Database>): Promise<number> {
  if (!db.isTransaction) return db.transaction().execute((transaction) => resumeSending(transaction))
  await db.deleteFrom('notification_sending_pause').execute()
  const waiting = await db
    .selectFrom('outbox_messages')
    .select('id')
    .where('status', 'in', ['queued', 'temporary-failure'])
    .limit(1000)
    .execute()
  for (const { id } of waiting) await addJob(db as unknown as Kysely<unknown>, sendMessageTask, { id }, { maxAttempts: 10, jobKey: sendMessageJobKey(id) })
  return waiting.length
}
