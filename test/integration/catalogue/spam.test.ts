import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../support/app.ts'
import { Agent, errorSummary } from '../../support/agent.ts'
import { address, addressCsv, sessionCookie, signedInResident } from '../../support/places.ts'
import { submissionLimits } from '../../../src/modules/catalogue/submission-limits.ts'

const service = '/services/missed-bin'

describe('slowing spam on the forms residents send', () => {
  let test: TestApp
  beforeAll(async () => {
    test = await createTestApp()
    await test.services.catalogue.seedDefinitions()
    await test.services.places.importAddresses([addressCsv([address(7001, { postcode: 'LW2 1AB' })])])
  })
  afterAll(async () => {
    await test?.close()
  })

  /** A signed-in resident whose missed-bin form is answered up to check your answers. */
  async function readyToSend() {
    const resident = await signedInResident(test.database.db, { givenName: 'Jo', familyName: 'Bloggs' })
    const agent = new Agent(test.app)
    agent.setCookie(sessionCookie, resident.sessionToken)
    const answers: [string, Record<string, string | string[]>][] = [
      ['location', { location: 'property:7001', place: 'LW2 1AB' }],
      ['bins', { bins: 'rubbish' }],
      ['collection-date', { 'collection-date-day': '2', 'collection-date-month': '2', 'collection-date-year': '2026' }],
      ['out-in-time', { 'out-in-time': 'yes' }],
      ['collection-point', { 'collection-point': 'kerbside' }],
      ['details', {}],
      ['photo', {}],
    ]
    for (const [page, fields] of answers) {
      await agent.get(`${service}/${page}?place=LW2+1AB`)
      const answered = await agent.post(`${service}/${page}`, fields)
      expect(answered.status, `${page}: ${errorSummary(answered).join(', ')}`).toBe(303)
    }
    const check = await agent.get(`${service}/check-answers`)
    return { agent, personId: resident.personId, check }
  }

  const requestsOf = (personId: string) => test.database.db.selectFrom('requests').select('id').where('person_id', '=', personId).execute()
  const draftOf = (personId: string) => test.database.db.selectFrom('form_drafts').select('answers').where('person_id', '=', personId).executeTakeFirst()

  it('hides a field from people that a program filling in every field gives itself away by, and keeps the answers', async () => {
    const { agent, personId, check } = await readyToSend()
    expect(check.page('.app-honeypot[aria-hidden="true"] input[name="website"][tabindex="-1"]')).toHaveLength(1)
    const caught = await agent.post(`${service}/check-answers`, { website: 'https://spam.example' })
    expect(caught.status).toBe(400)
    expect(caught.page('h1').text()).toContain('We could not send your form')
    expect(await requestsOf(personId)).toEqual([])
    expect(await draftOf(personId)).toBeDefined()

    const sent = await agent.post(`${service}/check-answers`, { website: '' })
    expect(sent.status).toBe(303)
    expect(await requestsOf(personId)).toHaveLength(1)
  })

  it('slows one person sending form after form, saying when they can send again, and keeps the answers', async () => {
    const { agent, personId } = await readyToSend()
    await test.database.db
      .insertInto('rate_limit_counters')
      .values({ key: `form-submission:person:${personId}`, window_started_at: new Date(), hits: submissionLimits.perPerson.limit })
      .execute()
    const slowed = await agent.post(`${service}/check-answers`)
    expect(slowed.status).toBe(429)
    expect(Number(slowed.headers['retry-after'])).toBeGreaterThan(3500)
    expect(slowed.page('h1').text()).toContain('You have sent a lot of forms in a short time. Your answers are saved')
    expect(await requestsOf(personId)).toEqual([])
    expect(await draftOf(personId)).toBeDefined()
  })

  it('slows one internet address sending for many people', async () => {
    const { agent, personId } = await readyToSend()
    await test.database.db
      .insertInto('rate_limit_counters')
      .values({ key: 'form-submission:ip:127.0.0.1', window_started_at: new Date(), hits: submissionLimits.perAddress.limit })
      .onConflict((conflict) => conflict.column('key').doUpdateSet({ hits: submissionLimits.perAddress.limit, window_started_at: new Date() }))
      .execute()
    expect((await agent.post(`${service}/check-answers`)).status).toBe(429)
    expect(await requestsOf(personId)).toEqual([])
    await test.database.db.deleteFrom('rate_limit_counters').where('key', '=', 'form-submission:ip:127.0.0.1').execute()
    expect((await agent.post(`${service}/check-answers`)).status).toBe(303)
  })
})
