/**
 * The form engine's pages: any service definition shown as GOV.UK "one thing per page" screens,
 * a check-your-answers page and a confirmation. Every decision about which page comes next, what
 * is shown and whether an answer is acceptable is made by the pure rules in questions.ts; these
 * handlers only read the form, keep the draft and choose the template.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../config.ts'
import type { Services } from '../../container.ts'
import type { DatabaseHandle } from '../../lib/database/connection.ts'
import { InvalidInput, NotFound } from '../../lib/errors.ts'
import { PhotoRejected, normaliseImage } from '../../lib/files/images.ts'
import { LocalFileStorage } from '../../lib/files/local-storage.ts'
import { newFileKey, type FileStorage } from '../../lib/files/storage.ts'
import { formatDate } from '../../lib/http/views.ts'
import { requireResident, residentId } from '../identity/guards.ts'
import type { Address, LinkedTenancy } from '../places/index.ts'
import {
  fillPlaceholders,
  pageIdOf,
  textIn,
  type AnswerQuestion,
  type DefinitionPlaceholder,
  type LocalisedText,
  type PhotoQuestion,
  type ServiceDefinition,
} from './definition.ts'
import { formDrafts, type DraftOwner } from './form-drafts.ts'
import {
  answerErrorMessage,
  checkAnswers,
  isComplete,
  nextPage,
  pages,
  previousPage,
  pruneHiddenAnswers,
  resumeAt,
  validateAnswer,
  visiblePage,
  type AnswerValue,
  type Answers,
  type Destination,
  type Page,
} from './questions.ts'

const locale = 'en'

/** The national gas emergency line is the same for every council, so it is not a council setting. */
const gasEmergencyPhone = '0800 111 999'

type PageParams = { code: string; pageId: string }
type ChangeQuery = { change?: string; postcode?: string }
type FormBody = Record<string, unknown>

/** Everything a page of one person's form needs: the pinned definition, their answers and their home. */
interface Journey {
  code: string
  owner: DraftOwner
  versionId: string
  definition: ServiceDefinition
  answers: Answers
  tenancy: LinkedTenancy | undefined
}

/** A place the person may choose for an address question: their home, or the block it is part of. */
interface PlaceChoice {
  uprn: string
  address: string
  hint: string
}

const todayInLondon = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date())

const isBuffer = (value: unknown): value is Buffer => Buffer.isBuffer(value)

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
  const storage: FileStorage = new LocalFileStorage(config.uploadsDirectory)

  const placeholders: Record<DefinitionPlaceholder, string> = {
    councilName: config.council.name,
    councilPhone: config.council.phone,
    councilEmail: config.council.email,
    // The council profile has one phone number; repairs and out-of-hours calls go to it until it has more.
    repairsPhone: config.council.phone,
    outOfHoursPhone: config.council.phone,
    gasEmergencyPhone,
  }
  const text = (value: LocalisedText) => fillPlaceholders(textIn(value, locale), placeholders)
  const optionalText = (value: LocalisedText | undefined) => (value ? text(value) : undefined)

  const base = (code: string) => `/services/${encodeURIComponent(code)}`
  const pageUrl = (code: string, pageId: string, change = false) => `${base(code)}/${encodeURIComponent(pageId)}${change ? '?change=1' : ''}`
  const destinationUrl = (code: string, destination: Destination, change = false) => {
    switch (destination.kind) {
      case 'page':
        return pageUrl(code, destination.page.id, change && destination.page.kind === 'questions')
      case 'stopped':
        return pageUrl(code, pageIdOf(destination.interruption))
      case 'check-answers':
        return `${base(code)}/check-answers`
    }
  }

  async function currentService(code: string) {
    const current = await catalogue.currentDefinition(code)
    // Staff-only services are raised from the staff site, never from the resident's front door.
    if (!current || current.definition.audience === 'staff-only') throw new NotFound('service')
    return current
  }

  /** The person's form for the service: their draft on its pinned version, or a fresh one on the current version. */
  async function journeyFor(request: FastifyRequest<{ Params: { code: string } }>): Promise<Journey> {
    const { code } = request.params
    const current = await currentService(code)
    const owner = { personId: residentId(request), serviceCode: code }
    const draft = await drafts.find(owner)
    const pinned = draft && draft.definitionVersionId !== current.id ? await catalogue.definitionVersion(draft.definitionVersionId) : undefined
    const version = pinned ?? current
    const tenancy = version.definition.audience === 'tenants' ? await places.tenancyOf(owner.personId) : undefined
    return {
      code,
      owner,
      versionId: version.id,
      definition: version.definition,
      answers: draft && draft.definitionVersionId === version.id ? draft.answers : {},
      tenancy,
    }
  }

  /** A service for tenants can only be used by someone whose account is linked to their tenancy. */
  const needsTenancy = (journey: Journey) => journey.definition.audience === 'tenants' && !journey.tenancy

  const tenancyNeededPage = (request: FastifyRequest, reply: FastifyReply, journey: Journey) =>
    reply.view('catalogue/views/form/tenancy-needed.njk', {
      pageTitle: request.t('catalogue.form.tenancyNeeded.title'),
      serviceName: text(journey.definition.name),
      backLink: `${base(journey.code)}/start`,
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
   * Address and location questions are answered by finding a postcode and choosing an address
   * there, except an address for a tenant, which is their own home or their block.
   */
  const usesFinder = (question: AnswerQuestion, choices: PlaceChoice[]) =>
    question.kind === 'location' || (question.kind === 'address' && choices.length === 0)

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

  /** The address or point a chosen property stands for, or a value validateAnswer will refuse. */
  async function foundPlace(question: AnswerQuestion, uprnField: unknown): Promise<unknown> {
    if (uprnField === undefined || uprnField === '') return undefined
    const uprn = Number(uprnField)
    const found = await places.addressByUprn(uprn).catch((error: unknown) => {
      if (error instanceof NotFound) return undefined
      throw error
    })
    if (!found) return 'not-found'
    if (question.kind === 'address') return { uprn: String(found.uprn), address: found.singleLine }
    return {
      latitude: found.latitude,
      longitude: found.longitude,
      easting: found.easting,
      northing: found.northing,
      ...(found.usrn === null ? {} : { usrn: String(found.usrn) }),
      description: found.singleLine,
    }
  }

  /** What the form sent for one question, in the shape validateAnswer reads. */
  async function rawAnswer(question: AnswerQuestion, body: FormBody, choices: PlaceChoice[]): Promise<unknown> {
    if (usesFinder(question, choices)) return foundPlace(question, body[question.id])
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
        field.current = question.kind === 'location' && typeof value === 'string' ? value : undefined
        field.items = finder.addresses.map((found) => ({ value: String(found.uprn), text: found.singleLine, checked: String(found.uprn) === value }))
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

  /** A stored answer as the form shows it again. */
  function formValue(question: AnswerQuestion, answer: AnswerValue | undefined): unknown {
    if (answer === undefined || answer === null) return undefined
    if (question.kind === 'date' && typeof answer === 'string') {
      const [year, month, day] = answer.split('-')
      return { day: String(Number(day)), month: String(Number(month)), year }
    }
    if (question.kind === 'address' && typeof answer === 'object' && 'uprn' in answer) return answer.uprn
    if (question.kind === 'location' && typeof answer === 'object' && 'description' in answer) return answer.description
    return answer
  }

  function backLinkFor(journey: Journey, pageId: string, change: boolean): string {
    if (change) return `${base(journey.code)}/check-answers`
    const previous = previousPage(journey.definition, journey.answers, pageId)
    return previous ? pageUrl(journey.code, previous.id) : `${base(journey.code)}/start`
  }

  async function renderPage(
    request: FastifyRequest,
    reply: FastifyReply,
    journey: Journey,
    page: Page,
    options: {
      change: boolean
      postcode?: string | undefined
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
        serviceName: text(journey.definition.name),
        paragraphs: interruption.body.map(text),
        continueUrl: next && destinationUrl(journey.code, next),
        backLink,
      })
    }
    const choices = page.questions.some((question) => question.kind === 'address') ? await placeChoices(request, journey.tenancy) : []
    const values =
      options.values ?? Object.fromEntries(page.questions.map((question) => [question.id, formValue(question, journey.answers[question.id])]))
    const errors = options.errors ?? {}
    const finder = await finderResults(request, options.postcode)
    const fields = fieldsFor(request, page, values, errors, choices, finder)
    const summary = Object.fromEntries(
      page.questions.flatMap((question) => {
        const error = errors[question.id]
        return error ? [[errorTarget(question, error.part), error.message]] : []
      }),
    )
    return reply.view('catalogue/views/form/page.njk', {
      pageTitle: page.questions.length === 1 ? fields[0]!.label : text(journey.definition.name),
      serviceName: text(journey.definition.name),
      fields,
      // Finding an address needs a search form of its own, so such a question has its page to itself.
      finder: fields.find((field) => field.finder === true),
      errors: summary,
      multipart: page.questions.some((question) => question.kind === 'photo'),
      action: pageUrl(journey.code, page.id, options.change),
      searchAction: `${base(journey.code)}/${encodeURIComponent(page.id)}`,
      change: options.change,
      backLink,
    })
  }

  /** Stores the photos sent for a question and gives back their keys, or says why one was refused. */
  async function storePhotos(request: FastifyRequest, question: PhotoQuestion, files: Buffer[]): Promise<{ keys: string[] } | { message: string }> {
    // Counted before anything is decoded or stored, so too many photos costs nothing.
    const counted = validateAnswer(question, files.map((_, index) => String(index)))
    if (!counted.valid) return { message: answerErrorMessage(counted.error, request.t, locale) }
    const keys: string[] = []
    for (const file of files) {
      try {
        const photo = await normaliseImage(file, { maxBytes: question.maxMegabytes * 1024 * 1024 })
        const key = newFileKey('requests/photos')
        await storage.put(key, photo.data, photo.contentType)
        await storage.put(key.replace('requests/photos/', 'requests/thumbnails/'), photo.thumbnail, photo.contentType)
        keys.push(key)
      } catch (error) {
        if (!(error instanceof PhotoRejected)) throw error
        return { message: request.t(`catalogue.form.photo.${error.reason}`, { megabytes: question.maxMegabytes }) }
      }
    }
    return { keys }
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
        const files = [body[question.id] ?? []].flat().filter(isBuffer).filter((file) => file.length > 0)
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
      else errors[question.id] = { message: answerErrorMessage(result.error, request.t, locale), ...(result.error.part ? { part: result.error.part } : {}) }
    }
    return { accepted, values, errors }
  }

  app.get<{ Params: { code: string } }>('/services/:code/start', async (request, reply) => {
    const { code } = request.params
    const current = await currentService(code)
    const definition = current.definition
    const first = pages(definition, {})[0]
    const signedIn = request.session.principal?.kind === 'resident'
    const draft = signedIn ? await drafts.find({ personId: residentId(request), serviceCode: code }) : undefined
    let resumeUrl: string | undefined
    if (draft) {
      const journey = await journeyFor(request)
      resumeUrl = destinationUrl(code, resumeAt(journey.definition, journey.answers))
    }
    return reply.view('catalogue/views/form/start.njk', {
      pageTitle: text(definition.name),
      description: text(definition.description),
      forTenants: definition.audience === 'tenants',
      signedIn,
      startUrl: first ? pageUrl(code, first.id) : `${base(code)}/check-answers`,
      resumeUrl,
      startAgainAction: `${base(code)}/start-again`,
    })
  })

  app.post<{ Params: { code: string } }>('/services/:code/start-again', { preHandler: requireResident }, async (request, reply) => {
    const journey = await journeyFor(request)
    await drafts.discard(journey.owner)
    const first = pages((await currentService(journey.code)).definition, {})[0]
    return reply.redirect(first ? pageUrl(journey.code, first.id) : `${base(journey.code)}/start`, 303)
  })

  app.get<{ Params: { code: string } }>('/services/:code/check-answers', { preHandler: requireResident }, async (request, reply) => {
    const journey = await journeyFor(request)
    if (needsTenancy(journey)) return tenancyNeededPage(request, reply, journey)
    if (!isComplete(journey.definition, journey.answers)) {
      return reply.redirect(destinationUrl(journey.code, resumeAt(journey.definition, journey.answers)), 303)
    }
    const rows = checkAnswers(journey.definition, journey.answers).map((row) => {
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
      return { label: text(row.label), lines, changeUrl: pageUrl(journey.code, row.pageId, true) }
    })
    const last = pages(journey.definition, journey.answers).at(-1)
    return reply.view('catalogue/views/form/check-answers.njk', {
      pageTitle: request.t('catalogue.form.checkAnswers.title'),
      serviceName: text(journey.definition.name),
      rows,
      action: `${base(journey.code)}/check-answers`,
      backLink: last ? pageUrl(journey.code, last.id) : `${base(journey.code)}/start`,
    })
  })

  app.post<{ Params: { code: string } }>('/services/:code/check-answers', { preHandler: requireResident }, async (request, reply) => {
    const journey = await journeyFor(request)
    if (needsTenancy(journey)) return tenancyNeededPage(request, reply, journey)
    const draft = await drafts.claim(journey.owner)
    if (!draft) {
      // Sent twice: the first submission took the draft and made the request.
      const submitted = request.session.get<{ code: string; reference: string }>('formSubmitted')
      const url = submitted?.code === journey.code ? `${base(journey.code)}/confirmation/${submitted.reference}` : `${base(journey.code)}/start`
      return reply.redirect(url, 303)
    }
    const answers = pruneHiddenAnswers(journey.definition, draft.answers)
    const place = Object.values(answers).find((answer) => typeof answer === 'object' && answer !== null && 'uprn' in answer)
    const chosenUprn = place && 'uprn' in place ? Number(place.uprn) : undefined
    try {
      const created = await requests.createRequest({
        serviceCode: journey.code,
        definitionVersionId: draft.definitionVersionId,
        personId: journey.owner.personId,
        propertyUprn: chosenUprn ?? journey.tenancy?.address.uprn ?? null,
        answers,
        channel: 'web',
      })
      request.session.set('formSubmitted', { code: journey.code, reference: created.reference })
      return await reply.redirect(`${base(journey.code)}/confirmation/${created.reference}`, 303)
    } catch (error) {
      // Nothing was made, so the answers are put back for the person to finish or correct.
      await drafts.save(journey.owner, draft)
      if (!(error instanceof InvalidInput)) throw error
      return reply.redirect(destinationUrl(journey.code, resumeAt(journey.definition, answers)), 303)
    }
  })

  app.get<{ Params: { code: string; reference: string } }>(
    '/services/:code/confirmation/:reference',
    { preHandler: requireResident },
    async (request, reply) => {
      const { code, reference } = request.params
      const current = await currentService(code)
      // Only the person who has just sent the form sees its confirmation page.
      const submitted = request.session.get<{ code: string; reference: string }>('formSubmitted')
      if (submitted?.code !== code || submitted.reference !== reference) throw new NotFound('confirmation')
      return reply.view('catalogue/views/form/confirmation.njk', {
        pageTitle: request.t('catalogue.form.confirmation.title'),
        serviceName: text(current.definition.name),
        reference,
      })
    },
  )

  app.get<{ Params: PageParams; Querystring: ChangeQuery }>('/services/:code/:pageId', { preHandler: requireResident }, async (request, reply) => {
    const journey = await journeyFor(request)
    if (needsTenancy(journey)) return tenancyNeededPage(request, reply, journey)
    const page = visiblePage(journey.definition, journey.answers, request.params.pageId)
    if (!page || !isReachable(journey.definition, journey.answers, page.id)) {
      if (!journey.definition.questions.some((question) => pageIdOf(question) === request.params.pageId)) throw new NotFound('page')
      return reply.redirect(destinationUrl(journey.code, resumeAt(journey.definition, journey.answers)), 303)
    }
    return renderPage(request, reply, journey, page, { change: request.query.change === '1', postcode: request.query.postcode })
  })

  const savePage = async (request: FastifyRequest<{ Params: PageParams; Querystring: ChangeQuery; Body: FormBody }>, reply: FastifyReply) => {
    const journey = await journeyFor(request)
    if (needsTenancy(journey)) return tenancyNeededPage(request, reply, journey)
    const change = request.query.change === '1'
    const page = visiblePage(journey.definition, journey.answers, request.params.pageId)
    if (!page || page.kind !== 'questions' || !isReachable(journey.definition, journey.answers, page.id)) {
      return reply.redirect(destinationUrl(journey.code, resumeAt(journey.definition, journey.answers)), 303)
    }
    const { accepted, values, errors } = await readPage(request, journey, page, request.body ?? {})
    if (Object.keys(errors).length > 0) {
      const postcode = typeof request.body?.postcode === 'string' ? request.body.postcode : undefined
      return renderPage(request, reply.code(400), journey, page, { change, postcode, values, errors })
    }

    const answers = pruneHiddenAnswers(journey.definition, { ...journey.answers, ...accepted })
    await drafts.save(journey.owner, { definitionVersionId: journey.versionId, answers })
    // After a change, the journey picks up wherever the new answer needs more, or returns to check answers.
    const destination = change ? resumeAt(journey.definition, answers) : nextPage(journey.definition, answers, page.id)
    return reply.redirect(destinationUrl(journey.code, destination, change), 303)
  }

  app.post<{ Params: PageParams; Querystring: ChangeQuery; Body: FormBody }>(
    '/services/:code/:pageId',
    {
      preHandler: requireResident,
      // A photo over the size limit stops the upload before the handler runs; it is shown as the page's error.
      errorHandler: async (error: Error & { code?: string }, request, reply) => {
        if (error.code !== 'FST_REQ_FILE_TOO_LARGE' && error.code !== 'FST_FILES_LIMIT') throw error
        if (request.session.principal?.kind !== 'resident') throw error
        const journey = await journeyFor(request)
        const page = visiblePage(journey.definition, journey.answers, request.params.pageId)
        const photo = page?.kind === 'questions' ? page.questions.find((question): question is PhotoQuestion => question.kind === 'photo') : undefined
        if (!page || !photo) throw error
        const message =
          error.code === 'FST_FILES_LIMIT'
            ? answerErrorMessage({ key: 'catalogue.answers.photo.tooMany', values: { maximum: photo.maxCount } }, request.t, locale)
            : request.t('catalogue.form.photo.too-large', { megabytes: photo.maxMegabytes })
        return renderPage(request, reply.code(400), journey, page, { change: request.query.change === '1', errors: { [photo.id]: { message } } })
      },
    },
    savePage,
  )
}
