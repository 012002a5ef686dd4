import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Agent, errorSummary } from '../../support/agent.ts'
import { createTestApp, type TestApp } from '../../support/app.ts'
import { sessionCookie, signedInResident } from '../../support/places.ts'
import { repairDefinition, staffMember } from './factories.ts'

describe('a resident’s own requests', () => {
  let test: TestApp
  let officer: string

  beforeAll(async () => {
    test = await createTestApp()
    await test.services.catalogue.publishDefinition(repairDefinition())
    officer = await staffMember(test.database.db)
  })
  afterAll(async () => {
    await test?.close()
  })

  async function resident(givenName = 'Alex', familyName = 'Morgan') {
    const { personId, sessionToken } = await signedInResident(test.database.db, { givenName, familyName })
    const agent = new Agent(test.app)
    agent.setCookie(sessionCookie, sessionToken)
    return { personId, agent }
  }

  async function reportRepair(personId: string, details = 'Drips all night') {
    return test.services.requests.createRequest({
      serviceCode: 'test-repair',
      personId,
      propertyUprn: null,
      answers: { problem: 'dripping-tap', details },
      channel: 'web',
    })
  }

  const staff = () => ({ kind: 'staff' as const, id: officer })

  async function staffChange(id: string, type: 'triage' | 'schedule' | 'start-work' | 'complete') {
    const { rowVersion } = await test.services.requests.request(id)
    await test.services.requests.changeStatus(id, { type }, { actor: staff(), expectedRowVersion: rowVersion })
  }

  const timelineTitles = (page: Awaited<ReturnType<Agent['get']>>) =>
    page.page('.app-resident-timeline h3').map((_, heading) => page.page(heading).text().trim()).get()

  it('sends someone who is not signed in to sign in first', async () => {
    const response = await new Agent(test.app).get('/account/requests')
    expect(response.status).toBe(302)
    expect(response.location).toBe('/sign-in?returnTo=%2Faccount%2Frequests')
  })

  it('lists only the resident’s own requests, with their service, status and dates', async () => {
    const alex = await resident()
    const priya = await resident('Priya', 'Shah')
    const own = await reportRepair(alex.personId)
    const theirs = await reportRepair(priya.personId)

    const page = await alex.agent.get('/account/requests')
    expect(page.status).toBe(200)
    expect(page.page('h1').text()).toBe('Your requests')
    const row = page.page('tbody tr').first()
    expect(row.find('td').map((_, cell) => page.page(cell).text().trim()).get()).toEqual([
      own.reference,
      'Report a repair',
      'reported',
      expect.stringMatching(/^\d{1,2} \w+ \d{4}$/),
      expect.stringMatching(/^\d{1,2} \w+ \d{4}$/),
    ])
    expect(page.page('tbody tr')).toHaveLength(1)
    expect(page.body).not.toContain(theirs.reference)
  })

  it('says so when the resident has made no requests', async () => {
    const { agent } = await resident()
    const page = await agent.get('/account/requests')
    expect(page.page('main').text()).toContain('You have not made any requests yet.')
  })

  it('treats another resident’s reference as not found, never forbidden', async () => {
    const alex = await resident()
    const priya = await resident('Priya', 'Shah')
    const own = await reportRepair(alex.personId)
    const theirs = await reportRepair(priya.personId)

    expect((await alex.agent.get(`/account/requests/${theirs.reference}`)).status).toBe(404)
    expect((await alex.agent.get(`/account/requests/${theirs.reference}/cancel`)).status).toBe(404)
    expect((await alex.agent.get('/account/requests/GH-ZZZZ-ZZZZ')).status).toBe(404)
    expect((await alex.agent.get('/account/requests/not-a-reference')).status).toBe(404)

    // A token from the resident's own page, so only the ownership check stands in the way.
    await alex.agent.get(`/account/requests/${own.reference}`)
    expect((await alex.agent.post(`/account/requests/${theirs.reference}/information`, { information: 'Mine now' })).status).toBe(404)
    expect((await alex.agent.post(`/account/requests/${theirs.reference}/cancel`)).status).toBe(404)
    expect((await alex.agent.post(`/account/requests/${theirs.reference}/satisfaction`, { rating: 'satisfied' })).status).toBe(404)
    const timeline = await test.services.requests.timeline(theirs.id, { audience: 'staff' })
    expect(timeline.map((entry) => entry.kind)).toEqual(['status-change'])
    expect((await test.services.requests.request(theirs.id)).state.status).toBe('reported')
  })

  it('shows the public timeline and hides internal notes', async () => {
    const { personId, agent } = await resident()
    const { id, reference } = await reportRepair(personId)
    await test.services.requests.addNote(id, { actor: staff(), body: 'Tenant was short with the call handler', visibility: 'internal' })
    await test.services.requests.addNote(id, { actor: staff(), body: 'A plumber will call to arrange a visit', visibility: 'public' })
    await staffChange(id, 'triage')

    const page = await agent.get(`/account/requests/${reference}`)
    expect(page.status).toBe(200)
    expect(page.page('h1').text()).toBe('Report a repair')
    expect(timelineTitles(page)).toEqual(['Status changed to: triaged', 'Update from us', 'Request received'])
    expect(page.body).toContain('A plumber will call to arrange a visit')
    expect(page.body).not.toContain('short with the call handler')
    expect(page.page('.govuk-summary-list').text()).toContain('Drips all night')
    expect(page.page('.govuk-summary-list').text()).toContain('A dripping tap')
  })

  it('adds the resident’s information to the timeline, and asks for some when none is given', async () => {
    const { personId, agent } = await resident()
    const { id, reference } = await reportRepair(personId)

    await agent.get(`/account/requests/${reference}`)
    const empty = await agent.post(`/account/requests/${reference}/information`, { information: '   ' })
    expect(empty.status).toBe(400)
    expect(errorSummary(empty)).toEqual(['Enter the information you want to add, or choose a photo'])

    const added = await agent.post(`/account/requests/${reference}/information`, { information: 'It now drips onto the socket below' })
    expect(added.status).toBe(302)
    expect(added.location).toBe(`/account/requests/${reference}`)
    const page = await agent.follow(added)
    expect(page.page('.govuk-notification-banner--success').text()).toContain('We have added your information')
    expect(timelineTitles(page)[0]).toBe('You added information')
    expect(page.page('.app-resident-timeline').text()).toContain('It now drips onto the socket below')
    const timeline = await test.services.requests.timeline(id, { audience: 'staff' })
    expect(timeline.at(-1)).toMatchObject({ kind: 'information-added', visibility: 'public', body: 'It now drips onto the socket below' })
  })

  it('refuses a form sent without its CSRF token', async () => {
    const { personId, agent } = await resident()
    const { id, reference } = await reportRepair(personId)
    await agent.get(`/account/requests/${reference}`)

    expect((await agent.post(`/account/requests/${reference}/information`, { information: 'Sneaky' }, { csrf: null })).status).toBe(403)
    expect((await agent.post(`/account/requests/${reference}/cancel`, {}, { csrf: 'forged' })).status).toBe(403)
    expect((await test.services.requests.timeline(id, { audience: 'staff' })).map((entry) => entry.kind)).toEqual(['status-change'])
    expect((await test.services.requests.request(id)).state.status).toBe('reported')
  })

  it('lets the resident cancel before work starts, with a reason on the timeline', async () => {
    const { personId, agent } = await resident()
    const { id, reference } = await reportRepair(personId)
    await staffChange(id, 'schedule')

    const request = await agent.get(`/account/requests/${reference}`)
    expect(request.page(`a[href="/account/requests/${reference}/cancel"]`)).toHaveLength(1)
    const confirm = await agent.get(`/account/requests/${reference}/cancel`)
    expect(confirm.page('h1').text()).toBe(`Are you sure you want to cancel request ${reference}?`)

    const cancelled = await agent.post(`/account/requests/${reference}/cancel`, { reason: 'A neighbour fixed it' })
    expect(cancelled.status).toBe(302)
    expect((await test.services.requests.request(id)).state.status).toBe('cancelled')
    const page = await agent.follow(cancelled)
    expect(page.page('.govuk-notification-banner--success').text()).toContain('Your request has been cancelled.')
    expect(timelineTitles(page)[0]).toBe('You cancelled this request')
    expect(page.page('.app-resident-timeline').text()).toContain('A neighbour fixed it')
    expect(page.page(`a[href="/account/requests/${reference}/cancel"]`)).toHaveLength(0)

    // A cancelled request takes no more information: a problem that comes back is a new request.
    expect(page.page('textarea[name="information"]')).toHaveLength(0)
    const late = await agent.post(`/account/requests/${reference}/information`, { information: 'It came back' })
    expect(late.status).toBe(409)
    expect(late.page('main').text()).toContain('This request has been cancelled or closed.')
  })

  it('refuses to cancel once work has started, and says what to do instead', async () => {
    const { personId, agent } = await resident()
    const { id, reference } = await reportRepair(personId)
    await staffChange(id, 'start-work')

    const request = await agent.get(`/account/requests/${reference}`)
    expect(request.page(`a[href="/account/requests/${reference}/cancel"]`)).toHaveLength(0)
    const page = await agent.get(`/account/requests/${reference}/cancel`)
    expect(page.status).toBe(200)
    expect(page.page('h1').text()).toBe('You cannot cancel this request now')
    expect(page.page('main').text()).toContain(`call us on ${test.config.council.phone}`)
    expect(page.page('form[action$="/cancel"]')).toHaveLength(0)

    await agent.get(`/account/requests/${reference}`)
    const refused = await agent.post(`/account/requests/${reference}/cancel`)
    expect(refused.status).toBe(409)
    expect(refused.page('h1').text()).toBe('You cannot cancel this request now')
    expect((await test.services.requests.request(id)).state.status).toBe('in-progress')
  })

  it('does not cancel work that started after the resident opened the confirmation page', async () => {
    const { personId, agent } = await resident()
    const { id, reference } = await reportRepair(personId)
    await agent.get(`/account/requests/${reference}/cancel`)
    await staffChange(id, 'start-work')

    const refused = await agent.post(`/account/requests/${reference}/cancel`)
    expect(refused.status).toBe(409)
    expect((await test.services.requests.request(id)).state.status).toBe('in-progress')
  })

  it('asks how satisfied the resident is only after completion, and takes one answer', async () => {
    const { personId, agent } = await resident()
    const { id, reference } = await reportRepair(personId)

    const before = await agent.get(`/account/requests/${reference}`)
    expect(before.page('#survey')).toHaveLength(0)
    expect((await agent.post(`/account/requests/${reference}/satisfaction`, { rating: 'satisfied' })).status).toBe(400)

    await staffChange(id, 'triage')
    await staffChange(id, 'complete')
    const after = await agent.get(`/account/requests/${reference}`)
    expect(after.page('#survey').text()).toBe('How did we do?')
    expect(after.page('input[name="rating"]').map((_, input) => after.page(input).attr('value')).get()).toEqual([
      'very-satisfied',
      'satisfied',
      'neither',
      'dissatisfied',
      'very-dissatisfied',
    ])

    const missing = await agent.post(`/account/requests/${reference}/satisfaction`, { rating: '', comment: 'Quick work' })
    expect(missing.status).toBe(400)
    expect(errorSummary(missing)).toEqual(['Select how satisfied you are'])
    expect(missing.page('textarea[name="comment"]').text()).toBe('Quick work')

    const answered = await agent.post(`/account/requests/${reference}/satisfaction`, { rating: 'very-satisfied', comment: 'Quick work' })
    expect(answered.status).toBe(302)
    const thanked = await agent.follow(answered)
    expect(thanked.page('.govuk-notification-banner--success').text()).toContain('Thank you for telling us how we did.')
    expect(thanked.page('input[name="rating"]')).toHaveLength(0)
    expect(thanked.page('main').text()).toContain('You told us you were: very satisfied.')

    // A second answer, say from another tab, changes nothing.
    await agent.post(`/account/requests/${reference}/satisfaction`, { rating: 'very-dissatisfied', comment: 'Changed my mind' })
    const rows = await test.database.db.selectFrom('request_satisfaction').selectAll().where('request_id', '=', id).execute()
    expect(rows).toMatchObject([{ rating: 'very-satisfied', comment: 'Quick work', person_id: personId }])
  })

  it('shows the target date while the request is open', async () => {
    const { personId, agent } = await resident()
    const { id, reference } = await reportRepair(personId)
    const { targetAt } = await test.services.requests.request(id)
    const page = await agent.get(`/account/requests/${reference}`)
    const target = page.page('.govuk-summary-list__row').filter((_, row) => page.page(row).find('dt').text().trim() === 'We aim to finish by')
    expect(target.find('dd').text().trim()).toContain(
      new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' }).format(targetAt!),
    )
  })
})
