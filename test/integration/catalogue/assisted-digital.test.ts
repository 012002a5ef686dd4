import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Agent, errorSummary, type AgentResponse } from '../../support/agent.ts'
import { signedInStaff } from '../../support/staff.ts'
import { createTestApp, type TestApp } from '../../support/app.ts'
import { address, addressCsv, sessionCookie, signedInResident, tenancyCsv, tenant } from '../../support/places.ts'

let test: TestApp
let tenantNumber = 0

beforeAll(async () => {
  test = await createTestApp()
  await test.services.catalogue.seedDefinitions()
  const homes = Array.from({ length: 6 }, (_, index) => address(6001 + index, { parent_uprn: 6000 }))
  await test.services.places.importAddresses([addressCsv([address(6000, { address_line_1: 'Heron Court' }), ...homes])])
  await test.services.places.importTenancies([
    tenancyCsv(homes.map((home, index) => tenant(`LW-T-6000${index}`, Number(home.uprn), { given_name: 'Sam', family_name: `Caller${index}` }))),
  ])
})
afterAll(async () => {
  await test?.close()
})

const staffWith = (roleCodes: string[]) => signedInStaff(test, roleCodes)

/** A tenant with an online account, linked to their tenancy at Heron Court. */
async function linkedTenant() {
  const index = tenantNumber++
  const resident = await signedInResident(test.database.db, { givenName: 'Sam', familyName: `Caller${index}` })
  await test.services.places.linkTenancy(resident.personId, { reference: `LW-T-6000${index}`, postcode: 'LW1 5UP', day: '14', month: '3', year: '1985' })
  const email = (await test.services.identity.residents.findPersonById(resident.personId))!.email!
  return { ...resident, uprn: 6001 + index, email }
}

/** Answers one page as the agent does: open it, fill it in, continue. */
async function answer(agent: Agent, url: string, fields: Record<string, string | string[]>): Promise<AgentResponse> {
  const page = await agent.get(url)
  expect(page.status, `opening ${url}`).toBe(200)
  const response = await agent.post(url, fields)
  expect(response.status, `answering ${url}: ${errorSummary(response).join(', ')}`).toBe(303)
  return response
}

/** Chooses the service and the channel on the person's "raise a request" page, and gives back where the form lives. */
async function raise(agent: Agent, personId: string, service: string, channel: 'phone' | 'counter') {
  await agent.get(`/staff/people/${personId}/raise`)
  const chosen = await agent.post(`/staff/people/${personId}/raise`, { service, channel })
  expect(chosen.status).toBe(303)
  return chosen.location!.replace(/\/start$/, '')
}

const requestsOf = (personId: string) => test.database.db.selectFrom('requests').selectAll().where('person_id', '=', personId).execute()

describe('raising a request for someone who phoned or called in', () => {
  it('raises a repair for a tenant by phone, recording the agent, and the tenant is sent the same confirmation', async () => {
    const caller = await linkedTenant()
    const { id: agentId, agent } = await staffWith(['contact-centre-agent'])
    const form = await raise(agent, caller.personId, 'housing-repair', 'phone')
    expect(form).toBe(`/staff/people/${caller.personId}/services/housing-repair/phone`)

    const start = await agent.get(`${form}/start`)
    expect(start.page('h1').text()).toBe('Report a repair to your council home')
    expect(start.page('.app-assisted').text()).toBe(`For Sam Caller${tenantNumber - 1}, by phone`)
    expect(start.page('.govuk-service-navigation a[href="/staff/people"]').text().trim()).toBe('People')
    expect(start.page('a.govuk-button--start').attr('href')).toBe(`${form}/gas`)

    await answer(agent, `${form}/gas`, { gas: 'no' })
    await answer(agent, `${form}/emergency`, { emergency: 'none' })
    await answer(agent, `${form}/where`, { where: 'own-home' })
    await answer(agent, `${form}/area`, { area: 'kitchen' })
    await answer(agent, `${form}/kitchen-problem`, { 'kitchen-problem': 'taps' })
    await answer(agent, `${form}/kitchen-tap`, { 'kitchen-tap': 'dripping' })
    await answer(agent, `${form}/description`, { description: 'The kitchen tap leaks onto the worktop.' })
    await answer(agent, `${form}/photos`, {})
    await answer(agent, `${form}/access`, {})
    await answer(agent, `${form}/contact-method`, { 'contact-method': 'email' })
    // The email address starts as the one the council holds for them.
    const emailPage = await agent.get(`${form}/email`)
    expect(emailPage.page('input#email').attr('value')).toBe(caller.email)
    const last = await agent.post(`${form}/email`, { email: emailPage.page('input#email').attr('value')! })
    expect(last.location).toBe(`${form}/check-answers`)

    const check = await agent.get(`${form}/check-answers`)
    expect(check.page('h1').text()).toBe('Check the answers before sending')
    expect(check.page(`a[href="${form}/kitchen-tap?change=1"]`)).toHaveLength(1)
    const sent = await agent.post(`${form}/check-answers`)
    expect(sent.status).toBe(303)

    const [request] = await requestsOf(caller.personId)
    expect(request).toMatchObject({ channel: 'phone', raised_by_staff_id: agentId, person_id: caller.personId, property_uprn: caller.uprn })
    expect(sent.location).toBe(`${form}/confirmation/${request!.reference}`)
    const confirmation = await agent.follow(sent)
    expect(confirmation.page('.govuk-panel__title').text().trim()).toBe('Report sent')
    expect(confirmation.page('.app-reference').text()).toBe(request!.reference)
    expect(confirmation.page('main').text()).toContain(`We have sent them an email with the reference, to ${caller.email}.`)
    expect(confirmation.page(`a[href="/staff/requests/${request!.reference}"]`).text()).toContain(request!.reference)
    expect(confirmation.page(`a[href="/staff/people/${caller.personId}"]`)).toHaveLength(1)

    const raised = await test.database.db.selectFrom('audit_events').selectAll().where('action', '=', 'request.raise-for-person').where('subject_id', '=', request!.id).execute()
    expect(raised).toMatchObject([{ actor_kind: 'staff', actor_id: agentId, details: { channel: 'phone', personId: caller.personId } }])
    expect(await test.services.residentMessages.notifyResidents(request!.id)).toBe(1)
    const messages = await test.database.db.selectFrom('outbox_messages').select(['message_type', 'recipient', 'personalisation']).where('person_id', '=', caller.personId).execute()
    expect(messages).toEqual([expect.objectContaining({ message_type: 'request-received-email', recipient: caller.email })])
    expect(messages[0]!.personalisation).toMatchObject({ reference: request!.reference })

    // The agent's draft is gone, and sending again makes nothing new.
    const again = await agent.post(`${form}/check-answers`)
    expect(again.location).toBe(`${form}/confirmation/${request!.reference}`)
    expect(await requestsOf(caller.personId)).toHaveLength(1)
    expect(await test.database.db.selectFrom('form_drafts').selectAll().where('person_id', '=', caller.personId).execute()).toEqual([])

    // It belongs to the tenant, who sees it in their account.
    const tenantBrowser = new Agent(test.app)
    tenantBrowser.setCookie(sessionCookie, caller.sessionToken)
    const yourRequests = await tenantBrowser.get('/account/requests')
    expect(yourRequests.status).toBe(200)
    expect(yourRequests.page(`a[href="/account/requests/${request!.reference}"]`)).toHaveLength(1)
  })

  it('says the confirmation went where the caller asked on the phone, and sends it there', async () => {
    const caller = await linkedTenant()
    const { agent } = await staffWith(['contact-centre-agent'])
    const form = await raise(agent, caller.personId, 'housing-repair', 'phone')
    for (const [page, fields] of [
      ['gas', { gas: 'no' }],
      ['emergency', { emergency: 'none' }],
      ['where', { where: 'own-home' }],
      ['area', { area: 'kitchen' }],
      ['kitchen-problem', { 'kitchen-problem': 'taps' }],
      ['kitchen-tap', { 'kitchen-tap': 'dripping' }],
      ['description', { description: 'Drips.' }],
      ['photos', {}],
      ['access', {}],
      ['contact-method', { 'contact-method': 'text' }],
      ['mobile', { mobile: '07700 900 444' }],
    ] as const) {
      await answer(agent, `${form}/${page}`, fields)
    }
    const confirmation = await agent.follow(await agent.post(`${form}/check-answers`))
    expect(confirmation.page('main').text()).toContain('We have sent them a text message with the reference, to 07700900444.')
    const [request] = await requestsOf(caller.personId)
    await test.services.residentMessages.notifyResidents(request!.id)
    const messages = await test.database.db.selectFrom('outbox_messages').select(['message_type', 'recipient']).where('person_id', '=', caller.personId).execute()
    expect(messages).toEqual([{ message_type: 'request-received-sms', recipient: '07700900444' }])
  })

  it('still shows the emergency screening, and records it as shown while the agent filled in the form', async () => {
    const caller = await linkedTenant()
    const { id: agentId, agent } = await staffWith(['contact-centre-agent'])
    const form = await raise(agent, caller.personId, 'housing-repair', 'counter')
    await answer(agent, `${form}/gas`, { gas: 'no' })
    const stopped = await answer(agent, `${form}/emergency`, { emergency: ['no-water'] })
    expect(stopped.location).toBe(`${form}/call-us-now`)
    const page = await agent.follow(stopped)
    expect(page.page('h1').text()).toBe('Call us now: this is an emergency repair')
    expect(page.page('.app-assisted').text()).toContain('face to face')
    expect((await agent.get(`${form}/check-answers`)).location).toBe(`${form}/call-us-now`)
    expect((await agent.post(`${form}/check-answers`)).location).toBe(`${form}/call-us-now`)
    expect(await requestsOf(caller.personId)).toEqual([])
    const shown = await test.database.db.selectFrom('form_interruptions_shown').selectAll().where('person_id', '=', caller.personId).execute()
    expect(shown).toMatchObject([{ outcome: 'emergency-call-shown', assisted_by_staff_id: agentId }])
  })

  it('keeps the agent’s unfinished form apart from the person’s own form online', async () => {
    const caller = await linkedTenant()
    const online = new Agent(test.app)
    online.setCookie(sessionCookie, caller.sessionToken)
    await answer(online, '/services/housing-repair/gas', { gas: 'no' })

    const { agent } = await staffWith(['contact-centre-agent'])
    const form = await raise(agent, caller.personId, 'housing-repair', 'phone')
    const start = await agent.get(`${form}/start`)
    expect(start.page('a.govuk-button--start')).toHaveLength(1)
    await answer(agent, `${form}/gas`, { gas: 'no' })
    await answer(agent, `${form}/emergency`, { emergency: 'none' })

    const drafts = await test.database.db.selectFrom('form_drafts').select(['assisted_by_staff_id', 'answers']).where('person_id', '=', caller.personId).execute()
    expect(drafts).toHaveLength(2)
    expect(drafts.find((draft) => draft.assisted_by_staff_id === null)?.answers).toEqual({ gas: 'no' })
    const resumed = await agent.get(`${form}/start`)
    expect(resumed.page('h2').text()).toContain('You have not finished this form for them')
    expect(resumed.page('a.govuk-button:contains("Carry on")').attr('href')).toBe(`${form}/where`)
  })

  it('asks which service and how they got in touch, and goes no further without both', async () => {
    const caller = await linkedTenant()
    const { agent } = await staffWith(['officer'])
    const page = await agent.get(`/staff/people/${caller.personId}/raise?service=missed-bin`)
    expect(page.page('h1').text()).toBe(`Raise a request for Sam Caller${tenantNumber - 1}`)
    expect(page.page('input[name="service"][value="missed-bin"]').attr('checked')).toBeDefined()
    expect(page.page('label[for="channel"]').text().trim()).toBe('Phone')
    expect(page.page('label[for="channel-2"]').text().trim()).toBe('Face to face')
    const refused = await agent.post(`/staff/people/${caller.personId}/raise`, { service: 'no-such-service' })
    expect(refused.status).toBe(400)
    expect(errorSummary(refused)).toEqual(['Select what they want to report or request', 'Select how they contacted us'])
    expect((await agent.get(`/staff/people/${caller.personId}/services/housing-repair/post/start`)).status).toBe(404)
  })

  it('says clearly that a service for tenants needs the person linked to their tenancy', async () => {
    const person = await signedInResident(test.database.db, { givenName: 'Robin', familyName: 'Nohome' })
    const { agent } = await staffWith(['contact-centre-agent'])
    const form = await raise(agent, person.personId, 'housing-repair', 'phone')
    for (const url of [`${form}/start`, `${form}/gas`]) {
      const page = await agent.get(url)
      expect(page.page('h1').text()).toBe('Robin Nohome is not linked to a tenancy')
      expect(page.page('main').text()).toContain('This service is for council tenants.')
      expect(page.page('main a[href="/staff/people"]').text()).toBe('Find their tenancy')
      expect(page.page('a.govuk-button--start')).toHaveLength(0)
    }
    const posted = await agent.post(`${form}/gas`, { gas: 'no' })
    expect(posted.page('h1').text()).toBe('Robin Nohome is not linked to a tenancy')
    expect(await test.database.db.selectFrom('form_drafts').selectAll().where('person_id', '=', person.personId).execute()).toEqual([])
    expect(await requestsOf(person.personId)).toEqual([])
  })

  it('refuses staff who may not raise requests for residents', async () => {
    const caller = await linkedTenant()
    const role = await test.database.db.insertInto('roles').values({ code: 'people-reader', name: 'People reader' }).returning('id').executeTakeFirstOrThrow()
    await test.database.db.insertInto('role_permissions').values([{ role_id: role.id, permission: 'people.view' }, { role_id: role.id, permission: 'requests.view' }]).execute()
    const { agent } = await staffWith(['people-reader'])
    const person = await agent.get(`/staff/people/${caller.personId}`)
    expect(person.status).toBe(200)
    expect(person.page(`a[href="/staff/people/${caller.personId}/raise"]`)).toHaveLength(0)

    const form = `/staff/people/${caller.personId}/services/housing-repair/phone`
    expect((await agent.get(`/staff/people/${caller.personId}/raise`)).status).toBe(403)
    expect((await agent.get(`${form}/start`)).status).toBe(403)
    expect((await agent.get(`${form}/gas`)).status).toBe(403)
    expect((await agent.post(`${form}/gas`, { gas: 'no' })).status).toBe(403)
    expect((await agent.post(`${form}/check-answers`)).status).toBe(403)
    expect(await test.database.db.selectFrom('form_drafts').selectAll().where('person_id', '=', caller.personId).execute()).toEqual([])

    // A resident cannot reach the staff form at all.
    const resident = new Agent(test.app)
    resident.setCookie(sessionCookie, caller.sessionToken)
    expect((await resident.get(`${form}/gas`)).location).toMatch(/^\/staff\/sign-in\?returnTo=/)
  })
})
