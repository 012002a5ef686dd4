import type { TaskList } from 'graphile-worker'
import type { ServiceDependencies } from '../../container.ts'
import { translator } from '../../lib/i18n/index.ts'
import { contactFromAnswers, textIn, type Answers, type CatalogueServices, type ServiceDefinition } from '../catalogue/index.ts'
import type { Person } from '../identity/index.ts'
import { messageTypes, type MessageRequest, type NotificationServices } from '../notifications/index.ts'
import type { RequestStatus } from './lifecycle.ts'
import type { RequestEventKind } from './tables.ts'

export const notifyResidentTask = 'notify-resident'

/** How many flagged events one transaction takes, so a backlog never holds locks for long. */
const batchSize = 50

export type ResidentContact = Pick<Person, 'givenName' | 'familyName' | 'email' | 'mobile' | 'mobileVerified' | 'contactPreference'>

/**
 * How to reach the resident when a request's answers do not say: the way they chose, or the other
 * way when the chosen one is not there. A text goes only to a mobile number they have confirmed on
 * their account, so a number mistyped long ago never receives someone's repair details. Nothing
 * when there is no way at all.
 */
export function channelFor(contact: ResidentContact): { channel: 'email' | 'sms'; recipient: string } | undefined {
  const email = contact.email ? { channel: 'email' as const, recipient: contact.email } : undefined
  const text = contact.mobile && contact.mobileVerified ? { channel: 'sms' as const, recipient: contact.mobile } : undefined
  return contact.contactPreference === 'text' ? (text ?? email) : (email ?? text)
}

/** Where a request's messages go: the way its own answers asked for, or else the person's usual way. */
export function messageRouteFor(
  definition: ServiceDefinition,
  answers: Answers,
  contact: ResidentContact | undefined,
): { channel: 'email' | 'sms'; recipient: string } | undefined {
  return contactFromAnswers(definition, answers) ?? (contact && channelFor(contact))
}

type Message = 'request-received' | 'request-status-changed' | 'request-update'

/** Which message a flagged event sends; the first event of every request is its "received". */
export function messageFor(event: { kind: RequestEventKind; fromStatus: RequestStatus | null; toStatus: RequestStatus | null }): Message | undefined {
  if (event.kind === 'status-change' && event.fromStatus === null) return 'request-received'
  if (event.kind === 'status-change' && event.toStatus !== null) return 'request-status-changed'
  if (event.kind === 'public-update') return 'request-update'
  return undefined
}

export interface ResidentMessageDependencies extends ServiceDependencies {
  catalogue: Pick<CatalogueServices, 'definitionVersion'>
  people: { findPersonById(personId: string): Promise<ResidentContact | undefined> }
  notifications: Pick<NotificationServices, 'queueMessage'>
}

/**
 * Turns timeline events flagged for the resident into messages through the outbox. Each event is
 * taken with `for update skip locked` and marked told in the same transaction that queues its
 * message, so two runs at once never send one twice, and a run that fails sends nothing.
 */
export function createResidentMessages(dependencies: ResidentMessageDependencies) {
  const { db, config, logger, catalogue, people, notifications } = dependencies
  const t = translator('en')

  async function tellResidents(requestId?: string): Promise<number> {
    return db.transaction().execute(async (transaction) => {
      let query = transaction
        .selectFrom('request_events')
        .innerJoin('requests', 'requests.id', 'request_events.request_id')
        .select([
          'request_events.id',
          'request_events.kind',
          'request_events.from_status',
          'request_events.to_status',
          'request_events.body',
          'requests.reference',
          'requests.person_id',
          'requests.definition_version_id',
          'requests.answers',
        ])
        .where('request_events.notify_resident', '=', true)
        .where('request_events.resident_notified_at', 'is', null)
      if (requestId !== undefined) query = query.where('request_events.request_id', '=', requestId)
      const events = await query.orderBy('request_events.id').limit(batchSize).forUpdate('request_events').skipLocked().execute()

      for (const event of events) {
        const message = messageFor({ kind: event.kind, fromStatus: event.from_status, toStatus: event.to_status })
        const contact = await people.findPersonById(event.person_id)
        const version = await catalogue.definitionVersion(event.definition_version_id)
        if (!version) throw new Error(`The definition version ${event.definition_version_id} that a request is pinned to cannot be read`)
        const definition = version.definition
        const route = messageRouteFor(definition, event.answers as Answers, contact)
        if (message && contact && route) {
          const values: Record<string, string> = {
            name: `${contact.givenName} ${contact.familyName}`.trim() || t('requests.resident.messages.anonymousName'),
            reference: event.reference,
            service: textIn(definition.name, 'en'),
            link: `${config.baseUrl}/account/requests/${event.reference}`,
            status: event.to_status ? textIn(definition.statusLabels[event.to_status], 'en') : '',
            update: event.body ?? '',
          }
          const messageType = `${message}-${route.channel}` as const
          const request: MessageRequest = {
            personId: event.person_id,
            channel: route.channel,
            recipient: route.recipient,
            messageType,
            // Only what the message uses: an update's words never travel in a message that does not show them.
            personalisation: Object.fromEntries(messageTypes[messageType].personalisation.map((name) => [name, values[name]!])),
          }
          await notifications.queueMessage(transaction, request)
        } else {
          // Marked all the same, so an event nobody can be told about is not tried again for ever.
          logger.info({ eventId: event.id, reference: event.reference }, 'A request event could not be sent to the resident: no message for it or no way to reach them')
        }
        await transaction.updateTable('request_events').set({ resident_notified_at: new Date() }).where('id', '=', event.id).execute()
      }
      return events.length
    })
  }

  /** Tells residents about every flagged event (of one request, or of all), batch after batch. */
  async function notifyResidents(requestId?: string): Promise<number> {
    let told = 0
    for (;;) {
      const batch = await tellResidents(requestId)
      told += batch
      if (batch < batchSize) return told
    }
  }

  const tasks: TaskList = {
    [notifyResidentTask]: async (payload) => {
      const { requestId } = (payload ?? {}) as { requestId?: string }
      await notifyResidents(typeof requestId === 'string' ? requestId : undefined)
    },
  }
  /**
   * Each flagged event wakes the task in its own transaction; this sweep every five minutes only
   * catches what a failed run left behind.
   */
  const schedule = `*/5 * * * * ${notifyResidentTask}`

  return { tasks, schedule, notifyResidents }
}

export type ResidentMessages = ReturnType<typeof createResidentMessages>
