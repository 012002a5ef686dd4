import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../config.ts'
import type { Services } from '../../container.ts'
import type { DatabaseHandle } from '../../lib/database/connection.ts'
import { formatDate } from '../../lib/http/views.ts'
import type { Translate } from '../../lib/i18n/index.ts'
import { Conflict, InvalidInput, NotFound, type FieldErrors } from '../../lib/errors.ts'
import { isPlainDate, ukInstant, ukWallClock } from '../../lib/calendar/index.ts'
import { checkAnswers, jobsOf, textIn, type CheckAnswersRow } from '../catalogue/index.ts'
import { requireStaffPermission, staffActor, type Actor } from '../identity/index.ts'
import { closureReasons, nextStatus, requestStatuses, type LifecycleEvent, type RequestState } from './lifecycle.ts'
import { queueLink, queueOwners, queueSorts, readQueueFilters, staffRequestQueries } from './queue.ts'
import { awaabsLawMilestoneKinds, type AwaabsLawMilestone, type AwaabsLawMilestoneKind } from './awaabs-law.ts'
import { mediaLinks } from './public-reports.ts'
import { fillResponseTemplate, type ResponseTemplate } from './response-templates.ts'
import type { RequestRecord, StatusChange, TimelineEntry } from './service.ts'
import type { EventVisibility } from './tables.ts'
import { isNearlyDue, isOverdue, priorities, type Priority } from './targets.ts'
import { takeFlash } from '../../lib/http/forms.ts'

type Form = Record<string, string | string[] | undefined>

const text = (value: unknown): string => (typeof value === 'string' ? value : Array.isArray(value) ? String(value[0] ?? '') : '')

/** A request within this many hours of its target is marked as nearly due. */
const nearlyDueWithin = { hours: 24 }

/** The status changes offered as choices; putting on hold has its own form, since it needs a reason. */
const statusEvents = ['triage', 'schedule', 'start-work', 'complete', 'record-no-access', 'resume', 'cancel', 'close', 'reopen'] as const
type StatusEvent = (typeof statusEvents)[number]

function trialEvent(type: StatusEvent, at: Date, config: Config): LifecycleEvent {
  if (type === 'close') return { type, closureReason: 'no-further-action', at }
  if (type === 'reopen') return { type, at, reopenWithinDays: config.requests.reopenWithinDays }
  return { type }
}

/** The changes the lifecycle allows from where the request is now, so the page offers only those. */
function allowedEvents(state: RequestState, at: Date, config: Config): StatusEvent[] {
  return statusEvents.filter((type) => nextStatus(state, trialEvent(type, at, config)).allowed)
}

function urgencyOf(targetAt: Date | null, status: string, now: Date): 'overdue' | 'nearly-due' | undefined {
  if (status === 'completed' || status === 'cancelled' || status === 'closed') return undefined
  if (isOverdue(targetAt, now)) return 'overdue'
  if (isNearlyDue(targetAt, now, nearlyDueWithin)) return 'nearly-due'
  return undefined
}

export function answerText(display: CheckAnswersRow['display'], t: Translate): string {
  switch (display.kind) {
    case 'text':
    case 'place':
      return display.text
    case 'choices':
      return display.labels.map((label) => textIn(label, 'en')).join(', ')
    case 'date':
      return formatDate(display.isoDate)
    case 'photos':
      return t('requests.staff.request.photos', { count: display.count })
    default:
      return t('requests.staff.request.notAnswered')
  }
}

/** A milestone as the officer entered it, or the errors that stop it being one. */
function readMilestone(form: Form, t: Translate): AwaabsLawMilestone {
  const errors: FieldErrors = {}
  const kind = text(form.milestone)
  if (!(awaabsLawMilestoneKinds as readonly string[]).includes(kind)) errors.milestone = t('requests.staff.errors.milestoneMissing')
  const [day, month, year] = ['day', 'month', 'year'].map((part) => text(form[`at-${part}`]).trim())
  const date = `${year!.padStart(4, '0')}-${month!.padStart(2, '0')}-${day!.padStart(2, '0')}`
  const time = text(form.atTime).trim().replace('.', ':').padStart(5, '0')
  if (!/^\d{1,4}$/.test(year!) || !/^\d{1,2}$/.test(month!) || !/^\d{1,2}$/.test(day!) || !isPlainDate(date)) errors.at = t('requests.staff.errors.milestoneDateInvalid')
  else if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(time)) errors.atTime = t('requests.staff.errors.milestoneTimeInvalid')
  const hazardFound = text(form.hazardFound)
  const concluding = kind === 'investigation-concluded'
  if (concluding && !['emergency', 'significant', 'none'].includes(hazardFound)) errors.hazardFound = t('requests.staff.errors.hazardFoundMissing')
  if (Object.keys(errors).length) throw new InvalidInput(errors)
  const at = ukInstant(date, time)
  return concluding
    ? { kind: 'investigation-concluded', at, hazardFound: hazardFound as 'emergency' | 'significant' | 'none', furtherWorkNeeded: text(form.furtherWorkNeeded) === 'yes' }
    : { kind: kind as Exclude<AwaabsLawMilestoneKind, 'investigation-concluded'>, at }
}

/** The signed-in officer as the one making a change; only called behind a staff guard. */
function actorOf(request: FastifyRequest): Actor {
  return { kind: 'staff', id: staffActor(request).id }
}

/** The row version the officer's page was showing, which every change must carry. */
function rowVersionOf(form: Form, request: FastifyRequest): number {
  const version = Number.parseInt(text(form.rowVersion), 10)
  if (!Number.isInteger(version)) throw new Conflict(request.t('requests.errors.changedBySomeoneElse'))
  return version
}

/** The staff back office for requests: the queue and each request's page with its actions. */
export async function staffRequestRoutes(app: FastifyInstance, { config, db, services }: { config: Config; db: DatabaseHandle; services: Services }) {
  const queries = staffRequestQueries(db)
  const requests = services.requests

  app.get('/staff/requests', { preHandler: requireStaffPermission('requests.view') }, async (request, reply) => {
    const filters = readQueueFilters(request.query as Record<string, unknown>)
    const now = new Date()
    const [queue, choices] = await Promise.all([queries.queue(filters, { staffId: request.staff!.id, now }), queries.filterChoices()])
    return reply.view('requests/views/staff/queue.njk', {
      filters,
      queue: { ...queue, rows: queue.rows.map((row) => ({ ...row, urgency: urgencyOf(row.targetAt, row.status, now) })) },
      choices: { ...choices, statuses: requestStatuses, priorities, owners: queueOwners, sorts: queueSorts },
      previousHref: queue.page > 1 ? queueLink(filters, { page: queue.page - 1 }) : undefined,
      nextHref: queue.page < queue.pages ? queueLink(filters, { page: queue.page + 1 }) : undefined,
      returnHref: queueLink(filters),
    })
  })

  async function requestIdFrom(request: FastifyRequest): Promise<string> {
    const id = await queries.requestIdByReference((request.params as { reference: string }).reference)
    if (!id) throw new NotFound('request')
    return id
  }

  async function showRequest(request: FastifyRequest, reply: FastifyReply, id: string, extra: { errors?: FieldErrors; values?: Form } = {}) {
    const record = await requests.request(id)
    const [version, timeline, context, earlier, assignees, address] = await Promise.all([
      services.catalogue.definitionVersion(record.definitionVersionId),
      requests.timeline(id, { audience: 'staff' }),
      queries.contextOf(record),
      queries.earlierAtProperty(record),
      queries.assignees(),
      record.propertyUprn === null ? undefined : services.places.addressByUprn(record.propertyUprn),
    ])
    const [awaabsLaw, templates, messages] = await Promise.all([
      requests.awaabsLaw(id),
      services.responseTemplates.list(record.serviceCode),
      services.notifications.messagesAbout(record.reference),
    ])
    const values = extra.values ?? (await templateStart(request, record, templates))
    const staffNames = await queries.staffNames([...new Set(timeline.flatMap((entry) => (entry.actor.kind === 'staff' && entry.actor.id ? [entry.actor.id] : [])))])
    const warnings = await services.warnings.warningsForJob(record, request.staff!)
    const appointment = await appointmentSection(request, record, timeline, staffNames)
    await queries.recordView(staffActor(request), record)
    const now = new Date()
    return reply.view('requests/views/staff/request.njk', {
      request: record,
      serviceTitle: version ? textIn(version.definition.name, 'en') : record.serviceCode,
      answers: version
        ? checkAnswers(version.definition, record.answers).map((row) => ({ label: textIn(row.label, 'en'), text: answerText(row.display, request.t) }))
        : [],
      photos: await requests.photosOf(id, 'staff'),
      mediaLinks: mediaLinks(record.mediaUrls),
      address,
      context,
      earlier,
      repeats: earlier.filter((entry) => entry.isRepeat).length,
      urgency: urgencyOf(record.targetAt, record.state.status, now),
      timeline: timeline.map((entry) => ({
        ...entry,
        staffName: entry.actor.id ? staffNames.get(entry.actor.id) : undefined,
        slot: visitOf(entry),
        comment: entry.kind === 'comment' ? commentOf(entry) : undefined,
      })),
      appointment,
      events: allowedEvents(record.state, now, config),
      // The lifecycle decides from the status alone; which reason is chosen is checked when the form is sent.
      canHold: nextStatus(record.state, { type: 'put-on-hold', holdReason: '' }).allowed,
      holdReasons: requests.holdReasons.map((reason) => reason.code),
      closureReasons,
      priorities,
      jobs: version ? jobsOf(version.definition).map((job) => ({ code: job.code, trade: job.trade, label: textIn(job.label, 'en') })) : [],
      awaabsLaw,
      messages,
      milestoneDate: ukWallClock(now).date,
      templates,
      assignees,
      errors: extra.errors,
      values,
      warnings,
      canManageWarnings: request.staff!.permissions.has('warnings.manage'),
      flash: extra.errors ? undefined : takeFlash(request, 'staffFlash'),
    })
  }

  /** A comment from a reporting app as staff see it: who wrote it, when, and the photos it links to. */
  function commentOf(entry: TimelineEntry) {
    const { authorName, madeAt } = entry.details
    return {
      authorName: typeof authorName === 'string' && authorName !== '' ? authorName : undefined,
      madeAt: typeof madeAt === 'string' ? new Date(madeAt) : undefined,
      media: mediaLinks(entry.details.mediaUrls),
    }
  }

  /** An appointment event's visit in words, with the window's hours rather than its code. */
  function visitOf(entry: TimelineEntry) {
    const { date, window } = entry.details
    if (entry.kind !== 'appointment' || typeof date !== 'string' || typeof window !== 'string') return undefined
    return services.scheduling.describe({ date, window })
  }

  /**
   * The request's visits for its Appointment section: the one booked now and who booked it (from
   * the timeline event that made it), earlier ones, and the property's visits where nobody was in.
   */
  async function appointmentSection(request: FastifyRequest, record: RequestRecord, timeline: TimelineEntry[], staffNames: Map<string, string>) {
    const scheduling = services.scheduling
    const [visits, needsBooking, noAccessVisits] = await Promise.all([
      scheduling.appointmentsOf(record.id),
      scheduling.needsBooking(record.id),
      record.propertyUprn === null ? 0 : scheduling.noAccessVisits(record.propertyUprn),
    ])
    const madeBy = new Map<unknown, TimelineEntry>()
    for (const entry of timeline) {
      if (entry.kind === 'appointment' && (entry.details.change === 'booked' || entry.details.change === 'moved')) madeBy.set(entry.details.appointmentId, entry)
    }
    const bookedBy = (appointmentId: string) => {
      const actor = madeBy.get(appointmentId)?.actor
      if (!actor) return ''
      return (actor.id && staffNames.get(actor.id)) || request.t(`scheduling.staff.section.actors.${actor.kind}`)
    }
    const described = visits.map((visit) => ({ ...scheduling.describe(visit), status: visit.status, bookedBy: bookedBy(visit.id) }))
    const current = visits.findIndex((visit) => visit.status === 'booked')
    const base = `/staff/requests/${encodeURIComponent(record.reference)}/appointment`
    return {
      current: described[current],
      history: described.filter((_, index) => index !== current).reverse(),
      needsBooking,
      noAccessVisits,
      bookHref: base,
      moveHref: base,
      cancelHref: `${base}/cancel`,
    }
  }

  /**
   * The public update form started from a response template, when the officer chose one: the
   * template's fields are filled in so they read and edit the words the resident will get.
   */
  async function templateStart(request: FastifyRequest, record: RequestRecord, templates: ResponseTemplate[]): Promise<Form> {
    const chosen = templates.find((template) => template.id === text((request.query as Record<string, unknown>).template))
    if (!chosen) return {}
    const body = fillResponseTemplate(chosen.body, {
      reference: record.reference,
      'target date': record.targetAt ? formatDate(ukWallClock(record.targetAt).date) : undefined,
      'council name': config.council.name,
    })
    return { body, visibility: 'public', template: chosen.id }
  }

  app.get('/staff/requests/:reference', { preHandler: requireStaffPermission('requests.view') }, async (request, reply) =>
    showRequest(request, reply, await requestIdFrom(request)),
  )

  /**
   * Runs a change from the request page. Done, it goes back to the page with a message; refused
   * because the page was stale or the lifecycle does not allow it, the page is shown again, fresh,
   * with the reason, and nothing is changed.
   */
  async function change(request: FastifyRequest, reply: FastifyReply, field: string, successKey: string, attempt: (id: string, form: Form) => Promise<unknown>) {
    const id = await requestIdFrom(request)
    const form = request.body as Form
    const t = request.t
    try {
      await attempt(id, form)
    } catch (error) {
      if (error instanceof InvalidInput) {
        return showRequest(request, reply.code(400), id, { errors: error.fields, values: form })
      }
      // The officer's own words are kept, so a note is not lost to someone else's change.
      if (error instanceof Conflict) return showRequest(request, reply.code(409), id, { errors: { [field]: error.message }, values: { body: form.body } })
      throw error
    }
    const reference = (request.params as { reference: string }).reference
    request.session.set('staffFlash', t(successKey))
    return reply.redirect(`/staff/requests/${encodeURIComponent(reference)}`, 303)
  }

  app.post('/staff/requests/:reference/status', { preHandler: requireStaffPermission('requests.update') }, async (request, reply) =>
    change(request, reply, 'event', 'requests.staff.done.status', async (id, form) => {
      const event = text(form.event)
      const closureReason = text(form.closureReason)
      if (!(statusEvents as readonly string[]).includes(event)) throw new InvalidInput({ event: request.t('requests.staff.errors.eventMissing') })
      if (event === 'close' && !(closureReasons as readonly string[]).includes(closureReason)) {
        throw new InvalidInput({ closureReason: request.t('requests.staff.errors.closureReasonMissing') })
      }
      const statusChange = (event === 'close' ? { type: 'close', closureReason } : { type: event }) as StatusChange
      return requests.changeStatus(id, statusChange, { actor: actorOf(request), expectedRowVersion: rowVersionOf(form, request) })
    }),
  )

  app.post('/staff/requests/:reference/hold', { preHandler: requireStaffPermission('requests.update') }, async (request, reply) =>
    change(request, reply, 'holdReason', 'requests.staff.done.hold', async (id, form) =>
      requests.changeStatus(id, { type: 'put-on-hold', holdReason: text(form.holdReason) }, { actor: actorOf(request), expectedRowVersion: rowVersionOf(form, request) }),
    ),
  )

  app.post('/staff/requests/:reference/notes', { preHandler: requireStaffPermission('requests.update') }, async (request, reply) =>
    change(request, reply, 'body', 'requests.staff.done.note', async (id, form) => {
      const visibility = text(form.visibility)
      if (visibility !== 'internal' && visibility !== 'public') throw new InvalidInput({ visibility: request.t('requests.staff.errors.visibilityMissing') })
      return requests.addNote(id, { actor: actorOf(request), body: text(form.body), visibility: visibility as EventVisibility, expectedRowVersion: rowVersionOf(form, request) })
    }),
  )

  app.post('/staff/requests/:reference/triage', { preHandler: requireStaffPermission('requests.triage') }, async (request, reply) =>
    change(request, reply, 'priority', 'requests.staff.done.triage', async (id, form) => {
      const priority = text(form.priority)
      if (!(priorities as readonly string[]).includes(priority)) throw new InvalidInput({ priority: request.t('requests.staff.errors.priorityMissing') })
      const jobCode = text(form.jobCode) || undefined
      return requests.triage(id, { priority: priority as Priority, jobCode }, { actor: actorOf(request), expectedRowVersion: rowVersionOf(form, request) })
    }),
  )

  app.post('/staff/requests/:reference/assignment', { preHandler: requireStaffPermission('requests.assign') }, async (request, reply) =>
    change(request, reply, 'team', 'requests.staff.done.assignment', async (id, form) => {
      const chosen = (name: string) => text(form[name]) || null
      return requests.assign(
        id,
        { teamId: chosen('team'), staffId: chosen('officer'), contractorId: chosen('contractor') },
        { actor: actorOf(request), expectedRowVersion: rowVersionOf(form, request) },
      )
    }),
  )

  app.post('/staff/requests/:reference/awaabs-law', { preHandler: requireStaffPermission('requests.update') }, async (request, reply) =>
    change(request, reply, 'milestone', 'requests.staff.done.milestone', async (id, form) =>
      requests.recordAwaabsLawMilestone(id, readMilestone(form, request.t), { actor: actorOf(request), expectedRowVersion: rowVersionOf(form, request) }),
    ),
  )
}
