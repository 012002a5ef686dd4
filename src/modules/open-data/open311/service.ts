import type { Kysely } from 'kysely'
import type { Config } from '../../../config.ts'
import type { Database } from '../../../database.ts'
import { ukDateOf } from '../../../lib/calendar/index.ts'
import { NotFound } from '../../../lib/errors.ts'
import { defaultPhotoLimits, discardPhotos, storePhotos } from '../../../lib/files/photo-uploads.ts'
import type { FileStorage } from '../../../lib/files/storage.ts'
import { translator } from '../../../lib/i18n/index.ts'
import { councilText, open311Attributes, topics, type CatalogueServices, type LocationAnswer, type ServiceDefinition } from '../../catalogue/index.ts'
import { emailError, grantsService, mobileError, type ApiClient, type ResidentAccounts } from '../../identity/index.ts'
import { PlaceChoiceNotFound, type PlacesServices } from '../../places/index.ts'
import { parseReference, type ListedRequest, type ListingAccess, type RequestListings, type RequestServices } from '../../requests/index.ts'
import { answersFromOpen311, descriptionQuestionOf, refusedAnswerDescriptions } from './answers.ts'
import { list, w3cDateTime, type Open311Document, type Open311Fields } from './documents.ts'
import {
  badRequest,
  mostRows,
  Open311Refusal,
  parseRequestsQuery,
  parseSubmittedRequest,
  parseSubmittedUpdate,
  windowOf,
  type SubmittedRequest,
} from './parameters.ts'
import { extendedStatusOf, externalStatusCodeOf, open311StatusOf, parseExtendedStatus, planStatusChange, extendedStatuses } from './statuses.ts'

export interface Open311Dependencies {
  config: Config
  db: Kysely<Database>
  storage: FileStorage
  catalogue: Pick<CatalogueServices, 'listServices' | 'currentDefinition' | 'pinnedDefinition'>
  requests: Pick<RequestServices, 'createRequest' | 'changeStatus' | 'request' | 'addComment'>
  listings: RequestListings
  places: Pick<PlacesServices, 'locate' | 'findPlaces' | 'placeOfChoice' | 'addressByUprn'>
  people: Pick<ResidentAccounts, 'recordGuest'>
  now?: () => Date
}

/** Who is calling: a client with a key, or anyone at all. */
export type Open311Caller = ApiClient | undefined

/** The date this version of the API was last changed, as discovery reports it. */
const changeset = '2026-11-24T00:00:00+00:00'
const specification = 'http://wiki.open311.org/GeoReport_v2'
const english = translator('en')

/**
 * Open311 GeoReport v2, with mySociety's extensions for keeping reports in step, over the same
 * services the web pages use: the catalogue says what may be asked, the requests service makes
 * and moves requests under the one lifecycle, and the listings say what a caller may see.
 */
export function createOpen311(dependencies: Open311Dependencies) {
  const { config, db, catalogue, requests, listings, places, people, storage } = dependencies
  const now = dependencies.now ?? (() => new Date())
  const text = councilText(config.council)

  const isPrivate = (definition: ServiceDefinition) => definition.recordVisibility === 'private'

  /** The services a caller may see: every public one, and the private ones its key is granted. */
  async function visibleServices(caller: Open311Caller): Promise<ServiceDefinition[]> {
    const summaries = await catalogue.listServices()
    const definitions = await Promise.all(summaries.map((summary) => catalogue.pinnedDefinition(summary.versionId)))
    return definitions.filter((definition) => definition.audience !== 'staff-only' && grantsService(caller, definition.code, isPrivate(definition)))
  }

  async function visibleService(code: string, caller: Open311Caller): Promise<ServiceDefinition> {
    // A code from the address may hold U+0000, which no code has and the database cannot look for.
    const current = code.includes('\u0000') ? undefined : await catalogue.currentDefinition(code)
    const definition = current?.definition
    if (!definition || definition.audience === 'staff-only' || !grantsService(caller, code, isPrivate(definition))) {
      throw new Open311Refusal(404, [`There is no service with service_code "${code.slice(0, 60)}"; GET services lists them`])
    }
    return definition
  }

  function accessOf(caller: Open311Caller): ListingAccess {
    return { privateServices: caller ? caller.services : [] }
  }

  /** Whether the caller may see everything about a request of this service, beyond what the public may. */
  const granted = (caller: Open311Caller, serviceCode: string) => caller !== undefined && (caller.services === 'all' || caller.services.includes(serviceCode))

  function mayWrite(caller: Open311Caller, serviceCode: string): asserts caller is ApiClient {
    if (!caller) throw new Open311Refusal(403, ['api_key is required to send requests or updates; ask the council for one'])
    if (!caller.write) throw new Open311Refusal(403, ['This api_key may only read; ask the council for a key that may send requests and updates'])
    if (!granted(caller, serviceCode)) throw new Open311Refusal(403, [`This api_key may not send requests or updates for the service "${serviceCode}"`])
  }

  const attributesOf = (definition: ServiceDefinition) => {
    const description = descriptionQuestionOf(definition)
    return open311Attributes(definition, { placeholders: {} })
      .filter((attribute) => attribute.code !== description?.id)
      .map((attribute, index) => ({ ...attribute, order: index + 1, description: text({ en: attribute.description }), datatype_description: text({ en: attribute.datatype_description }) }))
  }

  async function requestFields(row: ListedRequest, caller: Open311Caller): Promise<Open311Fields> {
    const definition = await catalogue.pinnedDefinition(row.definitionVersionId)
    const full = granted(caller, row.serviceCode)
    const descriptionQuestion = full ? descriptionQuestionOf(definition) : undefined
    const ownWords = descriptionQuestion && row.answers ? row.answers[descriptionQuestion.id] : undefined
    const address = full && row.answers ? Object.values(row.answers).find((answer) => typeof answer === 'object' && answer !== null && 'uprn' in answer) : undefined
    const showPoint = row.isPublic || full
    return {
      service_request_id: row.reference,
      status: open311StatusOf(row.status),
      status_notes: text(definition.statusLabels[row.status]),
      service_name: text(definition.name),
      service_code: row.serviceCode,
      description: row.publicText ?? (typeof ownWords === 'string' ? ownWords : null),
      agency_responsible: config.council.name,
      service_notice: null,
      requested_datetime: w3cDateTime(row.createdAt),
      updated_datetime: w3cDateTime(row.updatedAt),
      expected_datetime: w3cDateTime(row.targetAt),
      address: address && 'address' in address ? address.address : row.isPublic ? row.streetOrWard : null,
      address_id: full && row.propertyUprn !== null ? String(row.propertyUprn) : null,
      zipcode: null,
      lat: showPoint ? row.latitude : null,
      long: showPoint ? row.longitude : null,
      media_url: row.publicPhotoId ? `${config.baseUrl}/requests/photos/${row.publicPhotoId}` : full ? (row.mediaUrls[0] ?? null) : null,
    }
  }

  async function requestsDocument(rows: ListedRequest[], caller: Open311Caller): Promise<Open311Document> {
    return { root: 'service_requests', body: list('request', await Promise.all(rows.map((row) => requestFields(row, caller)))) }
  }

  /** The place a request is about, for a service that asks where. */
  async function locationFrom(submitted: SubmittedRequest): Promise<LocationAnswer | undefined> {
    const place = submitted.place
    if (!place) return undefined
    let point: { latitude: number; longitude: number }
    if (place.kind === 'point') point = place
    else if (place.kind === 'address-id') {
      try {
        point = await places.placeOfChoice(`property:${place.uprn}`)
      } catch (error) {
        if (error instanceof PlaceChoiceNotFound) throw badRequest(`address_id ${place.uprn} is not a property in the council's address register`)
        throw error
      }
    } else {
      const found = (await places.findPlaces(place.text))[0]
      if (!found) throw badRequest(`address_string "${place.text.slice(0, 80)}" matches no street or postcode in the council's area; send lat and long instead`)
      point = found
    }
    const located = await places.locate(point)
    if (!located.inside) {
      throw badRequest(`The place given (lat ${point.latitude}, long ${point.longitude}) is outside ${config.council.name}'s area, so the council cannot deal with it there`)
    }
    return { ...located.place, ...(submitted.addressString && place.kind === 'point' ? { description: `${located.place.description} (given as "${submitted.addressString.slice(0, 200)}")` } : {}) }
  }

  async function addressFrom(submitted: SubmittedRequest) {
    const place = submitted.place
    if (place?.kind !== 'address-id') return undefined
    try {
      const address = await places.addressByUprn(place.uprn)
      return { uprn: String(address.uprn), address: address.singleLine }
    } catch (error) {
      if (error instanceof NotFound) throw badRequest(`address_id ${place.uprn} is not a property in the council's address register`)
      throw error
    }
  }

  /** The person the request is for, found or recorded by the email address or mobile number sent. */
  async function reporterOf(submitted: SubmittedRequest): Promise<string> {
    const names = { givenName: submitted.firstName, familyName: submitted.lastName }
    if (submitted.email) {
      const problem = emailError(submitted.email)
      if (problem) throw badRequest(`email: ${problem}`)
      return (await people.recordGuest({ email: submitted.email }, names)).personId
    }
    if (submitted.phone) {
      const problem = mobileError(submitted.phone)
      if (problem) throw badRequest(`phone: ${problem}; without an email address the council needs a UK mobile number to tell the reporter of progress`)
      return (await people.recordGuest({ mobile: submitted.phone }, names)).personId
    }
    throw badRequest('email (or phone, as a UK mobile number) is required, so the council can tell the reporter how the request is going')
  }

  return {
    discovery(): Open311Document {
      return {
        root: 'discovery',
        body: {
          changeset,
          contact: `${config.council.name}: ${config.council.email}`,
          key_service: `To send requests, ask ${config.council.email} for an API key`,
          endpoints: list('endpoint', [
            {
              specification,
              url: `${config.baseUrl}/open311/v2`,
              changeset,
              type: 'production',
              formats: list('format', ['text/xml', 'application/json']),
            },
          ]),
        },
      }
    },

    async services(caller: Open311Caller): Promise<Open311Document> {
      const definitions = await visibleServices(caller)
      return {
        root: 'services',
        body: list(
          'service',
          definitions.map((definition) => ({
            service_code: definition.code,
            service_name: text(definition.name),
            description: text(definition.description),
            metadata: attributesOf(definition).length > 0,
            type: 'realtime',
            keywords: [...definition.synonyms, ...definition.keywords].join(','),
            group: definition.topics.map((id) => topics.find((topic) => topic.id === id)).find(Boolean)?.name.en ?? null,
          })),
        ),
      }
    },

    async serviceDefinition(code: string, caller: Open311Caller): Promise<Open311Document> {
      const definition = await visibleService(code, caller)
      return {
        root: 'service_definition',
        body: {
          service_code: definition.code,
          attributes: list(
            'attribute',
            attributesOf(definition).map((attribute) => ({
              variable: attribute.variable,
              code: attribute.code,
              datatype: attribute.datatype,
              required: attribute.required,
              datatype_description: attribute.datatype_description,
              order: attribute.order,
              description: attribute.description,
              values: attribute.values ? list('value', attribute.values.map((value) => ({ key: value.key, name: text({ en: value.name }) }))) : undefined,
            })),
          ),
        },
      }
    },

    async createRequest(raw: Record<string, unknown>, photos: readonly Buffer[], caller: Open311Caller): Promise<Open311Document> {
      const submitted = parseSubmittedRequest(raw)
      mayWrite(caller, submitted.serviceCode)
      const current = await catalogue.currentDefinition(submitted.serviceCode)
      const definition = current && (await visibleService(submitted.serviceCode, caller))
      if (!current || !definition) throw new Open311Refusal(404, [`There is no service with service_code "${submitted.serviceCode}"`])

      const asksWhere = definition.questions.some((question) => question.kind === 'location')
      const asksAddress = definition.questions.some((question) => question.kind === 'address')
      const location = asksWhere ? await locationFrom(submitted) : undefined
      const address = asksAddress ? await addressFrom(submitted) : undefined
      const photoQuestion = definition.questions.find((question) => question.kind === 'photo')
      if (photos.length > 0 && !photoQuestion) throw badRequest(`The service "${definition.code}" takes no photos; send their addresses as media_url instead`)
      let photoKeys: string[] | undefined
      if (photos.length > 0 && photoQuestion?.kind === 'photo') {
        const stored = await storePhotos(storage, photos, { folder: 'requests', limits: photoQuestion ?? defaultPhotoLimits, t: english })
        if ('message' in stored) throw badRequest(`media: ${stored.message}`)
        photoKeys = stored.keys
      }
      const forget = async () => photoKeys && (await discardPhotos(storage, photoKeys))

      try {
        const filled = answersFromOpen311(definition, submitted, { location, address, photoKeys }, ukDateOf(now()))
        if (filled.kind === 'stopped') {
          throw badRequest(`The answers given lead to advice instead of a request: "${text(filled.interruption.title)}". ${filled.interruption.body.map(text).join(' ')}`)
        }
        if (filled.kind === 'refused') throw new Open311Refusal(400, refusedAnswerDescriptions(definition, filled, english))
        const personId = await reporterOf(submitted)
        const created = await requests.createRequest({
          serviceCode: definition.code,
          definitionVersionId: current.id,
          personId,
          propertyUprn: address ? Number(address.uprn) : null,
          answers: filled.answers,
          channel: 'open311',
          mediaUrls: submitted.mediaUrls,
        })
        const submission = await db
          .insertInto('open311_submissions')
          .values({ request_id: created.id, api_key_id: caller.keyId, device_id: submitted.deviceId ?? null, account_id: submitted.accountId ?? null })
          .returning('token')
          .executeTakeFirstOrThrow()
        return {
          root: 'service_requests',
          body: list('request', [{ service_request_id: created.reference, token: submission.token, service_notice: null, account_id: submitted.accountId ?? null }]),
        }
      } catch (error) {
        await forget()
        throw error
      }
    },

    async requests(raw: Record<string, unknown>, caller: Open311Caller): Promise<Open311Document> {
      const query = parseRequestsQuery(raw, now())
      const withAnswers = caller !== undefined
      if (query.kind === 'references') {
        return requestsDocument(await listings.requests({ references: query.references }, accessOf(caller), { limit: mostRows, withAnswers }), caller)
      }
      if (query.serviceCodes) await Promise.all(query.serviceCodes.map((code) => visibleService(code, caller).catch(() => {
        throw badRequest(`service_code "${code.slice(0, 60)}" is not a service; GET services lists them`)
      })))
      const open = query.statuses?.length === 1 ? query.statuses[0] === 'open' : undefined
      const rows = await listings.requests({ serviceCodes: query.serviceCodes, open, from: query.window.from, to: query.window.to }, accessOf(caller), { limit: mostRows, withAnswers })
      return requestsDocument(rows, caller)
    },

    async request(id: string, caller: Open311Caller): Promise<Open311Document> {
      const reference = parseReference(id)
      const rows = reference ? await listings.requests({ references: [reference] }, accessOf(caller), { limit: 1, withAnswers: caller !== undefined }) : []
      if (rows.length === 0) throw new Open311Refusal(404, [`There is no request with service_request_id "${id.slice(0, 60)}"`])
      return requestsDocument(rows, caller)
    },

    async token(token: string, caller: Open311Caller): Promise<Open311Document> {
      const notFound = new Open311Refusal(404, [`There is no request with the token "${token.slice(0, 60)}"`])
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(token)) throw notFound
      const row = await db
        .selectFrom('open311_submissions')
        .innerJoin('requests', 'requests.id', 'open311_submissions.request_id')
        .select(['requests.reference', 'requests.service_code', 'requests.is_public'])
        .where('open311_submissions.token', '=', token)
        .executeTakeFirst()
      if (!row || !grantsService(caller, row.service_code, !row.is_public)) throw notFound
      return { root: 'service_requests', body: list('request', [{ service_request_id: row.reference, token }]) }
    },

    async updates(raw: Record<string, unknown>, caller: Open311Caller): Promise<Open311Document> {
      const window = windowOf(raw, now())
      const rows = await listings.updates(window, accessOf(caller), { limit: mostRows, ...(caller ? { excludeActorId: caller.keyId } : {}) })
      const updates = await Promise.all(
        rows.map(async (row) => {
          const definition = await catalogue.pinnedDefinition(row.definitionVersionId)
          const label = text(definition.statusLabels[row.status])
          const state = { status: row.status, closureReason: row.closureReason, resumeTo: row.resumeTo, reopened: row.kind === 'status-change' && row.fromStatus === 'closed' }
          return {
            update_id: String(row.id),
            service_request_id: row.reference,
            status: extendedStatusOf(state),
            updated_datetime: w3cDateTime(row.occurredAt),
            // Staff write updates to the person who reported; only a client granted the service reads their words.
            description: granted(caller, row.serviceCode) ? (row.body ?? label) : label,
            media_url: null,
            external_status_code: externalStatusCodeOf(state),
          }
        }),
      )
      return { root: 'service_request_updates', body: list('request_update', updates) }
    },

    async postUpdate(raw: Record<string, unknown>, caller: Open311Caller): Promise<Open311Document> {
      const submitted = parseSubmittedUpdate(raw)
      const wanted = parseExtendedStatus(submitted.status)
      if (!wanted) throw badRequest(`status must be one of ${extendedStatuses.join(', ')}, not "${submitted.status}"`)
      const reference = parseReference(submitted.serviceRequestId)
      const listed = reference ? (await listings.requests({ references: [reference] }, accessOf(caller), { limit: 1, withAnswers: false }))[0] : undefined
      if (!listed) throw new Open311Refusal(404, [`There is no request with service_request_id "${submitted.serviceRequestId}"`])
      mayWrite(caller, listed.serviceCode)

      // The receipt is claimed first, so the same update sent twice at once is added once.
      const claimed = await db
        .insertInto('open311_update_receipts')
        .values({ api_key_id: caller.keyId, client_update_id: submitted.clientUpdateId, request_id: listed.id })
        .onConflict((conflict) => conflict.columns(['api_key_id', 'client_update_id']).doNothing())
        .returning('id')
        .executeTakeFirst()
      const receiptDocument = (id: string): Open311Document => ({ root: 'service_request_updates', body: list('request_update', [{ update_id: id }]) })
      if (!claimed) {
        const earlier = await db
          .selectFrom('open311_update_receipts')
          .select(['id', 'request_id'])
          .where('api_key_id', '=', caller.keyId)
          .where('client_update_id', '=', submitted.clientUpdateId)
          .executeTakeFirstOrThrow()
        if (earlier.request_id !== listed.id) throw badRequest(`update_id "${submitted.clientUpdateId}" was already used for another request`)
        return receiptDocument(earlier.id)
      }
      try {
        const actor = { kind: 'api-client' as const, id: caller.keyId }
        if (caller.changeStatus) {
          const record = await requests.request(listed.id)
          const plan = planStatusChange(record.state, wanted)
          if ('refused' in plan) throw badRequest(`status ${wanted}: ${plan.refused}`)
          let rowVersion = record.rowVersion
          for (const change of plan.changes) {
            rowVersion = (await requests.changeStatus(listed.id, change, { actor, expectedRowVersion: rowVersion })).rowVersion
          }
        }
        if (submitted.description) {
          const authorName = [submitted.firstName, submitted.lastName].filter((part) => part && part !== '-').join(' ')
          await requests.addComment(listed.id, { actor, body: submitted.description, authorName: authorName || undefined, mediaUrls: submitted.mediaUrls, at: submitted.updatedAt })
        }
        return receiptDocument(claimed.id)
      } catch (error) {
        await db.deleteFrom('open311_update_receipts').where('id', '=', claimed.id).execute()
        throw error
      }
    },

  }
}

export type Open311 = ReturnType<typeof createOpen311>
