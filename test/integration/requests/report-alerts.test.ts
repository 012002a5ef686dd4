import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestApp } from '../../support/app.ts'
import { Agent, errorSummary, type AgentResponse } from '../../support/agent.ts'
import { createTestAppWithNotifyStub, type NotifyStub } from '../../support/notify-stub.ts'
import { address, addressCsv, sessionCookie, signedInResident } from '../../support/places.ts'
import { signedInStaff } from '../../support/staff.ts'
import { gridToLatitudeLongitude } from '../../../src/modules/places/index.ts'

/** Where the alerts in these tests are centred: the only address at LW1 7AL, on Mill Lane in Abbey ward. */
const centre = { easting: 447_500, northing: 204_300 }
const postcode = 'LW1 7AL'
const secretName = { givenName: 'Perpetua', familyName: 'Winterbottom' }
const secretWords = 'left there by my neighbour at number forty two'

const templates = {
  'report-alert-confirmation-email': { id: randomUUID(), type: 'email' as const, subject: 'Confirm', body: '((area)) ((link))' },
  'report-new-email': { id: randomUUID(), type: 'email' as const, subject: 'New report', body: '((service)) ((place)) ((area)) ((link)) ((unsubscribe))' },
  'report-followed-update-email': { id: randomUUID(), type: 'email' as const, subject: 'Report ((reference))', body: '((status)) ((link)) ((unsubscribe))' },
}
const reportAlertTypes = Object.keys(templates)

describe('emails about public street reports: alerts, following and unsubscribing', () => {
  let test: TestApp
  let stub: NotifyStub
  let reporterId: string

  beforeAll(async () => {
    const started = await createTestAppWithNotifyStub(templates)
    test = started.test
    stub = started.stub
    await test.services.catalogue.seedDefinitions()
    await test.services.places.importAddresses(
      addressCsv([
        address(8001, { postcode, ...centre }),
        address(8002, { postcode: 'LW2 3AB', usrn: 48_100_002, street_name: 'Church Road', address_line_1: '3 Church Road', easting: 449_500, northing: 204_000, ward_code: 'LWW02', ward_name: 'Castle Hill' }),
      ]),
    )
    reporterId = (await signedInResident(test.database.db, secretName)).personId
  })
  afterAll(async () => {
    await test?.close()
  })

  const db = () => test.database.db
  const emailAddress = (name: string) => `${name}-${randomUUID().slice(0, 8)}@example.com`

  async function resident() {
    const signedIn = await signedInResident(db(), { givenName: 'Jo', familyName: 'Bloggs' })
    const agent = new Agent(test.app)
    agent.setCookie(sessionCookie, signedIn.sessionToken)
    return { agent, personId: signedIn.personId }
  }

  function outboxTo(recipient: string, messageType?: string) {
    let query = db().selectFrom('outbox_messages').selectAll().where('recipient', '=', recipient)
    if (messageType) query = query.where('message_type', '=', messageType)
    return query.orderBy('created_at').execute()
  }

  const alertsFor = (email: string) => db().selectFrom('report_alerts').selectAll().where('email', '=', email).execute()

  /** A public fly-tipping report made as the form would make it, this many metres east of the centre. */
  async function reportAt(metresEast: number) {
    const easting = centre.easting + metresEast
    const { latitude, longitude } = gridToLatitudeLongitude(easting, centre.northing)
    return test.services.requests.createRequest({
      serviceCode: 'fly-tipping',
      personId: reporterId,
      channel: 'web',
      answers: {
        location: { latitude, longitude, easting, northing: centre.northing, usrn: '48100001', wardCode: 'LWW01', description: 'Near 1 Mill Lane, Lower Wendle' },
        waste: ['mattress'],
        amount: 'single-item',
        witnessed: 'no',
        details: `A mattress ${secretWords}`,
        photo: [],
      },
    })
  }

  /** Asks for alerts through the form as someone not signed in would. */
  async function askForAlerts(agent: Agent, fields: Record<string, string>): Promise<AgentResponse> {
    await agent.get('/alerts')
    return agent.post('/alerts', fields)
  }

  /** The path of the confirmation link in the one confirmation email to this address. */
  async function confirmationPath(email: string): Promise<string> {
    const [message] = await outboxTo(email, 'report-alert-confirmation-email')
    const link = String(message!.personalisation.link)
    expect(link).toMatch(new RegExp(`^${test.config.baseUrl}/alerts/[0-9a-f]{64}/confirm$`))
    return link.slice(test.config.baseUrl.length)
  }

  async function confirmByLink(email: string) {
    const agent = new Agent(test.app)
    const path = await confirmationPath(email)
    await agent.get(path)
    const confirmed = await agent.post(path)
    expect(confirmed.status).toBe(200)
    return confirmed
  }

  const nearEmail = emailAddress('near')

  it('asks for alerts near a postcode without signing in, and confirms only when the button is pressed', async () => {
    const agent = new Agent(test.app)
    const asked = await askForAlerts(agent, { area: 'near', postcode: 'lw17al', radius: '200', email: nearEmail })
    expect(asked.status).toBe(200)
    expect(asked.page('h1').text().trim()).toBe('Check your email')
    expect(asked.body).toContain(nearEmail)

    const messages = await outboxTo(nearEmail)
    expect(messages).toHaveLength(1)
    expect(messages[0]).toMatchObject({ message_type: 'report-alert-confirmation-email', channel: 'email' })
    expect(messages[0]!.personalisation.area).toBe('about new reports within 200 metres of LW1 7AL')
    const path = await confirmationPath(nearEmail)
    const token = path.split('/')[2]!
    const [alert] = await alertsFor(nearEmail)
    expect(alert).toMatchObject({ kind: 'radius', radius_metres: 200, token, confirmed_at: null, centre: { x: centre.easting, y: centre.northing } })

    // A mail scanner opening the link must not confirm it.
    const opened = await new Agent(test.app).get(path)
    expect(opened.status).toBe(200)
    expect(opened.page('main form button').text().trim()).toBe('Confirm')
    expect((await alertsFor(nearEmail))[0]!.confirmed_at).toBeNull()

    const confirmed = await confirmByLink(nearEmail)
    expect(confirmed.page('.govuk-panel__title').text().trim()).toBe('You will get these emails')
    expect((await alertsFor(nearEmail))[0]!.confirmed_at).toBeInstanceOf(Date)
    const again = await new Agent(test.app).get(path)
    expect(again.page('main form button')).toHaveLength(0)
    expect(again.body).toContain('You are already getting these emails.')
    expect(await outboxTo(nearEmail)).toHaveLength(1)
  })

  const wardEmail = emailAddress('ward')
  const unconfirmedEmail = emailAddress('unconfirmed')
  let nearer: { id: string; reference: string }
  let further: { id: string; reference: string }

  it('tells a radius alert only of reports inside its circle, a ward alert of all in the ward, and an unconfirmed alert nothing', async () => {
    const wardAsked = await askForAlerts(new Agent(test.app), { area: 'ward', ward: 'LWW01', email: wardEmail })
    expect(wardAsked.page('h1').text().trim()).toBe('Check your email')
    await confirmByLink(wardEmail)
    const unconfirmedAsked = await askForAlerts(new Agent(test.app), { area: 'near', postcode, radius: '2000', email: unconfirmedEmail })
    expect(unconfirmedAsked.page('h1').text().trim()).toBe('Check your email')

    nearer = await reportAt(150)
    further = await reportAt(260)
    const swept = await test.services.reportAlerts.sendReportAlerts()
    expect(swept.reports).toBeGreaterThanOrEqual(2)

    const [alert] = await alertsFor(nearEmail)
    const near = await outboxTo(nearEmail, 'report-new-email')
    expect(near).toHaveLength(1)
    expect(near[0]!.personalisation).toMatchObject({
      service: 'Report fly-tipping',
      place: 'on or near Mill Lane, Lower Wendle',
      area: 'about new reports within 200 metres of LW1 7AL',
      link: `${test.config.baseUrl}/reports/${nearer.reference}`,
      unsubscribe: `${test.config.baseUrl}/alerts/${alert!.token}/unsubscribe`,
    })
    expect(near[0]!.unsubscribe_url).toBe(`${test.config.baseUrl}/alerts/${alert!.token}/unsubscribe`)

    const ward = await outboxTo(wardEmail, 'report-new-email')
    expect(ward.map((message) => message.personalisation.link).sort()).toEqual([`/reports/${nearer.reference}`, `/reports/${further.reference}`].map((path) => test.config.baseUrl + path).sort())
    const [wardAlert] = await alertsFor(wardEmail)
    for (const message of ward) expect(message.unsubscribe_url).toBe(`${test.config.baseUrl}/alerts/${wardAlert!.token}/unsubscribe`)
    expect(await outboxTo(unconfirmedEmail, 'report-new-email')).toEqual([])

    expect(await test.services.reportAlerts.sendReportAlerts()).toEqual({ reports: 0, changes: 0 })
    expect(await outboxTo(nearEmail, 'report-new-email')).toHaveLength(1)
    expect(await outboxTo(wardEmail, 'report-new-email')).toHaveLength(2)
  })

  const followerEmail = emailAddress('follower')
  let supporter: { personId: string; email: string }

  it('tells a supporter and an email follower of a public status change, each with their own unsubscribe link, and not of an internal one', async () => {
    const report = nearer
    const { agent: supporterAgent, personId } = await resident()
    await test.services.publicReports.support(report.reference, personId)
    const supporterRow = await db().selectFrom('people').select('email').where('id', '=', personId).executeTakeFirstOrThrow()
    supporter = { personId, email: supporterRow.email! }
    expect((await supporterAgent.get(`/reports/${report.reference}`)).status).toBe(200)

    const anyone = new Agent(test.app)
    await anyone.get(`/reports/${report.reference}`)
    const followed = await anyone.post(`/reports/${report.reference}/alerts`, { email: followerEmail })
    expect(followed.status).toBe(200)
    expect(followed.page('h1').text().trim()).toBe('Check your email')
    await confirmByLink(followerEmail)
    const [followAlert] = await alertsFor(followerEmail)
    expect(followAlert).toMatchObject({ kind: 'report', request_id: report.id })

    const staff = await signedInStaff(test, ['moderator'])
    const rowVersion = async () => (await db().selectFrom('requests').select('row_version').where('id', '=', report.id).executeTakeFirstOrThrow()).row_version
    await test.services.requests.changeStatus(report.id, { type: 'triage' }, { actor: { kind: 'staff', id: staff.id }, expectedRowVersion: await rowVersion() })
    expect(await test.services.reportAlerts.sendReportAlerts()).toMatchObject({ changes: 1 })

    const followerToken = (await db().selectFrom('request_followers').select('unsubscribe_token').where('person_id', '=', personId).executeTakeFirstOrThrow()).unsubscribe_token
    const toSupporter = await outboxTo(supporter.email, 'report-followed-update-email')
    const toFollower = await outboxTo(followerEmail, 'report-followed-update-email')
    expect(toSupporter).toHaveLength(1)
    expect(toFollower).toHaveLength(1)
    const common = { reference: report.reference, service: 'Report fly-tipping', status: 'Checked by our street cleaning team', link: `${test.config.baseUrl}/reports/${report.reference}` }
    expect(toSupporter[0]).toMatchObject({ person_id: personId, personalisation: { ...common, unsubscribe: `${test.config.baseUrl}/alerts/${followerToken}/unsubscribe` }, unsubscribe_url: `${test.config.baseUrl}/alerts/${followerToken}/unsubscribe` })
    expect(toFollower[0]).toMatchObject({ personalisation: { ...common, unsubscribe: `${test.config.baseUrl}/alerts/${followAlert!.token}/unsubscribe` }, unsubscribe_url: `${test.config.baseUrl}/alerts/${followAlert!.token}/unsubscribe` })
    // Alerts of new reports are not told of changes.
    expect(await outboxTo(wardEmail, 'report-followed-update-email')).toEqual([])

    await test.services.requests.changeStatus(report.id, { type: 'schedule' }, { actor: { kind: 'staff', id: staff.id }, expectedRowVersion: await rowVersion(), visibility: 'internal' })
    expect(await test.services.reportAlerts.sendReportAlerts()).toMatchObject({ changes: 1 })
    expect(await outboxTo(supporter.email, 'report-followed-update-email')).toHaveLength(1)
    expect(await outboxTo(followerEmail, 'report-followed-update-email')).toHaveLength(1)
  })

  describe('stopping emails from the link alone', () => {
    const unsubscribeUrl = (token: string) => `/alerts/${token}/unsubscribe`
    const oneClick = (url: string) =>
      test.app.inject({ method: 'POST', url, payload: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } })

    async function confirmedWardAlert(email: string) {
      await test.services.reportAlerts.subscribe({ email, confirmed: true, target: { kind: 'ward', wardCode: 'LWW02', wardName: 'Castle Hill' } })
      return (await alertsFor(email))[0]!.token
    }

    it('shows a button when the link is opened, and stops the alert when it is pressed, without a CSRF token or a session', async () => {
      const email = emailAddress('stop')
      const token = await confirmedWardAlert(email)
      const anyone = new Agent(test.app)
      const opened = await anyone.get(unsubscribeUrl(token))
      expect(opened.status).toBe(200)
      expect(opened.page('h1').text().trim()).toBe('Stop these emails')
      expect(opened.body).toContain('Stop emails about new reports in Castle Hill ward?')
      expect(opened.page('main form button').text().trim()).toBe('Stop these emails')
      expect(await alertsFor(email)).toHaveLength(1)

      const stopped = await new Agent(test.app).post(unsubscribeUrl(token), {}, { csrf: null })
      expect(stopped.status).toBe(200)
      expect(stopped.page('h1').text().trim()).toBe('You will not get these emails any more')
      expect(stopped.body).toContain('We will not send you emails about new reports in Castle Hill ward again.')
      expect(await alertsFor(email)).toEqual([])

      const again = await new Agent(test.app).post(unsubscribeUrl(token), {}, { csrf: null })
      expect(again.status).toBe(200)
      expect(again.body).toContain('You are not getting these emails.')
    })

    it('stops an alert and a signed-in follower with a mail program’s one-click POST', async () => {
      const email = emailAddress('one-click')
      const token = await confirmedWardAlert(email)
      const stopped = await oneClick(unsubscribeUrl(token))
      expect(stopped.statusCode).toBe(200)
      expect(stopped.body).toContain('You will not get these emails any more')
      expect(await alertsFor(email)).toEqual([])

      // RFC 8058 says mail programs should send the same field as multipart/form-data.
      const multipartEmail = emailAddress('multipart')
      const multipartToken = await confirmedWardAlert(multipartEmail)
      const boundary = 'one-click-boundary'
      const multipart = await test.app.inject({
        method: 'POST',
        url: unsubscribeUrl(multipartToken),
        payload: `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${boundary}--\r\n`,
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      })
      expect(multipart.statusCode).toBe(200)
      expect(await alertsFor(multipartEmail)).toEqual([])

      const follower = await db().selectFrom('request_followers').select(['unsubscribe_token', 'request_id']).where('person_id', '=', supporter.personId).executeTakeFirstOrThrow()
      const opened = await new Agent(test.app).get(unsubscribeUrl(follower.unsubscribe_token))
      expect(opened.body).toContain(`about report ${nearer.reference}`)
      const unfollowed = await oneClick(unsubscribeUrl(follower.unsubscribe_token))
      expect(unfollowed.statusCode).toBe(200)
      expect(unfollowed.body).toContain(`We will not send you emails about report ${nearer.reference} again.`)
      // The emails stop; the support, which says they have the problem too, still counts.
      const kept = await db().selectFrom('request_followers').select(['supports', 'emails_stopped_at']).where('person_id', '=', supporter.personId).executeTakeFirstOrThrow()
      expect(kept.supports).toBe(true)
      expect(kept.emails_stopped_at).toBeInstanceOf(Date)
      expect((await new Agent(test.app).get(unsubscribeUrl(follower.unsubscribe_token))).body).toContain('This link is for emails you have already stopped')
    })

    it('says an unknown or malformed link is for emails already stopped, and never fails', async () => {
      const unknown = 'a'.repeat(64)
      for (const token of [unknown, 'not-a-token', 'A'.repeat(64), '%27%3B%20drop%20table%20report_alerts', 'f'.repeat(99)]) {
        const opened = await new Agent(test.app).get(unsubscribeUrl(token))
        expect(opened.status, token).toBe(200)
        expect(opened.body).toContain('This link is for emails you have already stopped, or that we have stopped sending.')
        expect(opened.page('main form button')).toHaveLength(0)
        const posted = await oneClick(unsubscribeUrl(token))
        expect(posted.statusCode, token).toBe(200)
        expect(posted.body).toContain('You are not getting these emails.')
      }
      // Fastify refuses an address part longer than it reads with 414, before any of ours runs.
      expect((await new Agent(test.app).get(unsubscribeUrl('f'.repeat(500)))).status).toBe(414)
      expect((await oneClick(unsubscribeUrl('f'.repeat(500)))).statusCode).toBe(414)
      expect((await new Agent(test.app).get(`/alerts/${unknown}/confirm`)).status).toBe(404)
      expect((await new Agent(test.app).get('/alerts/nonsense/confirm')).status).toBe(404)
    })
  })

  describe('asking for alerts with something wrong', () => {
    async function refused(fields: Record<string, string>) {
      const response = await askForAlerts(new Agent(test.app), fields)
      expect(response.status).toBe(400)
      return response
    }

    it('names each problem in the error summary, keeps what was typed, and makes no alert', async () => {
      const email = emailAddress('wrong')
      expect(errorSummary(await refused({}))).toEqual(['Select whether you want emails about a ward or near a postcode', 'Enter your email address'])
      expect(errorSummary(await refused({ area: 'ward', ward: '', email }))).toEqual(['Select a ward'])
      expect(errorSummary(await refused({ area: 'ward', ward: 'NOWHERE', email }))).toEqual(['Select a ward'])

      const badPostcode = await refused({ area: 'near', postcode: 'not a postcode', radius: '500', email })
      expect(errorSummary(badPostcode)).toEqual(['Enter a full postcode, like LW1 5UP'])
      expect(badPostcode.page('input[name="postcode"]').attr('value')).toBe('not a postcode')
      expect(badPostcode.page('select[name="radius"] option[selected]').attr('value')).toBe('500')
      expect(badPostcode.page('input[name="area"][value="near"]').attr('checked')).toBeDefined()
      expect(badPostcode.page('input[name="email"]').attr('value')).toBe(email)

      expect(errorSummary(await refused({ area: 'near', postcode: '', radius: '500', email }))).toEqual(['Enter a postcode'])
      expect(errorSummary(await refused({ area: 'near', postcode: 'LW9 9ZZ', radius: '500', email }))).toEqual(['We could not find LW9 9ZZ in our area. Enter a postcode in our area'])
      const noRadius = await refused({ area: 'near', postcode, radius: '', email })
      expect(errorSummary(noRadius)).toEqual(['Select how far from the postcode'])
      expect(noRadius.page('input[name="postcode"]').attr('value')).toBe(postcode)
      expect(errorSummary(await refused({ area: 'near', postcode, radius: '300', email }))).toEqual(['Select how far from the postcode'])
      expect(errorSummary(await refused({ area: 'near', postcode, radius: '500', email: '  ' }))).toEqual(['Enter your email address'])

      const malformed = await refused({ area: 'ward', ward: 'LWW01', email: 'not-an-email' })
      expect(errorSummary(malformed)).toEqual(['Enter an email address in the correct format, like name@example.com'])
      expect(malformed.page('input[name="email"]').attr('value')).toBe('not-an-email')
      expect(malformed.page('select[name="ward"] option[selected]').attr('value')).toBe('LWW01')
      for (const link of malformed.page('.govuk-error-summary a').map((_, anchor) => malformed.page(anchor).attr('href')).get()) {
        expect(malformed.page(link).length, link).toBe(1)
      }

      expect(await alertsFor(email)).toEqual([])
      expect(await alertsFor('not-an-email')).toEqual([])
      expect(await outboxTo(email)).toEqual([])
    })

    it('refuses a form whose hidden honeypot field is filled, and makes no alert', async () => {
      const email = emailAddress('robot')
      const response = await refused({ area: 'ward', ward: 'LWW01', email, website: 'https://spam.example' })
      expect(response.body).toContain('We could not set up your emails. Go back and try again.')
      expect(await alertsFor(email)).toEqual([])
      expect(await outboxTo(email)).toEqual([])
    })

    it('refuses the sixth ask for the same email address in an hour with a Retry-After header', async () => {
      const email = emailAddress('flood')
      for (let ask = 1; ask <= 5; ask++) {
        const asked = await askForAlerts(new Agent(test.app), { area: 'ward', ward: 'LWW01', email })
        expect(asked.status, `ask ${ask}`).toBe(200)
      }
      const sixth = await askForAlerts(new Agent(test.app), { area: 'ward', ward: 'LWW02', email: email.toUpperCase() })
      expect(sixth.status).toBe(429)
      expect(Number(sixth.headers['retry-after'])).toBeGreaterThan(3000)
      expect(sixth.body).toContain('You have asked for a lot of emails in a short time')
      expect(await alertsFor(email)).toHaveLength(1)
      expect(await outboxTo(email, 'report-alert-confirmation-email')).toHaveLength(5)
    })
  })

  it('sends the unsubscribe link to GOV.UK Notify as the one-click unsubscribe address', async () => {
    const [message] = await outboxTo(nearEmail, 'report-new-email')
    const [alert] = await alertsFor(nearEmail)
    stub.notifications.length = 0
    expect(await test.services.notifications.sendMessage(message!.id)).toBe('sent')
    expect(stub.notifications).toHaveLength(1)
    expect(stub.notifications[0]).toMatchObject({
      type: 'email',
      templateId: templates['report-new-email'].id,
      recipient: nearEmail,
      reference: message!.id,
      oneClickUnsubscribeUrl: `${test.config.baseUrl}/alerts/${alert!.token}/unsubscribe`,
    })

    // A confirmation email is not one people can unsubscribe from, so it carries no address.
    const [confirmation] = await outboxTo(nearEmail, 'report-alert-confirmation-email')
    expect(confirmation!.unsubscribe_url).toBeNull()
    expect(await test.services.notifications.sendMessage(confirmation!.id)).toBe('sent')
    expect(stub.notifications[1]!.oneClickUnsubscribeUrl).toBeNull()
  })

  it('never puts the reporter’s name or their unmoderated words in any alert or follower email', async () => {
    const messages = await db().selectFrom('outbox_messages').selectAll().where('message_type', 'in', reportAlertTypes).execute()
    expect(new Set(messages.map((message) => message.message_type))).toEqual(new Set(reportAlertTypes))
    for (const message of messages) {
      const text = JSON.stringify(message.personalisation)
      expect(text).not.toContain(secretName.givenName)
      expect(text).not.toContain(secretName.familyName)
      expect(text).not.toContain(secretWords)
      expect(text).not.toContain('number forty two')
      expect(text).not.toContain('1 Mill Lane')
    }
    for (const notification of stub.notifications) expect(JSON.stringify(notification)).not.toContain(secretName.familyName)
  })
})
