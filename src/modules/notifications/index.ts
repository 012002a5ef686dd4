import type { TaskList } from 'graphile-worker'
import type { Kysely } from 'kysely'
import { addJob } from '../../lib/jobs/queue.ts'
import type { ServiceDependencies } from '../../container.ts'
import type { Database } from '../../database.ts'
import { translator, type Translate } from '../../lib/i18n/index.ts'
import type { StaffActor } from '../identity/index.ts'
import { createLocalProvider } from './local-provider.ts'
import { recordDeliveryReceipt, type NotifyDeliveryReceipt } from './delivery-receipts.ts'
import { createNotifyProvider } from './notify-provider.ts'
import { messagesAbout } from './messages-about.ts'
import { queueMessage, resumeAbandonedMessages, resumeAbandonedMessagesTask, sendMessageTask, type MessageRequest } from './outbox.ts'
import { recentMessages } from './outbox-page.ts'
import type { MessageProvider } from './provider.ts'
import { createMessageSender, RetryScheduled } from './sender.ts'
import { activePause, resumeSending } from './sending-pause.ts'
import { recentPermanentFailures, resumeSendingAs } from './sending-status.ts'

export { queueMessage, sendMessageTask, type MessageRequest } from './outbox.ts'
export type { SentMessage } from './messages-about.ts'
export { isMessageType, messageTypes, type MessageTypeName } from './message-types.ts'
export type { Channel } from './tables.ts'
export { PermanentDeliveryFailure, ProviderConfigurationFailure, type DeliveryReceipt, type MessageProvider, type OutgoingMessage } from './provider.ts'
export { createLocalProvider } from './local-provider.ts'
export { createNotifyProvider } from './notify-provider.ts'
export { notificationRoutes } from './routes.ts'
export { notificationStaffRoutes } from './staff-routes.ts'

function providerFor(dependencies: ServiceDependencies): MessageProvider {
  switch (dependencies.config.notificationsProvider) {
    case 'local':
      return createLocalProvider()
    case 'notify':
      return createNotifyProvider(dependencies.config.notify!)
  }
}

/**
 * The notifications service: queue a message inside the caller's transaction, and the worker task
 * that sends it through the configured provider. Tests may pass a provider of their own.
 */
export function createNotificationServices(dependencies: ServiceDependencies, options: { provider?: MessageProvider } = {}) {
  const provider = options.provider ?? providerFor(dependencies)
  const timing = dependencies.config.outbox
  const sender = createMessageSender({ db: dependencies.db, provider, t: translator('en'), logger: dependencies.logger, council: dependencies.config.council.name, timing })
  /**
   * How often the sweep runs: a quarter of a lease, so a message whose worker died goes out again
   * within a lease and a quarter of being taken (under two minutes with the default lease of 90 seconds).
   */
  const sweepIntervalSeconds = Math.max(1, Math.round(timing.leaseSeconds / 4))

  const tasks: TaskList = {
    [sendMessageTask]: async (payload) => {
      const { id } = payload as { id: string }
      try {
        await sender.send(id)
      } catch (error) {
        // The sender has queued the next try itself; the queue's own retry would be a second one.
        if (!(error instanceof RetryScheduled)) throw error
      }
    },
    [resumeAbandonedMessagesTask]: async () => {
      // The next sweep is queued first, so a worker that dies mid-sweep leaves it queued. Its key
      // keeps one waiting however many sweeps run.
      const next = new Date(Date.now() + sweepIntervalSeconds * 1000)
      await addJob(dependencies.db as unknown as Kysely<unknown>, resumeAbandonedMessagesTask, {}, { runAt: next, maxAttempts: 3, jobKey: resumeAbandonedMessagesTask })
      await resumeAbandonedMessages(dependencies.db, timing)
    },
  }
  /**
   * Cron counts in minutes, so the schedule only starts the sweep (and restarts it should its chain
   * ever break); each sweep then queues the next a quarter of a lease later.
   */
  const schedule = `* * * * * ${resumeAbandonedMessagesTask}`

  return {
    provider,
    tasks,
    schedule,
    /** Queues a message in the given transaction (or a transaction of its own). */
    queueMessage: (db: Kysely<Database>, request: MessageRequest) => queueMessage(db, request),
    sendMessage: (id: string) => sender.send(id),
    /** Records a delivery receipt from GOV.UK Notify; false when it matches no message sent. */
    recordDeliveryReceipt: (receipt: NotifyDeliveryReceipt) => recordDeliveryReceipt(dependencies.db, receipt),
    /** The pause on sending in force after the provider refused our credentials, if any. */
    sendingPause: () => activePause(dependencies.db),
    /** Ends a pause once an administrator has put the configuration right, and sends what waited. */
    resumeSending: () => resumeSending(dependencies.db),
    /** The same, done by a member of staff from /staff/notifications and recorded in the audit log. */
    resumeSendingAs: (actor: StaffActor) => resumeSendingAs(dependencies.db, actor),
    /** The messages that most recently failed for good, recipients masked, for administrators. */
    recentPermanentFailures: (limit?: number) => recentPermanentFailures(dependencies.db, limit),
    /** The messages sent about a request, by its reference, for staff to see where each has got to. */
    messagesAbout: (reference: string) => messagesAbout(dependencies.db, reference),
    recentMessages: (t: Translate, limit?: number) => recentMessages(dependencies.db, t, dependencies.config.council.name, limit),
  }
}

export type NotificationServices = ReturnType<typeof createNotificationServices>
