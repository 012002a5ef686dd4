import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Agent } from '../../support/agent.ts'
import { createTestApp, type TestApp } from '../../support/app.ts'
import { person, property, repairDefinition } from './factories.ts'

let test: TestApp
let counter = 0
let nextUprn = 7000
const password = 'correct horse battery staple'

beforeAll(async () => {
  test = await createTestApp()
  await test.services.identity.staff.ensureTeam('housing-repairs', 'Housing repairs')
  await test.services.identity.staff.ensureTeam('waste', 'Waste')
  await test.services.catalogue.publishDefinition(repairDefinition())
  await test.database.db
    .insertInto('wards')
    .values([
      { code: 'E05000001', name: 'Mill Ward' },
      { code: 'E05000002', name: 'Abbey Ward' },
      { code: 'E05000003', name: 'Castle Ward' },
    ])
    .execute()
})
afterAll(async () => {
  await test?.close()
})

async function officer(roleCodes = ['team-lead'], teamCodes = ['housing-repairs']) {
  counter += 1
  const email = `queue${counter}@lowerwendle.example.gov.uk`
  const id = await test.services.identity.staff.createStaffMember({ name: `Queue Officer ${counter}`, email, password, roleCodes, teamCodes })
  const agent = new Agent(test.app)
  await agent.get('/staff/sign-in')
  const signedIn = await agent.post('/staff/sign-in', { email, password })
  expect(signedIn.status).toBe(303)
  return { id, agent }
}

async function repair(problem: string, options: { ward?: string } = {}) {
  const uprn = await property(test.database.db, nextUprn++)
  if (options.ward) await test.database.db.updateTable('properties').set({ ward_code: options.ward }).where('uprn', '=', uprn).execute()
  const made = await test.services.requests.createRequest({
    serviceCode: 'test-repair',
    personId: await person(test.database.db),
    propertyUprn: uprn,
    answers: { problem, details: 'Seen this morning' },
    channel: 'web',
  })
  return { ...made, uprn }
}

/** Makes a request look as if it was made earlier; the column is never changed by the application itself. */
async function madeDaysAgo(id: string, days: number) {
  await sql`update requests set created_at = ${new Date(Date.now() - days * 86_400_000)} where id = ${id}`.execute(test.database.db)
}

const references = (page: Awaited<ReturnType<Agent['get']>>) =>
  page.page('table.app-queue tbody tr td:first-child a').map((_, link) => page.page(link).text().trim()).get()

describe('the staff repairs queue', () => {
  let tap: Awaited<ReturnType<typeof repair>>
  let toilet: Awaited<ReturnType<typeof repair>>
  let damp: Awaited<ReturnType<typeof repair>>
  let closed: Awaited<ReturnType<typeof repair>>
  let lead: Awaited<ReturnType<typeof officer>>

  beforeAll(async () => {
    lead = await officer()
    tap = await repair('dripping-tap', { ward: 'E05000001' })
    toilet = await repair('blocked-toilet', { ward: 'E05000002' })
    damp = await repair('damp-and-mould', { ward: 'E05000001' })
    closed = await repair('dripping-tap')
    const db = test.database.db
    // Made in the order damp (oldest), toilet, tap, so age and target sort differently; damp is overdue.
    await madeDaysAgo(damp.id, 30)
    await madeDaysAgo(toilet.id, 2)
    await db.updateTable('requests').set({ target_at: new Date(Date.now() - 3_600_000) }).where('id', '=', damp.id).execute()
    await db.updateTable('requests').set({ assigned_staff_id: lead.id }).where('id', '=', toilet.id).execute()
    // Nobody on the lead's team owns this one.
    await db
      .updateTable('requests')
      .set({ assigned_team_id: await test.services.identity.staff.ensureTeam('waste', 'Waste') })
      .where('id', '=', tap.id)
      .execute()
    await db
      .updateTable('requests')
      .set({ status: 'closed', closure_reason: 'duplicate', closed_at: new Date() })
      .where('id', '=', closed.id)
      .execute()
  })

  it('lists open requests by target date, the overdue one marked, finished ones left out', async () => {
    const page = await lead.agent.get('/staff/requests')
    expect(page.status).toBe(200)
    expect(references(page)).toEqual([damp.reference, toilet.reference, tap.reference])
    const dampRow = page.page(`a:contains("${damp.reference}")`).closest('tr')
    expect(dampRow.find('.govuk-tag').text()).toContain('Overdue')
    expect(page.page('.govuk-service-navigation__link').map((_, link) => page.page(link).text().trim()).get()).toContain('Requests')
  })

  it('filters by status, priority, trade, ward, overdue and owner', async () => {
    const filtered = async (query: string) => references(await lead.agent.get(`/staff/requests?${query}`))
    expect(await filtered('overdue=yes')).toEqual([damp.reference])
    expect(await filtered('priority=urgent')).toEqual([damp.reference, toilet.reference])
    expect(await filtered('trade=damp')).toEqual([damp.reference])
    expect(await filtered('ward=E05000001')).toEqual([damp.reference, tap.reference])
    expect(await filtered('owner=me')).toEqual([toilet.reference])
    expect(await filtered('owner=my-team')).toEqual([damp.reference, toilet.reference])
    expect(await filtered('status=closed')).toEqual([closed.reference])
    expect(await filtered('status=any&trade=plumbing')).toContain(closed.reference)
  })

  it('sorts by priority or by age', async () => {
    expect(references(await lead.agent.get('/staff/requests?sort=age'))).toEqual([damp.reference, toilet.reference, tap.reference])
    // Both urgent ones, soonest target first, before the routine one.
    expect(references(await lead.agent.get('/staff/requests?sort=priority'))).toEqual([damp.reference, toilet.reference, tap.reference])
    // The two routine ones share a target (the close of the same working day), so either may come first.
    const everything = references(await lead.agent.get('/staff/requests?sort=priority&status=any'))
    expect(everything.slice(0, 2)).toEqual([damp.reference, toilet.reference])
    expect(everything.slice(2).sort()).toEqual([tap.reference, closed.reference].sort())
  })

  it('keeps the chosen filters in the form', async () => {
    const page = await lead.agent.get('/staff/requests?priority=urgent&overdue=yes&sort=age')
    expect(page.page('#priority').val()).toBe('urgent')
    expect(page.page('#sort').val()).toBe('age')
    expect(page.page('input[name="overdue"]').is(':checked')).toBe(true)
  })

  it('refuses staff without permission to view requests', async () => {
    const editor = await officer(['catalogue-editor'], [])
    expect((await editor.agent.get('/staff/requests')).status).toBe(403)
    expect((await editor.agent.get(`/staff/requests/${tap.reference}`)).status).toBe(403)
    const home = await editor.agent.get('/staff')
    expect(home.page('.govuk-service-navigation__link').text()).not.toContain('Requests')
  })

  it('sends people who are not signed in to sign in', async () => {
    const response = await new Agent(test.app).get('/staff/requests')
    expect(response.status).toBe(302)
    expect(response.location).toContain('/staff/sign-in')
  })

  it('shows a request with its answers, property, earlier repeats and timeline, and records the look', async () => {
    const earlier = await test.services.requests.createRequest({
      serviceCode: 'test-repair',
      personId: await person(test.database.db),
      propertyUprn: tap.uprn,
      answers: { problem: 'blocked-toilet', details: 'Again' },
      channel: 'web',
    })
    await madeDaysAgo(earlier.id, 60)
    const page = await lead.agent.get(`/staff/requests/${tap.reference}`)
    expect(page.status).toBe(200)
    expect(page.page('h1').text()).toContain(tap.reference)
    expect(page.body).toContain('A dripping tap')
    expect(page.body).toContain('Mill Lane')
    expect(page.page(`a[href="/staff/requests/${earlier.reference}"]`).closest('tr').text()).toContain('Repeat')
    expect(page.body).toContain('1 earlier requests for the same kind of problem')
    const views = await test.database.db.selectFrom('audit_events').select('action').where('subject_id', '=', tap.id).execute()
    expect(views.map((row) => row.action)).toContain('request.view')
  })

  it('answers an unknown reference with not found', async () => {
    expect((await lead.agent.get('/staff/requests/GH-ZZZZ-ZZZZ')).status).toBe(404)
  })

  it('shows a long queue fifty at a time, with links between the pages that keep the filters', async () => {
    for (let made = 0; made < 51; made++) await repair('dripping-tap', { ward: 'E05000003' })
    const first = await lead.agent.get('/staff/requests?ward=E05000003')
    expect(references(first)).toHaveLength(50)
    expect(first.page('caption').text()).toContain('51 matching requests')
    const next = first.page('.govuk-pagination__next a').attr('href')
    expect(next).toBe('/staff/requests?ward=E05000003&page=2')
    const second = await lead.agent.get(next!)
    expect(references(second)).toHaveLength(1)
    expect(references(first)).not.toContain(references(second)[0])
  })
})
