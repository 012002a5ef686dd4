import type { TaskList } from 'graphile-worker'
import type { Kysely } from 'kysely'
import type { ServiceDependencies } from '../../container.ts'
import type { Database } from '../../database.ts'
import { translator } from '../../lib/i18n/index.ts'
import { contactFromAnswers, textIn, type Answers, type CatalogueServices, type ServiceDefinition } from '../catalogue/index.ts'
import type { Person } from '../identity/index.ts'
import { isMessageType, messageTypes, type Channel, type MessageRequest, type MessageTypeName, type NotificationServices } from '../notifications/index.ts'
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

/** What a request's messages can say; each is sent as the type of the same name for the channel used. */
export type RequestMessage =
  | 'request-received'
  | 'request-status-changed'
  | 'request-update'
  | 'appointment-booked'
  | 'appointment-moved'
  | 'appointment-cancelled'
  | 'appointment-reminder'
  | 'appointment-no-access'

/** Which message a flagged event sends; the first event of every request is its "received". */
export function messageFor(event: { kind: RequestEventKind; fromStatus: RequestStatus | null; toStatus: RequestStatus | null }): RequestMessage | undefined {
  if (event.kind === 'status-change' && event.fromStatus === null) return 'request-received'
  if (event.kind === 'status-change' && event.toStatus !== null) return 'request-status-changed'
  if (event.kind === 'public-update') return 'request-update'
  return undefined
}

export interface MessageRoute {
  channel: Channel
  recipient: string
}

/**
 * How a message about a request travels: by the email or text its answers or the account give,
 * or, for someone with neither, by letter to the property where the message has a letter form.
 * A text falls back to the person's email, where they have one, if it fails for good.
 */
export function messageRoutesFor(
  message: RequestMessage,
  reach: { route: { channel: 'email' | 'sms'; recipient: string } | undefined; email: string | null | undefined; postalAddress: string | undefined },
): { route: MessageRoute; fallback?: MessageRoute } | undefined {
  const { route, email, postalAddress } = reach
  if (!route) return postalAddress && isMessageType(`${message}-letter`) ? { route: { channel: 'letter', recipient: postalAddress } } : undefined
  const fallback = route.channel === 'sms' && email ? { channel: 'email' as const, recipient: email } : undefined
  return fallback ? { route, fallback } : { route }
}

/** A postal address for a letter: the name, then the address's lines in order ending with the postcode, blanks left out. */
export function postalAddressOf(name: string, addressLines: readonly (string | null)[]): string {
  return [name, ...addressLines]
    .map((line) => (line ?? '').trim())
    .filter((line) => line !== '')
    .join('\n')
}

/** The person a request's messages go to: how to reach them, and the values every such message has. */
export interface Addressee {
  personId: string
  reach: Parameters<typeof messageRoutesFor>[1] | undefined
  values: Record<string, string>
}

export interface ResidentMessageDependencies extends ServiceDependencies {
  catalogue: Pick<CatalogueServices, 'definitionVersion' | 'pinnedDefinition'>
  people: { findPersonById(personId: string): Promise<ResidentContact | undefined> }
  notifications: Pick<NotificationServices, 'queueMessage'>
}

/**
 * Messages to the person who made a request: timeline events flagged for them, and what other
 * modules (appointments) have to say. Each is queued through the outbox in the caller's
 * transaction, so it exists exactly when the change it tells of does.
 */
export function createResidentMessages(dependencies: ResidentMessageDependencies) {
  const { db, config, logger, catalogue, people, notifications } = dependencies
  const t = translator('en')

  /**
   * Who a request's messages go to and how they are reached, read before the transaction that
   * queues a message, so that transaction never waits on a second connection from the pool.
   */
  async function addresseeOf(requestId: string): Promise<Addressee> {
    const request = await db
      .selectFrom('requests')
      .leftJoin('properties', 'properties.uprn', 'requests.property_uprn')
      .select([
        'requests.reference',
        'requests.person_id',
        'requests.definition_version_id',
        'requests.answers',
        'properties.address_line_1',
        'properties.address_line_2',
        'properties.address_line_3',
        'properties.town',
        'properties.postcode',
      ])
      .where('requests.id', '=', requestId)
      .executeTakeFirstOrThrow()
    const contact = await people.findPersonById(request.person_id)
    const definition = await catalogue.pinnedDefinition(request.definition_version_id)
    const name = contact ? `${contact.givenName} ${contact.familyName}`.trim() : ''
    const addressLines = [request.address_line_1, request.address_line_2, request.address_line_3, request.town, request.postcode]
    return {
      personId: request.person_id,
      reach: contact && {
        route: messageRouteFor(definition, request.answers as Answers, contact),
        email: contact.email,
        postalAddress: request.address_line_1 !== null && name !== '' ? postalAddressOf(name, addressLines) : undefined,
      },
      values: {
        name: name || t('requests.resident.messages.anonymousName'),
        reference: request.reference,
        service: textIn(definition.name, 'en'),
        link: `${config.baseUrl}/account/requests/${request.reference}`,
        phone: config.council.repairsPhone,
      },
    }
  }

  /**
   * Queues a message about a request to the person who made it, by the way that reaches them,
   * with the values every message about a request has (name, reference, service, link, phone)
   * and any more the message needs. Returns whether there was a way to send it.
   */
  async function queueRequestMessage(transaction: Kysely<Database>, addressee: Addressee, message: RequestMessage, more: Record<string, string> = {}): Promise<boolean> {
    const routes = addressee.reach && messageRoutesFor(message, addressee.reach)
    if (!routes) return false
    const values = { ...addressee.values, ...more }
    const messageRequest = (route: MessageRoute): Omit<MessageRequest, 'fallback'> => {
      const messageType = `${message}-${route.channel}` as MessageTypeName
      return {
        personId: addressee.personId,
        channel: route.channel,
        recipient: route.recipient,
        messageType,
        // Only what the message uses: an update's words never travel in a message that does not show them.
        personalisation: Object.fromEntries(messageTypes[messageType].personalisation.map((placeholder) => [placeholder, values[placeholder]!])),
      }
    }
    await notifications.queueMessage(transaction, { ...messageRequest(routes.route), ...(routes.fallback && { fallback: messageRequest(routes.fallback) }) })
    return true
  }

  async function tellResidents(requestId?: string): Promise<number> {
    return db.transaction().execute(async (transaction) => {
      let query = transaction
        .selectFrom('request_events')
        .innerJoin('requests', 'requests.id', 'request_events.request_id')
        .select([
          'request_events.id',
          'request_events.request_id',
          'request_events.kind',
          'request_events.from_status',
          'request_events.to_status',
          'request_events.body',
          'requests.reference',
          'requests.definition_version_id',
        ])
        .where('request_events.notify_resident', '=', true)
        .where('request_events.resident_notified_at', 'is', null)
      if (requestId !== undefined) query = query.where('request_events.request_id', '=', requestId)
      const events = await query.orderBy('request_events.id').limit(batchSize).forUpdate('request_events').skipLocked().execute()

      for (const event of events) {
        const message = messageFor({ kind: event.kind, fromStatus: event.from_status, toStatus: event.to_status })
        const status = event.to_status ? await statusLabel(event.definition_version_id, event.to_status) : ''
        const queued = message !== undefined && (await queueRequestMessage(transaction, await addresseeOf(event.request_id), message, { status, update: event.body ?? '' }))
        // Marked all the same, so an event nobody can be told about is not tried again for ever.
        if (!queued) logger.info({ eventId: event.id, reference: event.reference }, 'A request event could not be sent to the resident: no message for it or no way to reach them')
        await transaction.updateTable('request_events').set({ resident_notified_at: new Date() }).where('id', '=', event.id).execute()
      }
      return events.length
    })
  }

  async function statusLabel(definitionVersionId: string, status: RequestStatus): Promise<string> {
    const version = await catalogue.definitionVersion(definitionVersionId)
    return version ? textIn(version.definition.statusLabels[status], 'en') : ''
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

  return { tasks, schedule, notifyResidents, addresseeOf, queueRequestMessage }
}

export type ResidentMessages = ReturnType<typeof createResidentMessages>
