import type { TaskList } from 'graphile-worker'
import type { Kysely } from 'kysely'
import type { ServiceDependencies } from '../../container.ts'
import type { Database } from '../../database.ts'
import { translator, type Translate } from '../../lib/i18n/index.ts'
import { createLocalProvider } from './local-provider.ts'
import { queueMessage, resumeAbandonedMessages, resumeAbandonedMessagesTask, sendMessageTask, type MessageRequest } from './outbox.ts'
import { recentMessages } from './outbox-page.ts'
import type { MessageProvider } from './provider.ts'
import { createMessageSender } from './sender.ts'

export { queueMessage, sendMessageTask, type MessageRequest } from './outbox.ts'
export { messageTypes, type MessageTypeName } from './message-types.ts'
export { PermanentDeliveryFailure, type DeliveryReceipt, type MessageProvider, type OutgoingMessage } from './provider.ts'
export { createLocalProvider } from './local-provider.ts'
export { notificationRoutes } from './routes.ts'

function providerFor(dependencies: ServiceDependencies): MessageProvider {
  switch (dependencies.config.notificationsProvider) {
    case 'local':
      return createLocalProvider()
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
    recentMessages: (t: Translate, limit?: number) => recentMessages(dependencies.db, t, dependencies.config.council.name, limit),
  }
}

export type NotificationServices = ReturnType<typeof createNotificationServices>
