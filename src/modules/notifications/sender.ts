import { sql, type Kysely, type Updateable } from 'kysely'
import type { Database } from '../../database.ts'
import type { Translate } from '../../lib/i18n/index.ts'
import type { DatabaseHandle } from '../../lib/database/connection.ts'
import { addJob } from '../../lib/jobs/queue.ts'
import type { Logger } from '../../lib/log.ts'
import { recordAudit } from '../identity/index.ts'
import { isMessageType, messageTypes } from './message-types.ts'
import { sendMessageTask } from './outbox.ts'
import { PermanentDeliveryFailure, ProviderConfigurationFailure, type MessageProvider } from './provider.ts'
import { activePause, pauseSending } from './sending-pause.ts'
import { renderMessage, type MessageText } from './templates.ts'

/** How long a sender may hold a message before another may take it over. */
export const leaseSeconds = 120

/**
 * The words of a message type in the reader's language, with the council's name filled in and the
 * ((placeholders)) still in.
 */
export function messageText(t: Translate, messageType: string, council: string): MessageText {
  if (!isMessageType(messageType)) throw new Error(`Unknown message type ${messageType}`)
  const email = messageTypes[messageType].channel === 'email'
  return {
    subject: email ? t(`notifications.messages.${messageType}.subject`, { council }) : undefined,
    body: t(`notifications.messages.${messageType}.body`, { council }),
  }
}

export type SendOutcome = 'sent' | 'not-due' | 'permanent-failure' | 'paused'

export interface MessageSenderDependencies {
  db: DatabaseHandle
  provider: MessageProvider
  t: Translate
  logger: Logger
  council: string
}

/**
 * Sends one outbox message at most once per lease. The row, not the queue, decides: a sender
 * first takes the row (status "sending" with a lease, skipping a row another sender has locked),
 * so a job run twice, or two workers racing, send it once. A sender that dies mid-send leaves a
 * lease that expires, and the queue's retry of its job takes the message over.
 */
export function createMessageSender({ db, provider, t, logger, council }: MessageSenderDependencies) {
  async function take(id: string) {
    return db
      .updateTable('outbox_messages')
      .set({
        status: 'sending',
        lease_expires_at: sql<Date>`now() + make_interval(secs => ${leaseSeconds})`,
        attempts: sql<number>`attempts + 1`,
        status_updated_at: sql<Date>`now()`,
      })
      .where(
        'id',
        '=',
        db
          .selectFrom('outbox_messages')
          .select('id')
          .where('id', '=', id)
          .where((where) =>
            where.or([
              where('status', 'in', ['queued', 'temporary-failure']),
              where.and([where('status', '=', 'sending'), where('lease_expires_at', '<', sql<Date>`now()`)]),
            ]),
          )
          .forUpdate()
          .skipLocked(),
      )
      .returningAll()
      .executeTakeFirst()
  }

  /** Records the outcome only while this sender still holds the lease it took. */
  async function settle(id: string, attempt: number, values: Updateable<Database['outbox_messages']>) {
    await db
      .updateTable('outbox_messages')
      .set(values)
      .where('id', '=', id)
      .where('status', '=', 'sending')
      .where('attempts', '=', attempt)
      .execute()
  }

  /** Wakes the sender for a message again once sending may resume. */
  async function wakeAt(id: string, runAt: Date) {
    await addJob(db as unknown as Kysely<unknown>, sendMessageTask, { id }, { runAt, maxAttempts: 10 })
  }

  /**
   * The provider refused us, not the message: every message would fail alike, so sending pauses
   * and the message waits, unfailed. Administrators hear of it through an error in the log (which
   * monitoring alerts on) and an entry in the audit log; a message to them would go through the
   * very provider that is refusing us.
   */
  async function pauseFor(id: string, attempt: number, failure: ProviderConfigurationFailure): Promise<SendOutcome> {
    await settle(id, attempt, { status: 'queued', lease_expires_at: null, failure_reason: failure.message.slice(0, 500), status_updated_at: new Date() })
    const pause = await pauseSending(db, failure.message.slice(0, 500))
    if (pause.started) {
      logger.error({ provider: provider.name, pausedUntil: pause.pausedUntil, reason: pause.reason }, 'the message provider refused our credentials: sending is paused')
      await recordAudit(db, {
        actor: { kind: 'system' },
        action: 'notifications.sending-paused',
        details: { provider: provider.name, reason: pause.reason, pausedUntil: pause.pausedUntil.toISOString() },
      })
    }
    await wakeAt(id, pause.pausedUntil)
    return 'paused'
  }

  async function send(id: string): Promise<SendOutcome> {
    const pause = await activePause(db)
    if (pause) {
      await wakeAt(id, pause.pausedUntil)
      return 'paused'
    }
    const message = await take(id)
    if (!message) return 'not-due'
    const now = new Date()
    try {
      const text = renderMessage(messageText(t, message.message_type, council), message.personalisation)
      const receipt = await provider.send({
        id: message.id,
        channel: message.channel === 'sms' ? 'sms' : 'email',
        recipient: message.recipient,
        messageType: message.message_type,
        personalisation: message.personalisation,
        subject: text.subject,
        body: text.body,
        mayAlreadyHaveBeenSent: message.attempts > 1,
      })
      await settle(id, message.attempts, {
        status: 'sent',
        provider: receipt.provider,
        provider_reference: receipt.reference,
        sent_at: now,
        lease_expires_at: null,
        failure_reason: null,
        status_updated_at: now,
      })
      return 'sent'
    } catch (error) {
      if (error instanceof ProviderConfigurationFailure) return pauseFor(id, message.attempts, error)
      const permanent = error instanceof PermanentDeliveryFailure
      await settle(id, message.attempts, {
        status: permanent ? 'permanent-failure' : 'temporary-failure',
        provider: provider.name,
        lease_expires_at: null,
        failure_reason: (error as Error).message.slice(0, 500),
        status_updated_at: now,
      })
      logger.warn({ messageId: id, permanent }, 'a message could not be sent')
      if (permanent) return 'permanent-failure'
      // Thrown on so the queue tries again later, with its back-off.
      throw error
    }
  }

  return { send }
}
