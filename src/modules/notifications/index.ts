import type { TaskList } from 'graphile-worker'
import type { Kysely } from 'kysely'
import type { ServiceDependencies } from '../../container.ts'
import type { Database } from '../../database.ts'
import { translator, type Translate } from '../../lib/i18n/index.ts'
import { createLocalProvider } from './local-provider.ts'
import { recordDeliveryReceipt, type NotifyDeliveryReceipt } from './delivery-receipts.ts'
import { createNotifyProvider } from './notify-provider.ts'
import { messagesAbout } from './messages-about.ts'
import { queueMessage, resumeAbandonedMessages, resumeAbandonedMessagesTask, sendMessageTask, type MessageRequest } from './outbox.ts'
import { recentMessages } from './outbox-page.ts'
import type { MessageProvider } from './provider.ts'
import { createMessageSender } from './sender.ts'
import { activePause, resumeSending } from './sending-pause.ts'

export { queueMessage, sendMessageTask, type MessageRequest } from './outbox.ts'
export type { SentMessage } from './messages-about.ts'
export { messageTypes, type MessageTypeName } from './message-types.ts'
export { PermanentDeliveryFailure, ProviderConfigurationFailure, type DeliveryReceipt, type MessageProvider, type OutgoingMessage } from './provider.ts'
export { createLocalProvider } from './local-provider.ts'
export { createNotifyProvider } from './notify-provider.ts'
export { notificationRoutes } from './routes.ts'

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
  const sender = createMessageSender({ db: dependencies.db, provider, t: translator('en'), logger: dependencies.logger, council: dependencies.config.council.name })

  const tasks: TaskList = {
    [sendMessageTask]: async (payload) => {
      const { id } = payload as { id: string }
      await sender.send(id)
    },
    [resumeAbandonedMessagesTask]: async () => {
      await resumeAbandonedMessages(dependencies.db)
    },
  }
  /** Checked every minute, so a message abandoned mid-send goes out again within about two minutes. */
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
    /** The messages sent about a request, by its reference, for staff to see where each has got to. */
    messagesAbout: (reference: string) => messagesAbout(dependencies.db, reference),
    recentMessages: (t: Translate, limit?: number) => recentMessages(dependencies.db, t, dependencies.config.council.name, limit),
  }
}

export type NotificationServices = ReturnType<typeof createNotificationServices>
