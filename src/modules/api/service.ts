import type { Config } from '../../config.ts'
import type { DatabaseHandle } from '../../lib/database/connection.ts'
import { isPlainDate, ukDateOf } from '../../lib/calendar/index.ts'
import { InvalidInput, NotFound } from '../../lib/errors.ts'
import { translator } from '../../lib/i18n/index.ts'
import {
  answerAll,
  answerErrorMessage,
  councilText,
  propertyFor,
  type AnswerValue,
  type CatalogueServices,
  type ServiceDefinition,
} from '../catalogue/index.ts'
import { limitSubmissions } from '../catalogue/submission-limits.ts'
import { emailError, grantsService, mobileError, type ResidentAccounts } from '../identity/index.ts'
import type { PlacesServices } from '../places/index.ts'
import { closureReasons, parseReference, type ClosureReason, type ListedRequest, type ListingAccess, type RequestListings, type RequestServices, type StatusChange } from '../requests/index.ts'
import type { ApiCaller } from './callers.ts'
import { ApiProblem } from './problems.ts'
import { requestJson, serviceJson, timelineJson } from './representations.ts'

export interface JsonApiDependencies {
  config: Config
  db: DatabaseHandle
  catalogue: Pick<CatalogueServices, 'listServices' | 'currentDefinition' | 'pinnedDefinition'>
  requests: Pick<RequestServices, 'createRequest' | 'changeStatus' | 'request' | 'addNote' | 'addComment' | 'timeline'>
  listings: RequestListings
  places: Pick<PlacesServices, 'locate' | 'addressByUprn' | 'tenancyOf'>
  people: Pick<ResidentAccounts, 'recordGuest'>
  now?: () => Date
}

/** The most requests one page of a listing holds, and the default. */
export const mostPerPage = 100
const defaultPerPage = 25
/** The longest update, as much as the requests service takes in a note or comment. */
const longestUpdate = 4000
const english = translator('en')
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * The JSON API's decisions, made through the same services as the web pages: the catalogue says
 * what a service asks, the form engine checks every answer, the requests service makes and moves
 * requests under the one lifecycle, and the listings say what each caller may see.
 */
export function createJsonApi(dependencies: JsonApiDependencies) {
  const { config, db, catalogue, requests, listings, places, people } = dependencies
  const now = dependencies.now ?? (() => new Date())
  const words = councilText(config.council)

  /** Residents see the services for residents and tenants; clients the public ones and those their key is granted. */
  function offers(caller: ApiCaller, definition: ServiceDefinition): boolean {
    if (definition.audience === 'staff-only') return false
    if (caller.kind === 'resident') return true
    return grantsService(caller.kind === 'client' ? caller.client : undefined, definition.code, definition.recordVisibility === 'private')
  }

  async function offered(caller: ApiCaller, code: string): Promise<{ id: string; definition: ServiceDefinition }> {
    const current = await catalogue.currentDefinition(code)
    if (!current || !offers(caller, current.definition)) throw new ApiProblem(404, 'Not found', `There is no service with the code "${code.slice(0, 60)}"`)
    return current
  }

  const accessOf = (caller: ApiCaller): ListingAccess => ({ privateServices: caller.kind === 'client' ? caller.client.services : [] })

  /** Whether the caller may read everything about the request: their own, or a key granted its service. */
  function mayReadAll(caller: ApiCaller, row: { serviceCode: string }, ownerId?: string): boolean {
    if (caller.kind === 'resident') return ownerId === caller.personId
    return caller.kind === 'client' && (caller.client.services === 'all' || caller.client.services.includes(row.serviceCode))
  }

  /** The request the caller may see by its reference; anything else is "not found", so a reference reveals nothing. */
  async function visibleRequest(caller: ApiCaller, reference: string): Promise<{ row: ListedRequest; ownerId: string }> {
    const parsed = parseReference(reference)
    // A resident reads any of their own requests, private or public; a client what its key allows.
    const access = caller.kind === 'resident' ? { privateServices: 'all' as const } : accessOf(caller)
    const rows = parsed ? await listings.requests({ references: [parsed] }, access, { limit: 1, withAnswers: true }) : []
    const row = rows[0]
    const ownerId = row && (await requests.request(row.id)).personId
    if (!row || !ownerId || (caller.kind === 'resident' && ownerId !== caller.personId)) {
      throw new ApiProblem(404, 'Not found', `There is no request with the reference "${reference.slice(0, 30)}"`)
    }
    return { row, ownerId }
  }

  function mayWrite(caller: ApiCaller, serviceCode: string): void {
    if (caller.kind === 'anyone') throw new ApiProblem(401, 'Sign-in needed', 'Send a resident’s token or an API key as "Authorization: Bearer …"')
    if (caller.kind === 'client' && !caller.client.write) throw new ApiProblem(403, 'Not allowed', 'This API key may only read')
    if (caller.kind === 'client' && !grantsService(caller.client, serviceCode, true)) throw new ApiProblem(403, 'Not allowed', `This API key may not send requests or updates for the service "${serviceCode}"`)
  }

  /** The reporter a client names: found or recorded by email address or mobile number, as a guest is. */
  async function reporterOf(body: Record<string, unknown>): Promise<string> {
    const reporter = body.reporter
    if (!isObject(reporter)) throw new InvalidInput({ reporter: 'Give the reporter, as { "email": … } or { "mobile": … }, so the council can tell them how it is going' })
    const text = (name: string) => (typeof reporter[name] === 'string' ? (reporter[name] as string).trim() : undefined)
    const names = { givenName: text('givenName')?.slice(0, 100), familyName: text('familyName')?.slice(0, 100) }
    const email = text('email')
    const mobile = text('mobile')
    if (email) {
      const problem = emailError(email)
      if (problem) throw new InvalidInput({ 'reporter.email': problem })
      return (await people.recordGuest({ email }, names)).personId
    }
    if (mobile) {
      const problem = mobileError(mobile)
      if (problem) throw new InvalidInput({ 'reporter.mobile': problem })
      return (await people.recordGuest({ mobile }, names)).personId
    }
    throw new InvalidInput({ reporter: 'Give the reporter’s email address or UK mobile number' })
  }

  /** Places given as coordinates or UPRNs, made into what the form engine takes, or the reason they cannot be. */
  async function resolvePlaces(definition: ServiceDefinition, answers: Record<string, unknown>, homes: number[] | undefined): Promise<Record<string, unknown>> {
    const resolved: Record<string, unknown> = { ...answers }
    const errors: Record<string, string> = {}
    for (const question of definition.questions) {
      const given = answers[question.id]
      if (given === undefined || given === null) continue
      if (question.kind === 'location') {
        const point = isObject(given) ? { latitude: given.latitude, longitude: given.longitude } : undefined
        if (!point || typeof point.latitude !== 'number' || typeof point.longitude !== 'number' || Math.abs(point.latitude) > 90 || Math.abs(point.longitude) > 180) {
          errors[`answers.${question.id}`] = 'Give the place as { "latitude": …, "longitude": … } in decimal degrees'
          continue
        }
        const located = await places.locate({ latitude: point.latitude, longitude: point.longitude })
        if (!located.inside) errors[`answers.${question.id}`] = `The place is outside ${config.council.name}'s area, so the council cannot deal with it there`
        else resolved[question.id] = located.place
      }
      if (question.kind === 'address') {
        const uprn = isObject(given) ? given.uprn : undefined
        if (typeof uprn !== 'number' || !Number.isSafeInteger(uprn) || uprn <= 0 || (homes && !homes.includes(uprn))) {
          errors[`answers.${question.id}`] = homes ? 'Give the UPRN of your home or of its block, as { "uprn": … }' : 'Give the property as { "uprn": … }, its UPRN from the council’s address register'
          continue
        }
        const address = await places.addressByUprn(uprn).catch((error: unknown) => {
          if (error instanceof NotFound) return undefined
          throw error
        })
        if (!address) errors[`answers.${question.id}`] = `There is no property with the UPRN ${uprn} in the council's address register`
        else resolved[question.id] = { uprn: String(address.uprn), address: address.singleLine }
      }
      if (question.kind === 'photo') errors[`answers.${question.id}`] = 'Photos cannot be sent through the API; leave this answer out'
    }
    if (Object.keys(errors).length > 0) throw new InvalidInput(errors)
    return resolved
  }

  async function readRequest(row: ListedRequest, caller: ApiCaller, ownerId: string, withTimeline: boolean) {
    const definition = await catalogue.pinnedDefinition(row.definitionVersionId)
    const view = { full: mayReadAll(caller, row, ownerId) }
    const body = requestJson(row, definition, words, view)
    if (!withTimeline) return body
    return { ...body, timeline: timelineJson(await requests.timeline(row.id, { audience: 'resident' }), definition, words, view) }
  }

  return {
    async services(caller: ApiCaller) {
      const summaries = await catalogue.listServices()
      const definitions = await Promise.all(summaries.map((summary) => catalogue.pinnedDefinition(summary.versionId)))
      return definitions.filter((definition) => offers(caller, definition)).map((definition) => serviceJson(definition, words, { questions: false }))
    },

    async service(caller: ApiCaller, code: string) {
      return serviceJson((await offered(caller, code)).definition, words, { questions: true })
    },

    async createRequest(caller: ApiCaller, body: unknown, context: { ipAddress: string }) {
      if (!isObject(body)) throw new InvalidInput({ body: 'Send the request as a JSON object' })
      const code = typeof body.serviceCode === 'string' ? body.serviceCode : undefined
      if (!code) throw new InvalidInput({ serviceCode: 'Give the code of a service from GET /api/v1/services' })
      mayWrite(caller, code)
      const { id: versionId, definition } = await offered(caller, code)
      const given = body.answers === undefined ? {} : body.answers
      if (!isObject(given)) throw new InvalidInput({ answers: 'Give the answers as an object keyed by question id' })

      const tenancy = caller.kind === 'resident' && definition.audience === 'tenants' ? await places.tenancyOf(caller.personId) : undefined
      if (caller.kind === 'resident' && definition.audience === 'tenants' && !tenancy) {
        throw new ApiProblem(403, 'Not allowed', 'This service is for council tenants: link your tenancy to your account on the council’s website first')
      }
      const homes = tenancy ? [tenancy.address.uprn, ...(tenancy.address.parentUprn === null ? [] : [tenancy.address.parentUprn])] : undefined
      const resolved = await resolvePlaces(definition, given, homes)
      const filled = answerAll(definition, (question) => resolved[question.id] as AnswerValue | undefined, { today: ukDateOf(now()) })
      if (filled.kind === 'stopped') {
        throw new ApiProblem(400, 'Invalid input', `The answers lead to advice instead of a request: ${words(filled.interruption.title)}. ${filled.interruption.body.map(words).join(' ')}`, {
          interruption: { id: filled.interruption.id, title: words(filled.interruption.title), body: filled.interruption.body.map(words) },
        })
      }
      if (filled.kind === 'refused') {
        throw new InvalidInput(Object.fromEntries(filled.errors.map(({ question, error }) => [`answers.${question.id}`, answerErrorMessage(error, english, 'en')])))
      }
      const personId = caller.kind === 'resident' ? caller.personId : await reporterOf(body)
      await limitSubmissions(db, { personId, ipAddress: context.ipAddress }, english)
      const address = Object.values(filled.answers).find((answer) => isObject(answer) && 'uprn' in answer) as { uprn: string } | undefined
      const created = await requests.createRequest({
        serviceCode: code,
        definitionVersionId: versionId,
        personId,
        propertyUprn: address ? Number(address.uprn) : tenancy ? propertyFor(definition, filled.answers, tenancy.address) : null,
        answers: filled.answers,
        channel: 'api',
      })
      const row = (await listings.requests({ references: [created.reference] }, { privateServices: 'all' }, { limit: 1, withAnswers: true }))[0]!
      return readRequest(row, caller, personId, true)
    },

    async listRequests(caller: ApiCaller, query: Record<string, unknown>) {
      const text = (name: string) => {
        const value = query[name]
        if (value === undefined) return undefined
        if (typeof value !== 'string') throw new InvalidInput({ [name]: `Give ${name} once` })
        return value
      }
      const limitText = text('limit')
      const limit = limitText === undefined ? defaultPerPage : Number(limitText)
      if (!Number.isInteger(limit) || limit < 1 || limit > mostPerPage) throw new InvalidInput({ limit: `limit must be a whole number from 1 to ${mostPerPage}` })
      const status = text('status')
      if (status !== undefined && status !== 'open' && status !== 'closed') throw new InvalidInput({ status: 'status must be open or closed' })
      const date = (name: 'from' | 'to') => {
        const value = text(name)
        if (value === undefined) return undefined
        const parsed = new Date(value)
        // A day that does not exist, such as 30 February, is refused rather than rolled into the next month.
        if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(value) || !isPlainDate(value.slice(0, 10)) || Number.isNaN(parsed.getTime())) {
          throw new InvalidInput({ [name]: `${name} must be a date-time such as 2026-11-24T09:30:00Z` })
        }
        return parsed
      }
      const cursor = text('cursor')
      let afterId: string | undefined
      if (cursor !== undefined) {
        afterId = Buffer.from(cursor, 'base64url').toString('utf8')
        if (!uuidPattern.test(afterId)) throw new InvalidInput({ cursor: 'cursor must be the nextCursor of an earlier page, as given' })
      }
      const service = text('service')
      if (service !== undefined) {
        const current = await catalogue.currentDefinition(service)
        if (!current || !offers(caller, current.definition)) throw new InvalidInput({ service: 'service must be the code of one of the services GET /api/v1/services lists' })
      }
      const filter = {
        serviceCodes: service === undefined ? undefined : [service],
        open: status === undefined ? undefined : status === 'open',
        from: date('from'),
        to: date('to'),
        personId: caller.kind === 'resident' ? caller.personId : undefined,
        afterId,
      }
      const rows = await listings.requests(filter, caller.kind === 'resident' ? { privateServices: 'all' } : accessOf(caller), { limit: limit + 1, withAnswers: caller.kind !== 'anyone' })
      const page = rows.slice(0, limit)
      const items = await Promise.all(
        page.map(async (row) => {
          const definition = await catalogue.pinnedDefinition(row.definitionVersionId)
          const full = caller.kind === 'resident' || mayReadAll(caller, row)
          return requestJson(row, definition, words, { full })
        }),
      )
      return { items, nextCursor: rows.length > limit ? Buffer.from(page.at(-1)!.id).toString('base64url') : null }
    },

    async request(caller: ApiCaller, reference: string) {
      const { row, ownerId } = await visibleRequest(caller, reference)
      return readRequest(row, caller, ownerId, true)
    },

    /** A resident adds to their own request; a client's words are a comment the public sees once moderated, and its key may move the status on. */
    async addUpdate(caller: ApiCaller, reference: string, body: unknown) {
      if (!isObject(body)) throw new InvalidInput({ body: 'Send the update as a JSON object' })
      const { row, ownerId } = await visibleRequest(caller, reference)
      mayWrite(caller, row.serviceCode)
      // Checked before anything is done, so a status change is never made with its words then refused.
      const text = body.text
      if (text !== undefined && (typeof text !== 'string' || text.trim() === '' || text.trim().length > longestUpdate)) {
        throw new InvalidInput({ text: `text must be the words of the update, up to ${longestUpdate} characters` })
      }
      if (caller.kind === 'resident') {
        if (body.event !== undefined) throw new ApiProblem(403, 'Not allowed', 'A resident adds information; staff change the status')
        if (text === undefined) throw new InvalidInput({ text: 'Give the text of the information to add' })
        await requests.addNote(row.id, { actor: { kind: 'resident', id: caller.personId }, body: text, visibility: 'public' })
      } else if (caller.kind === 'client') {
        const actor = { kind: 'api-client' as const, id: caller.client.keyId }
        if (body.event !== undefined) {
          if (!caller.client.changeStatus) throw new ApiProblem(403, 'Not allowed', 'This API key may not change the status of requests')
          const record = await requests.request(row.id)
          await requests.changeStatus(row.id, statusChangeOf(body), { actor, expectedRowVersion: record.rowVersion })
        }
        if (text !== undefined) await requests.addComment(row.id, { actor, body: text })
        if (text === undefined && body.event === undefined) throw new InvalidInput({ text: 'Give the text of the update, or an event that changes the status' })
      }
      const updated = (await listings.requests({ references: [row.reference] }, { privateServices: 'all' }, { limit: 1, withAnswers: true }))[0]!
      return readRequest(updated, caller, ownerId, true)
    },

    offered,
    visibleRequest,
    mayWrite,
  }
}

const eventTypes = ['triage', 'schedule', 'start-work', 'complete', 'record-no-access', 'resume', 'cancel', 'reopen', 'put-on-hold', 'close'] as const

/** A lifecycle event as a client names it, with the reason some events need. */
function statusChangeOf(body: Record<string, unknown>): StatusChange {
  const event = body.event
  if (typeof event !== 'string' || !(eventTypes as readonly string[]).includes(event)) {
    throw new InvalidInput({ event: `event must be one of ${eventTypes.join(', ')}` })
  }
  if (event === 'close') {
    if (typeof body.closureReason !== 'string' || !(closureReasons as readonly string[]).includes(body.closureReason)) {
      throw new InvalidInput({ closureReason: `Give the closureReason for closing: one of ${closureReasons.join(', ')}` })
    }
    return { type: 'close', closureReason: body.closureReason as ClosureReason }
  }
  if (event === 'put-on-hold') {
    if (typeof body.holdReason !== 'string') throw new InvalidInput({ holdReason: 'Give the holdReason for putting it on hold' })
    return { type: 'put-on-hold', holdReason: body.holdReason }
  }
  return { type: event as Exclude<(typeof eventTypes)[number], 'close' | 'put-on-hold'> }
}

export type JsonApi = ReturnType<typeof createJsonApi>
