import { sql, type Kysely, type Updateable } from 'kysely'
import type { OutboxTiming } from '../../config.ts'
import type { Database } from '../../database.ts'
import type { Translate } from '../../lib/i18n/index.ts'
import type { DatabaseHandle } from '../../lib/database/connection.ts'
import { addJob } from '../../lib/jobs/queue.ts'
import type { Logger } from '../../lib/log.ts'
import { recordAudit } from '../identity/index.ts'
import { isMessageType, messageTypes } from './message-types.ts'
import { queueFallback, retryDelaySeconds, sendMessageJobKey, sendMessageTask } from './outbox.ts'
import { PermanentDeliveryFailure, ProviderConfigurationFailure, type MessageProvider } from './provider.ts'
import { activePause, pauseSending } from './sending-pause.ts'
import { renderMessage, type MessageText } from './templates.ts'

/**
 * Thrown by a sender after a temporary failure, once the message is marked for another try and
 * its next job is queued at the outbox's own pace: the job that ran has done its work, so the
 * task ends it quietly instead of letting the queue retry it on its own, much slower, schedule.
 */
export class RetryScheduled extends Error {
  constructor(
    readonly failure: Error,
    readonly retryAt: Date,
  ) {
    super(failure.message, { cause: failure })
  }
}

/**
 * The words of a message type in the reader's language, with the council's name filled in and the
 * ((placeholders)) still in. Emails and letters have a subject (a letter's is its heading, as in a
 * GOV.UK Notify letter template); texts do not.
 */
export function messageText(t: Translate, messageType: string, council: string): MessageText {
  if (!isMessageType(messageType)) throw new Error(`Unknown message type ${messageType}`)
  const hasSubject = messageTypes[messageType].channel !== 'sms'
  return {
    subject: hasSubject ? t(`notifications.messages.${messageType}.subject`, { council }) : undefined,
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
  /** How long a sender holds a message (OUTBOX_LEASE_SECONDS) and how long its retries wait. */
  timing: OutboxTiming
}

/**
 * Sends one outbox message at most once per lease. The row, not the queue, decides: a sender
 * first takes the row (status "sending" with a lease, skipping a row another sender has locked),
 * so a job run twice, or two workers racing, send it once. A sender that dies mid-send leaves a
 * lease that expires, and the outbox's sweep (resumeAbandonedMessages) wakes a sender to take it over.
 */
export function createMessageSender({ db, provider, t, logger, council, timing }: MessageSenderDependencies) {
  async function take(id: string) {
    return db
      .updateTable('outbox_messages')
      .set({
        status: 'sending',
        lease_expires_at: sql<Date>`now() + make_interval(secs => ${timing.leaseSeconds})`,
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

  /**
   * Records the outcome only while this sender still holds the lease it took. Returns the row's
   * person and fallback when it was recorded, and undefined when another sender had taken over.
   */
  async function settle(id: string, attempt: number, values: Updateable<Database['outbox_messages']>, handle: DatabaseHandle = db) {
    return handle
      .updateTable('outbox_messages')
      .set(values)
      .where('id', '=', id)
      .where('status', '=', 'sending')
      .where('attempts', '=', attempt)
      .returning(['person_id', 'fallback'])
      .executeTakeFirst()
  }

  /** Marks the message failed for good and, in the same transaction, queues its fallback if it has one. */
  async function failPermanently(id: string, attempt: number, values: Updateable<Database['outbox_messages']>) {
    await db.transaction().execute(async (transaction) => {
      const failed = await settle(id, attempt, { ...values, status: 'permanent-failure' }, transaction)
      const fallback = failed && (await queueFallback(transaction, failed))
      if (fallback) logger.info({ messageId: id, fallbackId: fallback.id }, 'a message failed for good: its fallback is queued')
    })
  }

  /** Wakes the sender for a message again once sending may resume. */
  async function wakeAt(id: string, runAt: Date) {
    await addJob(db as unknown as Kysely<unknown>, sendMessageTask, { id }, { runAt, maxAttempts: 10, jobKey: sendMessageJobKey(id) })
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
        channel: message.channel,
        recipient: message.recipient,
        messageType: message.message_type,
        personalisation: message.personalisation,
        subject: text.subject,
        body: text.body,
        unsubscribeUrl: message.unsubscribe_url ?? undefined,
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
      const failure = { provider: provider.name, lease_expires_at: null, failure_reason: (error as Error).message.slice(0, 500), status_updated_at: now }
      logger.warn({ messageId: id, permanent }, 'a message could not be sent')
      if (permanent) {
        await failPermanently(id, message.attempts, failure)
        return 'permanent-failure'
      }
      // The failure and the job for the next try are recorded together, so a worker that dies in
      // between cannot leave the message marked for a retry that nothing will run. The next try is
      // queued only while this sender still held the message.
      const retryAt = new Date(Date.now() + retryDelaySeconds(message.attempts, timing) * 1000)
      await db.transaction().execute(async (transaction) => {
        const marked = await settle(id, message.attempts, { ...failure, status: 'temporary-failure' }, transaction)
        if (marked) await addJob(transaction as unknown as Kysely<unknown>, sendMessageTask, { id }, { runAt: retryAt, maxAttempts: 10, jobKey: sendMessageJobKey(id) })
      })
      throw new RetryScheduled(error as Error, retryAt)
    }
  }

  return { send }
}
