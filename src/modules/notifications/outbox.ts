import type { Kysely } from 'kysely'
import type { Database } from '../../database.ts'
import { addJob } from '../../lib/jobs/queue.ts'
import { messageTypes, type MessageTypeName } from './message-types.ts'

export const sendMessageTask = 'send-message'
export const resumeAbandonedMessagesTask = 'resume-abandoned-messages'

export interface MessageRequest {
  personId: string | null
  channel: 'email' | 'sms'
  recipient: string
  messageType: MessageTypeName
  personalisation: Record<string, string>
}

function checkRequest(request: MessageRequest) {
  const type = messageTypes[request.messageType]
  if (!type) throw new Error(`Unknown message type ${request.messageType}`)
  if (type.channel !== request.channel) throw new Error(`${request.messageType} is sent by ${type.channel}, not ${request.channel}`)
  const missing = type.personalisation.filter((name) => request.personalisation[name] === undefined)
  if (missing.length > 0) throw new Error(`${request.messageType} needs ${missing.join(', ')}`)
  if (request.recipient.trim() === '') throw new Error('A message needs a recipient')
}

/**
 * Queues a message: an outbox row and the job that wakes the sender, in one transaction. Pass the
 * caller's transaction so the message exists exactly when the change that caused it is committed;
 * given the plain database handle, it opens a transaction of its own.
 */
export async function queueMessage(db: Kysely<Database>, request: MessageRequest): Promise<{ id: string }> {
  checkRequest(request)
  if (!db.isTransaction) return db.transaction().execute((transaction) => queueMessage(transaction, request))
  const { id } = await db
    .insertInto('outbox_messages')
    .values({
      person_id: request.personId,
      channel: request.channel,
      recipient: request.recipient,
      message_type: request.messageType,
      personalisation: JSON.stringify(request.personalisation),
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  await addJob(db as unknown as Kysely<unknown>, sendMessageTask, { id }, { maxAttempts: 10 })
  return { id }
}

/**
 * Wakes the sender again for every message whose sender stopped mid-send (its lease has run out),
 * so no message waits on the queue's own long retry delay. Returns how many were woken.
 */
export async function resumeAbandonedMessages(db: Kysely<Database>): Promise<number> {
  return db.transaction().execute(async (transaction) => {
    const abandoned = await transaction
      .selectFrom('outbox_messages')
      .select('id')
      .where('status', '=', 'sending')
      .where('lease_expires_at', '<', new Date())
      .limit(1000)
      .execute()
    for (const { id } of abandoned) {
      await addJob(transaction as unknown as Kysely<unknown>, sendMessageTask, { id }, { maxAttempts: 10, jobKey: `${sendMessageTask}:${id}` })
    }
    return abandoned.length
  })
}
