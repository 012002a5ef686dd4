import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ukWallClock } from '../../../src/lib/calendar/index.ts'
import { Agent, errorSummary, type AgentResponse } from '../../support/agent.ts'
import { createTestApp, type TestApp } from '../../support/app.ts'
import { person, property, repairDefinition } from './factories.ts'

let test: TestApp
let counter = 0
let nextUprn = 9100
const password = 'correct horse battery staple'
const day = 24 * 60 * 60 * 1000

beforeAll(async () => {
  test = await createTestApp()
  const staff = test.services.identity.staff
  await staff.ensureTeam('housing-repairs', 'Housing repairs')
  await staff.ensureTeam('estates-east', 'Estates east')
  await staff.ensureContractor('fixit', 'Fixit Property Services')
  await test.database.db.insertInto('wards').values([{ code: 'E05000001', name: 'Mill' }, { code: 'E05000002', name: 'Abbey' }]).execute()
  await test.services.catalogue.publishDefinition(
    repairDefinition({
      routing: [
        { trades: ['plumbing'], contractor: 'fixit' },
        { wards: ['E05000002'], team: 'estates-east' },
        { trades: ['damp'], contractor: 'no-such-contractor' },
      ],
    }),
  )
})
afterAll(async () => {
  await test?.close()
})

async function signedIn(roleCodes: string[]) {
  counter += 1
  const email = `routing${counter}@lowerwendle.example.gov.uk`
  await test.services.identity.staff.createStaffMember({ name: `Officer ${counter}`, email, password, roleCodes, teamCodes: ['housing-repairs'] })
  const agent = new Agent(test.app)
  await agent.get('/staff/sign-in')
  expect((await agent.post('/staff/sign-in', { email, password })).status).toBe(303)
  return agent
}

async function repair(problem: string, wardCode: string | null = null) {
  const uprn = await property(test.database.db, nextUprn++)
  if (wardCode) await test.database.db.updateTable('properties').set({ ward_code: wardCode }).where('uprn', '=', uprn).execute()
  return test.services.requests.createRequest({
    serviceCode: 'test-repair',
    personId: await person(test.database.db),
    propertyUprn: uprn,
    answers: { problem, details: '' },
    channel: 'web',
  })
}

const teamCode = async (id: string | null) => (id ? (await test.database.db.selectFrom('teams').select('code').where('id', '=', id).executeTakeFirstOrThrow()).code : null)
const contractorCode = async (id: string | null) =>
  id ? (await test.database.db.selectFrom('contractors').select('code').where('id', '=', id).executeTakeFirstOrThrow()).code : null
const rowVersionOn = (page: AgentResponse) => page.page('input[name="rowVersion"]').first().attr('value')!

describe('routing new requests', () => {
  it('gives plumbing to the contractor the rule names, the moment the request is made, and says so on the timeline', async () => {
    const made = await repair('dripping-tap')
    const record = await test.services.requests.request(made.id)
    expect(await contractorCode(record.assignedContractorId)).toBe('fixit')
    expect(await teamCode(record.assignedTeamId)).toBe('housing-repairs')
    const timeline = await test.services.requests.timeline(made.id, { audience: 'staff' })
    expect(timeline.find((entry) => entry.kind === 'assignment')).toMatchObject({ visibility: 'internal', actor: { kind: 'system' }, details: { routingRule: 0 } })
    expect((await test.services.requests.timeline(made.id, { audience: 'resident' })).some((entry) => entry.kind === 'assignment')).toBe(false)
  })

  it('sends other work in a patch’s wards to that patch’s team', async () => {
    const inPatch = await test.services.requests.request((await repair('damp-and-mould', 'E05000002')).id)
    const elsewhere = await test.services.requests.request((await repair('damp-and-mould', 'E05000001')).id)
    expect(await teamCode(inPatch.assignedTeamId)).toBe('estates-east')
    expect(inPatch.assignedContractorId).toBeNull()
    expect(await teamCode(elsewhere.assignedTeamId)).toBe('housing-repairs')
    expect(elsewhere.assignedContractorId).toBeNull()
  })

  it('still makes the request, with the owning team, when a rule names a contractor the council does not have', async () => {
    const record = await test.services.requests.request((await repair('damp-and-mould')).id)
    expect(await teamCode(record.assignedTeamId)).toBe('housing-repairs')
    expect(record.assignedContractorId).toBeNull()
  })
})

describe('triage with a job code', () => {
  it('changes the job and its trade, records both on the timeline and in the audit log', async () => {
    const agent = await signedIn(['team-lead'])
    const made = await repair('dripping-tap')
    const page = await agent.get(`/staff/requests/${made.reference}`)
    expect(page.page('#jobCode option').map((_, option) => page.page(option).attr('value')).get()).toEqual(['SOR 201003', 'SOR 202001', 'SOR 900100'])
    expect(page.page('#jobCode option[selected]').attr('value')).toBe('SOR 201003')

    const done = await agent.post(`/staff/requests/${made.reference}/triage`, { priority: 'urgent', jobCode: 'SOR 202001', rowVersion: rowVersionOn(page) })
    expect(done.status).toBe(303)
    const record = await test.services.requests.request(made.id)
    expect(record).toMatchObject({ jobCode: 'SOR 202001', trade: 'plumbing', priority: 'urgent' })
    const triage = (await test.services.requests.timeline(made.id, { audience: 'staff' })).find((entry) => entry.kind === 'triage')
    expect(triage?.details).toMatchObject({ previousJobCode: 'SOR 201003', jobCode: 'SOR 202001' })
    const audit = await test.database.db.selectFrom('audit_events').select('details').where('subject_id', '=', made.id).where('action', '=', 'request.triage').executeTakeFirstOrThrow()
    expect(audit.details).toMatchObject({ fromJob: 'SOR 201003', toJob: 'SOR 202001' })
    expect((await agent.follow(done)).page('.app-timeline').text()).toContain('job changed to SOR 202001')
  })

  it('refuses a job the service does not have, and changes nothing', async () => {
    const agent = await signedIn(['team-lead'])
    const made = await repair('dripping-tap')
    const page = await agent.get(`/staff/requests/${made.reference}`)
    const refused = await agent.post(`/staff/requests/${made.reference}/triage`, { priority: 'urgent', jobCode: 'SOR 999999', rowVersion: rowVersionOn(page) })
    expect(refused.status).toBe(400)
    expect(errorSummary(refused)).toEqual(['Select a job from the list'])
    expect(await test.services.requests.request(made.id)).toMatchObject({ jobCode: 'SOR 201003', priority: 'routine' })
  })
})

describe('Awaab’s Law on the staff page', () => {
  /** A damp and mould report made three days ago, so there is room to record what happened since. */
  async function dampReport() {
    const made = await repair('damp-and-mould')
    const threeDaysAgo = new Date(Date.now() - 3 * day)
    await sql`update requests set created_at = ${threeDaysAgo} where id = ${made.id}`.execute(test.database.db)
    await test.database.db.updateTable('request_awaabs_law').set({ became_aware_at: threeDaysAgo }).where('request_id', '=', made.id).execute()
    return made
  }

  const yesterday = () => ukWallClock(new Date(Date.now() - day)).date.split('-')

  it('shows the investigation clock, and records the findings, which start the next clocks', async () => {
    const agent = await signedIn(['officer'])
    const made = await dampReport()
    const page = await agent.get(`/staff/requests/${made.reference}`)
    expect(page.page('#awaabs-law').text()).toBe("Awaab's Law")
    const clocks = page.page('#awaabs-law + p + table tbody tr').map((_, row) => page.page(row).find('td').first().text().trim()).get()
    expect(clocks).toEqual(['Investigate'])
    expect(page.page('input[name="milestone"]').map((_, input) => page.page(input).attr('value')).get()).toEqual(['investigation-concluded'])

    const [year, month, dayOfMonth] = yesterday()
    const done = await agent.post(`/staff/requests/${made.reference}/awaabs-law`, {
      milestone: 'investigation-concluded',
      hazardFound: 'significant',
      furtherWorkNeeded: 'no',
      'at-day': dayOfMonth!,
      'at-month': month!,
      'at-year': year!,
      atTime: '10:30',
      rowVersion: rowVersionOn(page),
    })
    expect(done.status).toBe(303)
    const after = await agent.follow(done)
    const duties = after.page('#awaabs-law + p + table tbody tr').map((_, row) => after.page(row).find('td').first().text().trim()).get()
    expect(duties).toEqual(['Investigate', 'Give the tenant a written summary', 'Do the safety work'])
    expect(after.page('#awaabs-law + p + table tbody tr').first().text()).toContain('Met')
    const saved = await test.services.requests.awaabsLaw(made.id)
    expect(saved?.milestones).toMatchObject({ hazardFound: 'significant', investigationConcludedAt: expect.any(Date) })
    expect(ukWallClock(saved!.milestones.investigationConcludedAt!)).toEqual({ date: `${year}-${month}-${dayOfMonth}`, minutes: 10 * 60 + 30 })
    const actions = await test.database.db.selectFrom('audit_events').select('action').where('subject_id', '=', made.id).execute()
    expect(actions.map((row) => row.action)).toContain('request.awaabs-law-milestone')
  })

  it('explains each mistake on the form and records nothing', async () => {
    const agent = await signedIn(['officer'])
    const made = await dampReport()
    const page = await agent.get(`/staff/requests/${made.reference}`)
    const base = { rowVersion: rowVersionOn(page), 'at-day': '31', 'at-month': '2', 'at-year': '2026', atTime: '25:00' }
    const noChoice = await agent.post(`/staff/requests/${made.reference}/awaabs-law`, base)
    expect(noChoice.status).toBe(400)
    expect(errorSummary(noChoice)).toEqual(['Select what has been done', 'Enter the date it happened as a real date, for example 27 3 2026'])

    const future = new Date(Date.now() + 2 * day)
    const [year, month, dayOfMonth] = ukWallClock(future).date.split('-')
    const tooLate = await agent.post(`/staff/requests/${made.reference}/awaabs-law`, {
      ...base,
      milestone: 'investigation-concluded',
      hazardFound: 'none',
      'at-day': dayOfMonth!,
      'at-month': month!,
      'at-year': year!,
      atTime: '09:00',
    })
    expect(errorSummary(tooLate)).toEqual(['The date and time it happened must be now or in the past'])
    expect(tooLate.page('#hazardFound-3').attr('checked')).toBeDefined()
    expect((await test.services.requests.awaabsLaw(made.id))?.milestones.investigationConcludedAt).toBeNull()
  })

  it('has no Awaab’s Law section for other repairs, or for a council outside England', async () => {
    const agent = await signedIn(['officer'])
    const tap = await repair('dripping-tap')
    expect((await agent.get(`/staff/requests/${tap.reference}`)).page('#awaabs-law').length).toBe(0)

    const welsh = await createTestApp({ environment: { COUNCIL_NATION: 'wales' } })
    try {
      await welsh.services.identity.staff.ensureTeam('housing-repairs', 'Housing repairs')
      await welsh.services.catalogue.publishDefinition(repairDefinition())
      const made = await welsh.services.requests.createRequest({ serviceCode: 'test-repair', personId: await person(welsh.database.db), answers: { problem: 'damp-and-mould', details: '' }, channel: 'web' })
      expect(await welsh.services.requests.awaabsLaw(made.id)).toBeUndefined()
      expect((await welsh.services.requests.request(made.id)).regimes).toEqual(['awaabs-law'])
    } finally {
      await welsh.close()
    }
  })
})
