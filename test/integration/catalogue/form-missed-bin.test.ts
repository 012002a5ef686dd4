import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../support/app.ts'
import { Agent, errorSummary, type AgentResponse } from '../../support/agent.ts'
import { address, addressCsv, sessionCookie, signedInResident } from '../../support/places.ts'

const service = '/services/missed-bin'

describe('the form engine with a residents service: a missed bin', () => {
  let test: TestApp
  beforeAll(async () => {
    test = await createTestApp()
    await test.services.catalogue.seedDefinitions()
    await test.services.places.importAddresses([addressCsv([address(7001, { postcode: 'LW2 1AB' }), address(7002, { postcode: 'LW2 1AB' })])])
  })
  afterAll(async () => {
    await test?.close()
  })

  async function signedIn() {
    const resident = await signedInResident(test.database.db, { givenName: 'Jo', familyName: 'Bloggs' })
    const agent = new Agent(test.app)
    agent.setCookie(sessionCookie, resident.sessionToken)
    return { agent, personId: resident.personId }
  }

  async function answer(agent: Agent, pageId: string, fields: Record<string, string | string[]>): Promise<AgentResponse> {
    await agent.get(`${service}/${pageId}`)
    const response = await agent.post(`${service}/${pageId}`, fields)
    expect(response.status, `answering ${pageId}: ${errorSummary(response).join(', ')}`).toBe(303)
    return response
  }

  async function chooseLocation(agent: Agent) {
    const search = await agent.get(`${service}/location?place=lw21ab`)
    expect(search.page('h1').text()).toBe('Where was the bin left for collection?')
    expect(search.page('input[name="location"]').map((_, input) => search.page(input).attr('value')).get()).toEqual([
      'street:48100001',
      'property:7001',
      'property:7002',
    ])
    return agent.post(`${service}/location`, { location: 'property:7001', place: 'LW2 1AB' })
  }

  it('finds the place by postcode and goes on to a reference', async () => {
    const { agent, personId } = await signedIn()
    const located = await chooseLocation(agent)
    expect(located.location).toBe(`${service}/bins`)
    await answer(agent, 'bins', { bins: ['rubbish', 'recycling'] })
    await answer(agent, 'collection-date', { 'collection-date-day': '2', 'collection-date-month': 'feb', 'collection-date-year': '2026' })
    await answer(agent, 'out-in-time', { 'out-in-time': 'yes' })
    await answer(agent, 'collection-point', { 'collection-point': 'kerbside' })
    await answer(agent, 'details', {})
    const last = await answer(agent, 'photo', {})
    expect(last.location).toBe(`${service}/check-answers`)

    const check = await agent.get(`${service}/check-answers`)
    const text = check.page('.govuk-summary-list').text()
    expect(text).toContain('1 Mill Lane')
    expect(text).toContain('2 February 2026')
    expect(text).toContain('General rubbish')

    const sent = await agent.post(`${service}/check-answers`)
    const confirmation = await agent.follow(sent)
    const request = await test.database.db.selectFrom('requests').selectAll().where('person_id', '=', personId).executeTakeFirstOrThrow()
    expect(confirmation.page('.app-reference').text()).toBe(request.reference)
    expect(request.answers.location).toMatchObject({ description: expect.stringContaining('1 Mill Lane') })
  })

  it('explains a search that cannot be made or finds nothing, and a place that was not chosen', async () => {
    const { agent } = await signedIn()
    const empty = await agent.get(`${service}/location?place=+`)
    expect(empty.page('#place-error').text()).toContain('Enter a street name or postcode')
    const nothingFound = await agent.get(`${service}/location?place=nonsense`)
    expect(nothingFound.page('main').text()).toContain('We could not find a street or postcode matching ‘nonsense’ in our area')
    await agent.get(`${service}/location?place=LW2 1AB`)
    const nothingChosen = await agent.post(`${service}/location`, { place: 'LW2 1AB' })
    expect(nothingChosen.status).toBe(400)
    expect(errorSummary(nothingChosen)).toEqual(['Choose where the bin was left'])
    expect(nothingChosen.page('input[name="location"]')).toHaveLength(3)
    const tampered = await agent.post(`${service}/location`, { location: 'property:999999', place: 'LW2 1AB' })
    expect(errorSummary(tampered)).toEqual(['Mark the place on the map, or search and select a street or address from the list'])
  })

  it('links each date error to the part of the date to correct', async () => {
    const { agent } = await signedIn()
    await chooseLocation(agent)
    await answer(agent, 'bins', { bins: 'food-waste' })
    await agent.get(`${service}/collection-date`)
    const noMonth = await agent.post(`${service}/collection-date`, { 'collection-date-day': '2', 'collection-date-month': '', 'collection-date-year': '2026' })
    expect(errorSummary(noMonth)).toEqual(['The date must include a month'])
    expect(noMonth.page('.govuk-error-summary a').attr('href')).toBe('#collection-date-month')
    expect(noMonth.page('#collection-date-month').hasClass('govuk-input--error')).toBe(true)
    expect(noMonth.page('#collection-date-day').hasClass('govuk-input--error')).toBe(false)
    const future = await agent.post(`${service}/collection-date`, { 'collection-date-day': '1', 'collection-date-month': '1', 'collection-date-year': '2099' })
    expect(errorSummary(future)).toEqual(['The date must be today or in the past'])
  })

  it('stops at the advice for a bin put out late, with no request made', async () => {
    const { agent, personId } = await signedIn()
    await chooseLocation(agent)
    await answer(agent, 'bins', { bins: 'rubbish' })
    await answer(agent, 'collection-date', { 'collection-date-day': '2', 'collection-date-month': '2', 'collection-date-year': '2026' })
    const late = await answer(agent, 'out-in-time', { 'out-in-time': 'no' })
    expect(late.location).toBe(`${service}/put-out-late`)
    const advice = await agent.follow(late)
    expect(advice.page('h1').text()).toBe('We cannot come back for bins put out after 6am')
    expect((await agent.post(`${service}/check-answers`)).location).toBe(`${service}/put-out-late`)
    expect(await test.database.db.selectFrom('requests').selectAll().where('person_id', '=', personId).execute()).toEqual([])
  })
})
