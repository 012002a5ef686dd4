import type { Translate } from '../../lib/i18n/index.ts'
import type { DatabaseHandle } from '../../lib/database/connection.ts'
import { messageText } from './sender.ts'
import { bodyAsHtml, renderMessage } from './templates.ts'

export interface OutboxEntry {
  id: string
  channel: string
  recipient: string
  messageType: string
  status: string
  createdAt: Date
  sentAt: Date | null
  subject: string | undefined
  bodyHtml: string
}

/** The newest messages, rendered as their recipients would read them, for the demo outbox page. */
export async function recentMessages(db: DatabaseHandle, t: Translate, council: string, limit = 50): Promise<OutboxEntry[]> {
  const rows = await db
    .selectFrom('outbox_messages')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute()
  return rows.map((row) => {
    const text = renderMessage(messageText(t, row.message_type, council), row.personalisation)
    return {
      id: row.id,
      channel: row.channel,
      recipient: row.recipient,
      messageType: row.message_type,
      status: row.status,
      createdAt: row.created_at,
      sentAt: row.sent_at,
      subject: text.subject,
      bodyHtml: bodyAsHtml(text.body),
    }
  })
}
