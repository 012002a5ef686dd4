import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { messageTypes } from '../../../src/modules/notifications/index.ts'
import type { CapacityOwner, Slot } from '../../../src/modules/scheduling/index.ts'
import { testConfig } from '../../support/app.ts'
import { createTestDatabase, type TestDatabase } from '../../support/database.ts'
import { startNotifyStub, type NotifyStub, type StubTemplate } from '../../support/notify-stub.ts'
import { person, repairDefinition, schedulingServicesFor, staffMember, type TestClock } from '../requests/factories.ts'

/** A Notify template for each appointment email, so the real client library can send any of them to the stub. */
const templates: Record<string, StubTemplate> = Object.fromEntries(
  (['appointment-booked-email', 'appointment-moved-email', 'appointment-cancelled-email', 'appointment-reminder-email'] as const).map((type) => [
    type,
    { id: randomUUID(), type: 'email', subject: `((reference)) ${type}`, body: messageTypes[type].personalisation.map((name) => `((${name}))`).join(' ') },
  ]),
)

describe('appointment reminders through GOV.UK Notify', () => {
  let stub: NotifyStub
  let database: TestDatabase
  const clock: TestClock = { now: new Date('2026-01-05T10:00:00Z') }
  let services: ReturnType<typeof schedulingServicesFor>
  let team: CapacityOwner
  let officer: string

  beforeAll(async () => {
    stub = await startNotifyStub({ templates: Object.values(templates) })
    database = await createTestDatabase()
    const config = testConfig(stub.environmentFor(templates))
    services = schedulingServicesFor(database.db, clock, config)
    await services.catalogue.publishDefinition(repairDefinition())
    const { id } = await database.db.insertInto('teams').values({ code: 'housing-repairs', name: 'Housing repairs' }).returning('id').executeTakeFirstOrThrow()
    team = { kind: 'team', id }
    officer = await staffMember(database.db)
  })
  afterAll(async () => {
    await database?.destroy()
    await stub?.close()
  })
  beforeEach(() => {
    stub.notifications.length = 0
  })

  const staff = () => ({ kind: 'staff' as const, id: officer })

  /** An urgent repair by a tenant with an email address, reported at the given moment, its visit booked in a slot. */
  async function bookedVisit(reportedAt: string, slot: Slot) {
    clock.now = new Date(reportedAt)
    const personId = await person(database.db)
    await database.db.updateTable('people').set({ email: `${personId}@example.com` }).where('id', '=', personId).execute()
    const made = await services.requests.createRequest({ serviceCode: 'test-repair', personId, answers: { problem: 'blocked-toilet', details: '' }, channel: 'web' })
    await services.scheduling.setCapacity(team, slot, 5, staff())
    const appointment = await services.scheduling.book(made.id, slot, staff())
    return { ...made, personId, appointment }
  }

  /** Runs the reminder sweep at a moment, then sends every reminder it queued through the Notify client to the stub. */
  async function sweepAt(moment: string): Promise<number> {
    clock.now = new Date(moment)
    const queued = await services.scheduling.sendDueReminders()
    const reminders = await database.db.selectFrom('outbox_messages').select('id').where('message_type', '=', 'appointment-reminder-email').where('status', '=', 'queued').execute()
    for (const { id } of reminders) await services.notifications.sendMessage(id)
    return queued
  }

  const remindersTo = (personId: string) => stub.notifications.filter((notification) => notification.recipient === `${personId}@example.com` && notification.templateId === templates['appointment-reminder-email']!.id)

  it('reminds once at 18:00 UK time the evening before, when the clocks have gone back in between (18:00 UTC)', async () => {
    // Booked on Thursday 22 October in summer time for Monday 26 October; the clocks go back on Sunday 25 October.
    const visit = await bookedVisit('2026-10-22T09:00:00Z', { date: '2026-10-26', window: 'morning' })

    expect(await sweepAt('2026-10-25T17:59:00Z')).toBe(0)
    expect(await sweepAt('2026-10-25T18:00:00Z')).toBe(1)
    expect(await sweepAt('2026-10-25T18:05:00Z')).toBe(0)
    expect(await sweepAt('2026-10-25T20:00:00Z')).toBe(0)

    const [reminder] = remindersTo(visit.personId)
    expect(remindersTo(visit.personId)).toHaveLength(1)
    expect(reminder!.personalisation).toMatchObject({ reference: visit.reference, date: 'Monday 26 October 2026', window: '8am to midday' })
    expect(reminder!.personalisation.link).toMatch(/^http:\/\/localhost:3000\/appointments\/[\w-]+\.[\w-]+$/)
    const outbox = await database.db.selectFrom('outbox_messages').select(['id', 'status']).where('message_type', '=', 'appointment-reminder-email').where('person_id', '=', visit.personId).execute()
    expect(outbox).toEqual([{ id: reminder!.reference, status: 'sent' }])
  })

  it('reminds at 18:00 UK time when the clocks have gone forward in between (17:00 UTC)', async () => {
    // Booked on Thursday 26 March in winter time for Monday 30 March; the clocks go forward on Sunday 29 March.
    const visit = await bookedVisit('2026-03-26T09:00:00Z', { date: '2026-03-30', window: 'afternoon' })

    expect(await sweepAt('2026-03-29T16:59:00Z')).toBe(0)
    expect(await sweepAt('2026-03-29T17:00:00Z')).toBe(1)
    expect(remindersTo(visit.personId).map((reminder) => reminder.personalisation.window)).toEqual(['midday to 6pm'])
  })

  it('sends no reminder for a visit that was cancelled, and reminds a moved visit only for its new day', async () => {
    const cancelled = await bookedVisit('2026-11-02T10:00:00Z', { date: '2026-11-04', window: 'morning' })
    await services.scheduling.cancel(cancelled.appointment.id, staff(), cancelled.appointment.version)
    const moved = await bookedVisit('2026-11-02T10:00:00Z', { date: '2026-11-04', window: 'morning' })
    await services.scheduling.setCapacity(team, { date: '2026-11-05', window: 'all-day' }, 1, staff())
    await services.scheduling.move(moved.appointment.id, { date: '2026-11-05', window: 'all-day' }, staff(), moved.appointment.version)

    expect(await sweepAt('2026-11-03T18:00:00Z')).toBe(0)
    expect(await sweepAt('2026-11-04T18:00:00Z')).toBe(1)
    expect(remindersTo(cancelled.personId)).toEqual([])
    expect(remindersTo(moved.personId).map((reminder) => reminder.personalisation.date)).toEqual(['Thursday 5 November 2026'])
  })

  it('holds a late reminder through quiet hours and drops it once the day of the visit has come', async () => {
    const visit = await bookedVisit('2026-11-09T10:00:00Z', { date: '2026-11-12', window: 'afternoon' })

    // The worker was down at 18:00 and comes back at 21:30, in quiet hours.
    expect(await sweepAt('2026-11-11T21:30:00Z')).toBe(0)
    const waiting = await database.db.selectFrom('appointments').select(['reminder_due_at', 'reminder_queued_at']).where('id', '=', visit.appointment.id).executeTakeFirstOrThrow()
    expect(waiting).toEqual({ reminder_due_at: new Date('2026-11-11T18:00:00Z'), reminder_queued_at: null })

    // Quiet hours end at 08:00 on the day of the visit itself: too late to help, so never sent.
    expect(await sweepAt('2026-11-12T07:59:00Z')).toBe(0)
    expect(await sweepAt('2026-11-12T08:00:00Z')).toBe(0)
    expect(remindersTo(visit.personId)).toEqual([])
    const dropped = await database.db.selectFrom('appointments').select('reminder_due_at').where('id', '=', visit.appointment.id).executeTakeFirstOrThrow()
    expect(dropped.reminder_due_at).toBeNull()
  })

  it('queues a reminder once when several sweeps run at the same moment', async () => {
    const visit = await bookedVisit('2026-11-16T10:00:00Z', { date: '2026-11-18', window: 'morning' })
    clock.now = new Date('2026-11-17T18:00:00Z')

    const queued = await Promise.all(Array.from({ length: 5 }, () => services.scheduling.sendDueReminders()))

    expect(queued.reduce((sum, count) => sum + count, 0)).toBe(1)
    const reminders = await database.db.selectFrom('outbox_messages').select('id').where('message_type', '=', 'appointment-reminder-email').where('person_id', '=', visit.personId).execute()
    expect(reminders).toHaveLength(1)
  })

  it('gives no reminder to a visit booked after its reminder time', async () => {
    const visit = await bookedVisit('2026-11-24T19:00:00Z', { date: '2026-11-25', window: 'afternoon' })
    expect(visit.appointment).toBeDefined()
    const row = await database.db.selectFrom('appointments').select('reminder_due_at').where('id', '=', visit.appointment.id).executeTakeFirstOrThrow()
    expect(row.reminder_due_at).toBeNull()
    expect(await sweepAt('2026-11-25T08:30:00Z')).toBe(0)
  })
})
