import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Agent, errorSummary, type AgentResponse } from '../../support/agent.ts'
import { createTestApp, type TestApp } from '../../support/app.ts'
import { person, property, repairDefinition } from './factories.ts'

let test: TestApp
let counter = 0
let nextUprn = 8000
const password = 'correct horse battery staple'

beforeAll(async () => {
  test = await createTestApp()
  await test.services.identity.staff.ensureTeam('housing-repairs', 'Housing repairs')
  await test.services.identity.staff.ensureContractor('fixit', 'Fixit Property Services')
  await test.services.catalogue.publishDefinition(repairDefinition())
})
afterAll(async () => {
  await test?.close()
})

async function signedIn(roleCodes: string[]) {
  counter += 1
  const email = `actions${counter}@lowerwendle.example.gov.uk`
  const id = await test.services.identity.staff.createStaffMember({ name: `Officer ${counter}`, email, password, roleCodes, teamCodes: ['housing-repairs'] })
  const agent = new Agent(test.app)
  await agent.get('/staff/sign-in')
  expect((await agent.post('/staff/sign-in', { email, password })).status).toBe(303)
  return { id, agent }
}

async function repair() {
  return test.services.requests.createRequest({
    serviceCode: 'test-repair',
    personId: await person(test.database.db),
    propertyUprn: await property(test.database.db, nextUprn++),
    answers: { problem: 'dripping-tap', details: 'Drips all night' },
    channel: 'web',
  })
}

const rowVersionOn = (page: AgentResponse) => page.page('input[name="rowVersion"]').first().attr('value')!
const statusOf = async (id: string) => (await test.services.requests.request(id)).state.status
const auditActions = async (id: string) =>
  (await test.database.db.selectFrom('audit_events').select('action').where('subject_id', '=', id).orderBy('id').execute()).map((row) => row.action)

describe('working a request from its staff page', () => {
  it('changes the status with one of the choices the lifecycle allows, and records it', async () => {
    const { agent } = await signedIn(['officer'])
    const made = await repair()
    const page = await agent.get(`/staff/requests/${made.reference}`)
    const choices = page.page('input[name="event"]').map((_, input) => page.page(input).attr('value')).get()
    expect(choices).toEqual(['triage', 'schedule', 'start-work', 'cancel', 'close'])

    const done = await agent.post(`/staff/requests/${made.reference}/status`, { event: 'schedule', rowVersion: rowVersionOn(page) })
    expect(done.status).toBe(303)
    const after = await agent.follow(done)
    expect(after.page('.govuk-notification-banner').text()).toContain('Status changed')
    expect(await statusOf(made.id)).toBe('scheduled')
    expect(await auditActions(made.id)).toContain('request.change-status')
  })

  it('refuses a change the lifecycle does not allow, saying why, and changes nothing', async () => {
    const { agent } = await signedIn(['officer'])
    const made = await repair()
    const page = await agent.get(`/staff/requests/${made.reference}`)
    const refused = await agent.post(`/staff/requests/${made.reference}/status`, { event: 'record-no-access', rowVersion: rowVersionOn(page) })
    expect(refused.status).toBe(409)
    expect(errorSummary(refused)).toEqual(['A newly reported request cannot be marked as no access'])
    expect(await statusOf(made.id)).toBe('reported')
  })

  it('asks why when closing without a reason', async () => {
    const { agent } = await signedIn(['officer'])
    const made = await repair()
    const page = await agent.get(`/staff/requests/${made.reference}`)
    const refused = await agent.post(`/staff/requests/${made.reference}/status`, { event: 'close', rowVersion: rowVersionOn(page) })
    expect(refused.status).toBe(400)
    expect(errorSummary(refused)).toEqual(['Select why the request is closed'])
  })

  it('puts a request on hold with a reason', async () => {
    const { agent } = await signedIn(['officer'])
    const made = await repair()
    const page = await agent.get(`/staff/requests/${made.reference}`)
    const done = await agent.post(`/staff/requests/${made.reference}/hold`, { holdReason: 'awaiting-materials', rowVersion: rowVersionOn(page) })
    expect(done.status).toBe(303)
    expect((await test.services.requests.request(made.id)).state).toMatchObject({ status: 'on-hold', holdReason: 'awaiting-materials' })
  })

  it('keeps the first of two officers’ changes and shows the second the fresh page with the conflict', async () => {
    const first = await signedIn(['officer'])
    const second = await signedIn(['officer'])
    const made = await repair()
    const firstPage = await first.agent.get(`/staff/requests/${made.reference}`)
    const secondPage = await second.agent.get(`/staff/requests/${made.reference}`)
    expect(rowVersionOn(firstPage)).toBe(rowVersionOn(secondPage))

    expect((await first.agent.post(`/staff/requests/${made.reference}/status`, { event: 'start-work', rowVersion: rowVersionOn(firstPage) })).status).toBe(303)
    const stale = await second.agent.post(`/staff/requests/${made.reference}/notes`, {
      visibility: 'public',
      body: 'We will come on Tuesday',
      rowVersion: rowVersionOn(secondPage),
    })
    expect(stale.status).toBe(409)
    expect(errorSummary(stale)[0]).toContain('Someone else changed this request while you were looking at it')
    // The fresh page: the first officer's change, the new row version, and the second officer's words kept.
    expect(stale.page('.govuk-summary-list').first().text()).toContain('In progress')
    expect(Number(rowVersionOn(stale))).toBeGreaterThan(Number(rowVersionOn(secondPage)))
    expect(stale.page('textarea#body').text()).toBe('We will come on Tuesday')

    const staleStatus = await second.agent.post(`/staff/requests/${made.reference}/status`, { event: 'cancel', rowVersion: rowVersionOn(secondPage) })
    expect(staleStatus.status).toBe(409)
    expect(await statusOf(made.id)).toBe('in-progress')
    const timeline = await test.services.requests.timeline(made.id, { audience: 'staff' })
    expect(timeline.some((entry) => entry.body === 'We will come on Tuesday')).toBe(false)
  })

  it('never shows an internal note on the resident’s timeline, but does show a public update', async () => {
    const { agent } = await signedIn(['officer'])
    const made = await repair()
    let page = await agent.get(`/staff/requests/${made.reference}`)
    expect((await agent.post(`/staff/requests/${made.reference}/notes`, { visibility: 'internal', body: 'Tenant has a dog', rowVersion: rowVersionOn(page) })).status).toBe(303)
    page = await agent.get(`/staff/requests/${made.reference}`)
    expect((await agent.post(`/staff/requests/${made.reference}/notes`, { visibility: 'public', body: 'Parts ordered', rowVersion: rowVersionOn(page) })).status).toBe(303)

    const staffPage = await agent.get(`/staff/requests/${made.reference}`)
    expect(staffPage.page('.app-timeline').text()).toContain('Tenant has a dog')
    const resident = await test.services.requests.timeline(made.id, { audience: 'resident' })
    expect(resident.map((entry) => entry.body)).toContain('Parts ordered')
    expect(resident.map((entry) => entry.body)).not.toContain('Tenant has a dog')
    expect(await auditActions(made.id)).toEqual(expect.arrayContaining(['request.note', 'request.public-update']))
  })

  it('refuses an empty note with a message on the form', async () => {
    const { agent } = await signedIn(['officer'])
    const made = await repair()
    const page = await agent.get(`/staff/requests/${made.reference}`)
    const refused = await agent.post(`/staff/requests/${made.reference}/notes`, { visibility: 'internal', body: '  ', rowVersion: rowVersionOn(page) })
    expect(refused.status).toBe(400)
    expect(errorSummary(refused)).toEqual(['Enter the note'])
  })

  it('triages: a new priority sets the target again and moves a reported request to triaged', async () => {
    const { agent } = await signedIn(['team-lead'])
    const made = await repair()
    const before = await test.services.requests.request(made.id)
    const page = await agent.get(`/staff/requests/${made.reference}`)
    expect((await agent.post(`/staff/requests/${made.reference}/triage`, { priority: 'emergency', rowVersion: rowVersionOn(page) })).status).toBe(303)
    const after = await test.services.requests.request(made.id)
    expect(after.priority).toBe('emergency')
    expect(after.state.status).toBe('triaged')
    // An emergency has 24 hours from the report, far sooner than the routine 20 working days.
    expect(after.targetAt!.getTime()).toBe(before.createdAt.getTime() + 24 * 3_600_000)
    expect(await auditActions(made.id)).toContain('request.triage')
    const resident = await test.services.requests.timeline(made.id, { audience: 'resident' })
    expect(resident.map((entry) => entry.kind)).not.toContain('triage')
  })

  it('assigns a request to an officer and a contractor', async () => {
    const lead = await signedIn(['team-lead'])
    const made = await repair()
    const page = await lead.agent.get(`/staff/requests/${made.reference}`)
    const contractor = page.page('#contractor option').filter((_, option) => page.page(option).text() === 'Fixit Property Services').attr('value')!
    const team = page.page('#team option:selected').attr('value')!
    const done = await lead.agent.post(`/staff/requests/${made.reference}/assignment`, { team, officer: lead.id, contractor, rowVersion: rowVersionOn(page) })
    expect(done.status).toBe(303)
    const after = await test.services.requests.request(made.id)
    expect(after).toMatchObject({ assignedStaffId: lead.id, assignedContractorId: contractor, assignedTeamId: team })
    expect(await auditActions(made.id)).toContain('request.assign')

    const tampered = await lead.agent.post(`/staff/requests/${made.reference}/assignment`, { team: 'not-a-team', rowVersion: String(after.rowVersion) })
    expect(tampered.status).toBe(400)
    expect(errorSummary(tampered)).toEqual(['Select someone from the list'])
  })

  it('lets only staff with the permission triage or assign, and offers them the form only then', async () => {
    const { agent } = await signedIn(['officer'])
    const made = await repair()
    const page = await agent.get(`/staff/requests/${made.reference}`)
    expect(page.page(`form[action$="/triage"]`).length).toBe(0)
    expect(page.page(`form[action$="/assignment"]`).length).toBe(0)
    expect((await agent.post(`/staff/requests/${made.reference}/triage`, { priority: 'emergency', rowVersion: rowVersionOn(page) })).status).toBe(403)
    expect((await agent.post(`/staff/requests/${made.reference}/assignment`, { officer: '', rowVersion: rowVersionOn(page) })).status).toBe(403)
    const viewer = await signedIn(['moderator'])
    expect((await viewer.agent.get(`/staff/requests/${made.reference}`)).status).toBe(200)
    expect((await viewer.agent.post(`/staff/requests/${made.reference}/notes`, { visibility: 'internal', body: 'Hello', rowVersion: rowVersionOn(page) })).status).toBe(403)
    expect(await statusOf(made.id)).toBe('reported')
  })

  it('refuses a change sent without the form’s CSRF token', async () => {
    const { agent } = await signedIn(['officer'])
    const made = await repair()
    const page = await agent.get(`/staff/requests/${made.reference}`)
    const forged = await agent.post(`/staff/requests/${made.reference}/status`, { event: 'cancel', rowVersion: rowVersionOn(page) }, { csrf: null })
    expect(forged.status).toBe(403)
    expect(await statusOf(made.id)).toBe('reported')
  })
})

describe('photos another system holds', () => {
  it('are listed as links on the staff page, and an address that is not a web address stays text', async () => {
    const { agent } = await signedIn(['officer'])
    const made = await test.services.requests.createRequest({
      serviceCode: 'test-repair',
      personId: await person(test.database.db),
      propertyUprn: await property(test.database.db, nextUprn++),
      answers: { problem: 'dripping-tap', details: '' },
      channel: 'open311',
      mediaUrls: ['https://photos.example.org/tap.jpg', 'javascript:alert(1)'],
    })
    const page = await agent.get(`/staff/requests/${made.reference}`)
    const items = page.page('h3:contains("Photos held by the app that sent the report") + ul li')
    expect(items.map((_, item) => page.page(item).text().trim()).get()).toEqual(['https://photos.example.org/tap.jpg', 'javascript:alert(1)'])
    expect(items.find('a').map((_, link) => page.page(link).attr('href')).get()).toEqual(['https://photos.example.org/tap.jpg'])
    expect(page.body).not.toContain('No photos have been added')
  })
})
