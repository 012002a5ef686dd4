import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../support/app.ts'
import { Agent, errorSummary } from '../../support/agent.ts'
import { address, addressCsv } from '../../support/places.ts'
import { gridToLatitudeLongitude } from '../../../src/modules/places/index.ts'

const guestPages = '/services/fly-tipping/guest'
const millLane = gridToLatitudeLongitude(447_467.2, 204_298)

describe('reporting without an account', () => {
  let test: TestApp
  beforeAll(async () => {
    test = await createTestApp()
    await test.services.catalogue.seedDefinitions()
    await test.services.places.importAddresses([addressCsv([address(7001, { postcode: 'LW1 5UP' })])])
  })
  afterAll(async () => {
    await test?.close()
  })

  const db = () => test.database.db
  const requestCount = async () => Number((await db().selectFrom('requests').select((select) => select.fn.countAll<string>().as('count')).executeTakeFirstOrThrow()).count)

  /** A visitor who gives their contact details and answers the fly-tipping form up to sending it. */
  async function guestReport(contact: Record<string, string>) {
    const agent = new Agent(test.app)
    await agent.get(guestPages)
    const given = await agent.post(guestPages, contact)
    expect(given.location, errorSummary(given).join(', ')).toBe(`${guestPages}/start`)
    await agent.get(`${guestPages}/location`)
    const answers: [string, Record<string, string | string[]>][] = [
      ['location', { 'location-latitude': millLane.latitude.toFixed(6), 'location-longitude': millLane.longitude.toFixed(6) }],
      ['waste', { waste: ['tyres'] }],
      ['amount', { amount: 'car-boot' }],
      ['witnessed', { witnessed: 'no' }],
      ['details', { details: 'Four old tyres' }],
      ['photo', {}],
    ]
    for (const [page, fields] of answers) {
      await agent.get(`${guestPages}/${page}`)
      const answered = await agent.post(`${guestPages}/${page}`, fields)
      expect(answered.status, `${page}: ${errorSummary(answered).join(', ')}`).toBe(303)
    }
    await agent.get(`${guestPages}/check-answers`)
    const sent = await agent.post(`${guestPages}/check-answers`)
    expect(sent.location).toBe(`${guestPages}/sent`)
    return { agent, sentPage: await agent.follow(sent) }
  }

  const latestMessage = (type: string) =>
    db().selectFrom('outbox_messages').select(['recipient', 'personalisation', 'person_id']).where('message_type', '=', type).orderBy('created_at', 'desc').executeTakeFirstOrThrow()

  it('offers reporting without an account on a street report’s start page, never on a tenants’ service', async () => {
    const anyone = new Agent(test.app)
    expect((await anyone.get('/services/fly-tipping')).page(`a[href="${guestPages}"]`)).toHaveLength(1)
    expect((await anyone.get('/services/housing-repair')).body).not.toContain('/services/housing-repair/guest')
    expect((await anyone.get('/services/housing-repair/guest')).status).toBe(404)
  })

  it('sends nothing to the team until the guest confirms by the link from the email, which works once', async () => {
    const before = await requestCount()
    const { sentPage } = await guestReport({ contact: 'Guest.Reporter@example.com' })
    expect(sentPage.page('h1').text()).toBe('Check your email to send your report')
    expect(await requestCount()).toBe(before)

    const message = await latestMessage('guest-report-confirmation-email')
    expect(message.recipient).toBe('Guest.Reporter@example.com')
    const link = new URL(message.personalisation.link!)
    const stranger = new Agent(test.app)
    const opened = await stranger.get(link.pathname)
    expect(opened.page('button').text()).toContain('Send my report')
    expect(await requestCount()).toBe(before)

    const confirmed = await stranger.post(link.pathname)
    expect(confirmed.status).toBe(200)
    const reference = confirmed.page('.app-reference').text()
    const request = await db().selectFrom('requests').selectAll().where('reference', '=', reference).executeTakeFirstOrThrow()
    expect(request).toMatchObject({ service_code: 'fly-tipping', person_id: message.person_id, channel: 'web', ward_code: 'LWW01', moderation: 'pending' })
    const person = await db().selectFrom('people').select(['email', 'email_verified_at']).where('id', '=', request.person_id).executeTakeFirstOrThrow()
    expect(person.email_verified_at).toBeInstanceOf(Date)

    const again = await stranger.post(link.pathname)
    expect(again.page('h1').text()).toBe('Your report has been sent')
    expect(again.body).toContain(reference)
    expect(await requestCount()).toBe(before + 1)
  })

  it('confirms a report by the code texted to a mobile, counting wrong codes', async () => {
    const { agent, sentPage } = await guestReport({ contact: '07700 900123' })
    expect(sentPage.page('h1').text()).toBe('Enter the code we sent you')
    const message = await latestMessage('guest-report-confirmation-sms')
    expect(message.recipient).toBe('07700900123')
    const code = message.personalisation.code!
    const wrongCode = code === '000000' ? '111111' : '000000'

    const wrong = await agent.post(`${guestPages}/enter-code`, { code: wrongCode })
    expect(wrong.status).toBe(400)
    expect(errorSummary(wrong)).toEqual(['The code is not right. Check it and try again'])
    expect(errorSummary(await agent.post(`${guestPages}/enter-code`, { code: '12' }))).toEqual(['Enter the code as 6 numbers, like 123456'])

    const confirmed = await agent.post(`${guestPages}/enter-code`, { code })
    expect(confirmed.page('h1').text()).toContain('Report sent')
    const person = await db().selectFrom('people').select(['mobile_verified_at']).where('id', '=', message.person_id!).executeTakeFirstOrThrow()
    expect(person.mobile_verified_at).toBeInstanceOf(Date)
  })

  it('stops a code after five wrong tries and a link after 24 hours, sending nothing', async () => {
    const before = await requestCount()
    const { agent } = await guestReport({ contact: '07700 900456' })
    const { code } = (await latestMessage('guest-report-confirmation-sms')).personalisation
    const wrongCode = code === '000000' ? '111111' : '000000'
    for (let attempt = 1; attempt < 5; attempt += 1) expect((await agent.post(`${guestPages}/enter-code`, { code: wrongCode })).status).toBe(400)
    expect((await agent.post(`${guestPages}/enter-code`, { code: wrongCode })).status).toBe(410)
    expect((await agent.post(`${guestPages}/enter-code`, { code: code! })).status).toBe(410)

    await guestReport({ contact: 'late@example.com' })
    const link = new URL((await latestMessage('guest-report-confirmation-email')).personalisation.link!)
    await db().updateTable('guest_submissions').set({ expires_at: new Date(Date.now() - 1000) }).where('token', '=', link.pathname.split('/').at(-1)!).execute()
    const lateVisitor = new Agent(test.app)
    await lateVisitor.get(link.pathname)
    const expired = await lateVisitor.post(link.pathname)
    expect(expired.status).toBe(410)
    expect(expired.page('h1').text()).toBe('This link has expired')
    expect((await lateVisitor.post('/reports/confirm/not-a-token')).status).toBe(404)
    expect(await requestCount()).toBe(before)
  })

  it('says what is wrong with the contact details and keeps what was typed', async () => {
    const agent = new Agent(test.app)
    await agent.get(guestPages)
    expect(errorSummary(await agent.post(guestPages, {}))).toEqual(['Enter your email address or mobile number'])
    const badEmail = await agent.post(guestPages, { contact: 'not-an@email' })
    expect(badEmail.status).toBe(400)
    expect(badEmail.page('#contact').val()).toBe('not-an@email')
    expect(errorSummary(badEmail)).toHaveLength(1)
    expect(errorSummary(await agent.post(guestPages, { contact: '12345' }))).toEqual([
      'Enter an email address like name@example.com, or a UK mobile number like 07700 900982',
    ])
    expect((await agent.get(`${guestPages}/location`)).location).toBe(guestPages)
  })

  it('gathers the reports into the account a guest later makes with the same email address', async () => {
    const { personId } = await test.services.identity.residents.recordGuest({ email: 'guest.reporter@example.com' })
    const own = await db().selectFrom('requests').select('reference').where('person_id', '=', personId).execute()
    expect(own).toHaveLength(1)

    const visitor = new Agent(test.app)
    await visitor.get('/create-account')
    await visitor.post('/create-account', {
      givenName: 'Gina',
      familyName: 'Guest',
      email: 'guest.reporter@example.com',
      mobile: '',
      password: 'a long enough password 123',
    })
    const invitation = await latestMessage('account-already-exists')
    expect(invitation.person_id).toBe(personId)
    await visitor.get('/forgotten-password')
    await visitor.post('/forgotten-password', { email: 'guest.reporter@example.com' })
    const resetMessage = await latestMessage('password-reset')
    const setPassword = new URL(resetMessage.personalisation.link!)
    await visitor.get(setPassword.pathname)
    const changed = await visitor.post(setPassword.pathname, { password: 'a long enough password 123' })
    expect(changed.location, errorSummary(changed).join(', ')).toBe('/password-changed')
    const signedIn = new Agent(test.app)
    await signedIn.get('/sign-in')
    await signedIn.post('/sign-in', { email: 'guest.reporter@example.com', password: 'a long enough password 123' })
    const list = await signedIn.get('/account/requests')
    expect(list.body).toContain(own[0]!.reference)
  })
})
