import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { createTestApp, type TestApp } from '../../support/app.ts'
import { Agent, errorSummary } from '../../support/agent.ts'
import { address, addressCsv, sessionCookie, signedInResident, tenancyCsv, tenant } from '../../support/places.ts'

describe('linking an account to a tenancy', () => {
  let test: TestApp
  beforeAll(async () => {
    test = await createTestApp()
    await test.services.places.importAddresses([
      addressCsv([address(1001, { postcode: 'LW1 5UP' }), address(1002, { postcode: 'LW1 5UP' }), address(1003, { postcode: 'LW2 1AB' }), address(1004, { postcode: 'LW2 1AB' })]),
    ])
    await test.services.places.importTenancies([
      tenancyCsv([
        tenant('LW-T-000001', 1001, { given_name: 'Alex', family_name: 'Morgan', date_of_birth: '1985-03-14' }),
        tenant('LW-T-000002', 1002, { given_name: 'Priya', family_name: 'Shah', date_of_birth: '1979-11-02' }),
        tenant('LW-T-000002', 1002, { given_name: 'Daniel', family_name: 'Shah', date_of_birth: '1977-06-21' }),
        tenant('LW-T-000004', 1004, { given_name: 'Mallory', family_name: 'Guess', date_of_birth: '1990-05-05' }),
        tenant('LW-T-000009', 1003, { given_name: 'Ruth', family_name: 'Hall', date_of_birth: '1950-01-01', start_date: '2001-01-01', end_date: '2010-01-01' }),
      ]),
    ])
  })
  afterAll(async () => {
    await test?.close()
  })

  async function residentAgent(givenName: string, familyName: string) {
    const resident = await signedInResident(test.database.db, { givenName, familyName })
    const agent = new Agent(test.app)
    agent.setCookie(sessionCookie, resident.sessionToken)
    return { agent, personId: resident.personId }
  }

  const details = (reference: string, postcode: string, [day, month, year]: [string, string, string]) => ({
    reference,
    postcode,
    'dateOfBirth-day': day,
    'dateOfBirth-month': month,
    'dateOfBirth-year': year,
  })

  it('sends someone who is not signed in to sign in first', async () => {
    const response = await new Agent(test.app).get('/account/tenancy')
    expect(response.status).toBe(302)
    expect(response.location).toBe('/sign-in?returnTo=%2Faccount%2Ftenancy')
  })

  it('links a tenancy with the right details, audits it and shows it', async () => {
    const { agent, personId } = await residentAgent('Alex', 'Morgan')
    const form = await agent.get('/account/tenancy')
    expect(form.page('h1').text()).toBe('Link your tenancy')
    const response = await agent.post('/account/tenancy', details(' lw-t-000001 ', 'lw15up', ['14', '3', '1985']))
    expect(response.status).toBe(303)
    const page = await agent.follow(response)
    expect(page.page('h1').text()).toBe('Your tenancy')
    expect(page.page('.govuk-notification-banner').text()).toContain('Your tenancy is now linked to your account.')
    expect(page.page('.govuk-summary-list').text()).toContain('LW-T-000001')
    expect(page.page('.govuk-summary-list').text()).toContain('1 Mill Lane')

    const tenancy = await test.services.places.tenancyOf(personId)
    expect(tenancy).toMatchObject({ reference: 'LW-T-000001', address: { uprn: 1001, postcode: 'LW1 5UP' }, tenants: [{ givenName: 'Alex', familyName: 'Morgan' }] })
    const linked = await test.database.db.selectFrom('tenants').select(['person_id', 'linked_at']).where('given_name', '=', 'Alex').executeTakeFirstOrThrow()
    expect(linked.person_id).toBe(personId)
    expect(linked.linked_at).toBeInstanceOf(Date)
    const audit = await test.database.db.selectFrom('audit_events').selectAll().where('action', '=', 'tenancy.link').execute()
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({ actor_kind: 'resident', actor_id: personId, subject_type: 'tenancy', subject_id: tenancy!.id })

    const again = await agent.get('/account/tenancy')
    expect(again.page('.govuk-notification-banner').length).toBe(0)
  })

  it('checks the form fields before trying to match, without counting a wrong try', async () => {
    const { agent, personId } = await residentAgent('Sam', 'Field')
    await agent.get('/account/tenancy')
    const response = await agent.post('/account/tenancy', details('', 'LW1', ['31', '2', '']))
    expect(response.status).toBe(400)
    expect(errorSummary(response)).toEqual(['Enter your tenancy reference', 'Enter a real postcode, like LW1 4QT', 'Date of birth must include a year'])
    const notReal = await agent.post('/account/tenancy', details('LW-T-000001', 'LW1 5UP', ['31', '2', '1985']))
    expect(errorSummary(notReal)).toEqual(['Date of birth must be a real date'])
    expect(notReal.page('#dateOfBirth-day').attr('value')).toBe('31')
    expect(await test.services.places.tenancyLinkingLock(personId)).toBeUndefined()
  })

  it('refuses wrong details without saying which, and pauses linking after three wrong tries', async () => {
    const { agent, personId } = await residentAgent('Mallory', 'Guess')
    await agent.get('/account/tenancy')
    const first = await agent.post('/account/tenancy', details('LW-T-000002', 'LW1 5UP', ['1', '1', '1980']))
    expect(first.status).toBe(400)
    expect(errorSummary(first)).toEqual([
      'The details you entered do not match a current council tenancy. Check them and try again. You have 2 more tries before linking is paused for an hour.',
    ])
    const second = await agent.post('/account/tenancy', details('LW-T-000002', 'LW2 1AB', ['2', '11', '1979']))
    expect(errorSummary(second)[0]).toContain('You have 1 more try before linking is paused')
    const third = await agent.post('/account/tenancy', details('LW-T-999999', 'LW1 5UP', ['2', '11', '1979']))
    expect(third.status).toBe(429)
    expect(errorSummary(third)[0]).toMatch(/^You have entered the wrong details too many times\. You can try again after .*\d(am|pm)\.$/)

    // Even the right details are refused while linking is paused.
    const right = await agent.post('/account/tenancy', details('LW-T-000002', 'LW1 5UP', ['2', '11', '1979']))
    expect(right.status).toBe(429)
    const page = await agent.get('/account/tenancy')
    expect(errorSummary(page)[0]).toContain('You have entered the wrong details too many times')
    expect(await test.services.places.tenancyOf(personId)).toBeUndefined()

    // When the hour is up, the right details work.
    await sql`update rate_limit_counters set window_started_at = now() - interval '61 minutes' where key = ${`tenancy-link:person:${personId}`}`.execute(
      test.database.db,
    )
    const later = await agent.post('/account/tenancy', details('LW-T-000004', 'LW2 1AB', ['5', '5', '1990']))
    expect(later.status).toBe(303)
  })

  it('does not link an ended tenancy', async () => {
    const { agent } = await residentAgent('Ruth', 'Hall')
    await agent.get('/account/tenancy')
    const response = await agent.post('/account/tenancy', details('LW-T-000009', 'LW2 1AB', ['1', '1', '1950']))
    expect(response.status).toBe(400)
    expect(errorSummary(response)[0]).toContain('do not match a current council tenancy')
  })

  it('lets each named tenant of a joint tenancy link their own account, but nobody take over a linked tenant', async () => {
    const priya = await residentAgent('Priya', 'Shah')
    const daniel = await residentAgent('Daniel', 'Shah')
    const someoneElse = await residentAgent('Eve', 'Other')

    await priya.agent.get('/account/tenancy')
    expect((await priya.agent.post('/account/tenancy', details('LW-T-000002', 'LW1 5UP', ['2', '11', '1979']))).status).toBe(303)
    await daniel.agent.get('/account/tenancy')
    expect((await daniel.agent.post('/account/tenancy', details('LW-T-000002', 'LW1 5UP', ['21', '6', '1977']))).status).toBe(303)
    expect((await test.services.places.tenancyOf(daniel.personId))?.tenants.map((person) => person.givenName)).toEqual(['Daniel', 'Priya'])
    expect((await test.services.places.tenancyOf(priya.personId))?.reference).toBe('LW-T-000002')

    // Someone who has learnt a tenant's details cannot take over their link; the refusal is audited.
    await someoneElse.agent.get('/account/tenancy')
    const takeover = await someoneElse.agent.post('/account/tenancy', details('LW-T-000002', 'LW1 5UP', ['21', '6', '1977']))
    expect(takeover.status).toBe(409)
    expect(errorSummary(takeover)[0]).toContain('already linked to another account')
    expect(await test.services.places.tenancyOf(someoneElse.personId)).toBeUndefined()
    const refusal = await test.database.db.selectFrom('audit_events').selectAll().where('action', '=', 'tenancy.link-refused').execute()
    expect(refusal).toMatchObject([{ actor_id: someoneElse.personId, subject_type: 'tenancy' }])
  })

  it('linking again with the same details is harmless', async () => {
    const { agent, personId } = await residentAgent('Alex', 'Morgan')
    await test.database.db.updateTable('tenants').set({ person_id: null, linked_at: null }).where('given_name', '=', 'Alex').execute()
    await agent.get('/account/tenancy')
    expect((await agent.post('/account/tenancy', details('LW-T-000001', 'LW1 5UP', ['14', '3', '1985']))).status).toBe(303)
    const repeat = await test.services.places.linkTenancy(personId, { reference: 'LW-T-000001', postcode: 'LW1 5UP', day: '14', month: '3', year: '1985' })
    expect(repeat.reference).toBe('LW-T-000001')
  })
})
