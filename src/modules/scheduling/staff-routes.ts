import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Services } from '../../container.ts'
import { addDays, isPlainDate, weekdayOf, weekdays, type PlainDate, type Weekday } from '../../lib/calendar/plain-date.ts'
import { ukDateOf } from '../../lib/calendar/uk-time.ts'
import { Conflict, InvalidInput, type FieldErrors } from '../../lib/errors.ts'
import type { Translate } from '../../lib/i18n/index.ts'
import { requireStaffPermission, type Actor } from '../identity/index.ts'
import type { CapacityOwnerChoice } from './capacity-queries.ts'
import type { CapacityOwner } from './service.ts'
import { noneSuitable, readSlotChoice, slotChoiceDays, slotChoiceValue } from './slot-choice.ts'
import { dayText, windowTimesText } from './slot-text.ts'

type Form = Record<string, string | string[] | undefined>

const text = (value: unknown): string => (typeof value === 'string' ? value : Array.isArray(value) ? String(value[0] ?? '') : '')
const list = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : [])

/** Visits are only made on working days, so the capacity form offers Monday to Friday. */
const workingWeekdays: readonly Weekday[] = weekdays.filter((day) => day !== 'Saturday' && day !== 'Sunday')

/** The capacity table shows two weeks at a time. */
const fortnight = 14

function actorOf(request: FastifyRequest): Actor {
  return { kind: 'staff', id: request.staff!.id }
}

/** A date typed into the three GOV.UK date boxes, or '' when it is not a real date. */
function dateFrom(form: Form, name: string): PlainDate {
  const [day, month, year] = ['day', 'month', 'year'].map((part) => text(form[`${name}-${part}`]).trim())
  if (!/^\d{4}$/.test(year!) || !/^\d{1,2}$/.test(month!) || !/^\d{1,2}$/.test(day!)) return ''
  const date = `${year}-${month!.padStart(2, '0')}-${day!.padStart(2, '0')}`
  return isPlainDate(date) ? date : ''
}

/** The Monday on or before a day, so each fortnight starts at the start of a week. */
function mondayOf(date: PlainDate): PlainDate {
  return addDays(date, -((weekdays.indexOf(weekdayOf(date)) + 6) % 7))
}

/** An owner as a form value, "team:id" or "contractor:id". */
function ownerValue(owner: CapacityOwner): string {
  return `${owner.kind}:${owner.id}`
}

/** The owner a form or address names, if it is one of those there are. */
function chosenOwner(value: string, owners: CapacityOwnerChoice[]): CapacityOwnerChoice | undefined {
  return owners.find((choice) => ownerValue(choice.owner) === value)
}

/** Staff booking, moving and cancelling visits for tenants, and managing the capacity visits are booked in. */
export async function schedulingStaffRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const { scheduling, requests } = services
  const { windows } = scheduling
  const mayBook = { preHandler: requireStaffPermission('appointments.book') }
  const mayManage = { preHandler: requireStaffPermission('scheduling.manage') }

  /** The request a staff page's address names, by its reference. */
  async function requestFrom(request: FastifyRequest): Promise<{ id: string; reference: string }> {
    const { id, reference } = await requests.requestByReference((request.params as { reference: string }).reference)
    return { id, reference }
  }

  /** Every team and contractor whose diary can hold visits, teams first, each by name. */
  async function capacityOwners(): Promise<CapacityOwnerChoice[]> {
    const [teams, contractors] = await Promise.all([services.identity.staff.teams(), services.identity.staff.contractors()])
    return [
      ...teams.map((team) => ({ owner: { kind: 'team' as const, id: team.id }, name: team.name })),
      ...contractors.map((contractor) => ({ owner: { kind: 'contractor' as const, id: contractor.id }, name: contractor.name })),
    ]
  }

  const requestPage = (reference: string) => `/staff/requests/${encodeURIComponent(reference)}`

  async function showBooking(request: FastifyRequest, reply: FastifyReply, target: { id: string; reference: string }, errors?: FieldErrors, selected?: string) {
    const [current, days] = await Promise.all([scheduling.currentAppointment(target.id), scheduling.availableSlots(target.id)])
    // Moving to the time already booked changes nothing, so it is not offered.
    const offered = days
      .map((day) => ({ ...day, slots: day.slots.filter((slot) => !current || slot.date !== current.date || slot.window !== current.window) }))
      .filter((day) => day.slots.length > 0)
    return reply.view('scheduling/views/staff/book.njk', {
      reference: target.reference,
      backLink: requestPage(target.reference),
      current: current && { id: current.id, version: current.version, ...scheduling.describe(current) },
      days: slotChoiceDays(offered, windows),
      errors,
      selected,
    })
  }

  app.get('/staff/requests/:reference/appointment', mayBook, async (request, reply) => showBooking(request, reply, await requestFrom(request)))

  app.post('/staff/requests/:reference/appointment', mayBook, async (request, reply) => {
    const target = await requestFrom(request)
    const form = request.body as Form
    const t = request.t
    const choice = readSlotChoice(text(form.slot), windows)
    if (!choice || choice === noneSuitable) return showBooking(request, reply.code(400), target, { slot: t('scheduling.staff.book.slotMissing') })
    let done: string
    try {
      if (text(form.appointment)) {
        const seen = await scheduling.seenVisit(target.id, { appointment: text(form.appointment), version: text(form.version) })
        await scheduling.move(seen.id, choice, actorOf(request), seen.version)
        done = 'moved'
      } else {
        await scheduling.book(target.id, choice, actorOf(request))
        done = 'booked'
      }
    } catch (error) {
      if (error instanceof InvalidInput) return showBooking(request, reply.code(400), target, { slot: error.message }, slotChoiceValue(choice))
      // Full, or changed since it was seen: the page is shown again with the times free now.
      if (error instanceof Conflict) return showBooking(request, reply.code(409), target, { slot: error.message })
      throw error
    }
    request.session.set('staffFlash', t(`scheduling.staff.done.${done}`, { ...scheduling.describe(choice) }))
    return reply.redirect(requestPage(target.reference), 303)
  })

  async function showCancel(request: FastifyRequest, reply: FastifyReply, target: { id: string; reference: string }, errors?: FieldErrors) {
    const current = await scheduling.currentAppointment(target.id)
    return reply.view('scheduling/views/staff/cancel.njk', {
      reference: target.reference,
      backLink: requestPage(target.reference),
      current: current && { id: current.id, version: current.version, ...scheduling.describe(current) },
      errors,
    })
  }

  app.get('/staff/requests/:reference/appointment/cancel', mayBook, async (request, reply) => showCancel(request, reply, await requestFrom(request)))

  app.post('/staff/requests/:reference/appointment/cancel', mayBook, async (request, reply) => {
    const target = await requestFrom(request)
    const form = request.body as Form
    const t = request.t
    let cancelled
    try {
      const seen = await scheduling.seenVisit(target.id, { appointment: text(form.appointment), version: text(form.version) })
      cancelled = await scheduling.cancel(seen.id, actorOf(request), seen.version)
    } catch (error) {
      if (error instanceof Conflict) return showCancel(request, reply.code(409), target, { appointment: error.message })
      throw error
    }
    request.session.set('staffFlash', t('scheduling.staff.done.cancelled', { ...scheduling.describe(cancelled) }))
    return reply.redirect(requestPage(target.reference), 303)
  })

  /** The capacity page: the choice of owner and, once one is chosen, their fortnight, the forms and their closures. */
  async function showCapacity(
    request: FastifyRequest,
    reply: FastifyReply,
    choice: { owner?: string; from?: string },
    extra: { errors?: FieldErrors; values?: Form } = {},
  ) {
    const t = request.t
    const today = ukDateOf(new Date())
    const owners = await capacityOwners()
    const chosen = choice.owner ? chosenOwner(choice.owner, owners) : undefined
    if (choice.owner && !chosen) reply.code(400)
    const errors = { ...(choice.owner && !chosen ? { owner: t('scheduling.staff.errors.ownerMissing') } : {}), ...extra.errors }
    const from = choice.from && isPlainDate(choice.from) ? mondayOf(choice.from) : mondayOf(today)
    const to = addDays(from, fortnight - 1)
    let diary
    if (chosen) {
      const [capacity, closures, upcoming] = await Promise.all([
        scheduling.capacityBetween(chosen.owner, from, to),
        scheduling.closuresBetween(chosen.owner, from, to),
        scheduling.closuresBetween(chosen.owner, today, addDays(today, 366)),
      ])
      const counts = new Map(capacity.map((row) => [`${row.date} ${row.window}`, row]))
      const days = Array.from({ length: fortnight }, (_, index) => addDays(from, index)).map((date) => ({
        day: dayText(date),
        workingDay: scheduling.isWorkingDay(date),
        closures: closures.filter((closure) => closure.date === date).map((closure) => closure.reason),
        slots: windows.map((window) => counts.get(`${date} ${window.code}`)),
      }))
      const link = (start: PlainDate) => `/staff/appointments/capacity?owner=${encodeURIComponent(ownerValue(chosen.owner))}&from=${start}`
      diary = {
        days,
        title: t('scheduling.staff.capacity.fortnight', { from: dayText(from), to: dayText(to) }),
        previousHref: link(addDays(from, -fortnight)),
        nextHref: link(addDays(from, fortnight)),
        closures: upcoming.map((closure) => ({ day: dayText(closure.date), reason: closure.reason, everyone: closure.owner === null })),
      }
    }
    const unchanged = extra.errors ? undefined : request.session.get<string[]>('capacityUnchanged')
    if (unchanged) request.session.delete('capacityUnchanged')
    const flash = extra.errors ? undefined : request.session.get<string>('staffFlash')
    if (flash) request.session.delete('staffFlash')
    return reply.view('scheduling/views/staff/capacity.njk', {
      owners: owners.map((owner) => ({ value: ownerValue(owner.owner), text: owner.name, selected: chosen === owner })),
      chosen: chosen && { value: ownerValue(chosen.owner), name: chosen.name },
      showing: from,
      diary,
      windows: windows.map((window) => ({ code: window.code, times: windowTimesText(window, from) })),
      weekdays: workingWeekdays,
      values: extra.values ?? {},
      errors: Object.keys(errors).length > 0 ? errors : undefined,
      unchanged,
      flash,
    })
  }

  const capacityPage = (owner: string, from: string) => `/staff/appointments/capacity?owner=${encodeURIComponent(owner)}&from=${encodeURIComponent(from)}`

  app.get('/staff/appointments/capacity', mayManage, async (request, reply) => {
    const query = request.query as Form
    return showCapacity(request, reply, { owner: text(query.owner) || undefined, from: text(query.from) })
  })

  /** Works out the owner a capacity form was sent for, or shows the page again saying to choose one. */
  async function ownerOfForm(form: Form, t: Translate): Promise<CapacityOwnerChoice> {
    const chosen = chosenOwner(text(form.owner), await capacityOwners())
    if (!chosen) throw new InvalidInput({ owner: t('scheduling.staff.errors.ownerMissing') })
    return chosen
  }

  app.post('/staff/appointments/capacity', mayManage, async (request, reply) => {
    const form = request.body as Form
    const t = request.t
    const showing = text(form.showing)
    try {
      const { owner } = await ownerOfForm(form, t)
      const places = /^\s*\d{1,3}\s*$/.test(text(form.places)) ? Number(text(form.places)) : Number.NaN
      const chosenWeekdays = list(form.weekdays).filter((day): day is Weekday => (workingWeekdays as readonly string[]).includes(day))
      const result = await scheduling.setCapacityForDays(
        owner,
        { from: dateFrom(form, 'from'), to: dateFrom(form, 'to'), weekdays: chosenWeekdays, window: text(form.window), places },
        actorOf(request),
      )
      request.session.set('staffFlash', t(`scheduling.staff.done.capacitySet.${result.changed.length === 1 ? 'one' : 'other'}`, { count: result.changed.length }))
      if (result.unchanged.length > 0) {
        request.session.set(
          'capacityUnchanged',
          result.unchanged.map((day) => t('scheduling.staff.capacity.unchanged', { day: dayText(day.date), reason: day.reason })),
        )
      }
      return await reply.redirect(capacityPage(text(form.owner), showing), 303)
    } catch (error) {
      if (!(error instanceof InvalidInput)) throw error
      return showCapacity(request, reply.code(400), { owner: text(form.owner), from: showing }, { errors: error.fields, values: form })
    }
  })

  app.post('/staff/appointments/capacity/closures', mayManage, async (request, reply) => {
    const form = request.body as Form
    const t = request.t
    const showing = text(form.showing)
    try {
      const { owner } = await ownerOfForm(form, t)
      const scope = text(form.scope)
      const date = dateFrom(form, 'closureDate')
      const errors: FieldErrors = {}
      if (!date) errors.closureDate = t('scheduling.staff.errors.closureDateInvalid')
      if (text(form.reason).trim() === '') errors.reason = t('scheduling.errors.closureReasonMissing')
      if (scope !== 'owner' && scope !== 'everyone') errors.scope = t('scheduling.staff.errors.scopeMissing')
      if (Object.keys(errors).length > 0) throw new InvalidInput(errors)
      await scheduling.addClosure(scope === 'everyone' ? null : owner, date, text(form.reason), actorOf(request))
      request.session.set('staffFlash', t('scheduling.staff.done.closureAdded', { day: dayText(date), reason: text(form.reason).trim() }))
      return await reply.redirect(capacityPage(text(form.owner), showing), 303)
    } catch (error) {
      if (!(error instanceof InvalidInput)) throw error
      const { date, ...rest } = error.fields
      const errors = date ? { closureDate: date, ...rest } : rest
      return showCapacity(request, reply.code(400), { owner: text(form.owner), from: showing }, { errors, values: form })
    }
  })
}
