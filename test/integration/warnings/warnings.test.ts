import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Agent, errorSummary, type AgentResponse } from '../../support/agent.ts'
import { createTestApp, type TestApp } from '../../support/app.ts'
import { address, addressCsv, tenancyCsv, tenant } from '../../support/places.ts'
import { sessionCookie, sessionFor } from '../../support/sessions.ts'
import * as cheerio from 'cheerio'
import { createLogger } from '../../../src/lib/log.ts'
import { createTemplateEnvironment } from '../../../src/lib/http/views.ts'
import { translator } from '../../../src/lib/i18n/index.ts'
import { demoResidentPassword, demoResidents, demoStaff } from '../../../src/demo/accounts.ts'
import { demoTenancies } from '../../../src/demo/places.ts'
import { loadDemoWarnings } from '../../../src/demo/warnings.ts'
import { person, property, repairDefinition } from '../requests/factories.ts'

let test: TestApp
let counter = 0
let nextUprn = 9100
let fixitId: string
let otherContractorId: string
const nextYear = new Date().getUTCFullYear() + 1

beforeAll(async () => {
  test = await createTestApp()
  await test.services.identity.staff.ensureTeam('housing-repairs', 'Housing repairs')
  fixitId = await test.services.identity.staff.ensureContractor('fixit', 'Fixit Property Services')
  otherContractorId = await test.services.identity.staff.ensureContractor('other', 'Other Building Ltd')
  await test.services.catalogue.publishDefinition(repairDefinition())
})
afterAll(async () => {
  await test?.close()
})

async function staffMember(roleCodes: string[], contractorCode: string | null = null) {
  counter += 1
  return test.services.identity.staff.createStaffMember({
    name: `Staff ${counter}`,
    email: `warnings${counter}@lowerwendle.example.gov.uk`,
    password: null,
    roleCodes,
    teamCodes: contractorCode ? [] : ['housing-repairs'],
    contractorCode,
  })
}

async function signedIn(roleCodes: string[]) {
  const id = await staffMember(roleCodes)
  const agent = new Agent(test.app)
  agent.setCookie(sessionCookie, await sessionFor(test.database.db, { kind: 'staff', id }))
  return { id, agent }
}

async function repair(at: { personId?: string; propertyUprn?: number } = {}) {
  return test.services.requests.createRequest({
    serviceCode: 'test-repair',
    personId: at.personId ?? (await person(test.database.db)),
    propertyUprn: at.propertyUprn ?? (await property(test.database.db, nextUprn++)),
    answers: { problem: 'dripping-tap', details: 'Drips all night' },
    channel: 'web',
  })
}

const requestPage = (reference: string) => `/staff/requests/${reference}`
const warningsOn = (page: AgentResponse) => page.page('.app-warnings__item').map((_, item) => page.page(item).text().replace(/\s+/g, ' ').trim()).get()
const linkTo = (page: AgentResponse, text: string) => page.page('a').filter((_, link) => page.page(link).text().trim() === text).attr('href')

/** Follows the request page's own link to add a warning, fills in the form and sends it. */
async function addWarningFromRequestPage(agent: Agent, reference: string, about: 'person' | 'property', fields: Record<string, string>) {
  const page = await agent.get(requestPage(reference))
  const href = linkTo(page, about === 'person' ? 'Add a warning about this person' : 'Add a warning about this property')
  expect(href).toBeDefined()
  const form = await agent.get(href!)
  expect(form.status).toBe(200)
  const action = form.page('form[method="post"]').last().attr('action')!
  return agent.post(action, { returnTo: form.page('input[name="returnTo"]').attr('value')!, ...fields })
}

const auditFor = async (warningId: string) =>
  test.database.db.selectFrom('audit_events').select(['action', 'actor_id', 'details']).where('subject_type', '=', 'warning').where('subject_id', '=', warningId).orderBy('id').execute()

const currentWarningIds = async (about: { personId?: string; uprn?: number }) =>
  (
    await test.database.db
      .selectFrom('warnings')
      .select('id')
      .where('ended_at', 'is', null)
      .where(about.personId ? 'person_id' : 'property_uprn', '=', about.personId ?? about.uprn!)
      .execute()
  ).map((row) => row.id)

describe('warnings on the staff request page', () => {
  it('records a warning about a property from a request, shown there and on every request at that property', async () => {
    const { id: officerId, agent } = await signedIn(['officer'])
    const first = await repair()
    const { propertyUprn } = await test.services.requests.request(first.id)
    const second = await repair({ propertyUprn: propertyUprn! })
    const elsewhere = await repair()

    const saved = await addWarningFromRequestPage(agent, first.reference, 'property', {
      category: 'animal',
      description: 'Dog at property – ask for it to be kept in another room',
      'reviewOn-day': '1',
      'reviewOn-month': '3',
      'reviewOn-year': String(nextYear),
    })
    expect(saved.status).toBe(303)
    expect(saved.location).toBe(requestPage(first.reference))
    const back = await agent.follow(saved)
    expect(back.page('.govuk-notification-banner').text()).toContain('Warning added')
    expect(warningsOn(back)).toEqual([
      expect.stringContaining('Animal About this property: Dog at property – ask for it to be kept in another room'),
    ])
    expect(warningsOn(back)[0]).toContain(`Review by 1 March ${nextYear}`)
    expect(warningsOn(back)[0]).toContain('Recorded by Staff')

    expect(warningsOn(await agent.get(requestPage(second.reference)))).toEqual([expect.stringContaining('Dog at property')])
    expect(warningsOn(await agent.get(requestPage(elsewhere.reference)))).toEqual([])

    const [warningId] = await currentWarningIds({ uprn: propertyUprn! })
    expect(await auditFor(warningId!)).toEqual([
      { action: 'warning.record', actor_id: officerId, details: { about: 'property', uprn: propertyUprn, category: 'animal', reviewOn: `${nextYear}-03-01` } },
    ])
  })

  it('shows a warning about a person on all of that person’s requests, wherever they are', async () => {
    const { agent } = await signedIn(['team-lead'])
    const personId = await person(test.database.db, { givenName: 'Chris', familyName: 'Evans' })
    const first = await repair({ personId })
    const second = await repair({ personId })
    const someoneElse = await repair()

    const form = await agent.get(`/staff/people/${personId}/warnings/new?returnTo=${encodeURIComponent(requestPage(first.reference))}`)
    expect(form.page('h1').text().trim()).toBe('Add a warning about Chris Evans')
    const saved = await addWarningFromRequestPage(agent, first.reference, 'person', {
      category: 'risk-to-staff',
      description: 'Has been verbally abusive to staff. Visit in pairs.',
    })
    expect(saved.status).toBe(303)

    for (const reference of [first.reference, second.reference]) {
      expect(warningsOn(await agent.get(requestPage(reference)))).toEqual([
        expect.stringContaining('Risk to staff About this person: Has been verbally abusive to staff. Visit in pairs.'),
      ])
    }
    expect(warningsOn(await agent.get(requestPage(someoneElse.reference)))).toEqual([])
  })

  it('lists the most pressing warning first when a person and their home both have some', async () => {
    const { agent } = await signedIn(['officer'])
    const made = await repair()
    expect((await addWarningFromRequestPage(agent, made.reference, 'property', { category: 'animal', description: 'Cat, keep doors shut' })).status).toBe(303)
    expect((await addWarningFromRequestPage(agent, made.reference, 'person', { category: 'vulnerable-person', description: 'Call ahead; needs time to answer the door' })).status).toBe(303)
    expect(warningsOn(await agent.get(requestPage(made.reference)))).toEqual([
      expect.stringContaining('Vulnerable person About this person'),
      expect.stringContaining('Animal About this property'),
    ])
  })

  it('hides warnings from staff whose role does not let them see warnings, even when they can see the request', async () => {
    const { agent: officer } = await signedIn(['officer'])
    const made = await repair()
    expect((await addWarningFromRequestPage(officer, made.reference, 'property', { category: 'risk-to-staff', description: 'Unsafe floor in kitchen' })).status).toBe(303)

    const { agent: moderator } = await signedIn(['moderator'])
    const page = await moderator.get(requestPage(made.reference))
    expect(page.status).toBe(200)
    expect(page.body).not.toContain('Unsafe floor in kitchen')
    expect(warningsOn(page)).toEqual([])
    expect(linkTo(page, 'Add a warning about this property')).toBeUndefined()

    const { agent: contactCentre } = await signedIn(['contact-centre-agent'])
    const seen = await contactCentre.get(requestPage(made.reference))
    expect(warningsOn(seen)).toEqual([expect.stringContaining('Unsafe floor in kitchen')])
    expect(linkTo(seen, 'Add a warning about this property')).toBeUndefined()
    expect(seen.page('a').filter((_, link) => seen.page(link).text().includes('End this warning')).length).toBe(0)
  })
})

describe('recording a warning', () => {
  it('refuses staff without the permission to record warnings, and saves nothing', async () => {
    const made = await repair()
    const { propertyUprn, personId } = await test.services.requests.request(made.id)
    for (const role of ['contact-centre-agent', 'moderator']) {
      const { agent } = await signedIn([role])
      await agent.get(requestPage(made.reference))
      expect((await agent.get(`/staff/properties/${propertyUprn}/warnings/new`)).status).toBe(403)
      expect((await agent.get(`/staff/people/${personId}/warnings/new`)).status).toBe(403)
      const posted = await agent.post(`/staff/properties/${propertyUprn}/warnings/new`, { category: 'animal', description: 'Dog' })
      expect(posted.status).toBe(403)
    }
    expect(await currentWarningIds({ uprn: propertyUprn! })).toEqual([])
  })

  it('sends someone not signed in to sign in', async () => {
    const response = await new Agent(test.app).get('/staff/properties/123/warnings/new')
    expect(response.status).toBe(302)
    expect(response.location).toMatch(/^\/staff\/sign-in\?returnTo=/)
  })

  it('shows every problem in the error summary, keeping what was typed, and saves nothing', async () => {
    const { agent } = await signedIn(['officer'])
    const made = await repair()
    const { propertyUprn } = await test.services.requests.request(made.id)
    const refused = await addWarningFromRequestPage(agent, made.reference, 'property', {
      category: '',
      description: 'Gas meter in the loft hatch',
      'reviewOn-day': '31',
      'reviewOn-month': '2',
      'reviewOn-year': String(nextYear),
    })
    expect(refused.status).toBe(400)
    expect(errorSummary(refused)).toEqual(['Select what the warning is about', 'Review date must be a real date'])
    expect(refused.page('title').text()).toMatch(/^Error:/)
    expect(refused.page('textarea#description').text()).toBe('Gas meter in the loft hatch')
    expect(refused.page('input#reviewOn-day').attr('value')).toBe('31')
    expect(refused.page('input[name="returnTo"]').attr('value')).toBe(requestPage(made.reference))
    expect(refused.page('.govuk-error-summary a').first().attr('href')).toBe('#category')

    const tooLong = await agent.post(`/staff/properties/${propertyUprn}/warnings/new`, { category: 'other', description: 'x'.repeat(1001), 'reviewOn-year': String(nextYear) })
    expect(tooLong.status).toBe(400)
    expect(errorSummary(tooLong)).toEqual([
      'What someone visiting or phoning needs to know must be 1,000 characters or fewer',
      'Review date must include a day and month',
    ])
    expect(tooLong.page('.govuk-error-summary a').last().attr('href')).toBe('#reviewOn-day')
    expect(tooLong.page('input#reviewOn-year').hasClass('govuk-input--error')).toBe(false)
    expect(tooLong.page('input#reviewOn-month').hasClass('govuk-input--error')).toBe(true)

    const past = await agent.post(`/staff/properties/${propertyUprn}/warnings/new`, {
      category: 'other',
      description: 'Gas meter in the loft hatch',
      'reviewOn-day': '1',
      'reviewOn-month': '1',
      'reviewOn-year': '2020',
    })
    expect(errorSummary(past)).toEqual(['Review date must be in the future'])
    expect(await currentWarningIds({ uprn: propertyUprn! })).toEqual([])
  })

  it('goes back only to a page on the staff site', async () => {
    const { agent } = await signedIn(['officer'])
    const made = await repair()
    const { propertyUprn } = await test.services.requests.request(made.id)
    await agent.get(`/staff/properties/${propertyUprn}/warnings/new?returnTo=https://evil.example/`)
    const saved = await agent.post(`/staff/properties/${propertyUprn}/warnings/new`, { category: 'animal', description: 'Dog', returnTo: '//evil.example/' })
    expect(saved.status).toBe(303)
    expect(saved.location).toBe('/staff')
  })

  it('says there is no such page for a person or property the council does not hold', async () => {
    const { agent } = await signedIn(['officer'])
    expect((await agent.get('/staff/properties/999999999/warnings/new')).status).toBe(404)
    expect((await agent.get('/staff/properties/not-a-uprn/warnings/new')).status).toBe(404)
    expect((await agent.get('/staff/people/5b0c1f7e-0000-4000-8000-000000000000/warnings/new')).status).toBe(404)
    expect((await agent.get('/staff/people/not-a-person/warnings/new')).status).toBe(404)
  })

  it('refuses a form sent without its CSRF token', async () => {
    const { agent } = await signedIn(['officer'])
    const made = await repair()
    const { propertyUprn } = await test.services.requests.request(made.id)
    await agent.get(`/staff/properties/${propertyUprn}/warnings/new`)
    const forged = await agent.post(`/staff/properties/${propertyUprn}/warnings/new`, { category: 'animal', description: 'Dog' }, { csrf: null })
    expect(forged.status).toBe(403)
    expect(await currentWarningIds({ uprn: propertyUprn! })).toEqual([])
  })
})

describe('ending a warning', () => {
  it('asks why, then hides the warning everywhere but keeps it on record, and audits it', async () => {
    const { id: officerId, agent } = await signedIn(['officer'])
    const made = await repair()
    const { propertyUprn } = await test.services.requests.request(made.id)
    await addWarningFromRequestPage(agent, made.reference, 'property', { category: 'animal', description: 'Two dogs in the garden' })
    const [warningId] = await currentWarningIds({ uprn: propertyUprn! })

    const page = await agent.get(requestPage(made.reference))
    const endHref = linkTo(page, 'End this warning about the property: Animal')
    expect(endHref).toBe(`/staff/warnings/${warningId}/end?returnTo=${encodeURIComponent(requestPage(made.reference))}`)
    const confirm = await agent.get(endHref!)
    expect(confirm.status).toBe(200)
    expect(confirm.page('.govuk-summary-list').text()).toContain('Two dogs in the garden')

    const noReason = await agent.post(`/staff/warnings/${warningId}/end`, { reason: '  ', returnTo: requestPage(made.reference) })
    expect(noReason.status).toBe(400)
    expect(errorSummary(noReason)).toEqual(['Enter why the warning is no longer needed'])
    expect(await currentWarningIds({ uprn: propertyUprn! })).toEqual([warningId])

    const ended = await agent.post(`/staff/warnings/${warningId}/end`, { reason: 'The dogs have been rehomed', returnTo: requestPage(made.reference) })
    expect(ended.status).toBe(303)
    expect(ended.location).toBe(requestPage(made.reference))
    const after = await agent.follow(ended)
    expect(after.page('.govuk-notification-banner').text()).toContain('Warning ended')
    expect(warningsOn(after)).toEqual([])

    const kept = await test.database.db.selectFrom('warnings').selectAll().where('id', '=', warningId!).executeTakeFirstOrThrow()
    expect(kept).toMatchObject({ description: 'Two dogs in the garden', ended_by: officerId, end_reason: 'The dogs have been rehomed' })
    expect(kept.ended_at).toBeInstanceOf(Date)
    expect((await auditFor(warningId!)).map((entry) => entry.action)).toEqual(['warning.record', 'warning.end'])
    expect((await auditFor(warningId!))[1]).toMatchObject({ actor_id: officerId, details: { about: 'property', category: 'animal' } })

    const again = await agent.post(`/staff/warnings/${warningId}/end`, { reason: 'Twice', returnTo: requestPage(made.reference) })
    expect(again.status).toBe(409)
    expect((await agent.get(`/staff/warnings/${warningId}/end`)).status).toBe(409)
    expect((await auditFor(warningId!)).length).toBe(2)
  })

  it('refuses staff without the permission to manage warnings', async () => {
    const { agent: officer } = await signedIn(['officer'])
    const made = await repair()
    const { propertyUprn } = await test.services.requests.request(made.id)
    await addWarningFromRequestPage(officer, made.reference, 'property', { category: 'other', description: 'Key safe by the back door' })
    const [warningId] = await currentWarningIds({ uprn: propertyUprn! })

    const { agent } = await signedIn(['contact-centre-agent'])
    await agent.get(requestPage(made.reference))
    expect((await agent.get(`/staff/warnings/${warningId}/end`)).status).toBe(403)
    expect((await agent.post(`/staff/warnings/${warningId}/end`, { reason: 'Not needed' })).status).toBe(403)
    expect(await currentWarningIds({ uprn: propertyUprn! })).toEqual([warningId])
  })

  it('says there is no such warning for an unknown one', async () => {
    const { agent } = await signedIn(['officer'])
    expect((await agent.get('/staff/warnings/5b0c1f7e-0000-4000-8000-000000000000/end')).status).toBe(404)
    expect((await agent.get('/staff/warnings/nonsense/end')).status).toBe(404)
  })
})

describe('warnings for a job', () => {
  it('shows a contractor’s operative the warnings only for a job assigned to their contractor', async () => {
    const officer = await test.services.identity.staff.accessFor(await staffMember(['officer']))
    const operative = await test.services.identity.staff.accessFor(await staffMember(['contractor-operative'], 'fixit'))
    const made = await repair()
    const record = await test.services.requests.request(made.id)
    const subject = { kind: 'property' as const, uprn: record.propertyUprn! }
    await test.services.warnings.record(subject, { category: 'animal', description: 'Dog', reviewDay: '', reviewMonth: '', reviewYear: '' }, officer!)
    await test.services.warnings.record(
      { kind: 'person', personId: record.personId },
      { category: 'health-condition', description: 'Uses oxygen: no naked flames', reviewDay: '', reviewMonth: '', reviewYear: '' },
      officer!,
    )

    expect(await test.services.warnings.warningsForJob(record, operative!)).toEqual([])

    await test.services.requests.assign(made.id, { teamId: null, staffId: null, contractorId: otherContractorId }, { actor: { kind: 'staff', id: officer!.id }, expectedRowVersion: record.rowVersion })
    expect(await test.services.warnings.warningsForJob(await test.services.requests.request(made.id), operative!)).toEqual([])

    const reassigned = await test.services.requests.request(made.id)
    await test.services.requests.assign(made.id, { teamId: null, staffId: null, contractorId: fixitId }, { actor: { kind: 'staff', id: officer!.id }, expectedRowVersion: reassigned.rowVersion })
    const job = await test.services.requests.request(made.id)
    const seen = await test.services.warnings.warningsForJob(job, operative!)
    expect(seen.map((warning) => [warning.subject.kind, warning.category, warning.description])).toEqual([
      ['person', 'health-condition', 'Uses oxygen: no naked flames'],
      ['property', 'animal', 'Dog'],
    ])

    const environment = createTemplateEnvironment(test.config)
    environment.addGlobal('t', translator('en'))
    const jobPage = cheerio.load(environment.render('warnings/views/job-warnings.njk', { jobWarnings: seen }))
    expect(jobPage('h2').text()).toBe('Before you go')
    expect(jobPage('.app-warnings__item').map((_, item) => jobPage(item).text().replace(/\s+/g, ' ').trim()).get()).toEqual([
      expect.stringContaining('Health condition About this person: Uses oxygen: no naked flames'),
      expect.stringContaining('Animal About this property: Dog'),
    ])
    expect(jobPage('a').length).toBe(0)
    expect(environment.render('warnings/views/job-warnings.njk', { jobWarnings: [] }).trim()).toBe('')

    await expect(test.services.warnings.currentForProperty(subject.uprn, operative!)).rejects.toThrow('permission')
    await expect(test.services.warnings.record(subject, { category: 'animal', description: 'Dog', reviewDay: '', reviewMonth: '', reviewYear: '' }, operative!)).rejects.toThrow('permission')
  })
})

describe('the demo council’s warnings', () => {
  it('puts a warning on the first demo tenancy’s home and on a demo resident, recorded by the repairs officer', async () => {
    const homeUprn = 9_990_001
    await test.services.places.importAddresses([addressCsv([address(homeUprn)])])
    await test.services.places.importTenancies([tenancyCsv([tenant(demoTenancies[0].reference, homeUprn)])])
    const officer = demoStaff[2]
    const officerId = await test.services.identity.staff.createStaffMember({ ...officer, roleCodes: [...officer.roleCodes], teamCodes: [...officer.teamCodes], password: null })
    const { personId } = await test.services.identity.residents.createVerifiedResident({ ...demoResidents[1], password: demoResidentPassword })

    await loadDemoWarnings({ config: test.config, db: test.database.db, logger: createLogger('silent') }, test.services)

    const officerAccess = (await test.services.identity.staff.accessFor(officerId))!
    const atHome = await test.services.warnings.currentForProperty(homeUprn, officerAccess)
    expect(atHome.map((warning) => [warning.category, warning.description, warning.recordedBy.id])).toEqual([
      ['animal', 'Dog at property – ask for it to be kept in another room before going in.', officerId],
    ])
    const aboutPerson = await test.services.warnings.currentForPerson(personId, officerAccess)
    expect(aboutPerson.map((warning) => warning.category)).toEqual(['health-condition'])
    expect(aboutPerson[0]!.reviewOn! > new Date().toISOString().slice(0, 10)).toBe(true)
  })
})
