import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Conflict, InvalidInput, NotFound } from '../../../src/lib/errors.ts'
import { TransitionRefused } from '../../../src/modules/requests/index.ts'
import { testConfig } from '../../support/app.ts'
import { createTestDatabase, type TestDatabase } from '../../support/database.ts'
import { person, property, repairDefinition, requestServicesFor, staffMember, type TestClock } from './factories.ts'

// Monday 1 June 2026, 11:00 in London: a working day with no bank holiday for weeks either side.
const mondayMorning = new Date('2026-06-01T10:00:00Z')

describe('requests', () => {
  let database: TestDatabase
  const clock: TestClock = { now: mondayMorning }
  let services: ReturnType<typeof requestServicesFor>
  let officer: string
  let nextUprn = 1000

  beforeAll(async () => {
    database = await createTestDatabase()
    services = requestServicesFor(database.db, clock)
    await services.catalogue.publishDefinition(repairDefinition())
    officer = await staffMember(database.db)
  })
  afterAll(async () => {
    await database?.destroy()
  })

  const staff = () => ({ kind: 'staff' as const, id: officer })

  async function reportedRepair(options: { personId?: string; propertyUprn?: number; problem?: string } = {}) {
    clock.now = mondayMorning
    const personId = options.personId ?? (await person(database.db))
    const propertyUprn = options.propertyUprn ?? (await property(database.db, nextUprn++))
    const made = await services.requests.createRequest({
      serviceCode: 'test-repair',
      personId,
      propertyUprn,
      answers: { problem: options.problem ?? 'dripping-tap', details: 'Drips all night' },
      channel: 'web',
    })
    return { ...made, personId, propertyUprn }
  }

  it('gives a routine repair a readable reference, its job and a target of 20 working days', async () => {
    const { id, reference } = await reportedRepair()
    expect(reference).toMatch(/^GH-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}$/)
    const request = await services.requests.request(id)
    expect(request).toMatchObject({
      reference,
      state: { status: 'reported' },
      priority: 'routine',
      jobCode: 'SOR 201003',
      trade: 'plumbing',
      regimes: [],
      channel: 'web',
      rowVersion: 1,
    })
    // Received on Monday 1 June (day 0); the 20th working day after it is Monday 29 June, which closes at 17:00.
    expect(request.targetAt).toEqual(new Date('2026-06-29T16:00:00Z'))
    const timeline = await services.requests.timeline(id, { audience: 'resident' })
    expect(timeline).toMatchObject([{ kind: 'status-change', visibility: 'public', fromStatus: null, toStatus: 'reported' }])
  })

  it('uses the council’s own target for a priority, and the standard one for the rest', async () => {
    const councilServices = requestServicesFor(database.db, clock, testConfig({ PRIORITY_TARGETS: 'routine=10d' }))
    clock.now = mondayMorning
    const made = async (problem: string) =>
      councilServices.requests.createRequest({ serviceCode: 'test-repair', personId: await person(database.db), answers: { problem, details: '' }, channel: 'web' })
    // The 10th working day after Monday 1 June is Monday 15 June; urgent keeps its 5, Monday 8 June.
    expect((await councilServices.requests.request((await made('dripping-tap')).id)).targetAt).toEqual(new Date('2026-06-15T16:00:00Z'))
    expect((await councilServices.requests.request((await made('blocked-toilet')).id)).targetAt).toEqual(new Date('2026-06-08T16:00:00Z'))
  })

  it('brings in Awaab’s Law for damp and mould', async () => {
    const { id } = await reportedRepair({ problem: 'damp-and-mould' })
    expect(await services.requests.request(id)).toMatchObject({ priority: 'urgent', regimes: ['awaabs-law'], jobCode: 'SOR 900100' })
  })

  it('keeps a request on the definition version it was made with after a new version is published', async () => {
    const first = await reportedRepair()
    const firstVersion = (await services.requests.request(first.id)).definitionVersionId

    const published = await services.catalogue.publishDefinition(repairDefinition({ name: 'Report a repair to your home' }))
    expect(published.version).toBe(2)
    const second = await reportedRepair()

    expect((await services.requests.request(first.id)).definitionVersionId).toBe(firstVersion)
    expect(await services.catalogue.definitionVersion(firstVersion)).toMatchObject({ version: 1, definition: { name: { en: 'Report a repair' } } })
    expect((await services.requests.request(second.id)).definitionVersionId).toBe(published.id)
  })

  it('refuses incomplete answers and an unknown service', async () => {
    const personId = await person(database.db)
    await expect(
      services.requests.createRequest({ serviceCode: 'test-repair', personId, answers: {}, channel: 'web' }),
    ).rejects.toThrow(InvalidInput)
    await expect(
      services.requests.createRequest({ serviceCode: 'no-such-service', personId, answers: { problem: 'dripping-tap' }, channel: 'web' }),
    ).rejects.toThrow(NotFound)
  })

  it('records the agent and audits a request raised for someone who phoned', async () => {
    const personId = await person(database.db, { givenName: 'Rita', familyName: 'Caller' })
    const { id } = await services.requests.createRequest({
      serviceCode: 'test-repair',
      personId,
      answers: { problem: 'blocked-toilet', details: null },
      channel: 'phone',
      raisedByStaffId: officer,
    })
    expect(await services.requests.request(id)).toMatchObject({ channel: 'phone', raisedByStaffId: officer, personId })
    const audit = await database.db.selectFrom('audit_events').selectAll().where('subject_id', '=', id).execute()
    expect(audit).toMatchObject([{ actor_kind: 'staff', actor_id: officer, action: 'request.raise-for-person', subject_type: 'request' }])
    expect(await services.requests.requestsOf(personId)).toHaveLength(1)
  })

  it('refuses a change the lifecycle does not allow with a clear message, and changes nothing', async () => {
    const { id } = await reportedRepair()
    await services.requests.changeStatus(id, { type: 'cancel' }, { actor: staff(), expectedRowVersion: 1 })
    const before = await services.requests.request(id)
    const eventsBefore = await services.requests.timeline(id, { audience: 'staff' })

    const attempt = services.requests.changeStatus(id, { type: 'schedule' }, { actor: staff(), expectedRowVersion: before.rowVersion })
    await expect(attempt).rejects.toThrow(TransitionRefused)
    await expect(attempt).rejects.toThrow('A cancelled request cannot be scheduled')

    expect(await services.requests.request(id)).toEqual(before)
    expect(await services.requests.timeline(id, { audience: 'staff' })).toEqual(eventsBefore)
  })

  it('lets exactly one of two staff edits made from the same version win', async () => {
    const { id } = await reportedRepair()
    const results = await Promise.allSettled([
      services.requests.changeStatus(id, { type: 'triage' }, { actor: staff(), expectedRowVersion: 1 }),
      services.requests.changeStatus(id, { type: 'schedule' }, { actor: staff(), expectedRowVersion: 1 }),
    ])
    const won = results.filter((result) => result.status === 'fulfilled')
    const lost = results.filter((result) => result.status === 'rejected')
    expect(won).toHaveLength(1)
    expect(lost).toHaveLength(1)
    expect(lost[0]!.reason).toBeInstanceOf(Conflict)
    expect(lost[0]!.reason).not.toBeInstanceOf(TransitionRefused)
    expect((lost[0]!.reason as Error).message).toMatch(/^Someone else changed this request/)

    const request = await services.requests.request(id)
    expect(request.rowVersion).toBe(2)
    const changes = (await services.requests.timeline(id, { audience: 'staff' })).filter((entry) => entry.fromStatus !== null)
    expect(changes).toHaveLength(1)
  })

  it('refuses an edit made from a page that someone else has changed since', async () => {
    const { id } = await reportedRepair()
    await services.requests.addNote(id, { actor: staff(), body: 'Asbestos survey needed first', visibility: 'internal', expectedRowVersion: 1 })
    await expect(
      services.requests.changeStatus(id, { type: 'schedule' }, { actor: staff(), expectedRowVersion: 1 }),
    ).rejects.toThrow(Conflict)
    expect((await services.requests.request(id)).state).toEqual({ status: 'reported' })
  })

  it('closes a request with a reason and reopens it within the council’s period', async () => {
    const { id } = await reportedRepair()
    clock.now = new Date('2026-06-02T09:00:00Z')
    const closed = await services.requests.changeStatus(id, { type: 'close', closureReason: 'duplicate' }, { actor: staff(), expectedRowVersion: 1 })
    expect(closed.state).toEqual({ status: 'closed', closureReason: 'duplicate', closedAt: clock.now })

    clock.now = new Date('2026-08-01T09:00:00Z')
    const late = services.requests.changeStatus(id, { type: 'reopen' }, { actor: staff(), expectedRowVersion: closed.rowVersion })
    await expect(late).rejects.toThrow('A closed request can only be reopened within 28 days of closing')

    clock.now = new Date('2026-06-10T09:00:00Z')
    const reopened = await services.requests.changeStatus(id, { type: 'reopen' }, { actor: staff(), expectedRowVersion: closed.rowVersion })
    expect(reopened.state).toEqual({ status: 'reported' })
    expect(await services.requests.request(id)).toMatchObject({ state: { status: 'reported' }, rowVersion: 3 })
  })

  it('hides internal notes from the resident’s timeline but shows staff everything', async () => {
    const { id, personId } = await reportedRepair()
    clock.now = new Date('2026-06-01T11:00:00Z')
    const triaged = await services.requests.changeStatus(
      id,
      { type: 'triage' },
      { actor: staff(), expectedRowVersion: 1, note: 'Checked with the plumber', visibility: 'internal' },
    )
    const noted = await services.requests.addNote(id, { actor: staff(), body: 'Tenant has a dog', visibility: 'internal', expectedRowVersion: triaged.rowVersion })
    const updated = await services.requests.addNote(id, { actor: staff(), body: 'A plumber will call you to arrange a visit', visibility: 'public', expectedRowVersion: noted.rowVersion })
    await services.requests.addNote(id, { actor: { kind: 'resident', id: personId }, body: 'Mornings are best', visibility: 'internal' })

    const resident = await services.requests.timeline(id, { audience: 'resident' })
    expect(resident.map((entry) => [entry.kind, entry.body])).toEqual([
      ['status-change', null],
      ['public-update', 'A plumber will call you to arrange a visit'],
      ['information-added', 'Mornings are best'],
    ])
    expect(resident.every((entry) => entry.actor.id === undefined)).toBe(true)

    const everything = await services.requests.timeline(id, { audience: 'staff' })
    expect(everything.map((entry) => [entry.kind, entry.visibility, entry.body])).toEqual([
      ['status-change', 'public', null],
      ['status-change', 'internal', 'Checked with the plumber'],
      ['note', 'internal', 'Tenant has a dog'],
      ['public-update', 'public', 'A plumber will call you to arrange a visit'],
      ['information-added', 'public', 'Mornings are best'],
    ])
    expect(updated.rowVersion).toBe(4)
    const flagged = await database.db.selectFrom('request_events').select('kind').where('request_id', '=', id).where('notify_resident', '=', true).orderBy('id').execute()
    expect(flagged.map((event) => event.kind)).toEqual(['status-change', 'public-update'])
  })

  it('does not let a resident add to someone else’s request', async () => {
    const { id } = await reportedRepair()
    const stranger = await person(database.db, { givenName: 'Mallory' })
    await expect(
      services.requests.addNote(id, { actor: { kind: 'resident', id: stranger }, body: 'Not mine', visibility: 'public' }),
    ).rejects.toThrow(NotFound)
    await expect(services.requests.request('not-an-id')).rejects.toThrow(NotFound)
  })

  it('shows a new tenant only their own requests, while staff see the property’s whole history', async () => {
    const home = await property(database.db, nextUprn++)
    const previousTenant = await person(database.db, { givenName: 'Ruth', familyName: 'Hall' })
    const newTenant = await person(database.db, { givenName: 'Priya', familyName: 'Shah' })
    const earlier = await reportedRepair({ personId: previousTenant, propertyUprn: home })
    const later = await reportedRepair({ personId: newTenant, propertyUprn: home, problem: 'blocked-toilet' })

    expect((await services.requests.requestsOf(newTenant)).map((request) => request.reference)).toEqual([later.reference])
    expect((await services.requests.requestsOf(previousTenant)).map((request) => request.reference)).toEqual([earlier.reference])
    expect((await services.requests.propertyHistory(home)).map((request) => request.reference).sort()).toEqual(
      [earlier.reference, later.reference].sort(),
    )

    await expect(services.requests.requestForResident(earlier.reference, newTenant)).rejects.toThrow(NotFound)
    await expect(services.requests.requestForResident('GH-2222-2222', newTenant)).rejects.toThrow(NotFound)
    await expect(services.requests.requestForResident('not a reference', newTenant)).rejects.toThrow(NotFound)
    const own = await services.requests.requestForResident(later.reference.toLowerCase().replaceAll('-', ' '), newTenant)
    expect(own.id).toBe(later.id)
  })

  it('pushes the target out by the working time on hold for a reason that stops the clock', async () => {
    const { id } = await reportedRepair()
    const target = new Date('2026-06-29T16:00:00Z')

    // On hold from 09:00 on Tuesday 2 June to 09:00 on Thursday 4 June: two whole working days.
    clock.now = new Date('2026-06-02T08:00:00Z')
    const held = await services.requests.changeStatus(id, { type: 'put-on-hold', holdReason: 'awaiting-resident' }, { actor: staff(), expectedRowVersion: 1 })
    expect(held.state).toEqual({ status: 'on-hold', resumeTo: 'reported', holdReason: 'awaiting-resident' })
    expect((await services.requests.request(id)).targetAt).toBeNull()

    clock.now = new Date('2026-06-04T08:00:00Z')
    const resumed = await services.requests.changeStatus(id, { type: 'resume' }, { actor: staff(), expectedRowVersion: held.rowVersion })
    expect(resumed.state).toEqual({ status: 'reported' })
    const request = await services.requests.request(id)
    expect(request.targetAt).toEqual(new Date('2026-07-01T16:00:00Z'))
    expect(request.targetAt!.getTime()).toBeGreaterThan(target.getTime())
  })

  it('keeps the target for a hold that is the council’s own delay', async () => {
    const { id } = await reportedRepair()
    clock.now = new Date('2026-06-02T08:00:00Z')
    const held = await services.requests.changeStatus(id, { type: 'put-on-hold', holdReason: 'awaiting-materials' }, { actor: staff(), expectedRowVersion: 1 })
    expect((await services.requests.request(id)).targetAt).toEqual(new Date('2026-06-29T16:00:00Z'))
    clock.now = new Date('2026-06-04T08:00:00Z')
    await services.requests.changeStatus(id, { type: 'resume' }, { actor: staff(), expectedRowVersion: held.rowVersion })
    expect((await services.requests.request(id)).targetAt).toEqual(new Date('2026-06-29T16:00:00Z'))
  })

  it('refuses a hold reason the council does not use', async () => {
    const { id } = await reportedRepair()
    await expect(
      services.requests.changeStatus(id, { type: 'put-on-hold', holdReason: 'lunch' }, { actor: staff(), expectedRowVersion: 1 }),
    ).rejects.toThrow(InvalidInput)
  })
})
