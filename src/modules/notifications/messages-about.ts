import type { DatabaseHandle } from '../../lib/database/connection.ts'
import type { Channel, MessageStatus } from './tables.ts'

export interface SentMessage {
  id: string
  channel: Channel
  recipient: string
  messageType: string
  status: MessageStatus
  failureReason: string | null
  queuedAt: Date
  statusUpdatedAt: Date
}

/** Every message that named this reference (a request's), oldest first, with where it has got to. */
export function messagesAbout(db: DatabaseHandle, reference: string): Promise<SentMessage[]> {
  return db
    .selectFrom('outbox_messages')
    .select([
      'id',
      'channel',
      'recipient',
      'message_type as messageType',
      'status',
      'failure_reason as failureReason',
      'created_at as queuedAt',
      'status_updated_at as statusUpdatedAt',
    ])
    .where((where) => where(where.ref('personalisation', '->>').key('reference'), '=', reference))
    .orderBy('created_at')
    .orderBy('id')
    .execute()
}
