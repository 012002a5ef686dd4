import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultCalendar, ukDateOf } from '../../../src/lib/calendar/index.ts'
import type { CapacityOwner, Slot } from '../../../src/modules/scheduling/index.ts'
import { errorSummary, type AgentResponse } from '../../support/agent.ts'
import { createTestApp, type TestApp } from '../../support/app.ts'
import { signedInStaff } from '../../support/staff.ts'
import { person, placesOf, property, repairDefinition } from '../requests/factories.ts'

let test: TestApp
let team: CapacityOwner
/** The next two working days: an urgent repair made today is always due after both. */
let firstDay: string
let secondDay: string

beforeAll(async () => {
  test = await createTestApp()
  team = { kind: 'team', id: await test.services.identity.staff.ensureTeam('housing-repairs', 'Housing repairs') }
  await test.services.catalogue.publishDefinition(repairDefinition())
  const region = test.config.council.bankHolidayRegion
  firstDay = defaultCalendar.nextWorkingDay(ukDateOf(new Date()), region)
  secondDay = defaultCalendar.nextWorkingDay(firstDay, region)
})
afterAll(async () => {
  await test?.close()
})

/** An urgent repair for a tenant with an email address, owned by the repairs team and waiting for a visit. */
async function urgentRepair() {
  const personId = await person(test.database.db)
  await test.database.db.updateTable('people').set({ email: `${personId}@example.com` }).where('id', '=', personId).execute()
  const made = await test.services.requests.createRequest({ serviceCode: 'test-repair', personId, answers: { problem: 'blocked-toilet', details: '' }, channel: 'web' })
  return { ...made, personId }
}

const placesIn = (slot: Slot) => placesOf(test.database.db, team, slot)

const messagesTo = async (personId: string) =>
  (await test.database.db.selectFrom('outbox_messages').select('message_type').where('person_id', '=', personId).orderBy('created_at').execute()).map((row) => row.message_type)

const auditActions = async (staffId: string) =>
  (
    await test.database.db
      .selectFrom('audit_events')
      .select('action')
      .where('actor_id', '=', staffId)
      .where('action', 'like', 'appointment.%')
      .orderBy('occurred_at')
      .execute()
  ).map((row) => row.action)

const text = (response: AgentResponse, selector: string) => response.page(selector).text().replace(/\s+/g, ' ').trim()

/** The hidden fields a page's form carries, such as the appointment and the version it was showing. */
function hiddenFields(response: AgentResponse, action: string): Record<string, string> {
  const fields: Record<string, string> = {}
  response.page(`form[action="${action}"] input[type="hidden"]`).each((_, input) => {
    const name = response.page(input).attr('name')!
    if (name !== '_csrf') fields[name] = response.page(input).attr('value') ?? ''
  })
  return fields
}

async function staffName(id: string) {
  return (await test.database.db.selectFrom('staff_members').select('name').where('id', '=', id).executeTakeFirstOrThrow()).name
}

describe('an officer books, moves and cancels a visit for a tenant on the phone', () => {
  it('takes and frees places, shows each change on the request page and its timeline, audits it and messages the tenant', async () => {
    const morning = { date: firstDay, window: 'morning' }
    const afternoon = { date: firstDay, window: 'afternoon' }
    const actor = { kind: 'staff' as const, id: null }
    await test.services.scheduling.setCapacity(team, morning, 2, actor)
    await test.services.scheduling.setCapacity(team, afternoon, 1, actor)
    const repair = await urgentRepair()
    const { id: officerId, agent } = await signedInStaff(test, ['officer'])
    const requestPage = `/staff/requests/${repair.reference}`
    const bookingPage = `${requestPage}/appointment`
    const day = test.services.scheduling.describe(morning).day

    const before = await agent.get(requestPage)
    expect(text(before, '.app-appointment .app-no-appointment')).toBe('No appointment booked')
    expect(before.page('.app-appointment a.govuk-button').attr('href')).toBe(bookingPage)

    const offered = await agent.get(bookingPage)
    expect(offered.status).toBe(200)
    expect(offered.page('h1').text().trim()).toBe('Choose a time for the visit')
    expect(offered.page('input[name="slot"]').map((_, input) => offered.page(input).attr('value')).get()).toEqual(
      expect.arrayContaining([`${firstDay}/morning`, `${firstDay}/afternoon`]),
    )
    expect(offered.page('input[name="slot"][value="none"]')).toHaveLength(0)

    const booked = await agent.post(bookingPage, { slot: `${firstDay}/morning` })
    expect(booked.status, errorSummary(booked).join()).toBe(303)
    expect(booked.location).toBe(requestPage)
    const afterBooking = await agent.follow(booked)
    expect(text(afterBooking, '.govuk-notification-banner')).toContain(`Appointment booked for ${day}, 8am to midday. The tenant has been sent a message about it.`)
    expect(text(afterBooking, '.app-current-appointment')).toContain(`${day}`)
    expect(text(afterBooking, '.app-current-appointment')).toContain('8am to midday')
    expect(text(afterBooking, '.app-current-appointment')).toContain(await staffName(officerId))
    expect(await placesIn(morning)).toEqual({ places: 2, booked: 1 })

    const movePage = await agent.get(bookingPage)
    expect(movePage.page('h1').text().trim()).toBe('Choose a new time for the visit')
    // The time already booked is not offered again.
    expect(movePage.page(`input[value="${firstDay}/morning"]`)).toHaveLength(0)
    const moved = await agent.post(bookingPage, { ...hiddenFields(movePage, bookingPage), slot: `${firstDay}/afternoon` })
    expect(moved.status, errorSummary(moved).join()).toBe(303)
    expect(text(await agent.follow(moved), '.govuk-notification-banner')).toContain(`Appointment moved to ${day}, midday to 6pm.`)
    expect(await placesIn(morning)).toEqual({ places: 2, booked: 0 })
    expect(await placesIn(afternoon)).toEqual({ places: 1, booked: 1 })

    const cancelPage = await agent.get(`${bookingPage}/cancel`)
    expect(cancelPage.page('h1').text().trim()).toBe(`Cancel the appointment for ${repair.reference}`)
    const cancelled = await agent.post(`${bookingPage}/cancel`, hiddenFields(cancelPage, `${bookingPage}/cancel`))
    expect(cancelled.status, errorSummary(cancelled).join()).toBe(303)
    const afterCancelling = await agent.follow(cancelled)
    expect(text(afterCancelling, '.govuk-notification-banner')).toContain(`Appointment on ${day}, midday to 6pm cancelled. The tenant has been sent a message about it.`)
    expect(await placesIn(afternoon)).toEqual({ places: 1, booked: 0 })

    // The request page: no visit now, the two earlier ones in its history, and each change on the timeline in hours.
    expect(text(afterCancelling, '.app-appointment .app-no-appointment')).toBe('No appointment booked')
    expect(afterCancelling.page('.app-appointment-history tbody tr').map((_, row) => afterCancelling.page(row).text().replace(/\s+/g, ' ').trim()).get()).toEqual([
      expect.stringMatching(new RegExp(`^${day}, midday to 6pm Cancelled`)),
      expect.stringMatching(new RegExp(`^${day}, 8am to midday Moved`)),
    ])
    const headings = afterCancelling.page('.app-timeline__entry h3').map((_, heading) => afterCancelling.page(heading).text().replace(/\s+/g, ' ').trim()).get()
    expect(headings.filter((heading) => heading.startsWith('Appointment'))).toEqual([
      expect.stringContaining(`Appointment on ${day} (midday to 6pm) cancelled`),
      expect.stringContaining(`Appointment moved to ${day} (midday to 6pm)`),
      expect.stringContaining(`Appointment booked for ${day} (8am to midday)`),
    ])

    expect(await auditActions(officerId)).toEqual(['appointment.book', 'appointment.move', 'appointment.cancel'])
    expect(await messagesTo(repair.personId)).toEqual(expect.arrayContaining(['appointment-booked-email', 'appointment-moved-email', 'appointment-cancelled-email']))
    expect((await messagesTo(repair.personId)).filter((type) => type.startsWith('appointment-'))).toHaveLength(3)
  })

  it('refuses a move or cancel from a page made stale by someone else’s change, and changes nothing', async () => {
    const from = { date: secondDay, window: 'morning' }
    const to = { date: secondDay, window: 'afternoon' }
    const actor = { kind: 'staff' as const, id: null }
    await test.services.scheduling.setCapacity(team, from, 3, actor)
    await test.services.scheduling.setCapacity(team, to, 3, actor)
    const repair = await urgentRepair()
    await test.services.scheduling.book(repair.id, from, actor)
    const { agent } = await signedInStaff(test, ['team-lead'])
    const bookingPage = `/staff/requests/${repair.reference}/appointment`

    const movePage = await agent.get(bookingPage)
    const cancelPage = await agent.get(`${bookingPage}/cancel`)
    // Meanwhile the tenant moves the visit themselves, and back again: the version the officer saw has gone.
    const current = (await test.services.scheduling.currentAppointment(repair.id))!
    const elsewhere = await test.services.scheduling.move(current.id, to, { kind: 'resident' }, current.version)
    await test.services.scheduling.move(elsewhere.id, from, { kind: 'resident' }, elsewhere.version)
    const countsBefore = [await placesIn(from), await placesIn(to)]
    const appointmentsBefore = await test.services.scheduling.appointmentsOf(repair.id)

    const move = await agent.post(bookingPage, { ...hiddenFields(movePage, bookingPage), slot: `${secondDay}/afternoon` })
    expect(move.status).toBe(409)
    expect(errorSummary(move)).toEqual(['This appointment has changed since you saw it. Check it again before making a change.'])
    const cancel = await agent.post(`${bookingPage}/cancel`, hiddenFields(cancelPage, `${bookingPage}/cancel`))
    expect(cancel.status).toBe(409)
    expect(errorSummary(cancel)).toEqual(['This appointment has changed since you saw it. Check it again before making a change.'])

    expect([await placesIn(from), await placesIn(to)]).toEqual(countsBefore)
    expect(await test.services.scheduling.appointmentsOf(repair.id)).toEqual(appointmentsBefore)
  })

  it('shows the page again with the times free now when the chosen one filled up meanwhile', async () => {
    const last = { date: secondDay, window: 'all-day' }
    await test.services.scheduling.setCapacity(team, last, 1, { kind: 'staff', id: null })
    const repair = await urgentRepair()
    const { agent } = await signedInStaff(test, ['officer'])
    const bookingPage = `/staff/requests/${repair.reference}/appointment`
    expect((await agent.get(bookingPage)).page(`input[value="${secondDay}/all-day"]`)).toHaveLength(1)
    await test.services.scheduling.book((await urgentRepair()).id, last, { kind: 'resident' })

    const refused = await agent.post(bookingPage, { slot: `${secondDay}/all-day` })
    expect(refused.status).toBe(409)
    expect(errorSummary(refused)[0]).toMatch(/^There are no places left on .* \(8am to 6pm\)\. Choose another time\.$/)
    expect(refused.page(`input[value="${secondDay}/all-day"]`)).toHaveLength(0)
    expect(await test.services.scheduling.currentAppointment(repair.id)).toBeUndefined()
  })

  it('asks for a time when none is chosen', async () => {
    const repair = await urgentRepair()
    const { agent } = await signedInStaff(test, ['officer'])
    const bookingPage = `/staff/requests/${repair.reference}/appointment`
    await agent.get(bookingPage)
    const refused = await agent.post(bookingPage, {})
    expect(refused.status).toBe(400)
    expect(errorSummary(refused)).toEqual(['Select a time for the visit'])
  })
})

describe('who may book', () => {
  it('gives appointments.book to every role that updates requests or raises them for callers, and to administrators, and to no other starting role', async () => {
    const rows = await test.database.db
      .selectFrom('role_permissions')
      .innerJoin('roles', 'roles.id', 'role_permissions.role_id')
      .select('roles.code')
      .where('permission', '=', 'appointments.book')
      .orderBy('roles.code')
      .execute()
    expect(rows.map((row) => row.code)).toEqual(['administrator', 'contact-centre-agent', 'officer', 'team-lead'])
  })

  it('refuses staff without appointments.book, and shows them no booking buttons', async () => {
    const slot = { date: firstDay, window: 'all-day' }
    await test.services.scheduling.setCapacity(team, slot, 5, { kind: 'staff', id: null })
    const repair = await urgentRepair()
    const { agent } = await signedInStaff(test, ['moderator'])
    const bookingPage = `/staff/requests/${repair.reference}/appointment`

    const page = await agent.get(`/staff/requests/${repair.reference}`)
    expect(page.status).toBe(200)
    expect(page.page('.app-appointment a.govuk-button')).toHaveLength(0)
    expect((await agent.get(bookingPage)).status).toBe(403)
    expect((await agent.get(`${bookingPage}/cancel`)).status).toBe(403)
    await agent.get('/staff')
    expect((await agent.post(bookingPage, { slot: `${firstDay}/all-day` })).status).toBe(403)
    expect(await test.services.scheduling.currentAppointment(repair.id)).toBeUndefined()
  })

  it('refuses booking and cancelling posted without the CSRF token', async () => {
    const slot = { date: firstDay, window: 'all-day' }
    await test.services.scheduling.setCapacity(team, slot, 5, { kind: 'staff', id: null })
    const repair = await urgentRepair()
    const { agent } = await signedInStaff(test, ['officer'])
    const bookingPage = `/staff/requests/${repair.reference}/appointment`
    await agent.get(bookingPage)

    expect((await agent.post(bookingPage, { slot: `${firstDay}/all-day` }, { csrf: null })).status).toBe(403)
    expect(await test.services.scheduling.currentAppointment(repair.id)).toBeUndefined()

    const booked = await test.services.scheduling.book(repair.id, slot, { kind: 'resident' })
    const cancelPage = await agent.get(`${bookingPage}/cancel`)
    expect((await agent.post(`${bookingPage}/cancel`, hiddenFields(cancelPage, `${bookingPage}/cancel`), { csrf: 'forged-token' })).status).toBe(403)
    expect(await test.services.scheduling.currentAppointment(repair.id)).toMatchObject({ id: booked.id, status: 'booked' })
  })
})

describe('the property’s no-access history', () => {
  it('warns on the request page how many earlier visits to the property found nobody in', async () => {
    const uprn = await property(test.database.db, 7_100_001)
    const slot = { date: secondDay, window: 'all-day' }
    await test.services.scheduling.setCapacity(team, slot, 10, { kind: 'staff', id: null })
    const atProperty = async () => {
      const made = await urgentRepair()
      await test.database.db.updateTable('requests').set({ property_uprn: uprn }).where('id', '=', made.id).execute()
      return made
    }
    const { agent } = await signedInStaff(test, ['officer'])

    const first = await atProperty()
    expect((await agent.get(`/staff/requests/${first.reference}`)).page('.app-no-access-warning')).toHaveLength(0)
    for (const earlier of [first, await atProperty()]) {
      await test.services.scheduling.book(earlier.id, slot, { kind: 'resident' })
      await test.services.scheduling.recordVisitOutcome(earlier.id, 'no-access', { kind: 'staff', id: null })
    }

    const page = await agent.get(`/staff/requests/${(await atProperty()).reference}`)
    expect(text(page, '.app-no-access-warning')).toContain('Nobody was in for 2 earlier visits to this property')
    const firstPage = await agent.get(`/staff/requests/${first.reference}`)
    expect(text(firstPage, '.app-appointment-history tbody tr')).toMatch(/8am to 6pm No access/)
  })
})
