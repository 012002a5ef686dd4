import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../config.ts'
import type { Services } from '../../container.ts'
import { Conflict, InvalidInput, NotFound } from '../../lib/errors.ts'
import type { Actor } from '../identity/audit.ts'
import { requireResident, residentId } from '../identity/index.ts'
import type { RequestRecord } from '../requests/index.ts'
import type { Appointment } from './service.ts'
import { noneSuitable, readSlotChoice, slotChoiceDays, slotChoiceValue, type SlotChoiceDay } from './slot-choice.ts'
import { formField } from '../../lib/http/forms.ts'

const view = (name: string) => `scheduling/views/resident/${name}.njk`
const text = (key: string) => `scheduling.resident.${key}`

type AccountParams = { Params: { reference: string }; Querystring: { reported?: string; changed?: string } }

/** What a change made through a link did, kept for the page after it so that page needs no token. */
interface LinkOutcome {
  change: 'moved' | 'cancelled'
  reference: string
  day: string
  times: string
}

/** The times to offer, leaving out the one already booked: moving a visit to where it is would change nothing. */
function otherThan(days: SlotChoiceDay[], booked: Appointment | undefined): SlotChoiceDay[] {
  if (!booked) return days
  const bookedValue = slotChoiceValue(booked)
  return days.map((day) => ({ ...day, slots: day.slots.filter((slot) => slot.value !== bookedValue) })).filter((day) => day.slots.length > 0)
}

/**
 * A tenant's own appointments: booking a visit at the end of reporting a repair or later from
 * their account, changing and cancelling it, and the same through the signed link in each message,
 * which works without signing in. Opening any page only shows it; every change is a POST.
 */
export async function residentAppointmentRoutes(app: FastifyInstance, { config, services }: { config: Config; services: Services }) {
  const { requests, scheduling, places } = services
  const guarded = { preHandler: requireResident }

  /** The resident's own request, or "not found" for anyone else's, as on their request pages. */
  const ownRequest = (request: FastifyRequest<AccountParams>) => requests.requestForResident(request.params.reference, residentId(request))
  const requestPath = (record: RequestRecord) => `/account/requests/${record.reference}`
  const appointmentPath = (record: RequestRecord) => `${requestPath(record)}/appointment`
  const residentActor = (request: FastifyRequest): Actor => ({ kind: 'resident', id: residentId(request) })

  async function calendarReply(reply: FastifyReply, record: RequestRecord, appointment: Appointment) {
    const { times } = scheduling.describe(appointment)
    const address =
      record.propertyUprn === null
        ? undefined
        : await places.addressByUprn(record.propertyUprn).catch((error: unknown) => {
            if (error instanceof NotFound) return undefined
            throw error
          })
    const file = scheduling.calendarFileFor(appointment, {
      summary: reply.request.t(text('calendar.summary'), { council: config.council.name }),
      description: reply.request.t(text('calendar.description'), { reference: record.reference, times }),
      location: address?.singleLine,
    })
    return reply
      .type('text/calendar; charset=utf-8')
      .header('content-disposition', `attachment; filename="appointment-${record.reference}.ics"`)
      .send(file)
  }

  // —— From the account ——

  const shownVisit = (request: FastifyRequest) => ({ appointment: formField(request, 'appointment'), version: formField(request, 'version') })

  /** The page to choose a time: booking a first visit, or moving the one booked. */
  async function showChoice(
    request: FastifyRequest<AccountParams>,
    reply: FastifyReply,
    record: RequestRecord,
    options: { error?: string; selected?: string } = {},
  ) {
    const current = await scheduling.currentAppointment(record.id)
    if (!current && !(await scheduling.needsBooking(record.id))) return reply.redirect(requestPath(record), 303)
    const days = otherThan(slotChoiceDays(await scheduling.availableSlots(record.id), scheduling.windows), current)
    const reported = !current && request.query.reported === '1'
    const title = request.t(text(current ? 'choose.changeTitle' : 'choose.title'))
    if (days.length === 0 && !options.error) {
      return reply.view(view('no-times'), {
        pageTitle: request.t(text('choose.noTimesTitle')),
        backLink: requestPath(record),
        flash: reported ? request.t(text('choose.reported'), { reference: record.reference }) : undefined,
        record,
        current: current && scheduling.describe(current),
        requestPath: requestPath(record),
        phone: config.council.repairsPhone,
      })
    }
    return reply.view(view('choose'), {
      pageTitle: title,
      backLink: requestPath(record),
      flash: reported ? request.t(text('choose.reported'), { reference: record.reference }) : undefined,
      errors: options.error ? { slot: options.error } : undefined,
      error: options.error,
      caption: request.t(text('choose.caption'), { reference: record.reference }),
      legend: title,
      days,
      selected: options.selected,
      offerNone: !current,
      current: current && { ...scheduling.describe(current), id: current.id, version: current.version },
      action: appointmentPath(record),
      keepPath: requestPath(record),
    })
  }

  app.get<AccountParams>('/account/requests/:reference/appointment', guarded, async (request, reply) => showChoice(request, reply, await ownRequest(request)))

  app.post<AccountParams>('/account/requests/:reference/appointment', guarded, async (request, reply) => {
    const record = await ownRequest(request)
    const current = await scheduling.currentAppointment(record.id)
    const value = formField(request, 'slot')
    const choice = readSlotChoice(value, scheduling.windows)
    if (!choice || (choice === noneSuitable && current)) {
      return showChoice(request, reply.code(400), record, { error: request.t(text(current ? 'choose.missingChange' : 'choose.missing')) })
    }
    try {
      if (choice === noneSuitable) {
        if (!(await scheduling.needsBooking(record.id))) return reply.redirect(requestPath(record), 303)
        await scheduling.noSuitableTime(record.id, residentActor(request))
        request.session.set('flash', request.t(text('choose.noneSuitable')))
        return reply.redirect(requestPath(record), 303)
      }
      if (current) {
        const seen = await scheduling.seenVisit(record.id, shownVisit(request))
        await scheduling.move(seen.id, choice, residentActor(request), seen.version)
        return reply.redirect(`${appointmentPath(record)}/booked?changed=1`, 303)
      }
      await scheduling.book(record.id, choice, residentActor(request))
      return reply.redirect(`${appointmentPath(record)}/booked`, 303)
    } catch (error) {
      // A time taken or a visit changed meanwhile: the page again, with what is free now.
      if (error instanceof Conflict) return showChoice(request, reply.code(409), record, { error: error.message })
      if (error instanceof InvalidInput) return showChoice(request, reply.code(400), record, { error: Object.values(error.fields)[0], selected: value })
      throw error
    }
  })

  app.get<AccountParams>('/account/requests/:reference/appointment/booked', guarded, async (request, reply) => {
    const record = await ownRequest(request)
    const current = await scheduling.currentAppointment(record.id)
    if (!current) return reply.redirect(requestPath(record), 303)
    const changed = request.query.changed === '1'
    return reply.view(view('booked'), {
      pageTitle: request.t(text(changed ? 'booked.changedTitle' : 'booked.title')),
      visit: scheduling.describe(current),
      record,
      calendarPath: `${appointmentPath(record)}.ics`,
      requestPath: requestPath(record),
    })
  })

  const showCancel = async (request: FastifyRequest<AccountParams>, reply: FastifyReply, record: RequestRecord, error?: string) => {
    const current = await scheduling.currentAppointment(record.id)
    if (!current) return reply.redirect(requestPath(record), 303)
    return reply.view(view('cancel'), {
      pageTitle: request.t(text('cancel.title')),
      backLink: requestPath(record),
      errors: error ? { visit: error } : undefined,
      caption: request.t(text('choose.caption'), { reference: record.reference }),
      visit: scheduling.describe(current),
      appointment: { id: current.id, version: current.version },
      action: `${appointmentPath(record)}/cancel`,
      keepPath: requestPath(record),
    })
  }

  app.get<AccountParams>('/account/requests/:reference/appointment/cancel', guarded, async (request, reply) => showCancel(request, reply, await ownRequest(request)))

  app.post<AccountParams>('/account/requests/:reference/appointment/cancel', guarded, async (request, reply) => {
    const record = await ownRequest(request)
    const current = await scheduling.currentAppointment(record.id)
    if (!current) return reply.redirect(requestPath(record), 303)
    try {
      const seen = await scheduling.seenVisit(record.id, shownVisit(request))
      await scheduling.cancel(seen.id, residentActor(request), seen.version)
    } catch (error) {
      if (!(error instanceof Conflict)) throw error
      return showCancel(request, reply.code(409), record, error.message)
    }
    request.session.set('flash', request.t(text('cancel.flash')))
    return reply.redirect(requestPath(record), 303)
  })

  app.get<AccountParams>('/account/requests/:reference/appointment.ics', guarded, async (request, reply) => {
    const record = await ownRequest(request)
    const current = await scheduling.currentAppointment(record.id)
    if (!current) throw new NotFound('appointment')
    return calendarReply(reply, record, current)
  })

  // —— Through the signed link in a message, without signing in ——

  type LinkVisit = { token: string; appointment: Appointment; record: RequestRecord }

  /** The link's visit and its request, or why the link no longer works; a link we never signed is not found. */
  async function readLink(token: string): Promise<LinkVisit | { unusable: 'expired' | 'changed' }> {
    const state = await scheduling.readChangeLink(token)
    if (state.usable) return { token, appointment: state.appointment, record: await requests.request(state.appointment.requestId) }
    if (state.reason === 'invalid') throw new NotFound('appointment')
    return { unusable: state.reason }
  }

  /** Gone for good, and says what to do instead: the account has the latest, or the repairs line. */
  const unusableLink = (request: FastifyRequest, reply: FastifyReply, reason: 'expired' | 'changed') =>
    reply.code(410).view(view('link-unusable'), {
      pageTitle: request.t(text(reason === 'expired' ? 'link.expiredTitle' : 'link.staleTitle')),
      explanation: request.t(text(reason === 'expired' ? 'link.expiredText' : 'link.staleText')),
      phone: config.council.repairsPhone,
    })

  const linkPath = (visit: LinkVisit) => `/appointments/${encodeURIComponent(visit.token)}`
  /** Whoever holds the link acts as the tenant whose request it is: the link is signed for that visit alone. */
  const linkActor = (visit: LinkVisit): Actor => ({ kind: 'resident', id: visit.record.personId })
  const keepOutcome = (request: FastifyRequest, outcome: LinkOutcome) => request.session.set('appointmentLinkOutcome', outcome)

  const showLinkChoice = async (request: FastifyRequest, reply: FastifyReply, visit: LinkVisit, error?: string) => {
    const days = otherThan(slotChoiceDays(await scheduling.availableSlots(visit.record.id), scheduling.windows), visit.appointment)
    return reply.view(view('link-choose'), {
      pageTitle: request.t(text('link.changeTitle')),
      backLink: linkPath(visit),
      errors: error ? { slot: error } : undefined,
      error,
      caption: request.t(text('link.caption'), { reference: visit.record.reference }),
      legend: request.t(text('link.changeTitle')),
      days,
      current: scheduling.describe(visit.appointment),
      action: `${linkPath(visit)}/change`,
      keepPath: linkPath(visit),
      phone: config.council.repairsPhone,
    })
  }

  type LinkPage = (request: FastifyRequest, reply: FastifyReply, visit: LinkVisit) => Promise<FastifyReply>

  /** Opening a page of the link only ever shows it, so a mail scanner following every link changes nothing. */
  const linkPages: Record<string, LinkPage> = {
    '': async (request, reply, visit) =>
      reply.view(view('link'), {
        pageTitle: request.t(text('link.title')),
        caption: request.t(text('link.caption'), { reference: visit.record.reference }),
        record: visit.record,
        visit: scheduling.describe(visit.appointment),
        path: linkPath(visit),
      }),
    change: async (request, reply, visit) => showLinkChoice(request, reply, visit),
    cancel: async (request, reply, visit) =>
      reply.view(view('cancel'), {
        pageTitle: request.t(text('cancel.title')),
        backLink: linkPath(visit),
        caption: request.t(text('link.caption'), { reference: visit.record.reference }),
        visit: scheduling.describe(visit.appointment),
        action: `${linkPath(visit)}/cancel`,
        keepPath: linkPath(visit),
      }),
    'calendar.ics': async (_request, reply, visit) => calendarReply(reply, visit.record, visit.appointment),
  }

  /** The link's two changes, each a POST from its page. */
  const linkChanges: Record<string, LinkPage> = {
    change: async (request, reply, visit) => {
      const choice = readSlotChoice(formField(request, 'slot'), scheduling.windows)
      if (!choice || choice === noneSuitable) return showLinkChoice(request, reply.code(400), visit, request.t(text('choose.missingChange')))
      try {
        const moved = await scheduling.move(visit.appointment.id, choice, linkActor(visit), visit.appointment.version)
        keepOutcome(request, { change: 'moved', reference: visit.record.reference, ...scheduling.describe(moved) })
      } catch (error) {
        if (error instanceof Conflict) return showLinkChoice(request, reply.code(409), visit, error.message)
        if (error instanceof InvalidInput) return showLinkChoice(request, reply.code(400), visit, Object.values(error.fields)[0])
        throw error
      }
      return reply.redirect('/appointments/changed', 303)
    },
    cancel: async (request, reply, visit) => {
      try {
        await scheduling.cancel(visit.appointment.id, linkActor(visit), visit.appointment.version)
      } catch (error) {
        // Changed between reading the link and cancelling: the link is spent, and its page says so.
        if (!(error instanceof Conflict)) throw error
        return unusableLink(request, reply, 'changed')
      }
      keepOutcome(request, { change: 'cancelled', reference: visit.record.reference, ...scheduling.describe(visit.appointment) })
      return reply.redirect('/appointments/cancelled', 303)
    },
  }

  /** A page of a link, once the link is read: a link that no longer works has its own page instead. */
  const linkRoute = (page: LinkPage) => async (request: FastifyRequest<{ Params: { token: string } }>, reply: FastifyReply) => {
    const visit = await readLink(request.params.token)
    if ('unusable' in visit) return unusableLink(request, reply, visit.unusable)
    return page(request, reply, visit)
  }
  for (const [name, page] of Object.entries(linkPages)) app.get(`/appointments/:token${name === '' ? '' : `/${name}`}`, linkRoute(page))
  for (const [name, change] of Object.entries(linkChanges)) app.post(`/appointments/:token/${name}`, linkRoute(change))

  /** The page after a change through a link, read from the session, so it needs no token: the change has just spent it. */
  for (const change of ['changed', 'cancelled'] as const) {
    app.get(`/appointments/${change}`, async (request, reply) => {
      const outcome = request.session.get<LinkOutcome>('appointmentLinkOutcome')
      const expected = change === 'changed' ? 'moved' : 'cancelled'
      if (outcome?.change !== expected) {
        return reply.view(view('link-done'), { pageTitle: request.t(text('link.nothingTitle')), nothing: true })
      }
      return reply.view(view('link-done'), {
        pageTitle: request.t(text(change === 'changed' ? 'link.changedTitle' : 'link.cancelledTitle')),
        outcome,
      })
    })
  }
}
