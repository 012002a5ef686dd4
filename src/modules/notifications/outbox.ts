import { sql, type Kysely } from 'kysely'
import type { OutboxTiming } from '../../config.ts'
import type { Database } from '../../database.ts'
import { addJob } from '../../lib/jobs/queue.ts'
import { messageTypes, type MessageTypeName } from './message-types.ts'
import { addressProblem } from './letters.ts'
import type { Channel, FallbackMessage } from './tables.ts'

export const sendMessageTask = 'send-message'
export const resumeAbandonedMessagesTask = 'resume-abandoned-messages'

/**
 * Every job that sends a message carries this key, so a message has at most one job waiting: adding
 * another replaces it. A job a worker holds is never replaced: the queue clears its key and adds a
 * new job beside it, so a job locked by a worker that died cannot swallow the one that rescues it.
 */
export const sendMessageJobKey = (id: string) => `${sendMessageTask}:${id}`

/**
 * How long a message waits after its latest temporary failure: the first wait, doubled for each
 * failure since, never longer than the longest. The outbox keeps its own pace rather than the job
 * queue's (e to the power of the attempts, in seconds: 20 seconds after the third, 2.5 hours after
 * the ninth), so a message that met a passing fault goes out soon after the fault has passed.
 */
export function retryDelaySeconds(failures: number, timing: Pick<OutboxTiming, 'firstRetrySeconds' | 'longestRetrySeconds'>): number {
  return Math.min(timing.firstRetrySeconds * 2 ** Math.max(0, Math.min(failures - 1, 30)), timing.longestRetrySeconds)
}

export interface MessageRequest {
  personId: string | null
  channel: Channel
  /** An email address, a mobile number, or for a letter the postal address, one line to a line, postcode last. */
  recipient: string
  messageType: MessageTypeName
  personalisation: Record<string, string>
  /** Sent instead if this message fails for good: the email for a text whose number is dead. */
  fallback?: Omit<MessageRequest, 'fallback'>
  /** For an email someone may stop (an alert, a report they follow): the address that stops it in one click. */
  unsubscribeUrl?: string
}

function checkRequest(request: Omit<MessageRequest, 'fallback'>) {
  const type = messageTypes[request.messageType]
  if (!type) throw new Error(`Unknown message type ${request.messageType}`)
  if (type.channel !== request.channel) throw new Error(`${request.messageType} is sent by ${type.channel}, not ${request.channel}`)
  const missing = type.personalisation.filter((name) => request.personalisation[name] === undefined)
  if (missing.length > 0) throw new Error(`${request.messageType} needs ${missing.join(', ')}`)
  if (request.recipient.trim() === '') throw new Error('A message needs a recipient')
  if (request.unsubscribeUrl !== undefined && request.channel !== 'email') throw new Error('Only an email carries an unsubscribe address')
  // Refused here rather than by GOV.UK Notify, so the mistake surfaces where the address was chosen.
  const addressFault = request.channel === 'letter' ? addressProblem(request.recipient) : undefined
  if (addressFault) throw new Error(addressFault)
}

/** Adds the outbox row and the job that wakes the sender; db must be a transaction. */
async function insertMessage(
  db: Kysely<Database>,
  personId: string | null,
  message: FallbackMessage & { unsubscribeUrl?: string | undefined },
  fallback?: FallbackMessage,
): Promise<{ id: string }> {
  const { id } = await db
    .insertInto('outbox_messages')
    .values({
      person_id: personId,
      channel: message.channel,
      recipient: message.recipient,
      message_type: message.messageType,
      personalisation: JSON.stringify(message.personalisation),
      fallback: fallback ? JSON.stringify(fallback) : null,
      unsubscribe_url: message.unsubscribeUrl ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  await addJob(db as unknown as Kysely<unknown>, sendMessageTask, { id }, { maxAttempts: 10, jobKey: sendMessageJobKey(id) })
  return { id }
}

/**
 * Queues a message: an outbox row and the job that wakes the sender, in one transaction. Pass the
 * caller's transaction so the message exists exactly when the change that caused it is committed;
 * given the plain database handle, it opens a transaction of its own. A fallback is checked now,
 * while the caller can still put it right, and kept with the message until it is needed.
 */
export async function queueMessage(db: Kysely<Database>, request: MessageRequest): Promise<{ id: string }> {
  checkRequest(request)
  const { fallback } = request
  if (fallback) {
    checkRequest(fallback)
    if (fallback.personId !== request.personId) throw new Error('A fallback goes to the same person as the message it stands in for')
  }
  if (!db.isTransaction) return db.transaction().execute((transaction) => queueMessage(transaction, request))
  return insertMessage(
    db,
    request.personId,
    request,
    fallback && { channel: fallback.channel, recipient: fallback.recipient, messageType: fallback.messageType, personalisation: fallback.personalisation },
  )
}

/**
 * Queues the fallback of a message that has just failed for good, to the same person. Call it in
 * the transaction that marked the failure, and only when that update changed the row, so that the
 * fallback is queued once however many times the failure is reported.
 */
export async function queueFallback(db: Kysely<Database>, failed: { person_id: string | null; fallback: FallbackMessage | null }): Promise<{ id: string } | undefined> {
  if (!failed.fallback) return undefined
  return insertMessage(db, failed.person_id, failed.fallback)
}

/**
 * Wakes the sender again for every message a sender (or its whole worker) stopped working on, so
 * none waits on the job queue, which releases the job of a worker that died only after 4 hours:
 * - a message left "sending" whose lease has run out;
 * - a message waiting to be sent ("queued", or "temporary-failure" awaiting its retry) that has
 *   waited longer than a lease and has no job that could still send it: none waiting, and none held
 *   by a worker for less than a lease (a job held longer belongs to a worker that died).
 * While sending is paused it does nothing: the pause wakes its messages when it ends. Returns how
 * many were woken.
 */
export async function resumeAbandonedMessages(db: Kysely<Database>, timing: Pick<OutboxTiming, 'leaseSeconds'>): Promise<number> {
  return db.transaction().execute(async (transaction) => {
    const paused = await transaction
      .selectFrom('notification_sending_pause')
      .select('paused_until')
      .where('paused_until', '>', sql<Date>`now()`)
      .executeTakeFirst()
    if (paused) return 0
    const leaseAgo = sql<Date>`now() - make_interval(secs => ${timing.leaseSeconds})`
    const abandoned = await transaction
      .selectFrom('outbox_messages')
      .select('id')
      .where((where) =>
        where.or([
          where.and([where('status', '=', 'sending'), where('lease_expires_at', '<', sql<Date>`now()`)]),
          where.and([
            where('status', 'in', ['queued', 'temporary-failure']),
            where('status_updated_at', '<', leaseAgo),
            sql<boolean>`not exists (
              select from graphile_worker.jobs as jobs
              where jobs.key = ${`${sendMessageTask}:`}::text || outbox_messages.id::text
              and ((jobs.locked_at is null and jobs.attempts < jobs.max_attempts) or jobs.locked_at > ${leaseAgo})
            )`,
          ]),
        ]),
      )
      .limit(1000)
      .execute()
    for (const { id } of abandoned) {
      await addJob(transaction as unknown as Kysely<unknown>, sendMessageTask, { id }, { maxAttempts: 10, jobKey: sendMessageJobKey(id) })
    }
    return abandoned.length
  })
}
