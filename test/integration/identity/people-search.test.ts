import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Agent, errorSummary, type AgentResponse } from '../../support/agent.ts'
import { signedInStaff } from '../../support/staff.ts'
import { createTestApp, type TestApp } from '../../support/app.ts'
import { address, addressCsv, signedInResident, tenancyCsv, tenant } from '../../support/places.ts'
import { repairDefinition } from '../requests/factories.ts'

let test: TestApp

beforeAll(async () => {
  test = await createTestApp()
  await test.services.places.importAddresses([
    addressCsv([
      address(3001, { address_line_1: '1 Mill Lane', postcode: 'LW1 5UP' }),
      address(3002, { address_line_1: '2 Mill Lane', postcode: 'LW1 5UP' }),
      address(3003, { address_line_1: '7 Orchard Close', postcode: 'LW2 8QT', street_name: 'Orchard Close', usrn: 48_100_002 }),
      ...Array.from({ length: 25 }, (_, index) => address(3100 + index, { address_line_1: `${index + 1} Kestrel Road`, postcode: 'LW3 1AA', usrn: 48_100_003, street_name: 'Kestrel Road' })),
    ]),
  ])
  await test.services.places.importTenancies([
    tenancyCsv([
      tenant('LW-T-300001', 3001, { given_name: 'Alex', family_name: 'Morgan', date_of_birth: '1985-03-14' }),
      tenant('LW-T-300002', 3002, { given_name: 'Priya', family_name: 'Shah', date_of_birth: '1979-11-02' }),
      tenant('LW-T-300002', 3002, { given_name: 'Daniel', family_name: 'Shah', date_of_birth: '1977-06-21' }),
      tenant('LW-T-300003', 3003, { given_name: 'Chris', family_name: 'Evans', date_of_birth: '1962-07-30' }),
      ...Array.from({ length: 25 }, (_, index) =>
        tenant(`LW-T-31${String(index).padStart(4, '0')}`, 3100 + index, { given_name: `Kit${index}`, family_name: 'Wrenfield', date_of_birth: '1990-01-01' }),
      ),
    ]),
  ])
})
afterAll(async () => {
  await test?.close()
})

const staffWith = (roleCodes: string[]) => signedInStaff(test, roleCodes)

/** The rows of the results table as the page shows them: name, address, tenancy and record. */
function resultRows(page: AgentResponse) {
  return page
    .page('table.app-people-results tbody tr')
    .map((_, row) => [page.page(row).find('td').map((__, cell) => page.page(cell).text().replace(/\s+/g, ' ').trim()).get()])
    .get() as string[][]
}

const search = (agent: Agent, text: string) => agent.get(`/staff/people?q=${encodeURIComponent(text)}`)

const auditOf = (action: string, subjectId: string) =>
  test.database.db.selectFrom('audit_events').selectAll().where('action', '=', action).where('subject_id', '=', subjectId).execute()

describe('finding a person', () => {
  it('finds people and named tenants by name, each once, with their home', async () => {
    const { agent } = await staffWith(['contact-centre-agent'])
    const shah = await signedInResident(test.database.db, { givenName: 'Priya', familyName: 'Shah' })
    await test.services.places.linkTenancy(shah.personId, { reference: 'LW-T-300002', postcode: 'LW1 5UP', day: '2', month: '11', year: '1979' })

    const page = await search(agent, 'shah')
    expect(page.status).toBe(200)
    expect(resultRows(page)).toEqual([
      ['Daniel Shah', '2 Mill Lane, Lower Wendle, LW1 5UP', 'LW-T-300002', 'Named tenant, no person record yet Link or record Daniel Shah'],
      [expect.stringMatching(/^Priya Shah .+@example\.com$/), '2 Mill Lane, Lower Wendle, LW1 5UP', 'LW-T-300002', 'Person record'],
    ])
    expect(page.page(`a[href="/staff/people/${shah.personId}"]`).text()).toBe('Priya Shah')
    expect(page.page('a:contains("Link or record Daniel Shah")').attr('href')).toMatch(/^\/staff\/people\/new\?tenant=[0-9a-f-]{36}$/)

    const firstAndLast = await search(agent, 'Priya Shah')
    expect(resultRows(firstAndLast).map((row) => row[0])).toEqual([expect.stringMatching(/^Priya Shah/)])
  })

  it('finds everyone at a postcode, however it is typed, and by a street in the address', async () => {
    const { agent } = await staffWith(['contact-centre-agent'])
    const names = (page: AgentResponse) => resultRows(page).map((row) => row[0]!.split(' ').slice(0, 2).join(' '))
    expect(names(await search(agent, 'lw15up'))).toEqual(expect.arrayContaining(['Alex Morgan', 'Daniel Shah']))
    expect(names(await search(agent, 'lw15up'))).not.toContain('Chris Evans')
    expect(names(await search(agent, 'orchard close'))).toEqual(['Chris Evans'])
  })

  it('finds a tenancy’s tenants by its reference', async () => {
    const { agent } = await staffWith(['contact-centre-agent'])
    const page = await search(agent, ' lw-t-300003 ')
    expect(resultRows(page)).toEqual([['Chris Evans', '7 Orchard Close, Lower Wendle, LW2 8QT', 'LW-T-300003', 'Named tenant, no person record yet Link or record Chris Evans']])
    expect(page.page('caption').text()).toContain('1 found for ‘lw-t-300003’')
  })

  it('shows a long list a page at a time', async () => {
    const { agent } = await staffWith(['officer'])
    const first = await search(agent, 'wrenfield')
    expect(first.page('caption').text()).toContain('25 found')
    expect(resultRows(first)).toHaveLength(20)
    const next = first.page('.govuk-pagination__next a').attr('href')
    expect(next).toBe('/staff/people?q=wrenfield&page=2')
    const second = await agent.get(next!)
    expect(resultRows(second)).toHaveLength(5)
    expect(first.page('.govuk-pagination__prev')).toHaveLength(0)
    expect(second.page('.govuk-pagination__prev a').attr('href')).toBe('/staff/people?q=wrenfield&page=1')
  })

  it('asks for something to search for, and says when nobody is found', async () => {
    const { agent } = await staffWith(['contact-centre-agent'])
    const empty = await search(agent, '  ')
    expect(empty.status).toBe(400)
    expect(errorSummary(empty)).toEqual(['Enter a name, address, postcode, tenancy reference or email address'])
    expect(empty.page('.govuk-error-summary a').attr('href')).toBe('#q')
    const nobody = await search(agent, 'Zebedee')
    expect(nobody.page('main').text()).toContain('Nobody found for ‘Zebedee’')
  })

  it('is refused to a role without people.view, and is not in its navigation', async () => {
    const { agent } = await staffWith(['moderator'])
    const person = await signedInResident(test.database.db, { givenName: 'Hidden', familyName: 'Person' })
    expect((await search(agent, 'person')).status).toBe(403)
    expect((await agent.get(`/staff/people/${person.personId}`)).status).toBe(403)
    expect((await agent.get('/staff/people/new')).status).toBe(403)
    const home = await agent.get('/staff')
    expect(home.page('.govuk-service-navigation a[href="/staff/people"]')).toHaveLength(0)
    const agentHome = await (await staffWith(['contact-centre-agent'])).agent.get('/staff')
    expect(agentHome.page('.govuk-service-navigation a[href="/staff/people"]').text().trim()).toBe('People')
    expect(await auditOf('person.view', person.personId)).toEqual([])
  })
})

describe('a person’s page', () => {
  it('shows their details, tenancy and requests, and records that staff looked', async () => {
    const { id: staffId, agent } = await staffWith(['contact-centre-agent'])
    const resident = await signedInResident(test.database.db, { givenName: 'Alex', familyName: 'Morgan' })
    await test.services.places.linkTenancy(resident.personId, { reference: 'LW-T-300001', postcode: 'LW1 5UP', day: '14', month: '3', year: '1985' })
    await test.services.catalogue.publishDefinition(repairDefinition({ name: 'Report a leak' }))
    const made = await test.services.requests.createRequest({
      serviceCode: 'test-repair',
      personId: resident.personId,
      propertyUprn: 3001,
      answers: { problem: 'dripping-tap', details: 'Drips all night' },
      channel: 'web',
    })

    const page = await agent.get(`/staff/people/${resident.personId}`)
    expect(page.status).toBe(200)
    expect(page.page('h1').text()).toBe('Alex Morgan')
    const main = page.page('main').text()
    expect(main).toContain('LW-T-300001')
    expect(main).toContain('1 Mill Lane, Lower Wendle, LW1 5UP')
    expect(page.page(`a[href="/staff/requests/${made.reference}"]`).text()).toBe(made.reference)
    expect(main).toContain('Report a leak')
    expect(page.page(`a[href="/staff/people/${resident.personId}/raise"]`).text()).toContain('Raise a request for Alex Morgan')

    const views = await auditOf('person.view', resident.personId)
    expect(views).toHaveLength(1)
    expect(views[0]).toMatchObject({ actor_kind: 'staff', actor_id: staffId, subject_type: 'person' })
    expect((await agent.get('/staff/people/not-a-person')).status).toBe(404)
  })
})

describe('recording someone new', () => {
  it('shows every problem in the error summary and beside its field, keeping what was typed', async () => {
    const { agent } = await staffWith(['contact-centre-agent'])
    await agent.get('/staff/people/new')
    const refused = await agent.post('/staff/people/new', { givenName: 'Sam', familyName: '', contactPreference: 'text', email: 'sam at example', mobile: '' })
    expect(refused.status).toBe(400)
    expect(errorSummary(refused)).toEqual([
      'Enter their last name',
      'Enter an email address in the correct format, like name@example.com',
      'Enter their mobile phone number, or choose updates by email',
    ])
    expect(refused.page('.govuk-error-summary a').map((_, link) => refused.page(link).attr('href')).get()).toEqual(['#familyName', '#email', '#mobile'])
    expect(refused.page('#familyName-error').text()).toContain('Enter their last name')
    expect(refused.page('input#givenName').attr('value')).toBe('Sam')
    expect(refused.page('input#email').attr('value')).toBe('sam at example')
    expect(refused.page('input[name="contactPreference"][value="text"]').attr('checked')).toBeDefined()
    expect(refused.page('title').text()).toMatch(/^Error: /)

    const nothing = await agent.post('/staff/people/new', {})
    expect(errorSummary(nothing)).toEqual(['Enter their first name', 'Enter their last name', 'Select how they want us to send updates'])
    expect(await test.database.db.selectFrom('people').select('id').where('given_name', '=', 'Sam').execute()).toEqual([])
  })

  it('records a caller the council has never heard of', async () => {
    const { id: staffId, agent } = await staffWith(['contact-centre-agent'])
    await agent.get('/staff/people/new')
    const recorded = await agent.post('/staff/people/new', {
      givenName: ' Jordan ',
      familyName: 'Okoro',
      contactPreference: 'email',
      email: 'jordan.okoro@example.com',
      mobile: '07700 900 444',
    })
    expect(recorded.status).toBe(303)
    const person = await test.database.db.selectFrom('people').selectAll().where('email', '=', 'jordan.okoro@example.com').executeTakeFirstOrThrow()
    expect(recorded.location).toBe(`/staff/people/${person.id}`)
    expect(person).toMatchObject({ given_name: 'Jordan', family_name: 'Okoro', mobile: '07700900444', mobile_verified_at: null, contact_preference: 'email' })
    expect(await auditOf('person.create', person.id)).toMatchObject([{ actor_kind: 'staff', actor_id: staffId }])
    const page = await agent.follow(recorded)
    expect(page.page('.govuk-notification-banner').text()).toContain('Jordan Okoro is recorded')

    // The same email address again is someone already known.
    await agent.get('/staff/people/new')
    const again = await agent.post('/staff/people/new', { givenName: 'Jordan', familyName: 'Okoro', contactPreference: 'email', email: 'Jordan.Okoro@example.com', mobile: '' })
    expect(again.status).toBe(400)
    expect(errorSummary(again)).toEqual(['This email address belongs to someone we already know. Search for it to find them'])
    expect(resultRows(await search(agent, 'jordan.okoro@example.com')).map((row) => row[0])).toEqual([expect.stringMatching(/^Jordan Okoro/)])
  })

  it('records a named tenant and links them to their tenancy, audited as verified by staff', async () => {
    const { id: staffId, agent } = await staffWith(['contact-centre-agent'])
    const listed = await search(agent, 'LW-T-300003')
    const tenantPage = await agent.get(listed.page('a:contains("Link or record Chris Evans")').attr('href')!)
    expect(tenantPage.page('h1').text()).toBe('Link or record Chris Evans')
    expect(tenantPage.page('input#givenName').attr('value')).toBe('Chris')
    const tenantId = tenantPage.page('input[name="tenantId"]').attr('value')!

    const recorded = await agent.post('/staff/people/new', { tenantId, givenName: 'Chris', familyName: 'Evans', contactPreference: 'email', email: 'chris.evans@example.com', mobile: '' })
    expect(recorded.status).toBe(303)
    const personId = recorded.location!.split('/').at(-1)!
    const tenancy = await test.services.places.tenancyOf(personId)
    expect(tenancy?.reference).toBe('LW-T-300003')
    const links = await test.database.db.selectFrom('audit_events').selectAll().where('action', '=', 'tenancy.link').where('subject_id', '=', tenancy!.id).execute()
    expect(links).toHaveLength(1)
    expect(links[0]).toMatchObject({ actor_kind: 'staff', actor_id: staffId, details: { tenantId, personId, verifiedBy: 'staff' } })
    const page = await agent.follow(recorded)
    expect(page.page('.govuk-notification-banner').text()).toContain('Chris Evans is linked to tenancy LW-T-300003')

    // A tenant now linked is a person, and cannot be linked to anyone else.
    await agent.get('/staff/people/new')
    const twice = await agent.post('/staff/people/new', { tenantId, givenName: 'Chris', familyName: 'Evans', contactPreference: 'email', email: 'another.chris@example.com', mobile: '' })
    expect(twice.status).toBe(400)
    expect(errorSummary(twice)).toEqual(['This tenant is already linked to someone else. Search for the tenancy again to see who'])
    expect(await test.database.db.selectFrom('people').select('id').where('email', '=', 'another.chris@example.com').execute()).toEqual([])
  })

  it('links someone already known by the tenant’s name instead of recording them twice', async () => {
    const { id: staffId, agent } = await staffWith(['officer'])
    const known = await signedInResident(test.database.db, { givenName: 'daniel', familyName: 'SHAH' })
    const tenantId = (await test.database.db.selectFrom('tenants').select('id').where('given_name', '=', 'Daniel').executeTakeFirstOrThrow()).id

    const page = await agent.get(`/staff/people/new?tenant=${tenantId}`)
    expect(page.page('.app-same-name').text()).toContain('has an online account')
    const form = page.page(`form[action="/staff/people/${known.personId}/tenancy"]`)
    expect(form.find('button').text().trim()).toBe('Link daniel SHAH to this tenancy')

    const linked = await agent.post(`/staff/people/${known.personId}/tenancy`, { tenantId })
    expect(linked.status).toBe(303)
    expect(linked.location).toBe(`/staff/people/${known.personId}`)
    expect((await test.services.places.tenancyOf(known.personId))?.reference).toBe('LW-T-300002')
    const tenancyId = (await test.services.places.tenancyOf(known.personId))!.id
    expect(await auditOf('tenancy.link', tenancyId)).toContainEqual(
      expect.objectContaining({ actor_kind: 'staff', actor_id: staffId, details: { tenantId, personId: known.personId, verifiedBy: 'staff' } }),
    )
    // Once linked, the tenant's page goes to the person.
    expect((await agent.get(`/staff/people/new?tenant=${tenantId}`)).location).toBe(`/staff/people/${known.personId}`)
  })

  it('refuses recording and linking to staff who may only look', async () => {
    const serviceManager = await test.database.db.selectFrom('roles').select('id').where('code', '=', 'service-manager').executeTakeFirstOrThrow()
    await test.database.db.insertInto('role_permissions').values({ role_id: serviceManager.id, permission: 'people.view' }).execute()
    const { agent } = await staffWith(['service-manager'])
    const person = await signedInResident(test.database.db, { givenName: 'Look', familyName: 'Only' })
    const tenantId = (await test.database.db.selectFrom('tenants').select('id').where('given_name', '=', 'Kit0').executeTakeFirstOrThrow()).id

    const page = await agent.get(`/staff/people/${person.personId}`)
    expect(page.status).toBe(200)
    expect(page.page(`a[href="/staff/people/${person.personId}/raise"]`)).toHaveLength(0)
    expect((await agent.get('/staff/people/new')).status).toBe(403)
    expect((await agent.post('/staff/people/new', { givenName: 'Ann', familyName: 'Bee', contactPreference: 'email', email: 'ann.bee@example.com' })).status).toBe(403)
    expect((await agent.post(`/staff/people/${person.personId}/tenancy`, { tenantId })).status).toBe(403)
    expect(await test.services.places.tenancyOf(person.personId)).toBeUndefined()
  })
})
