import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { createTestApp, type TestApp } from '../../support/app.ts'
import { Agent, errorSummary } from '../../support/agent.ts'

describe('resident accounts', () => {
  let test: TestApp
  beforeAll(async () => {
    test = await createTestApp()
  })
  afterAll(() => test.close())

  /** The newest message of a type sent to a recipient, as the outbox holds it. */
  async function latestMessage(recipient: string, messageType: string) {
    return test.database.db
      .selectFrom('outbox_messages')
      .selectAll()
      .where('recipient', '=', recipient)
      .where('message_type', '=', messageType)
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow()
  }

  const pathOf = (link: string) => new URL(link).pathname

  async function register(agent: Agent, fields: Partial<Record<string, string>> = {}) {
    const email = fields.email ?? `resident-${Math.random().toString(36).slice(2)}@example.com`
    const response = await agent.submit('/create-account', {
      givenName: 'Priya',
      familyName: 'Shah',
      email,
      password: 'correct horse battery',
      mobile: '',
      ...fields,
    } as Record<string, string>)
    return { email, response }
  }

  async function signIn(agent: Agent, email: string, password = 'correct horse battery') {
    return agent.submit('/sign-in', { email, password })
  }

  describe('creating an account', () => {
    it('says clearly what is wrong with each field, and keeps what was typed except the password', async () => {
      const agent = new Agent(test.app)
      const response = await agent.submit('/create-account', { givenName: 'Priya', familyName: '', email: 'not-an-email', password: 'short', mobile: '123' })
      expect(response.status).toBe(400)
      expect(errorSummary(response)).toEqual([
        'Enter your last name',
        'Enter an email address in the correct format, like name@example.com',
        'Password must be 8 characters or more',
        'Enter a UK mobile phone number, like 07700 900 982, or an international number starting with +',
      ])
      expect(response.page('title').text()).toMatch(/^Error: Create an account/)
      expect(response.page('#familyName-error').text()).toContain('Enter your last name')
      expect(response.page('#email-error').text()).toContain('Enter an email address in the correct format')
      expect(response.page('#password-error').text()).toContain('Password must be 8 characters or more')
      expect(response.page('#givenName').val()).toBe('Priya')
      expect(response.page('#email').val()).toBe('not-an-email')
      expect(response.page('#password').val()).toBeUndefined()
      expect(response.page('.govuk-error-summary a').first().attr('href')).toBe('#familyName')
    })

    it('asks for every required field when the form is sent empty', async () => {
      const response = await new Agent(test.app).submit('/create-account', {})
      expect(errorSummary(response)).toEqual(['Enter your first name', 'Enter your last name', 'Enter your email address', 'Enter a password'])
    })

    it('creates a person with an account, a hashed password and a verification email', async () => {
      const { email, response } = await register(new Agent(test.app), { mobile: '07700 900 982' })
      expect(response.status).toBe(302)
      expect(response.location).toBe('/create-account/check-your-email')
      const person = await test.database.db.selectFrom('people').selectAll().where('email', '=', email).executeTakeFirstOrThrow()
      expect(person).toMatchObject({ given_name: 'Priya', family_name: 'Shah', mobile: '07700900982', email_verified_at: null, mobile_verified_at: null })
      const account = await test.database.db.selectFrom('resident_accounts').selectAll().where('person_id', '=', person.id).executeTakeFirstOrThrow()
      expect(account.password_hash).toMatch(/^\$argon2id\$/)
      expect((await latestMessage(email, 'email-verification')).personalisation.link).toMatch(/\/confirm-email\/[\w-]{43}$/)
      expect((await latestMessage('07700900982', 'mobile-confirmation-code')).personalisation.code).toMatch(/^\d{6}$/)
      const tokens = await test.database.db.selectFrom('identity_tokens').selectAll().where('person_id', '=', person.id).execute()
      const link = (await latestMessage(email, 'email-verification')).personalisation.link!
      expect(tokens.map((token) => token.secret_hash)).not.toContain(link.split('/').pop())
    })

    it('shows the check-your-email page', async () => {
      const agent = new Agent(test.app)
      const { email, response } = await register(agent)
      const page = await agent.follow(response)
      expect(page.page('h1').text()).toBe('Check your email')
      expect(page.body).toContain(`We have sent an email to ${email}.`)
    })

    it('does not reveal that an email already has an account, and tells its owner instead', async () => {
      const { email } = await register(new Agent(test.app))
      const second = await register(new Agent(test.app), { email: email.toUpperCase(), givenName: 'Someone', familyName: 'Else' })
      expect(second.response.location).toBe('/create-account/check-your-email')
      const people = await test.database.db.selectFrom('people').select('id').where(sql<string>`lower(email)`, '=', email).execute()
      expect(people).toHaveLength(1)
      const warning = await latestMessage(email, 'account-already-exists')
      expect(warning.personalisation).toMatchObject({ name: 'Priya' })
    })
  })

  describe('confirming an email address', () => {
    it('confirms the address through the link once, and says the link is used after that', async () => {
      const { email } = await register(new Agent(test.app))
      const link = pathOf((await latestMessage(email, 'email-verification')).personalisation.link!)
      const visitor = new Agent(test.app)

      const first = await visitor.get(link)
      expect(first.status).toBe(200)
      expect(first.page('h1').text()).toContain('Email address confirmed')
      const person = await test.database.db.selectFrom('people').select('email_verified_at').where('email', '=', email).executeTakeFirstOrThrow()
      expect(person.email_verified_at).toBeInstanceOf(Date)

      const again = await visitor.get(link)
      expect(again.status).toBe(410)
      expect(again.page('h1').text()).toContain('This link has already been used')
    })

    it('refuses a link that has expired and leaves the address unconfirmed', async () => {
      const { email } = await register(new Agent(test.app))
      const link = pathOf((await latestMessage(email, 'email-verification')).personalisation.link!)
      const person = await test.database.db.selectFrom('people').select('id').where('email', '=', email).executeTakeFirstOrThrow()
      await test.database.db
        .updateTable('identity_tokens')
        .set({ expires_at: sql<Date>`now() - interval '1 minute'` })
        .where('person_id', '=', person.id)
        .where('purpose', '=', 'verify-email')
        .execute()
      const response = await new Agent(test.app).get(link)
      expect(response.status).toBe(410)
      expect(response.page('h1').text()).toContain('This link has expired')
      const after = await test.database.db.selectFrom('people').select('email_verified_at').where('id', '=', person.id).executeTakeFirstOrThrow()
      expect(after.email_verified_at).toBeNull()
    })

    it('does not recognise a made-up link', async () => {
      const response = await new Agent(test.app).get(`/confirm-email/${'x'.repeat(43)}`)
      expect(response.status).toBe(404)
      expect(response.page('h1').text()).toContain('This link does not work')
    })

    it('lets an unconfirmed resident sign in, shows a banner and sends the link again', async () => {
      const agent = new Agent(test.app)
      const { email } = await register(agent)
      const firstLink = (await latestMessage(email, 'email-verification')).personalisation.link
      await signIn(agent, email)
      const account = await agent.get('/account')
      expect(account.status).toBe(200)
      expect(account.page('.govuk-notification-banner').text()).toContain('Confirm your email address')
      const resent = await agent.post('/account/confirm-email/resend')
      expect(resent.location).toBe('/account')
      const newLink = (await latestMessage(email, 'email-verification')).personalisation.link
      expect(newLink).not.toBe(firstLink)
      expect((await agent.follow(resent)).page('.govuk-notification-banner--success').text()).toContain('We have sent a new link')
      expect((await agent.get(pathOf(firstLink!))).status).toBe(410)
    })
  })

  describe('signing in and out', () => {
    it('signs in, shows the account, and signs out with a form', async () => {
      const agent = new Agent(test.app)
      const { email } = await register(agent)
      const response = await signIn(agent, email.toUpperCase())
      expect(response.status).toBe(302)
      expect(response.location).toBe('/account')
      const account = await agent.get('/account')
      expect(account.page('h1').text()).toBe('Your account')
      expect(account.page('.govuk-summary-list').text()).toContain('Priya Shah')
      expect(account.page('.govuk-service-navigation').text()).toContain('Your account')
      expect(account.page('form[action="/sign-out"] button').first().text().trim()).toBe('Sign out')

      const out = await agent.post('/sign-out')
      expect(out.location).toBe('/signed-out')
      expect((await agent.get('/account')).location).toBe('/sign-in?returnTo=%2Faccount')
    })

    it('never signs anyone out through a link', async () => {
      const agent = new Agent(test.app)
      const { email } = await register(agent)
      await signIn(agent, email)
      const page = await agent.get('/sign-out')
      expect(page.status).toBe(200)
      expect(page.page('form[method="post"][action="/sign-out"]')).toHaveLength(2)
      expect((await agent.get('/account')).status).toBe(200)
    })

    it('says the details are wrong without saying which', async () => {
      const agent = new Agent(test.app)
      const { email } = await register(agent)
      const wrongPassword = await signIn(agent, email, 'not the password')
      const unknownEmail = await signIn(agent, 'nobody@example.com', 'not the password')
      for (const response of [wrongPassword, unknownEmail]) {
        expect(response.status).toBe(400)
        expect(errorSummary(response)).toEqual(['Enter the email address and password for your account'])
      }
      expect(wrongPassword.page('#email').val()).toBe(email)
    })

    it('returns to a page on this site after signing in, and never to another site', async () => {
      const agent = new Agent(test.app)
      const { email } = await register(agent)
      await agent.get('/sign-in?returnTo=%2Faccount%2Fdetails')
      expect((await agent.post('/sign-in', { email, password: 'correct horse battery', returnTo: '/account/details' })).location).toBe('/account/details')
      await agent.post('/sign-out')

      for (const returnTo of ['https://evil.example/', '//evil.example/', '/\\evil.example']) {
        const page = await agent.get(`/sign-in?returnTo=${encodeURIComponent(returnTo)}`)
        expect(page.page('input[name="returnTo"]').val()).toBe('/account')
        const response = await agent.post('/sign-in', { email, password: 'correct horse battery', returnTo })
        expect(response.location).toBe('/account')
        await agent.post('/sign-out')
      }
    })

    it('sends a signed-out visitor to sign in and back to the page they wanted', async () => {
      const agent = new Agent(test.app)
      const { email } = await register(agent)
      const redirect = await agent.get('/account/contact-preference')
      expect(redirect.location).toBe('/sign-in?returnTo=%2Faccount%2Fcontact-preference')
      await agent.follow(redirect)
      const response = await agent.post('/sign-in', { email, password: 'correct horse battery', returnTo: '/account/contact-preference' })
      expect(response.location).toBe('/account/contact-preference')
    })
  })

  describe('resetting a forgotten password', () => {
    it('sets a new password through a single-use link and ends the resident’s other sessions', async () => {
      const elsewhere = new Agent(test.app)
      const { email } = await register(elsewhere)
      await signIn(elsewhere, email)
      expect((await elsewhere.get('/account')).status).toBe(200)

      const agent = new Agent(test.app)
      const sent = await agent.submit('/forgotten-password', { email })
      expect(sent.location).toBe('/forgotten-password/check-your-email')
      const link = pathOf((await latestMessage(email, 'password-reset')).personalisation.link!)

      expect((await agent.get(link)).page('h1').text()).toBe('Create a new password')
      const tooShort = await agent.post(link, { password: 'short' })
      expect(errorSummary(tooShort)).toEqual(['Password must be 8 characters or more'])
      const changed = await agent.post(link, { password: 'a brand new passphrase' })
      expect(changed.location).toBe('/password-changed')

      expect((await elsewhere.get('/account')).location).toBe('/sign-in?returnTo=%2Faccount')
      expect((await signIn(agent, email)).status).toBe(400)
      expect((await signIn(agent, email, 'a brand new passphrase')).location).toBe('/account')
      expect((await new Agent(test.app).get(link)).status).toBe(410)
      expect(await latestMessage(email, 'password-changed')).toBeDefined()
    })

    it('answers the same whether or not the email has an account', async () => {
      const agent = new Agent(test.app)
      const response = await agent.submit('/forgotten-password', { email: 'nobody-here@example.com' })
      expect(response.location).toBe('/forgotten-password/check-your-email')
      const count = await test.database.db.selectFrom('outbox_messages').select('id').where('recipient', '=', 'nobody-here@example.com').execute()
      expect(count).toEqual([])
    })
  })

  describe('a resident’s own details', () => {
    it('changes the name and email, and asks for the new email to be confirmed', async () => {
      const agent = new Agent(test.app)
      const { email } = await register(agent)
      await signIn(agent, email)
      const form = await agent.get('/account/details')
      expect(form.page('#givenName').val()).toBe('Priya')
      const invalid = await agent.post('/account/details', { givenName: '', familyName: 'Shah', email })
      expect(errorSummary(invalid)).toEqual(['Enter your first name'])
      expect(invalid.page('#familyName').val()).toBe('Shah')

      const newEmail = `changed-${email}`
      const saved = await agent.post('/account/details', { givenName: 'Priya', familyName: 'Shah-Jones', email: newEmail })
      expect(saved.location).toBe('/account')
      const account = await agent.follow(saved)
      expect(account.page('.govuk-summary-list').text()).toContain('Priya Shah-Jones')
      expect(account.page('.govuk-summary-list').text()).toContain(newEmail)
      expect(account.page('.govuk-notification-banner').text()).toContain('Confirm your email address')
      expect(await latestMessage(newEmail, 'email-verification')).toBeDefined()
    })

    it('confirms a mobile number with a texted code before allowing texts, and limits wrong codes', async () => {
      const agent = new Agent(test.app)
      const { email } = await register(agent)
      await signIn(agent, email)

      await agent.get('/account/contact-preference')
      const tooEarly = await agent.post('/account/contact-preference', { contactPreference: 'text' })
      expect(errorSummary(tooEarly)).toEqual(['Confirm your mobile number before choosing text messages'])

      await agent.get('/account/mobile')
      expect((await agent.post('/account/mobile', { mobile: 'call me' })).status).toBe(400)
      const added = await agent.post('/account/mobile', { mobile: '+44 7700 900 123' })
      expect(added.location).toBe('/account/mobile/confirm')
      const firstCode = (await latestMessage('07700900123', 'mobile-confirmation-code')).personalisation.code!
      const wrong = firstCode === '000000' ? '111111' : '000000'

      await agent.get('/account/mobile/confirm')
      for (let attempt = 1; attempt <= 4; attempt++) {
        expect(errorSummary(await agent.post('/account/mobile/confirm', { code: wrong }))).toEqual([
          'The code is not right. Check the text we sent and try again',
        ])
      }
      expect(errorSummary(await agent.post('/account/mobile/confirm', { code: wrong }))).toEqual([
        'You have entered the wrong code too many times. Send a new code',
      ])
      expect(errorSummary(await agent.post('/account/mobile/confirm', { code: firstCode }))).toEqual([
        'You have entered the wrong code too many times. Send a new code',
      ])

      expect((await agent.post('/account/mobile/resend')).location).toBe('/account/mobile/confirm')
      const newCode = (await latestMessage('07700900123', 'mobile-confirmation-code')).personalisation.code!
      await agent.get('/account/mobile/confirm')
      expect((await agent.post('/account/mobile/confirm', { code: newCode })).location).toBe('/account')

      await agent.get('/account/contact-preference')
      const chosen = await agent.post('/account/contact-preference', { contactPreference: 'text' })
      expect(chosen.location).toBe('/account')
      const account = await agent.follow(chosen)
      expect(account.page('.govuk-notification-banner--success').text()).toContain('We will contact you by text message')
      const person = await test.database.db.selectFrom('people').selectAll().where('email', '=', email).executeTakeFirstOrThrow()
      expect(person).toMatchObject({ mobile: '07700900123', contact_preference: 'text' })
      expect(person.mobile_verified_at).toBeInstanceOf(Date)

      // A new number goes back to email until it is confirmed too.
      await agent.get('/account/mobile')
      await agent.post('/account/mobile', { mobile: '07700900456' })
      const changed = await test.database.db.selectFrom('people').selectAll().where('email', '=', email).executeTakeFirstOrThrow()
      expect(changed).toMatchObject({ mobile: '07700900456', mobile_verified_at: null, contact_preference: 'email' })
    })
  })

  it('creates verified demo residents who can sign in at once, once per email', async () => {
    const residents = test.services.identity.residents
    const input = { givenName: 'Demo', familyName: 'Resident', email: 'demo.resident@example.com', password: 'demo password 1', mobile: '07700 900 111', dateOfBirth: '1980-02-29' }
    const first = await residents.createVerifiedResident(input)
    const again = await residents.createVerifiedResident(input)
    expect(again.personId).toBe(first.personId)
    const person = await residents.findPersonById(first.personId)
    expect(person).toMatchObject({ emailVerified: true, mobile: '07700900111', mobileVerified: true, dateOfBirth: '1980-02-29', hasAccount: true })
    expect((await signIn(new Agent(test.app), 'demo.resident@example.com', 'demo password 1')).location).toBe('/account')
  })
})
