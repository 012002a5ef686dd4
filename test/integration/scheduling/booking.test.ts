import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Conflict, InvalidInput } from '../../../src/lib/errors.ts'
import type { CapacityOwner, SchedulingServices, Slot } from '../../../src/modules/scheduling/index.ts'
import { createTestDatabase, type TestDatabase } from '../../support/database.ts'
import { person, placesOf, property, repairDefinition, schedulingServicesFor, staffMember, type TestClock } from '../requests/factories.ts'

// Monday 1 June 2026, 11:00 in London. An urgent repair reported then is due on Monday 8 June.
const mondayMorning = new Date('2026-06-01T10:00:00Z')

describe('booking appointments', () => {
  let database: TestDatabase
  const clock: TestClock = { now: mondayMorning }
  let services: ReturnType<typeof schedulingServicesFor>
  let scheduling: SchedulingServices
  let team: CapacityOwner
  let officer: string

  beforeAll(async () => {
    database = await createTestDatabase()
    services = schedulingServicesFor(database.db, clock)
    scheduling = services.scheduling
    await services.catalogue.publishDefinition(repairDefinition())
    const { id } = await database.db.insertInto('teams').values({ code: 'housing-repairs', name: 'Housing repairs' }).returning('id').executeTakeFirstOrThrow()
    team = { kind: 'team', id }
    officer = await staffMember(database.db)
  })
  afterAll(async () => {
    await database?.destroy()
  })

  const staff = () => ({ kind: 'staff' as const, id: officer })

  /** An urgent repair reported on Monday 1 June, due on Monday 8 June, owned by the repairs team. */
  async function urgentRepair(reportedAt = mondayMorning): Promise<string> {
    clock.now = reportedAt
    const personId = await person(database.db)
    const made = await services.requests.createRequest({ serviceCode: 'test-repair', personId, answers: { problem: 'blocked-toilet', details: '' }, channel: 'web' })
    return made.id
  }

  const placesIn = (slot: Slot) => placesOf(database.db, team, slot)

  it('takes a place when booking, schedules the request, and frees the place on cancelling', async () => {
    const slot = { date: '2026-06-03', window: 'morning' }
    await scheduling.setCapacity(team, slot, 2, staff())
    const requestId = await urgentRepair()

    const appointment = await scheduling.book(requestId, slot, { kind: 'resident' })
    expect(appointment).toMatchObject({ requestId, owner: team, date: '2026-06-03', window: 'morning', status: 'booked', version: 1 })
    expect(await placesIn(slot)).toEqual({ places: 2, booked: 1 })
    expect((await services.requests.request(requestId)).state).toEqual({ status: 'scheduled' })

    const cancelled = await scheduling.cancel(appointment.id, staff(), 1)
    expect(cancelled).toMatchObject({ status: 'cancelled', version: 2 })
    expect(await placesIn(slot)).toEqual({ places: 2, booked: 0 })

    const timeline = await services.requests.timeline(requestId, { audience: 'staff' })
    expect(timeline.filter((entry) => entry.kind === 'appointment').map((entry) => entry.details)).toEqual([
      { change: 'booked', appointmentId: appointment.id, date: '2026-06-03', window: 'morning' },
      { change: 'cancelled', appointmentId: appointment.id, date: '2026-06-03', window: 'morning' },
    ])
  })

  it('releases the visit of a request that is cancelled, freeing its place without a message of its own', async () => {
    const slot = { date: '2026-06-09', window: 'afternoon' }
    await scheduling.setCapacity(team, slot, 1, staff())
    const requestId = await urgentRepair()
    await scheduling.book(requestId, slot, staff())
    const messagesBefore = await database.db.selectFrom('outbox_messages').select('message_type').execute()

    const released = await scheduling.releaseVisit(requestId, staff())

    expect(released).toMatchObject({ status: 'cancelled', ...slot })
    expect(await placesIn(slot)).toEqual({ places: 1, booked: 0 })
    expect(await scheduling.currentAppointment(requestId)).toBeUndefined()
    expect(await database.db.selectFrom('outbox_messages').select('message_type').execute()).toEqual(messagesBefore)
    expect(await scheduling.releaseVisit(requestId, staff())).toBeUndefined()
  })

  it('writes to a tenant with neither email nor mobile, at the property, and texts a tenant who asked for texts with the email to fall back on', async () => {
    const slot = { date: '2026-06-09', window: 'morning' }
    await scheduling.setCapacity(team, slot, 2, staff())
    clock.now = mondayMorning
    const byPost = await person(database.db, { givenName: 'Pat', familyName: 'Post' })
    const uprn = await property(database.db, 100_000_501)
    const letterRequest = await services.requests.createRequest({ serviceCode: 'test-repair', personId: byPost, propertyUprn: uprn, answers: { problem: 'blocked-toilet', details: '' }, channel: 'phone', raisedByStaffId: officer })
    await scheduling.book(letterRequest.id, slot, staff())

    const texted = await person(database.db, { givenName: 'Tex', familyName: 'Ting' })
    await database.db.updateTable('people').set({ email: 'tex@example.com', mobile: '07700900555', mobile_verified_at: new Date(), contact_preference: 'text' }).where('id', '=', texted).execute()
    const textRequest = await services.requests.createRequest({ serviceCode: 'test-repair', personId: texted, answers: { problem: 'blocked-toilet', details: '' }, channel: 'web' })
    await scheduling.book(textRequest.id, slot, staff())

    const sent = await database.db.selectFrom('outbox_messages').select(['person_id', 'channel', 'recipient', 'message_type', 'personalisation', 'fallback']).where('message_type', 'like', 'appointment-booked-%').where('person_id', 'in', [byPost, texted]).orderBy('channel').execute()
    expect(sent).toEqual([
      {
        person_id: byPost,
        channel: 'letter',
        recipient: 'Pat Post\n501 Mill Lane\nLower Wendle\nLW1 5UP',
        message_type: 'appointment-booked-letter',
        personalisation: expect.objectContaining({ name: 'Pat Post', reference: letterRequest.reference, date: 'Tuesday 9 June 2026', window: '8am to midday', phone: '01632 960000' }),
        fallback: null,
      },
      {
        person_id: texted,
        channel: 'sms',
        recipient: '07700900555',
        message_type: 'appointment-booked-sms',
        personalisation: expect.objectContaining({ reference: textRequest.reference, link: expect.stringMatching(/\/appointments\/[\w-]+\.[\w-]+$/) }),
        fallback: expect.objectContaining({ channel: 'email', recipient: 'tex@example.com', messageType: 'appointment-booked-email' }),
      },
    ])
    // Scheduled by the booking, quietly: the appointment's message is the one the tenant gets.
    const scheduled = await database.db.selectFrom('request_events').select(['visibility', 'notify_resident']).where('request_id', '=', textRequest.id).where('to_status', '=', 'scheduled').execute()
    expect(scheduled).toEqual([{ visibility: 'internal', notify_resident: false }])
  })

  it('accepts a visit a page showed only while it is still the request’s booked one', async () => {
    const slot = { date: '2026-06-10', window: 'morning' }
    await scheduling.setCapacity(team, slot, 1, staff())
    const requestId = await urgentRepair()
    const booked = await scheduling.book(requestId, slot, staff())

    expect(await scheduling.seenVisit(requestId, { appointment: booked.id, version: '1' })).toEqual({ id: booked.id, version: 1 })
    for (const shown of [{ appointment: booked.id, version: '' }, { appointment: booked.id, version: '1.5' }, { appointment: '', version: '1' }]) {
      await expect(scheduling.seenVisit(requestId, shown)).rejects.toThrow(/changed since you saw it/)
    }
    const otherRequest = await urgentRepair()
    await expect(scheduling.seenVisit(otherRequest, { appointment: booked.id, version: '1' })).rejects.toBeInstanceOf(Conflict)
  })

  it('moves a visit by freeing the old place and taking the new one, keeping the old appointment as moved', async () => {
    const from = { date: '2026-06-04', window: 'morning' }
    const to = { date: '2026-06-04', window: 'afternoon' }
    await scheduling.setCapacity(team, from, 1, staff())
    await scheduling.setCapacity(team, to, 1, staff())
    const requestId = await urgentRepair()
    const booked = await scheduling.book(requestId, from, staff())

    clock.now = new Date(mondayMorning.getTime() + 60_000)
    const moved = await scheduling.move(booked.id, to, { kind: 'resident' }, booked.version)
    expect(moved).toMatchObject({ requestId, date: '2026-06-04', window: 'afternoon', status: 'booked', version: 1 })
    expect(await placesIn(from)).toEqual({ places: 1, booked: 0 })
    expect(await placesIn(to)).toEqual({ places: 1, booked: 1 })
    expect(await scheduling.appointment(booked.id)).toMatchObject({ status: 'moved', version: 2 })
    expect((await scheduling.appointmentsOf(requestId)).map((appointment) => appointment.status)).toEqual(['moved', 'booked'])
  })

  it('never overbooks: of 25 bookings at the last 3 places at once, exactly 3 succeed', async () => {
    const slot = { date: '2026-06-05', window: 'all-day' }
    await scheduling.setCapacity(team, slot, 5, staff())
    for (let booked = 0; booked < 2; booked++) await scheduling.book(await urgentRepair(), slot, staff())
    const requestIds: string[] = []
    for (let made = 0; made < 25; made++) requestIds.push(await urgentRepair())

    const results = await Promise.allSettled(requestIds.map((requestId) => scheduling.book(requestId, slot, { kind: 'resident' })))

    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(3)
    const refusals = results.filter((result) => result.status === 'rejected').map((result) => result.reason as Error)
    expect(refusals).toHaveLength(22)
    for (const refusal of refusals) expect(refusal).toBeInstanceOf(Conflict)
    expect(await placesIn(slot)).toEqual({ places: 5, booked: 5 })
    const booked = await database.db.selectFrom('appointments').select((select) => select.fn.countAll<string>().as('count')).where('date', '=', slot.date).where('status', '=', 'booked').executeTakeFirstOrThrow()
    expect(Number(booked.count)).toBe(5)
  })

  it('refuses a change made from a stale version, changing nothing', async () => {
    const slot = { date: '2026-06-08', window: 'morning' }
    const other = { date: '2026-06-08', window: 'afternoon' }
    await scheduling.setCapacity(team, slot, 2, staff())
    await scheduling.setCapacity(team, other, 2, staff())
    const requestId = await urgentRepair()
    const booked = await scheduling.book(requestId, slot, staff())
    const moved = await scheduling.move(booked.id, other, staff(), 1)

    // A link or page from before the move names the old appointment, now moved.
    await expect(scheduling.cancel(booked.id, { kind: 'resident' }, 1)).rejects.toThrow(/changed since you saw it/)
    await expect(scheduling.cancel(moved.id, { kind: 'resident' }, 2)).rejects.toBeInstanceOf(Conflict)
    expect(await placesIn(slot)).toEqual({ places: 2, booked: 0 })
    expect(await placesIn(other)).toEqual({ places: 2, booked: 1 })
  })

  it('says clearly when a slot is full, and sends a second booking for the same request to be moved instead', async () => {
    const slot = { date: '2026-06-02', window: 'afternoon' }
    await scheduling.setCapacity(team, slot, 1, staff())
    const first = await urgentRepair()
    await scheduling.book(first, slot, staff())

    const error = await scheduling.book(await urgentRepair(), slot, staff()).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(Conflict)
    expect((error as Error).message).toBe('There are no places left on Tuesday 2 June 2026 (midday to 6pm). Choose another time.')

    await scheduling.setCapacity(team, { date: '2026-06-02', window: 'morning' }, 1, staff())
    await expect(scheduling.book(first, { date: '2026-06-02', window: 'morning' }, staff())).rejects.toThrow(/Move that appointment instead/)
    expect(await placesIn({ date: '2026-06-02', window: 'morning' })).toEqual({ places: 1, booked: 0 })
  })

  it('books no visit for a request that is cancelled, and offers it no slots', async () => {
    const slot = { date: '2026-06-03', window: 'afternoon' }
    await scheduling.setCapacity(team, slot, 1, staff())
    const requestId = await urgentRepair()
    const request = await services.requests.request(requestId)
    await services.requests.changeStatus(requestId, { type: 'cancel' }, { actor: staff(), expectedRowVersion: request.rowVersion })

    expect(await scheduling.availableSlots(requestId)).toEqual([])
    await expect(scheduling.book(requestId, slot, staff())).rejects.toThrow('This request is finished or cancelled, so no visit can be booked for it.')
    expect(await placesIn(slot)).toEqual({ places: 1, booked: 0 })
  })

  it('refuses fewer places than are already booked, and records each change of capacity in the audit log', async () => {
    const slot = { date: '2026-06-02', window: 'all-day' }
    await scheduling.setCapacity(team, slot, 2, staff())
    await scheduling.book(await urgentRepair(), slot, staff())
    const refusal = scheduling.setCapacity(team, slot, 0, staff())
    await expect(refusal).rejects.toBeInstanceOf(InvalidInput)
    await expect(refusal).rejects.toThrow('1 visits are already booked in this slot. Enter 1 or more, or move some visits first.')
    await scheduling.setCapacity(team, slot, 1, staff())
    expect(await placesIn(slot)).toEqual({ places: 1, booked: 1 })

    const audited = await database.db.selectFrom('audit_events').select('details').where('action', '=', 'capacity.set').where('subject_id', '=', team.id).execute()
    expect(audited.map((entry) => entry.details)).toContainEqual({ date: '2026-06-02', window: 'all-day', from: 2, to: 1 })
  })

  it('offers only working days before the target date, skipping weekends, bank holidays and closures', async () => {
    // Wednesday 26 August 2026: an urgent repair is due 5 working days later, on Thursday 3 September,
    // past the summer bank holiday on Monday 31 August.
    const reportedAt = new Date('2026-08-26T10:00:00Z')
    const dates = ['2026-08-26', '2026-08-27', '2026-08-28', '2026-08-29', '2026-08-30', '2026-08-31', '2026-09-01', '2026-09-02', '2026-09-03', '2026-09-04']
    for (const date of dates) await scheduling.setCapacity(team, { date, window: 'morning' }, 1, staff())
    await scheduling.addClosure(team, '2026-09-02', 'Team training day', staff())
    await scheduling.addClosure(null, '2026-08-28', 'Council office move', staff())
    const requestId = await urgentRepair(reportedAt)
    expect((await services.requests.request(requestId)).targetAt).toEqual(new Date('2026-09-03T16:00:00Z'))

    const days = await scheduling.availableSlots(requestId)
    expect(days.map((day) => day.date)).toEqual(['2026-08-27', '2026-09-01', '2026-09-03'])
    expect(days[0]!.slots).toEqual([{ date: '2026-08-27', window: 'morning', free: 1 }])

    // Nor can they be booked by hand.
    await expect(scheduling.book(requestId, { date: '2026-08-31', window: 'morning' }, staff())).rejects.toBeInstanceOf(InvalidInput)
    await expect(scheduling.book(requestId, { date: '2026-09-02', window: 'morning' }, staff())).rejects.toBeInstanceOf(InvalidInput)
    await expect(scheduling.book(requestId, { date: '2026-08-26', window: 'morning' }, staff())).rejects.toBeInstanceOf(InvalidInput)
    await expect(scheduling.book(requestId, { date: '2026-08-27', window: 'evening' }, staff())).rejects.toBeInstanceOf(InvalidInput)
  })

  it('offers the contractor’s slots, not the team’s, once a contractor is assigned', async () => {
    const { id: contractorId } = await database.db.insertInto('contractors').values({ code: 'wendle-maintenance', name: 'Wendle Property Maintenance' }).returning('id').executeTakeFirstOrThrow()
    const requestId = await urgentRepair()
    const request = await services.requests.request(requestId)
    await services.requests.assign(requestId, { teamId: team.id, staffId: null, contractorId }, { actor: staff(), expectedRowVersion: request.rowVersion })
    await scheduling.setCapacity({ kind: 'contractor', id: contractorId }, { date: '2026-06-03', window: 'afternoon' }, 4, staff())

    expect(await scheduling.availableSlots(requestId)).toEqual([{ date: '2026-06-03', slots: [{ date: '2026-06-03', window: 'afternoon', free: 4 }] }])
    const appointment = await scheduling.book(requestId, { date: '2026-06-03', window: 'afternoon' }, staff())
    expect(appointment.owner).toEqual({ kind: 'contractor', id: contractorId })
  })
})
