import type { Kysely } from 'kysely'
import type { Database } from '../../database.ts'
import { Forbidden } from '../../lib/errors.ts'
import { recordAudit, type StaffActor } from '../identity/index.ts'
import { activePause, resumeSending } from './sending-pause.ts'
import type { Channel } from './tables.ts'

export interface FailedMessage {
  id: string
  channel: Channel
  /** Only the end of the address or number: enough to match a caller's, not to contact them. */
  recipient: string
  messageType: string
  reason: string | null
  failedAt: Date
}

const visibleCharacters = 3

/**
 * A recipient with all but its last 3 characters hidden. The mask is the same length for every
 * recipient, since the length of an email address would give part of it away.
 */
export function maskedRecipient(recipient: string): string {
  const whole = recipient.trim()
  const end = whole.length > visibleCharacters * 2 ? whole.slice(-visibleCharacters) : ''
  return `•••••${end}`
}

/** The messages that most recently failed for good, newest first, with why. */
export async function recentPermanentFailures(db: Kysely<Database>, limit = 50): Promise<FailedMessage[]> {
  const rows = await db
    .selectFrom('outbox_messages')
    .select(['id', 'channel', 'recipient', 'message_type', 'failure_reason', 'status_updated_at'])
    .where('status', '=', 'permanent-failure')
    .orderBy('status_updated_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute()
  return rows.map((row) => ({
    id: row.id,
    channel: row.channel,
    recipient: maskedRecipient(row.recipient),
    messageType: row.message_type,
    reason: row.failure_reason,
    failedAt: row.status_updated_at,
  }))
}

/**
 * An administrator ends the pause on sending and wakes the messages that waited, recorded in the
 * audit log in the same transaction, with the pause they ended. Returns how many were woken.
 */
export async function resumeSendingAs(db: Kysely<Database>, actor: StaffActor): Promise<number> {
  if (!actor.permissions.has('notifications.manage')) throw new Forbidden()
  return db.transaction().execute(async (transaction) => {
    const pause = await activePause(transaction)
    const woken = await resumeSending(transaction)
    await recordAudit(transaction, {
      actor: { kind: 'staff', id: actor.id },
      action: 'notifications.sending-resumed',
      details: { woken, pausedUntil: pause?.pausedUntil.toISOString() ?? null, reason: pause?.reason ?? null },
      ipAddress: actor.ipAddress,
    })
    return woken
  })
}
