import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../config.ts'
import type { Services } from '../../container.ts'
import { Conflict, InvalidInput, type FieldErrors } from '../../lib/errors.ts'
import { LocalFileStorage } from '../../lib/files/local-storage.ts'
import {
  discardPhotos,
  fieldOfRefusedUpload,
  photoUploadRouteConfig,
  storePhotos,
  uploadLimitMessage,
  uploadedFiles,
} from '../../lib/files/photo-uploads.ts'
import { formatDate } from '../../lib/http/views.ts'
import { checkAnswers, definitionLimits, textIn, type CheckAnswersRow, type LocalisedText, type ServiceDefinition } from '../catalogue/index.ts'
import { requireResident, residentId } from '../identity/index.ts'
import { canResidentCancel, isOpen, type RequestStatus } from './lifecycle.ts'
import { photoLimitsFor, requestPhotoFolder, type RequestPhoto } from './photos.ts'
import { isSurveyOpen } from './satisfaction.ts'
import type { RequestRecord, TimelineEntry } from './service.ts'
import { satisfactionRatings } from './tables.ts'
import { formField, takeFlash } from '../../lib/http/forms.ts'

const view = (name: string) => `requests/views/resident/${name}.njk`
const text = (key: string) => `requests.resident.${key}`
const locale = 'en'

type Params = { Params: { reference: string } }

function setFlash(request: FastifyRequest, key: string) {
  request.session.set('flash', request.t(text(`request.flash.${key}`)))
}

function statusLabel(definition: ServiceDefinition | undefined, status: RequestStatus, request: FastifyRequest): string {
  return definition ? textIn(definition.statusLabels[status], locale) : request.t(`requests.status.${status}`)
}

function answerText(display: CheckAnswersRow['display'], request: FastifyRequest): string {
  switch (display.kind) {
    case 'text':
    case 'place':
      return display.text
    case 'choices':
      return display.labels.map((label: LocalisedText) => textIn(label, locale)).join(', ')
    case 'date':
      return formatDate(display.isoDate)
    case 'photos':
      return request.t(text(display.count === 1 ? 'request.photos' : 'request.photosPlural'), { count: display.count })
    case 'not-answered':
      return request.t(text('request.notAnswered'))
  }
}

/**
 * Each photo with words that say which it is: the resident's own numbered among those they sent,
 * the council's among those the council added.
 */
function describedPhotos(photos: RequestPhoto[], request: FastifyRequest) {
  const fromResident = photos.filter((photo) => photo.addedBy.kind === 'resident')
  const fromCouncil = photos.filter((photo) => photo.addedBy.kind !== 'resident')
  const describe = (group: RequestPhoto[], whose: 'yours' | 'ours') =>
    group.map((photo, index) => ({ id: photo.id, alt: request.t(`requests.photos.resident.${whose}`, { number: index + 1, count: group.length }) }))
  return [...describe(fromResident, 'yours'), ...describe(fromCouncil, 'ours')]
}

/**
 * A cancelled or closed request is finished with; news about the problem belongs in a new
 * request, where someone will act on it. A completed one still takes information, since "it is
 * leaking again" is exactly what the council needs to hear.
 */
function acceptsInformation(record: RequestRecord): boolean {
  return record.state.status !== 'cancelled' && record.state.status !== 'closed'
}

/** Turns a visit's slot into words: the scheduling module's, reached through the services. */
type DescribeSlot = Services['scheduling']['describe']

/** An appointment event in the resident's words, with the visit's day and hours. */
function appointmentTitle(entry: TimelineEntry, request: FastifyRequest, describe: DescribeSlot): string {
  const details = (entry.details ?? {}) as { change?: string; date?: unknown; window?: unknown }
  const change = details.change ?? 'other'
  if (change === 'none-suitable' || typeof details.date !== 'string' || typeof details.window !== 'string') {
    return request.t(text(`timeline.appointment.${change === 'none-suitable' ? 'none-suitable' : 'other'}`))
  }
  const { day, times } = describe({ date: details.date, window: details.window })
  const known = ['booked', 'moved', 'cancelled', 'completed', 'no-access'].includes(change)
  return request.t(text(`timeline.appointment.${known ? change : 'other'}`), { day, times })
}

function timelineTitle(entry: TimelineEntry, definition: ServiceDefinition, request: FastifyRequest, describe: DescribeSlot): string {
  switch (entry.kind) {
    case 'status-change':
      if (entry.fromStatus === null) return request.t(text('timeline.received'))
      if (entry.toStatus === 'cancelled' && entry.actor.kind === 'resident') return request.t(text('timeline.cancelledByYou'))
      return request.t(text('timeline.statusChanged'), { status: statusLabel(definition, entry.toStatus ?? 'reported', request) })
    case 'public-update':
      return request.t(text('timeline.publicUpdate'))
    case 'information-added':
      return request.t(text('timeline.informationAdded'))
    case 'appointment':
      return appointmentTitle(entry, request, describe)
    case 'comment':
      return request.t(text('timeline.comment'))
    default:
      return request.t(text('timeline.other'))
  }
}

/**
 * "Your requests" for a signed-in resident: the list, each request's page with its public timeline,
 * adding information, cancelling before work starts, and the survey once the work is done. A
 * reference that is not the resident's own is "not found", never "forbidden", so guessing one
 * reveals nothing.
 */
export async function residentRequestRoutes(app: FastifyInstance, { config, services }: { config: Config; services: Services }) {
  const { requests, catalogue, satisfaction, scheduling } = services
  const guarded = { preHandler: requireResident }
  const storage = new LocalFileStorage(config.uploadsDirectory)

  const ownRequest = (request: FastifyRequest<Params>) => requests.requestForResident(request.params.reference, residentId(request))
  const pathOf = (record: RequestRecord) => `/account/requests/${record.reference}`

  async function definitionOf(record: RequestRecord): Promise<ServiceDefinition> {
    return catalogue.pinnedDefinition(record.definitionVersionId)
  }

  async function showRequest(request: FastifyRequest<Params>, reply: FastifyReply, options: { errors?: FieldErrors; values?: Record<string, string> } = {}) {
    const record = await ownRequest(request)
    const definition = await definitionOf(record)
    const [timeline, surveyAnswer, photos, appointment, needsBooking] = await Promise.all([
      requests.timeline(record.id, { audience: 'resident' }),
      isSurveyOpen(record.state) ? satisfaction.answerFor(record.id) : Promise.resolve(undefined),
      requests.photosOf(record.id, 'resident'),
      scheduling.currentAppointment(record.id),
      scheduling.needsBooking(record.id),
    ])
    const answers = checkAnswers(definition, record.answers)
    return reply.view(view('request'), {
      pageTitle: textIn(definition.name, locale),
      backLink: '/account/requests',
      flash: takeFlash(request, 'flash'),
      errors: options.errors,
      values: options.values ?? {},
      record,
      path: pathOf(record),
      requestName: textIn(definition.name, locale),
      status: statusLabel(definition, record.state.status, request),
      open: isOpen(record.state.status),
      onHold: record.state.status === 'on-hold',
      answers: answers.map((row) => ({ label: textIn(row.label, locale), value: answerText(row.display, request) })),
      photos: describedPhotos(photos, request),
      photoLimits: photoLimitsFor(definition),
      timeline: timeline.toReversed().map((entry) => ({
        occurredAt: entry.occurredAt,
        title: timelineTitle(entry, definition, request, scheduling.describe),
        // A comment shows only as a moderator approved it, which the timeline already gives a resident as its body.
        body: entry.body,
        byResident: entry.actor.kind === 'resident',
        byPublic: entry.kind === 'comment',
        photoCount: photos.filter((photo) => photo.eventId === entry.id).length,
      })),
      // The visit booked now, and where to book, change or cancel it: those pages are the scheduling module's.
      appointment: appointment && { ...scheduling.describe(appointment), path: `${pathOf(record)}/appointment` },
      bookingPath: needsBooking ? `${pathOf(record)}/appointment` : undefined,
      canCancel: canResidentCancel(record.state),
      acceptsInformation: acceptsInformation(record),
      survey: isSurveyOpen(record.state)
        ? {
            answer: surveyAnswer && { rating: request.t(text(`survey.ratings.${surveyAnswer.rating}`)), comment: surveyAnswer.comment },
            ratings: satisfactionRatings,
            commentLength: satisfaction.commentLength,
          }
        : undefined,
    })
  }

  app.get('/account/requests', guarded, async (request, reply) => {
    const summaries = await requests.requestsOf(residentId(request))
    const definitions = new Map<string, ServiceDefinition | undefined>()
    for (const code of new Set(summaries.map((summary) => summary.serviceCode))) {
      definitions.set(code, (await catalogue.currentDefinition(code))?.definition)
    }
    return reply.view(view('list'), {
      pageTitle: request.t(text('list.title')),
      requests: summaries.map((summary) => {
        const definition = definitions.get(summary.serviceCode)
        return {
          reference: summary.reference,
          serviceName: definition ? textIn(definition.name, locale) : summary.serviceCode,
          status: statusLabel(definition, summary.status, request),
          createdAt: summary.createdAt,
          targetAt: isOpen(summary.status) ? summary.targetAt : null,
        }
      }),
    })
  })

  app.get<Params>('/account/requests/:reference', guarded, async (request, reply) => showRequest(request, reply))

  const informationRoute = {
    preHandler: requireResident,
    // Read within what any service may allow; the request's own service sets its limits below.
    config: photoUploadRouteConfig({ maxCount: definitionLimits.photoCount, maxMegabytes: definitionLimits.photoMegabytes }),
    /** More files than any service takes stops the upload before the handler runs; it is shown as the form's error. */
    errorHandler: async (error: Error & { code?: string }, request: FastifyRequest<Params>, reply: FastifyReply) => {
      if (request.session.principal?.kind !== 'resident') throw error
      const message = uploadLimitMessage(error, photoLimitsFor(await definitionOf(await ownRequest(request))), request.t)
      if (!message) throw error
      return showRequest(request, reply.code(400), { errors: { photos: message }, values: { information: fieldOfRefusedUpload(request.body, 'information') } })
    },
  }

  app.post<Params>('/account/requests/:reference/information', informationRoute, async (request, reply) => {
    const record = await ownRequest(request)
    if (!acceptsInformation(record)) throw new Conflict(request.t(text('addInformation.errors.finished')))
    const information = formField(request, 'information')
    const files = uploadedFiles((request.body as Record<string, unknown> | undefined)?.photos)
    if (information.trim() === '' && files.length === 0) {
      return showRequest(request, reply.code(400), { errors: { information: request.t(text('addInformation.errors.missing')) } })
    }
    const stored = await storePhotos(storage, files, { folder: requestPhotoFolder, limits: photoLimitsFor(await definitionOf(record)), t: request.t })
    if ('message' in stored) return showRequest(request, reply.code(400), { errors: { photos: stored.message }, values: { information } })
    try {
      await requests.addNote(record.id, { actor: { kind: 'resident', id: residentId(request) }, body: information, visibility: 'public', photoKeys: stored.keys })
    } catch (error) {
      await discardPhotos(storage, stored.keys)
      // The service words its own limits; the resident's field has a name of its own.
      if (!(error instanceof InvalidInput)) throw error
      return showRequest(request, reply.code(400), { errors: { information: error.message }, values: { information } })
    }
    setFlash(request, 'informationAdded')
    return reply.redirect(pathOf(record))
  })

  const showCancel = async (request: FastifyRequest<Params>, reply: FastifyReply, record: RequestRecord) => {
    const possible = canResidentCancel(record.state)
    if (!possible && request.method === 'POST') reply.code(409)
    return reply.view(view('cancel'), {
      pageTitle: request.t(text(possible ? 'cancel.title' : 'cancel.notPossibleTitle'), { reference: record.reference }),
      backLink: pathOf(record),
      record,
      path: pathOf(record),
      possible,
      phone: config.council.phone,
    })
  }

  app.get<Params>('/account/requests/:reference/cancel', guarded, async (request, reply) => showCancel(request, reply, await ownRequest(request)))

  app.post<Params>('/account/requests/:reference/cancel', guarded, async (request, reply) => {
    const record = await ownRequest(request)
    if (!canResidentCancel(record.state)) return showCancel(request, reply, record)
    const reason = formField(request, 'reason').trim()
    try {
      // The version read just now: if staff start the work in between, the change is refused
      // rather than cancelling work already under way.
      await requests.changeStatus(
        record.id,
        { type: 'cancel' },
        { actor: { kind: 'resident', id: residentId(request) }, expectedRowVersion: record.rowVersion, ...(reason === '' ? {} : { note: reason }) },
      )
    } catch (error) {
      if (!(error instanceof Conflict)) throw error
      return showCancel(request, reply, await ownRequest(request))
    }
    setFlash(request, 'cancelled')
    return reply.redirect(pathOf(record))
  })

  app.post<Params>('/account/requests/:reference/satisfaction', guarded, async (request, reply) => {
    const record = await ownRequest(request)
    const values = { rating: formField(request, 'rating'), comment: formField(request, 'comment') }
    try {
      const recorded = await satisfaction.answer(record, values)
      if (recorded) setFlash(request, 'surveyAnswered')
    } catch (error) {
      if (!(error instanceof InvalidInput)) throw error
      const errors = Object.fromEntries(Object.entries(error.fields).map(([name, key]) => [name, request.t(key, { limit: satisfaction.commentLength })]))
      return showRequest(request, reply.code(400), { errors, values })
    }
    return reply.redirect(pathOf(record))
  })
}
