import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { demoResidentPassword, demoResidents, demoStaff, demoStaffPassword } from '../../../src/demo/accounts.ts'
import { loadDemoCouncil } from '../../../src/demo/load-demo-council.ts'
import { createLogger } from '../../../src/lib/log.ts'
import { closureReasons, defaultHoldReasons, requestStatuses } from '../../../src/modules/requests/index.ts'
import { Agent } from '../../support/agent.ts'
import { createTestApp, type TestApp } from '../../support/app.ts'

describe('the demo council’s requests', () => {
  let test: TestApp
  const load = () => loadDemoCouncil(test.services, { config: test.config, db: test.database.db, logger: createLogger('silent') })

  beforeAll(async () => {
    test = await createTestApp()
    await load()
  })
  afterAll(async () => {
    await test?.close()
  })

  const count = async (table: 'requests' | 'request_events' | 'request_holds' | 'request_satisfaction' | 'people' | 'outbox_messages' | 'capacity') =>
    Number((await test.database.db.selectFrom(table).select((select) => select.fn.countAll().as('count')).executeTakeFirstOrThrow()).count)

  const countsBy = async (column: 'status' | 'service_code' | 'priority' | 'hold_reason' | 'closure_reason') => {
    const rows = await test.database.db
      .selectFrom('requests')
      .select([column, (select) => select.fn.countAll<string>().as('count')])
      .groupBy(column)
      .execute()
    return new Map(rows.map((row) => [row[column] as string | null, Number(row.count)]))
  }

  it('has a few hundred repairs and some missed bins, in every status', async () => {
    const services = await countsBy('service_code')
    expect(services.get('housing-repair')).toBeGreaterThanOrEqual(300)
    expect(services.get('housing-repair')).toBeLessThan(320)
    expect(services.get('missed-bin')).toBe(60)
    const statuses = await countsBy('status')
    for (const status of requestStatuses) expect(statuses.get(status) ?? 0, status).toBeGreaterThan(0)
    const open = ['reported', 'triaged', 'scheduled', 'in-progress', 'no-access', 'on-hold'].reduce((sum, status) => sum + (statuses.get(status) ?? 0), 0)
    expect(open).toBeGreaterThan(50)
    expect(open).toBeLessThan(200)
  })

  it('has public street reports across the borough, most described and approved, some dealt with, and a month of usage', async () => {
    const reports = await sql<{ reports: string; kinds: string; wards: string; approved: string; pending: string; completed: string; untold: string }>`
      select count(*) as reports, count(distinct service_code) as kinds, count(distinct ward_code) as wards,
             count(*) filter (where moderation = 'approved') as approved, count(*) filter (where moderation = 'pending') as pending,
             count(*) filter (where status = 'completed') as completed, count(*) filter (where alerts_sent_at is null) as untold
      from requests where is_public`.execute(test.database.db)
    const row = reports.rows[0]!
    expect(Number(row.reports)).toBeGreaterThan(140)
    expect(Number(row.kinds)).toBe(8)
    expect(Number(row.wards)).toBe(12)
    expect(Number(row.approved)).toBeGreaterThan(Number(row.pending))
    expect(Number(row.pending)).toBeGreaterThan(0)
    expect(Number(row.completed)).toBeGreaterThan(0)
    expect(Number(row.untold)).toBe(0)
    const home = await new Agent(test.app).get('/')
    const mostUsed = home.page('.app-top-tasks a').map((_, link) => home.page(link).attr('href')).get()
    expect(mostUsed.slice(0, 3)).toEqual(['/services/pay-council-tax', '/services/missed-bin', '/services/housing-repair'])
  })

  it('has every priority, several hold reasons and every closure reason', async () => {
    const priorities = await countsBy('priority')
    for (const priority of ['emergency', 'urgent', 'routine']) expect(priorities.get(priority) ?? 0, priority).toBeGreaterThan(0)
    const holds = await countsBy('hold_reason')
    expect(defaultHoldReasons.filter((reason) => holds.has(reason.code)).length).toBeGreaterThanOrEqual(3)
    const closures = await countsBy('closure_reason')
    for (const reason of closureReasons) expect(closures.get(reason) ?? 0, reason).toBeGreaterThan(0)
    expect(await count('request_holds')).toBeGreaterThan(await test.database.db.selectFrom('requests').select('id').where('status', '=', 'on-hold').execute().then((rows) => rows.length))
  })

  it('spreads the requests over 120 days, the wards and many homes, with some repeats', async () => {
    const spread = await sql<{ oldest: Date; newest: Date; wards: string; homes: string; repeated: string }>`
      select min(request.created_at) as oldest, max(request.created_at) as newest,
             count(distinct property.ward_code) as wards, count(distinct request.property_uprn) as homes,
             (select count(*) from (select property_uprn from requests where property_uprn is not null group by property_uprn having count(*) > 1) as repeats) as repeated
      from requests request left join properties property on property.uprn = request.property_uprn`.execute(test.database.db)
    const row = spread.rows[0]!
    expect(Date.now() - row.oldest.getTime()).toBeGreaterThan(90 * 86_400_000)
    expect(Date.now() - row.oldest.getTime()).toBeLessThanOrEqual(120 * 86_400_000)
    expect(row.newest.getTime()).toBeLessThan(Date.now())
    expect(Number(row.wards)).toBe(12)
    expect(Number(row.homes)).toBeGreaterThan(250)
    expect(Number(row.repeated)).toBeGreaterThanOrEqual(5)
  })

  it('has overdue and nearly due work, damp and mould under Awaab’s Law, and work with the contractor and officers', async () => {
    const db = test.database.db
    const now = new Date()
    const open = db.selectFrom('requests').select('id').where('status', 'not in', ['completed', 'cancelled', 'closed'])
    expect((await open.where('target_at', '<', now).execute()).length).toBeGreaterThan(5)
    expect((await open.where('target_at', '>=', now).where('target_at', '<', new Date(now.getTime() + 86_400_000)).execute()).length).toBeGreaterThan(0)
    expect((await db.selectFrom('requests').select('id').where('trade', '=', 'damp-and-mould').where(sql<boolean>`'awaabs-law' = any(regimes)`).execute()).length).toBeGreaterThan(5)
    const contractor = await db.selectFrom('contractors').select('id').where('code', '=', 'wendle-property-maintenance').executeTakeFirstOrThrow()
    expect((await db.selectFrom('requests').select('id').where('assigned_contractor_id', '=', contractor.id).execute()).length).toBeGreaterThan(20)
    const officers = await db.selectFrom('requests').innerJoin('staff_members', 'staff_members.id', 'requests.assigned_staff_id').select('staff_members.email').distinct().execute()
    expect(officers.map((row) => row.email).sort()).toEqual([demoStaff[1].email, demoStaff[2].email].sort())
  })

  it('has timelines with public updates, internal notes, residents’ information and satisfaction answers, all in the past', async () => {
    const kinds = await test.database.db.selectFrom('request_events').select('kind').distinct().execute()
    expect(kinds.map((row) => row.kind)).toEqual(expect.arrayContaining(['status-change', 'triage', 'assignment', 'note', 'public-update', 'information-added']))
    const outOfOrder = await sql<{ count: string }>`
      select count(*) as count from request_events event join requests request on request.id = event.request_id
      where event.occurred_at < request.created_at or event.occurred_at > now()`.execute(test.database.db)
    expect(Number(outOfOrder.rows[0]!.count)).toBe(0)
    expect(await count('request_satisfaction')).toBeGreaterThan(10)
  })

  it('sends no messages for the demo’s history', async () => {
    const untold = await test.database.db.selectFrom('request_events').select('id').where('notify_resident', '=', true).where('resident_notified_at', 'is', null).execute()
    expect(untold).toEqual([])
    expect(await count('outbox_messages')).toBe(0)
  })

  it('gives Alex Morgan a linked tenancy and four requests in different states, shown in Your requests', async () => {
    const alex = demoResidents[0]
    const person = await test.database.db.selectFrom('people').select('id').where('email', '=', alex.email).executeTakeFirstOrThrow()
    expect((await test.services.places.tenancyOf(person.id))?.reference).toBe('LW-T-000001')
    const own = await test.services.requests.requestsOf(person.id)
    expect(own).toHaveLength(4)
    expect(new Set(own.map((request) => request.status))).toEqual(new Set(['completed', 'scheduled', 'on-hold', 'reported']))

    const agent = new Agent(test.app)
    expect((await agent.submit('/sign-in', { email: alex.email, password: demoResidentPassword })).location).toBe('/account')
    const list = await agent.get('/account/requests')
    expect(list.status).toBe(200)
    for (const request of own) expect(list.body).toContain(request.reference)
  })

  it('fills the staff queue a team lead sees', async () => {
    const agent = new Agent(test.app)
    expect((await agent.submit('/staff/sign-in', { email: demoStaff[1].email, password: demoStaffPassword })).location).toBe('/staff')
    const queue = await agent.get('/staff/requests')
    expect(queue.status).toBe(200)
    expect(queue.page('table.app-queue tbody tr').length).toBe(50)
  })

  it('opens the repairs diaries for the coming weeks, so Alex Morgan’s open repair can be booked', async () => {
    const alex = await test.database.db.selectFrom('people').select('id').where('email', '=', demoResidents[0].email).executeTakeFirstOrThrow()
    const [openRepair] = (await test.services.requests.requestsOf(alex.id)).filter((request) => request.status === 'reported' || request.status === 'triaged')
    const slots = await test.services.scheduling.availableSlots(openRepair!.id)
    expect(slots.length).toBeGreaterThan(3)
    expect(slots[0]!.slots.map((slot) => slot.window)).toEqual(['morning', 'afternoon'])
  })

  it('adds nothing when loaded again', async () => {
    const before = await Promise.all([count('requests'), count('request_events'), count('people'), count('capacity')])
    await load()
    expect(await Promise.all([count('requests'), count('request_events'), count('people'), count('capacity')])).toEqual(before)
  })
})
