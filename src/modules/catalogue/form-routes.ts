/**
 * The form engine's pages: any service definition shown as GOV.UK "one thing per page" screens,
 * a check-your-answers page and a confirmation. Every decision about which page comes next, what
 * is shown and whether an answer is acceptable is made by the pure rules in questions.ts; these
 * handlers only read the form, keep the draft and choose the template.
 *
 * The same pages serve two sites: a resident filling in their own form online, and a member of
 * staff filling one in for someone who phoned or called in (assisted digital). A journey's context
 * says which: whose form it is, who is filling it in, by which channel, and where its pages live.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify'
import type { Config } from '../../config.ts'
import type { Services } from '../../container.ts'
import type { DatabaseHandle } from '../../lib/database/connection.ts'
import { InvalidInput, NotFound } from '../../lib/errors.ts'
import { LocalFileStorage } from '../../lib/files/local-storage.ts'
import { storePhotos as storeUploadedPhotos, uploadLimitMessage, uploadedFiles } from '../../lib/files/photo-uploads.ts'
import type { FileStorage } from '../../lib/files/storage.ts'
import { formatDate } from '../../lib/http/views.ts'
import { requireResident, requireStaffPermission, residentId, staffActor, type Person, type StaffAccess } from '../identity/index.ts'
import { PlaceChoiceNotFound, type Address, type LinkedTenancy, type PlaceFound } from '../places/index.ts'
import { messageRouteFor, type RequestChannel } from '../requests/index.ts'
import {
  pageIdOf,
  textIn,
  type AnswerQuestion,
  type LocalisedText,
  type PhotoQuestion,
  type ServiceDefinition,
} from './definition.ts'
import { catalogueLocale, councilText } from './council-text.ts'
import { formDrafts, type DraftOwner } from './form-drafts.ts'
import { guestOf, requireGuest, type GuestHeld } from './guests.ts'
import { guestSubmissions } from './guest-submissions.ts'
import { filledHoneypot, honeypotField, limitSubmissions } from './submission-limits.ts'
import { propertyFor } from './priority-rules.ts'
import {
  answerErrorMessage,
  checkAnswers,
  isComplete,
  locationOf,
  nextPage,
  pages,
  previousPage,
  pruneHiddenAnswers,
  resumeAt,
  validateAnswer,
  visiblePage,
  type AnswerValue,
  type LocationAnswer,
  type Answers,
  type Destination,
  type Page,
} from './questions.ts'

/** How someone who is not online reached the council: staff raise requests for them by these channels. */
const assistedChannels = ['phone', 'counter'] as const satisfies readonly RequestChannel[]
type AssistedChannel = (typeof assistedChannels)[number]
const isAssistedChannel = (value: string): value is AssistedChannel => (assistedChannels as readonly string[]).includes(value)

type JourneyParams = { code: string; personId?: string; channel?: string }
type PageParams = JourneyParams & { pageId: string }
type ChangeQuery = { change?: string; postcode?: string; place?: string }

/** Longer searches for a street are refused: no street name is anywhere near this long. */
const longestPlaceQuery = 100

/** What locatedPlace gives for a point outside the council's wards. */
const outsideTheArea = { outsideArea: true } as const
type FormBody = Record<string, unknown>

/** Whose form it is, who is filling it in and how, and where its pages live. */
interface JourneyContext {
  code: string
  /** The person the request will belong to. */
  personId: string
  /** The member of staff filling in the form for the person, recorded as raising the request; undefined online. */
  agent: StaffAccess | undefined
  /** The person's record, read for a member of staff: their name and the contact details the form starts from. */
  person: Person | undefined
  channel: Extract<RequestChannel, 'web' | AssistedChannel>
  /** The address of the journey's pages, each page's id added to it. */
  base: string
}

/** Everything a page of one person's form needs: the pinned definition, their answers and their home. */
interface Journey extends JourneyContext {
  owner: DraftOwner
  versionId: string
  definition: ServiceDefinition
  answers: Answers
  /** Whether a draft was kept, so the form can be carried on. */
  started: boolean
  tenancy: LinkedTenancy | undefined
}

/** One place the form engine's pages are served: the resident site, or the staff site for a caller. */
interface JourneySite {
  /** The route of the journey, before each page's own part. */
  prefix: string
  /** Lets in only those who may fill in forms here. */
  guard: preHandlerAsyncHookHandler
  /** Whether the start page describes the service to anyone, signed in or not. */
  publicStart: boolean
  /** Whether whoever sent the request may fill in forms here, for an upload refused before the guard runs. */
  mayUse(request: FastifyRequest): boolean
  contextOf(request: FastifyRequest): Promise<JourneyContext>
  /**
   * What follows a request made here, where the site has more to ask: a page to go on to instead
   * of the confirmation, or a line for the confirmation to add.
   */
  afterSubmission?(request: FastifyRequest, created: { id: string; reference: string }): Promise<{ next: string } | { note: string } | undefined>
  /** Whether sending is limited and guarded by a hidden field: on the open web, not for staff at their desks. */
  slowsSpam: boolean
  /**
   * Whether a sent form waits for its sender to confirm it, by the link or code sent to them,
   * before it becomes a request: for someone reporting without an account.
   */
  holdsUntilConfirmed: boolean
}

/** What the form sent as confirmed, kept in the session so only whoever sent it sees its confirmation. */
interface Submitted {
  base: string
  reference: string
  /** Where its confirmation went, worked out from the answers it was sent with. */
  messageRoute?: { channel: 'email' | 'sms'; recipient: string }
  /** A line the site asked the confirmation to add. */
  note?: string
}

/** A place the person may choose for an address question: their home, or the block it is part of. */
interface PlaceChoice {
  uprn: string
  address: string
  hint: string
}

const todayInLondon = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date())

/**
 * Whether the person may open this page now: it must be shown for their answers, and no earlier
 * page may still be waiting for an answer, so nobody skips the emergency questions by typing an
 * address.
 */
function isReachable(definition: ServiceDefinition, answers: Answers, pageId: string): boolean {
  const shown = pages(definition, answers)
  const position = shown.findIndex((page) => page.id === pageId)
  if (position < 0) return false
  const resume = resumeAt(definition, answers)
  if (resume.kind === 'check-answers') return true
  const resumeId = resume.kind === 'page' ? resume.page.id : pageIdOf(resume.interruption)
  return position <= shown.findIndex((page) => page.id === resumeId)
}

export async function formRoutes(app: FastifyInstance, { config, db, services }: { config: Config; db: DatabaseHandle; services: Services }) {
  const { catalogue, places, requests } = services
  const drafts = formDrafts(db)
  const guests = guestSubmissions(db)
  const storage: FileStorage = new LocalFileStorage(config.uploadsDirectory)

  const text = councilText(config.council)
  const optionalText = (value: LocalisedText | undefined) => (value ? text(value) : undefined)

  const pageUrl = (base: string, pageId: string, change = false) => `${base}/${encodeURIComponent(pageId)}${change ? '?change=1' : ''}`
  const destinationUrl = (base: string, destination: Destination, change = false) => {
    switch (destination.kind) {
      case 'page':
        return pageUrl(base, destination.page.id, change && destination.page.kind === 'questions')
      case 'stopped':
        return pageUrl(base, pageIdOf(destination.interruption))
      case 'check-answers':
        return `${base}/check-answers`
    }
  }

  const personUrl = (personId: string) => `/staff/people/${personId}`
  const raiseUrl = (personId: string, code?: string) => `${personUrl(personId)}/raise${code ? `?service=${encodeURIComponent(code)}` : ''}`
  const fullName = (person: Pick<Person, 'givenName' | 'familyName'>) => `${person.givenName} ${person.familyName}`

  async function currentService(code: string, context: { agent: StaffAccess | undefined }) {
    const current = await catalogue.currentDefinition(code)
    // Staff-only services are raised from the staff site, never from the resident's front door.
    if (!current || (current.definition.audience === 'staff-only' && !context.agent)) throw new NotFound('service')
    return current
  }

  /** The person's form for the service: the draft on its pinned version, or a fresh one on the current version. */
  async function journeyFor(context: JourneyContext): Promise<Journey> {
    const current = await currentService(context.code, context)
    const owner = { personId: context.personId, serviceCode: context.code, assistedByStaffId: context.agent?.id ?? null }
    const draft = await drafts.find(owner)
    const pinned = draft && draft.definitionVersionId !== current.id ? await catalogue.definitionVersion(draft.definitionVersionId) : undefined
    const version = pinned ?? current
    const tenancy = version.definition.audience === 'tenants' ? await places.tenancyOf(owner.personId) : undefined
    return {
      ...context,
      owner,
      versionId: version.id,
      definition: version.definition,
      answers: draft && draft.definitionVersionId === version.id ? draft.answers : {},
      started: draft !== undefined,
      tenancy,
    }
  }

  /**
   * The form's name, for its pages' captions. Online it also names the service in the navigation,
   * as a GOV.UK service does; on the staff site the navigation stays the staff site's.
   */
  const formNames = (context: JourneyContext, name: string) => (context.agent ? { formName: name } : { formName: name, serviceName: name })

  /** Shown on every page a member of staff fills in, so they never lose track of whose form it is. */
  const assistedCaption = (request: FastifyRequest, context: JourneyContext) =>
    context.person && request.t(`catalogue.form.assisted.caption.${context.channel}`, { name: fullName(context.person) })

  /** A service for tenants can only be used by someone linked to their tenancy. */
  const needsTenancy = (journey: Journey) => journey.definition.audience === 'tenants' && !journey.tenancy

  const tenancyNeededPage = (request: FastifyRequest, reply: FastifyReply, journey: Journey) =>
    reply.view('catalogue/views/form/tenancy-needed.njk', {
      pageTitle: journey.person
        ? request.t('catalogue.form.assisted.tenancyNeeded.title', { name: fullName(journey.person) })
        : request.t('catalogue.form.tenancyNeeded.title'),
      ...formNames(journey, text(journey.definition.name)),
      assisted: assistedCaption(request, journey),
      name: journey.person && fullName(journey.person),
      personUrl: personUrl(journey.personId),
      backLink: journey.agent ? raiseUrl(journey.personId, journey.code) : `${journey.base}/start`,
    })

  /** The tenant's own home and, where it is part of a block, the block's shared areas. */
  async function placeChoices(request: FastifyRequest, tenancy: LinkedTenancy | undefined): Promise<PlaceChoice[]> {
    if (!tenancy) return []
    const home: Address = tenancy.address
    const choices = [{ uprn: String(home.uprn), address: home.singleLine, hint: request.t('catalogue.form.address.ownHome') }]
    if (home.parentUprn !== null) {
      const block = await places.addressByUprn(home.parentUprn).catch((error: unknown) => {
        if (error instanceof NotFound) return undefined
        throw error
      })
      if (block) choices.push({ uprn: String(block.uprn), address: block.singleLine, hint: request.t('catalogue.form.address.communal') })
    }
    return choices
  }

  /**
   * An address question is answered by finding a postcode and choosing an address there, except an
   * address for a tenant, which is their own home or their block.
   */
  const usesFinder = (question: AnswerQuestion, choices: PlaceChoice[]) => question.kind === 'address' && choices.length === 0

  /** The streets and addresses found for what the person typed, or why nothing could be searched for. */
  async function locatorResults(request: FastifyRequest, query: string | undefined): Promise<{ query: string; found: PlaceFound[]; error?: string }> {
    if (query === undefined) return { query: '', found: [] }
    const trimmed = query.trim()
    if (trimmed === '') return { query, found: [], error: request.t('catalogue.form.locator.queryMissing') }
    if (trimmed.length > longestPlaceQuery) return { query, found: [], error: request.t('catalogue.form.locator.queryTooLong') }
    return { query, found: await places.findPlaces(trimmed) }
  }

  /**
   * The place a location answer stands for: a point marked on the map, or a street or address chosen
   * from a search. A place outside the council's wards is kept as that fact, for validateAnswer to
   * refuse with its own message.
   */
  async function locatedPlace(question: AnswerQuestion, body: FormBody): Promise<unknown> {
    const latitude = body[`${question.id}-latitude`]
    const longitude = body[`${question.id}-longitude`]
    const choice = body[question.id]
    let point: { latitude: number; longitude: number }
    if (typeof latitude === 'string' && typeof longitude === 'string' && latitude !== '' && longitude !== '') {
      point = { latitude: Number(latitude), longitude: Number(longitude) }
      if (!Number.isFinite(point.latitude) || !Number.isFinite(point.longitude) || Math.abs(point.latitude) > 90 || Math.abs(point.longitude) > 180) {
        return 'not-a-place'
      }
    } else if (typeof choice === 'string' && choice !== '') {
      try {
        point = await places.placeOfChoice(choice)
      } catch (error) {
        if (error instanceof PlaceChoiceNotFound) return 'not-found'
        throw error
      }
    } else return undefined
    const location = await places.locate(point)
    if (!location.inside) return outsideTheArea
    const { usrn, ...place } = location.place
    return usrn === undefined ? place : { ...place, usrn }
  }

  /** The addresses at the postcode the person searched for, or why the search could not be made. */
  async function finderResults(
    request: FastifyRequest,
    postcode: string | undefined,
  ): Promise<{ postcode: string; addresses: Address[]; error?: string | undefined }> {
    if (postcode === undefined) return { postcode: '', addresses: [] }
    try {
      return await places.findAddresses(postcode, request.t)
    } catch (error) {
      if (!(error instanceof InvalidInput)) throw error
      return { postcode, addresses: [], error: Object.values(error.fields)[0] }
    }
  }

  /** The address a chosen property stands for, or a value validateAnswer will refuse. */
  async function foundAddress(uprnField: unknown): Promise<unknown> {
    if (uprnField === undefined || uprnField === '') return undefined
    const uprn = Number(uprnField)
    const found = await places.addressByUprn(uprn).catch((error: unknown) => {
      if (error instanceof NotFound) return undefined
      throw error
    })
    if (!found) return 'not-found'
    return { uprn: String(found.uprn), address: found.singleLine }
  }

  /** What the form sent for one question, in the shape validateAnswer reads. */
  async function rawAnswer(question: AnswerQuestion, body: FormBody, choices: PlaceChoice[]): Promise<unknown> {
    if (question.kind === 'location') return locatedPlace(question, body)
    if (usesFinder(question, choices)) return foundAddress(body[question.id])
    switch (question.kind) {
      case 'date':
        return { day: body[`${question.id}-day`], month: body[`${question.id}-month`], year: body[`${question.id}-year`] }
      case 'address': {
        const chosen = choices.find((choice) => choice.uprn === body[question.id])
        // A uprn that is not one of the person's own places is refused, however it was sent.
        if (chosen) return { uprn: chosen.uprn, address: chosen.address }
        return body[question.id] === undefined || body[question.id] === '' ? undefined : 'not-one-of-the-choices'
      }
      default:
        return body[question.id]
    }
  }

  /** The id of the field an error links to: the first box of a date, the first option of a list. */
  const errorTarget = (question: AnswerQuestion, part?: string) => (question.kind === 'date' ? `${question.id}-${part ?? 'day'}` : question.id)

  /** The fields of a page for its template, with the values to show and any error. */
  function fieldsFor(
    request: FastifyRequest,
    page: Extract<Page, { kind: 'questions' }>,
    values: Record<string, unknown>,
    errors: Record<string, { message: string; part?: string }>,
    choices: PlaceChoice[],
    finder: Awaited<ReturnType<typeof finderResults>>,
    locator: Awaited<ReturnType<typeof locatorResults>>,
  ) {
    return page.questions.map((question) => {
      const value = values[question.id]
      const error = errors[question.id]
      const field: Record<string, unknown> = {
        id: question.id,
        kind: question.kind,
        label: text(question.label),
        hint: optionalText(question.hint),
        isPageHeading: page.questions.length === 1,
        error: error ? { text: error.message } : undefined,
        errorPart: error?.part,
        value,
      }
      if (usesFinder(question, choices)) {
        field.finder = true
        field.postcode = finder.postcode
        field.postcodeError = finder.error ? { text: finder.error } : undefined
        field.searched = finder.postcode !== ''
        field.items = finder.addresses.map((found) => ({ value: String(found.uprn), text: found.singleLine, checked: String(found.uprn) === value }))
        return field
      }
      if (question.kind === 'location') {
        const answered = typeof value === 'object' && value !== null && 'description' in value ? (value as LocationAnswer) : undefined
        field.locator = true
        field.answered = answered
        field.query = locator.query
        field.queryError = locator.error ? { text: locator.error } : undefined
        field.searched = locator.query !== ''
        field.items = locator.found.map((found) => ({ value: found.id, text: found.label, checked: found.id === value }))
        return field
      }
      switch (question.kind) {
        case 'radios':
        case 'checkboxes': {
          const chosen = Array.isArray(value) ? value : [value]
          field.inline = question.kind === 'radios' && question.inline === true
          const items: Record<string, unknown>[] = question.options.map((option) => ({
            value: option.value,
            text: text(option.label),
            hint: option.hint ? { text: text(option.hint) } : undefined,
            checked: chosen.includes(option.value),
            behaviour: option.exclusive ? 'exclusive' : undefined,
          }))
          // GOV.UK puts the "or" divider before an exclusive option such as "None of these".
          const exclusive = question.options.findIndex((option) => option.exclusive)
          if (exclusive > 0) items.splice(exclusive, 0, { divider: request.t('catalogue.form.or') })
          field.items = items
          break
        }
        case 'date': {
          const parts = (typeof value === 'object' && value !== null ? value : {}) as Record<string, string | undefined>
          field.day = parts.day
          field.month = parts.month
          field.year = parts.year
          break
        }
        case 'text':
        case 'textarea':
          field.maxLength = question.maxLength
          break
        case 'photo':
          field.maxCount = question.maxCount
          field.added = Array.isArray(value) ? value.length : 0
          break
        case 'address':
          field.items = choices.map((choice) => ({
            value: choice.uprn,
            text: choice.address,
            hint: { text: choice.hint },
            checked: choice.uprn === value,
          }))
          break
      }
      return field
    })
  }

  /**
   * A stored answer as the form shows it again. A member of staff starts from the contact details
   * the council holds for the person, to check with them rather than type again.
   */
  function formValue(journey: Journey, question: AnswerQuestion, answer: AnswerValue | undefined): unknown {
    if (answer === undefined || answer === null) {
      if (question.kind === 'email') return journey.person?.email ?? undefined
      if (question.kind === 'phone') return journey.person?.mobile ?? undefined
      return undefined
    }
    if (question.kind === 'date' && typeof answer === 'string') {
      const [year, month, day] = answer.split('-')
      return { day: String(Number(day)), month: String(Number(month)), year }
    }
    if (question.kind === 'address' && typeof answer === 'object' && 'uprn' in answer) return answer.uprn
    return answer
  }

  function backLinkFor(journey: Journey, pageId: string, change: boolean): string {
    if (change) return `${journey.base}/check-answers`
    const previous = previousPage(journey.definition, journey.answers, pageId)
    return previous ? pageUrl(journey.base, previous.id) : `${journey.base}/start`
  }

  async function renderPage(
    request: FastifyRequest,
    reply: FastifyReply,
    journey: Journey,
    page: Page,
    options: {
      change: boolean
      postcode?: string | undefined
      place?: string | undefined
      values?: Record<string, unknown>
      errors?: Record<string, { message: string; part?: string }>
    },
  ) {
    const backLink = backLinkFor(journey, page.id, options.change)
    if (page.kind === 'interruption') {
      const { interruption } = page
      if (interruption.stopsJourney) await drafts.recordInterruptionShown(journey.owner, journey.versionId, interruption.outcome)
      const next = interruption.stopsJourney ? undefined : nextPage(journey.definition, journey.answers, page.id)
      return reply.view('catalogue/views/form/interruption.njk', {
        pageTitle: text(interruption.title),
        ...formNames(journey, text(journey.definition.name)),
        paragraphs: interruption.body.map(text),
        continueUrl: next && destinationUrl(journey.base, next),
        assisted: assistedCaption(request, journey),
        backLink,
      })
    }
    const choices = page.questions.some((question) => question.kind === 'address') ? await placeChoices(request, journey.tenancy) : []
    const values =
      options.values ?? Object.fromEntries(page.questions.map((question) => [question.id, formValue(journey, question, journey.answers[question.id])]))
    const errors = options.errors ?? {}
    const finder = await finderResults(request, options.postcode)
    const locator = await locatorResults(request, options.place)
    const fields = fieldsFor(request, page, values, errors, choices, finder, locator)
    const locatorField = fields.find((field) => field.locator === true)
    const summary = Object.fromEntries(
      page.questions.flatMap((question) => {
        const error = errors[question.id]
        return error ? [[errorTarget(question, error.part), error.message]] : []
      }),
    )
    return reply.view('catalogue/views/form/page.njk', {
      pageTitle: page.questions.length === 1 ? fields[0]!.label : text(journey.definition.name),
      ...formNames(journey, text(journey.definition.name)),
      fields,
      // Finding an address needs a search form of its own, so such a question has its page to itself.
      finder: fields.find((field) => field.finder === true),
      // A place is marked on a map, or found by a search of its own, so such a question also has its page to itself.
      locator: locatorField,
      map: locatorField && { ...config.map, area: await places.area() },
      errors: summary,
      multipart: page.questions.some((question) => question.kind === 'photo'),
      action: pageUrl(journey.base, page.id, options.change),
      searchAction: pageUrl(journey.base, page.id),
      change: options.change,
      assisted: assistedCaption(request, journey),
      backLink,
    })
  }

  /** Stores the photos sent for a question and gives back their keys, or says why one was refused. */
  async function storePhotos(request: FastifyRequest, question: PhotoQuestion, files: Buffer[]): Promise<{ keys: string[] } | { message: string }> {
    return storeUploadedPhotos(storage, files, { folder: 'requests', limits: question, t: request.t })
  }

  /** The page's answers read and checked, or the errors to show with what was typed. */
  async function readPage(request: FastifyRequest, journey: Journey, page: Extract<Page, { kind: 'questions' }>, body: FormBody) {
    const choices = page.questions.some((question) => question.kind === 'address') ? await placeChoices(request, journey.tenancy) : []
    const accepted: Record<string, AnswerValue> = {}
    const values: Record<string, unknown> = {}
    const errors: Record<string, { message: string; part?: string }> = {}
    const context = { today: todayInLondon() }
    for (const question of page.questions) {
      let raw = await rawAnswer(question, body, choices)
      if (question.kind === 'photo') {
        const files = uploadedFiles(body[question.id])
        // Sending no new photos keeps the ones already added; sending some replaces them.
        const existing = journey.answers[question.id]
        if (files.length === 0) raw = Array.isArray(existing) ? existing : []
        else {
          const stored = await storePhotos(request, question, files)
          if ('message' in stored) {
            errors[question.id] = { message: stored.message }
            values[question.id] = existing
            continue
          }
          raw = stored.keys
        }
      }
      values[question.id] = question.kind === 'date' || question.kind === 'photo' ? raw : body[question.id]
      const result = validateAnswer(question, raw, context)
      if (result.valid) accepted[question.id] = result.value
      else errors[question.id] = { message: answerErrorMessage(result.error, request.t, catalogueLocale), ...(result.error.part ? { part: result.error.part } : {}) }
    }
    return { accepted, values, errors }
  }

  /** The rows of check your answers, each with the lines of its answer and where to change it. */
  function answerRows(request: FastifyRequest, journey: Journey) {
    return checkAnswers(journey.definition, journey.answers).map((row) => {
      const lines: string[] = (() => {
        switch (row.display.kind) {
          case 'choices':
            return row.display.labels.map(text)
          case 'date':
            return [formatDate(row.display.isoDate)]
          case 'photos':
            return [request.t(row.display.count === 1 ? 'catalogue.form.photosAddedOne' : 'catalogue.form.photosAdded', { count: row.display.count })]
          case 'place':
          case 'text':
            return row.display.text.split('\n')
          case 'not-answered':
            return [request.t('catalogue.form.notAnswered')]
        }
      })()
      return { label: text(row.label), lines, changeUrl: pageUrl(journey.base, row.pageId, true) }
    })
  }

  /** Where an agent books the visit for a request they have just raised, when it waits for one and they may book. */
  async function staffBookingHref(context: JourneyContext, reference: string): Promise<string | undefined> {
    if (!context.agent?.permissions.has('appointments.book')) return undefined
    const record = await requests.requestForResident(reference, context.personId)
    return (await services.scheduling.needsBooking(record.id)) ? `/staff/requests/${encodeURIComponent(reference)}/appointment` : undefined
  }

  /** Open reports of the same public service near the place the journey's answers give, nearest first. */
  async function nearbyReports(journey: Pick<Journey, 'code' | 'definition' | 'answers'>) {
    const location = journey.definition.recordVisibility === 'public' ? locationOf(journey.definition, journey.answers) : undefined
    if (!location) return []
    return services.publicReports.nearby(journey.code, location, config.nearbyReportMetres)
  }

  /**
   * Keeps a guest's answers until they confirm them, and sends the link (by email) or the code
   * (by text) to the address or number they gave, in the same transaction.
   */
  async function holdForConfirmation(request: FastifyRequest, reply: FastifyReply, journey: Journey) {
    const guest = guestOf(request)
    if (!guest) return reply.redirect(`/services/${encodeURIComponent(journey.code)}/guest`, 303)
    const draft = await drafts.claim(journey.owner)
    if (!draft) return reply.redirect(`${journey.base}/start`, 303)
    const held = await db.transaction().execute(async (transaction) => {
      const submission = await guests.hold(transaction, {
        personId: journey.personId,
        serviceCode: journey.code,
        definitionVersionId: draft.definitionVersionId,
        answers: pruneHiddenAnswers(journey.definition, draft.answers),
        channel: guest.channel,
      })
      const service = text(journey.definition.name)
      await services.notifications.queueMessage(transaction, {
        personId: journey.personId,
        channel: guest.channel,
        recipient: guest.recipient,
        ...(submission.code
          ? { messageType: 'guest-report-confirmation-sms', personalisation: { code: submission.code } }
          : { messageType: 'guest-report-confirmation-email', personalisation: { service, link: `${config.baseUrl}/reports/confirm/${submission.token}` } }),
      })
      return submission
    })
    request.session.set('guestHeld', { id: held.id, code: journey.code } satisfies GuestHeld)
    return reply.redirect(`${journey.base}/sent`, 303)
  }

  /** Registers every page of the form engine for one site. */
  function journeyRoutes(site: JourneySite) {
    const journeyOf = async (request: FastifyRequest) => journeyFor(await site.contextOf(request))
    const guarded = { preHandler: site.guard }

    app.get<{ Params: JourneyParams }>(`${site.prefix}/start`, site.publicStart ? {} : guarded, async (request, reply) => {
      const context = site.mayUse(request) ? await site.contextOf(request) : undefined
      const current = await currentService(request.params.code, { agent: context?.agent })
      const first = pages(current.definition, {})[0]
      // Only the resident site's start page is seen by someone not signed in.
      const base = context?.base ?? `/services/${encodeURIComponent(request.params.code)}`
      const journey = context && (await journeyFor(context))
      if (journey?.agent && needsTenancy(journey)) return tenancyNeededPage(request, reply, journey)
      return reply.view('catalogue/views/form/start.njk', {
        pageTitle: text(current.definition.name),
        description: text(current.definition.description),
        forTenants: current.definition.audience === 'tenants',
        signedIn: context !== undefined,
        startUrl: first ? pageUrl(base, first.id) : `${base}/check-answers`,
        resumeUrl: journey?.started ? destinationUrl(base, resumeAt(journey.definition, journey.answers)) : undefined,
        startAgainAction: `${base}/start-again`,
        assisted: context && assistedCaption(request, context),
        backLink: context?.agent && raiseUrl(context.personId, context.code),
      })
    })

    app.post<{ Params: JourneyParams }>(`${site.prefix}/start-again`, guarded, async (request, reply) => {
      const journey = await journeyOf(request)
      await drafts.discard(journey.owner)
      const first = pages((await currentService(journey.code, journey)).definition, {})[0]
      return reply.redirect(first ? pageUrl(journey.base, first.id) : `${journey.base}/start`, 303)
    })

    app.get<{ Params: JourneyParams }>(`${site.prefix}/check-answers`, guarded, async (request, reply) => {
      const journey = await journeyOf(request)
      if (needsTenancy(journey)) return tenancyNeededPage(request, reply, journey)
      if (!isComplete(journey.definition, journey.answers)) {
        return reply.redirect(destinationUrl(journey.base, resumeAt(journey.definition, journey.answers)), 303)
      }
      const last = pages(journey.definition, journey.answers).at(-1)
      return reply.view('catalogue/views/form/check-answers.njk', {
        pageTitle: request.t(journey.agent ? 'catalogue.form.assisted.checkAnswers.title' : 'catalogue.form.checkAnswers.title'),
        ...formNames(journey, text(journey.definition.name)),
        rows: answerRows(request, journey),
        action: `${journey.base}/check-answers`,
        honeypot: site.slowsSpam ? honeypotField : undefined,
        assisted: assistedCaption(request, journey),
        backLink: last ? pageUrl(journey.base, last.id) : `${journey.base}/start`,
      })
    })

    app.post<{ Params: JourneyParams }>(`${site.prefix}/check-answers`, guarded, async (request, reply) => {
      const journey = await journeyOf(request)
      if (needsTenancy(journey)) return tenancyNeededPage(request, reply, journey)
      if (site.slowsSpam) {
        // Refused before the draft is taken, so a person caught by either keeps every answer.
        if (filledHoneypot(request.body)) return reply.code(400).view('errors/problem.njk', { statusCode: 400, message: request.t('catalogue.form.honeypotFilled') })
        await limitSubmissions(db, { personId: journey.personId, ipAddress: request.ip }, request.t)
      }
      if (site.holdsUntilConfirmed) return holdForConfirmation(request, reply, journey)
      const draft = await drafts.claim(journey.owner)
      if (!draft) {
        // Sent twice: the first submission took the draft and made the request.
        const submitted = request.session.get<Submitted>('formSubmitted')
        const url = submitted?.base === journey.base ? `${journey.base}/confirmation/${submitted.reference}` : `${journey.base}/start`
        return reply.redirect(url, 303)
      }
      const answers = pruneHiddenAnswers(journey.definition, draft.answers)
      const place = Object.values(answers).find((answer) => typeof answer === 'object' && answer !== null && 'uprn' in answer)
      const chosenUprn = place && 'uprn' in place ? Number(place.uprn) : undefined
      let created: { id: string; reference: string }
      try {
        created = await requests.createRequest({
          serviceCode: journey.code,
          definitionVersionId: draft.definitionVersionId,
          personId: journey.personId,
          propertyUprn: chosenUprn ?? (journey.tenancy ? propertyFor(journey.definition, answers, journey.tenancy.address) : null),
          answers,
          channel: journey.channel,
          raisedByStaffId: journey.agent?.id ?? null,
        })
      } catch (error) {
        // Nothing was made, so the answers are put back to finish or correct.
        await drafts.save(journey.owner, draft)
        if (!(error instanceof InvalidInput)) throw error
        return reply.redirect(destinationUrl(journey.base, resumeAt(journey.definition, answers)), 303)
      }
      const messageRoute = messageRouteFor(journey.definition, answers, journey.person)
      const after = await site.afterSubmission?.(request, created)
      const note = after && 'note' in after ? after.note : undefined
      request.session.set('formSubmitted', { base: journey.base, reference: created.reference, messageRoute, note } satisfies Submitted)
      return reply.redirect(after && 'next' in after ? after.next : `${journey.base}/confirmation/${created.reference}`, 303)
    })

    app.get<{ Params: JourneyParams & { reference: string } }>(`${site.prefix}/confirmation/:reference`, guarded, async (request, reply) => {
      const context = await site.contextOf(request)
      const current = await currentService(context.code, context)
      const { reference } = request.params
      // Only whoever has just sent the form sees its confirmation page.
      const submitted = request.session.get<Submitted>('formSubmitted')
      if (submitted?.base !== context.base || submitted.reference !== reference) throw new NotFound('confirmation')
      const { messageRoute } = submitted
      return reply.view('catalogue/views/form/confirmation.njk', {
        pageTitle: request.t('catalogue.form.confirmation.title'),
        ...formNames(context, text(current.definition.name)),
        reference,
        assisted: assistedCaption(request, context),
        name: context.person && fullName(context.person),
        messageSent: messageRoute && request.t(`catalogue.form.assisted.confirmation.sent.${messageRoute.channel}`, { recipient: messageRoute.recipient }),
        note: submitted.note,
        personUrl: personUrl(context.personId),
        bookingHref: await staffBookingHref(context, reference),
      })
    })

    app.get<{ Params: PageParams; Querystring: ChangeQuery }>(`${site.prefix}/:pageId`, guarded, async (request, reply) => {
      const journey = await journeyOf(request)
      if (needsTenancy(journey)) return tenancyNeededPage(request, reply, journey)
      const page = visiblePage(journey.definition, journey.answers, request.params.pageId)
      if (!page || !isReachable(journey.definition, journey.answers, page.id)) {
        if (!journey.definition.questions.some((question) => pageIdOf(question) === request.params.pageId)) throw new NotFound('page')
        return reply.redirect(destinationUrl(journey.base, resumeAt(journey.definition, journey.answers)), 303)
      }
      return renderPage(request, reply, journey, page, { change: request.query.change === '1', postcode: request.query.postcode, place: request.query.place })
    })

    const savePage = async (request: FastifyRequest<{ Params: PageParams; Querystring: ChangeQuery; Body: FormBody }>, reply: FastifyReply) => {
      const journey = await journeyOf(request)
      if (needsTenancy(journey)) return tenancyNeededPage(request, reply, journey)
      const change = request.query.change === '1'
      const page = visiblePage(journey.definition, journey.answers, request.params.pageId)
      if (!page || page.kind !== 'questions' || !isReachable(journey.definition, journey.answers, page.id)) {
        return reply.redirect(destinationUrl(journey.base, resumeAt(journey.definition, journey.answers)), 303)
      }
      const { accepted, values, errors } = await readPage(request, journey, page, request.body ?? {})
      if (Object.keys(errors).length > 0) {
        const postcode = typeof request.body?.postcode === 'string' ? request.body.postcode : undefined
        const place = typeof request.body?.place === 'string' ? request.body.place : undefined
        return renderPage(request, reply.code(400), journey, page, { change, postcode, place, values, errors })
      }

      const answers = pruneHiddenAnswers(journey.definition, { ...journey.answers, ...accepted })
      await drafts.save(journey.owner, { definitionVersionId: journey.versionId, answers })
      const placed = page.questions.some((question) => question.kind === 'location')
      if (placed && (await nearbyReports({ ...journey, answers })).length > 0) return reply.redirect(`${journey.base}/nearby${change ? '?change=1' : ''}`, 303)
      return reply.redirect(afterPage(journey, answers, page.id, change), 303)
    }

    /** Where the journey goes after a page: after a change, wherever the new answer needs more, or back to check answers. */
    const afterPage = (journey: Journey, answers: Answers, pageId: string, change: boolean) =>
      destinationUrl(journey.base, change ? resumeAt(journey.definition, answers) : nextPage(journey.definition, answers, pageId), change)

    /**
     * "Is it one of these?": open reports of the same public service near the place just given, so
     * the person can support one instead of reporting the problem again.
     */
    app.get<{ Params: JourneyParams; Querystring: ChangeQuery }>(`${site.prefix}/nearby`, guarded, async (request, reply) => {
      const journey = await journeyOf(request)
      const change = request.query.change === '1'
      const locationPage = pages(journey.definition, journey.answers).find((page) => page.kind === 'questions' && page.questions.some((question) => question.kind === 'location'))
      const reports = await nearbyReports(journey)
      if (!locationPage || reports.length === 0) return reply.redirect(destinationUrl(journey.base, resumeAt(journey.definition, journey.answers)), 303)
      return reply.view('catalogue/views/form/nearby.njk', {
        pageTitle: request.t('catalogue.form.nearby.title'),
        ...formNames(journey, text(journey.definition.name)),
        reports,
        action: `${journey.base}/nearby`,
        continueUrl: afterPage(journey, journey.answers, locationPage.id, change),
        assisted: assistedCaption(request, journey),
        backLink: pageUrl(journey.base, locationPage.id, change),
      })
    })

    app.post<{ Params: JourneyParams; Body: FormBody }>(`${site.prefix}/nearby`, guarded, async (request, reply) => {
      const journey = await journeyOf(request)
      const reference = typeof request.body?.reference === 'string' ? request.body.reference : ''
      // Only a report the page offered may be supported from it.
      const offered = (await nearbyReports(journey)).find((report) => report.reference === reference)
      if (!offered) return reply.redirect(`${journey.base}/nearby`, 303)
      await services.publicReports.support(offered.reference, journey.personId)
      await drafts.discard(journey.owner)
      request.session.set('reportFlash', request.t('catalogue.form.nearby.supported'))
      return reply.redirect(`/reports/${offered.reference}`, 303)
    })

    app.post<{ Params: PageParams; Querystring: ChangeQuery; Body: FormBody }>(
      `${site.prefix}/:pageId`,
      {
        ...guarded,
        // A photo over the size limit stops the upload before the handler runs; it is shown as the page's error.
        errorHandler: async (error: Error & { code?: string }, request, reply) => {
          if (error.code !== 'FST_REQ_FILE_TOO_LARGE' && error.code !== 'FST_FILES_LIMIT') throw error
          if (!site.mayUse(request)) throw error
          const journey = await journeyOf(request)
          const page = visiblePage(journey.definition, journey.answers, request.params.pageId)
          const photo = page?.kind === 'questions' ? page.questions.find((question): question is PhotoQuestion => question.kind === 'photo') : undefined
          if (!page || !photo) throw error
          const message = uploadLimitMessage(error, photo, request.t)!
          return renderPage(request, reply.code(400), journey, page, { change: request.query.change === '1', errors: { [photo.id]: { message } } })
        },
      },
      savePage,
    )
  }

  journeyRoutes({
    prefix: '/services/:code',
    guard: requireResident,
    publicStart: true,
    slowsSpam: true,
    holdsUntilConfirmed: false,
    mayUse: (request) => request.session.principal?.kind === 'resident',
    async contextOf(request) {
      const { code } = request.params as JourneyParams
      return { code, personId: residentId(request), agent: undefined, person: undefined, channel: 'web', base: `/services/${encodeURIComponent(code)}` }
    },
    // A visit the tenant can book now is booked straight away; with no time to offer, the council will arrange one.
    async afterSubmission(request, created) {
      if (!(await services.scheduling.needsBooking(created.id))) return undefined
      if ((await services.scheduling.availableSlots(created.id)).length > 0) return { next: `/account/requests/${created.reference}/appointment?reported=1` }
      return { note: request.t('catalogue.form.confirmation.visitToArrange') }
    },
  })

  journeyRoutes({
    prefix: '/services/:code/guest',
    guard: requireGuest,
    publicStart: false,
    slowsSpam: true,
    holdsUntilConfirmed: true,
    mayUse: (request) => guestOf(request) !== undefined,
    async contextOf(request) {
      const { code } = request.params as JourneyParams
      const guest = guestOf(request)
      if (!guest) throw new NotFound('page')
      return { code, personId: guest.personId, agent: undefined, person: undefined, channel: 'web', base: `/services/${encodeURIComponent(code)}/guest` }
    },
  })

  const mayRaise = requireStaffPermission('requests.raise-for-resident')

  journeyRoutes({
    prefix: '/staff/people/:personId/services/:code/:channel',
    guard: mayRaise,
    publicStart: false,
    slowsSpam: false,
    holdsUntilConfirmed: false,
    mayUse: (request) => request.staff?.permissions.has('requests.raise-for-resident') ?? false,
    async contextOf(request) {
      const { code, personId = '', channel = '' } = request.params as JourneyParams
      if (!isAssistedChannel(channel)) throw new NotFound('page')
      const person = await services.identity.people.person(staffActor(request), personId)
      return {
        code,
        personId: person.id,
        agent: request.staff,
        person,
        channel,
        base: `${personUrl(person.id)}/services/${encodeURIComponent(code)}/${channel}`,
      }
    },
  })

  /** Choosing what to raise for a person, and how they got in touch: the way into a form on the staff site. */
  const showRaise = async (
    request: FastifyRequest<{ Params: { personId: string } }>,
    reply: FastifyReply,
    person: Person,
    values: { service?: string; channel?: string },
    errors?: Record<string, string>,
  ) => {
    const offered = await catalogue.listServices()
    return reply.view('catalogue/views/form/raise.njk', {
      pageTitle: request.t('catalogue.form.assisted.raise.title', { name: fullName(person) }),
      name: fullName(person),
      services: offered.map((service) => ({
        value: service.code,
        text: textIn(service.name, catalogueLocale),
        hint: service.audience === 'residents' ? undefined : { text: request.t(`catalogue.form.assisted.raise.audience.${service.audience}`) },
        checked: service.code === values.service,
      })),
      channels: assistedChannels.map((channel) => ({ value: channel, text: request.t(`catalogue.form.assisted.channel.${channel}`), checked: channel === values.channel })),
      action: raiseUrl(person.id),
      backLink: personUrl(person.id),
      errors,
    })
  }

  app.get<{ Params: { personId: string }; Querystring: { service?: string } }>('/staff/people/:personId/raise', { preHandler: mayRaise }, async (request, reply) => {
    const person = await services.identity.people.person(staffActor(request), request.params.personId)
    return showRaise(request, reply, person, { service: request.query.service })
  })

  app.post<{ Params: { personId: string }; Body: FormBody }>('/staff/people/:personId/raise', { preHandler: mayRaise }, async (request, reply) => {
    const person = await services.identity.people.person(staffActor(request), request.params.personId)
    const values = { service: String(request.body?.service ?? ''), channel: String(request.body?.channel ?? '') }
    const known = (await catalogue.listServices()).some((service) => service.code === values.service)
    const errors: Record<string, string> = {}
    if (!known) errors.service = request.t('catalogue.form.assisted.raise.serviceMissing')
    if (!isAssistedChannel(values.channel)) errors.channel = request.t('catalogue.form.assisted.raise.channelMissing')
    if (Object.keys(errors).length > 0) return showRaise(request, reply.code(400), person, values, errors)
    return reply.redirect(`${personUrl(person.id)}/services/${encodeURIComponent(values.service)}/${values.channel}/start`, 303)
  })
}
