import type { ColumnType } from 'kysely'
import type { CreatedAt, Generated, Json, NullableTimestamp } from '../../lib/database/tables.ts'

export type Channel = 'email' | 'sms' | 'letter'
export type MessageStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'temporary-failure' | 'permanent-failure'

/** A message kept to be queued, to the same person, if the one that holds it fails for good. */
export interface FallbackMessage {
  channel: Channel
  recipient: string
  messageType: string
  personalisation: Record<string, string>
}

export interface NotificationTables {
  outbox_messages: {
    id: Generated<string>
    person_id: string | null
    channel: Channel
    recipient: string
    message_type: string
    personalisation: Json<Record<string, string>>
    status: Generated<MessageStatus>
    attempts: Generated<number>
    lease_expires_at: NullableTimestamp
    provider: string | null
    provider_reference: string | null
    failure_reason: string | null
    created_at: CreatedAt
    sent_at: NullableTimestamp
    status_updated_at: ColumnType<Date, Date | string | undefined, Date | string>
    fallback: ColumnType<FallbackMessage | null, string | null | undefined, string | null>
    /** Where one click stops emails like this one, for mail programs' unsubscribe button. */
    unsubscribe_url: ColumnType<string | null, string | null | undefined, string | null>
  }
  notification_sending_pause: {
    only_row: Generated<boolean>
    paused_until: ColumnType<Date, Date | string, Date | string>
    reason: string
    paused_at: ColumnType<Date, Date | string | undefined, Date | string>
  }
}
