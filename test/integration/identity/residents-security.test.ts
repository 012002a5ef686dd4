import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { createTestApp, type TestApp } from '../../support/app.ts'
import { residentWithPassword, signedInWithPassword, type ResidentWithPassword } from '../../support/residents.ts'
import { Agent, errorSummary } from '../../support/agent.ts'

describe('resident account security', () => {
  let test: TestApp
  beforeAll(async () => {
    test = await createTestApp()
  })
  afterAll(() => test.close())

  const resident = (givenName?: string, familyName?: string) => residentWithPassword(test, givenName, familyName)
  const signedIn = (person: ResidentWithPassword) => signedInWithPassword(test, person)

  const personRow = (personId: string) => test.database.db.selectFrom('people').selectAll().where('id', '=', personId).executeTakeFirstOrThrow()
  const accountRow = (personId: string) =>
    test.database.db.selectFrom('resident_accounts').selectAll().where('person_id', '=', personId).executeTakeFirstOrThrow()
  const auditActions = async (personId: string) =>
    (
      await test.database.db
        .selectFrom('audit_events')
        .select('action')
        .where('subject_type', '=', 'person')
        .where('subject_id', '=', personId)
        .orderBy('id')
        .execute()
    ).map((row) => row.action)

  describe('CSRF protection', () => {
    it('refuses a form without a token, or with a wrong one, and changes nothing', async () => {
      const alex = await resident()
      const agent = await signedIn(alex)
      await agent.get('/account/details')
      for (const csrf of [null, 'not-the-right-token']) {
        const response = await agent.post('/account/details', { givenName: 'Hacked', familyName: 'Name', email: 'attacker@example.com' }, { csrf })
        expect(response.status).toBe(403)
        expect(response.page('h1').text()).toContain('Your form could not be sent')
      }
      expect(await personRow(alex.personId)).toMatchObject({ given_name: 'Alex', email: alex.email })
    })

    it('refuses a token taken from another visitor’s page', async () => {
      const alex = await resident()
      const agent = await signedIn(alex)
      const stranger = new Agent(test.app)
      const strangerPage = await stranger.get('/sign-in')
      const strangerToken = strangerPage.page('input[name="_csrf"]').val() as string
      const response = await agent.post('/account/contact-preference', { contactPreference: 'email' }, { csrf: strangerToken })
      expect(response.status).toBe(403)
    })

    it('refuses sign-in and sign-out without a token', async () => {
      const alex = await resident()
      const agent = await signedIn(alex)
      expect((await agent.post('/sign-out', {}, { csrf: null })).status).toBe(403)
      expect((await agent.get('/account')).status).toBe(200)

      const visitor = new Agent(test.app)
      const response = await visitor.post('/sign-in', { email: alex.email, password: alex.password }, { csrf: null })
      expect(response.status).toBe(403)
      expect(visitor.cookie('guildhall_session')).toBeUndefined()
    })
  })

  describe('locking an account after repeated wrong passwords', () => {
    it('stays locked even with the right password until the lock ends, then lets the resident in', async () => {
      const alex = await resident()
      const agent = new Agent(test.app)
      await agent.get('/sign-in')
      for (let attempt = 1; attempt <= 4; attempt++) {
        const response = await agent.post('/sign-in', { email: alex.email, password: `wrong guess ${attempt}` })
        expect(errorSummary(response)).toEqual(['Enter the email address and password for your account'])
      }
      const fifth = await agent.post('/sign-in', { email: alex.email, password: 'wrong guess 5' })
      expect(fifth.status).toBe(403)
      expect(errorSummary(fifth)[0]).toMatch(/^Your account is locked because of too many attempts to sign in\. Try again after \d{1,2}(:\d\d)?(am|pm)/)

      const account = await accountRow(alex.personId)
      expect(account.lockouts).toBe(1)
      const minutes = (account.locked_until!.getTime() - Date.now()) / 60_000
      expect(minutes).toBeGreaterThan(14)
      expect(minutes).toBeLessThanOrEqual(15)

      const rightPassword = await agent.post('/sign-in', { email: alex.email, password: alex.password })
      expect(rightPassword.status).toBe(403)
      expect(errorSummary(rightPassword)[0]).toContain('Your account is locked')
      expect((await agent.get('/account')).status).toBe(302)

      // The lock period passes.
      await test.database.db
        .updateTable('resident_accounts')
        .set({ locked_until: sql<Date>`now() - interval '1 second'` })
        .where('person_id', '=', alex.personId)
        .execute()
      const afterLock = await agent.post('/sign-in', { email: alex.email, password: alex.password })
      expect(afterLock.location).toBe('/account')
      expect(await accountRow(alex.personId)).toMatchObject({ failed_sign_ins: 0, lockouts: 0, locked_until: null })

      const locked = await test.database.db
        .selectFrom('outbox_messages')
        .selectAll()
        .where('recipient', '=', alex.email)
        .where('message_type', '=', 'account-locked')
        .execute()
      expect(locked).toHaveLength(1)
    })

    it('locks for longer each time, and never for good', async () => {
      const alex = await resident()
      const agent = new Agent(test.app)
      await agent.get('/sign-in')
      const expectedMinutes = [15, 30, 60, 120, 240, 240]
      for (const expected of expectedMinutes) {
        for (let attempt = 1; attempt <= 5; attempt++) await agent.post('/sign-in', { email: alex.email, password: 'wrong' })
        const account = await accountRow(alex.personId)
        const minutes = Math.round((account.locked_until!.getTime() - Date.now()) / 60_000)
        expect(minutes).toBe(expected)
        await test.database.db
          .updateTable('resident_accounts')
          .set({ locked_until: sql<Date>`now() - interval '1 second'` })
          .where('person_id', '=', alex.personId)
          .execute()
        await test.database.db.deleteFrom('rate_limit_counters').execute()
      }
    })

    it('lifts the lock when the resident sets a new password through a reset link', async () => {
      const alex = await resident()
      const agent = new Agent(test.app)
      await agent.get('/sign-in')
      for (let attempt = 1; attempt <= 5; attempt++) await agent.post('/sign-in', { email: alex.email, password: 'wrong' })
      await agent.submit('/forgotten-password', { email: alex.email })
      const message = await test.database.db
        .selectFrom('outbox_messages')
        .selectAll()
        .where('recipient', '=', alex.email)
        .where('message_type', '=', 'password-reset')
        .executeTakeFirstOrThrow()
      const link = new URL(message.personalisation.link!).pathname
      await agent.get(link)
      expect((await agent.post(link, { password: 'a fresh passphrase' })).location).toBe('/password-changed')
      expect((await agent.submit('/sign-in', { email: alex.email, password: 'a fresh passphrase' })).location).toBe('/account')
    })

    it('slows down guessing at any one email address, known or not', async () => {
      const agent = new Agent(test.app)
      await agent.get('/sign-in')
      let response
      for (let attempt = 1; attempt <= 21; attempt++) {
        response = await agent.post('/sign-in', { email: 'no-such-resident@example.com', password: 'guess' })
      }
      expect(response!.status).toBe(429)
      expect(response!.headers['retry-after']).toBeDefined()
      expect(errorSummary(response!)[0]).toMatch(/^There have been too many attempts\. Try again after /)
      await test.database.db.deleteFrom('rate_limit_counters').execute()
    })
  })

  describe('residents’ privacy', () => {
    it('shows a resident only their own details, whatever the browser sends', async () => {
      const alex = await resident('Alex', 'Morgan')
      const blake = await resident('Blake', 'Rivers')
      const agent = await signedIn(alex)

      const account = await agent.get(`/account?personId=${blake.personId}`)
      expect(account.body).toContain('Alex Morgan')
      expect(account.body).not.toContain('Blake')
      expect(account.body).not.toContain(blake.email)
      const form = await agent.get(`/account/details?personId=${blake.personId}`)
      expect(form.page('#email').val()).toBe(alex.email)
    })

    it('changes only the signed-in resident’s own record, whatever the browser sends', async () => {
      const alex = await resident('Alex', 'Morgan')
      const blake = await resident('Blake', 'Rivers')
      const agent = await signedIn(alex)
      await agent.get('/account/details')
      await agent.post(`/account/details?personId=${blake.personId}`, {
        personId: blake.personId,
        id: blake.personId,
        givenName: 'Changed',
        familyName: 'ByAlex',
        email: alex.email,
      })
      await agent.get('/account/mobile')
      await agent.post('/account/mobile', { personId: blake.personId, mobile: '07700900999' })

      expect(await personRow(blake.personId)).toMatchObject({ given_name: 'Blake', family_name: 'Rivers', mobile: null })
      expect(await personRow(alex.personId)).toMatchObject({ given_name: 'Changed', family_name: 'ByAlex', mobile: '07700900999' })
    })

    it('cannot take another resident’s email address', async () => {
      const alex = await resident('Alex', 'Morgan')
      const blake = await resident('Blake', 'Rivers')
      const agent = await signedIn(alex)
      await agent.get('/account/details')
      const response = await agent.post('/account/details', { givenName: 'Alex', familyName: 'Morgan', email: blake.email.toUpperCase() })
      expect(errorSummary(response)).toEqual(['This email address is already used by another account. Enter a different email address'])
      expect((await personRow(alex.personId)).email).toBe(alex.email)
    })
  })

  describe('the audit log', () => {
    it('records sign-ins, failed sign-ins, lockouts, sign-outs and password resets', async () => {
      const alex = await resident()
      const agent = await signedIn(alex)
      await agent.post('/sign-out')
      await agent.get('/sign-in')
      for (let attempt = 1; attempt <= 5; attempt++) await agent.post('/sign-in', { email: alex.email, password: 'wrong' })
      await agent.submit('/forgotten-password', { email: alex.email })
      const message = await test.database.db
        .selectFrom('outbox_messages')
        .selectAll()
        .where('recipient', '=', alex.email)
        .where('message_type', '=', 'password-reset')
        .executeTakeFirstOrThrow()
      const link = new URL(message.personalisation.link!).pathname
      await agent.get(link)
      await agent.post(link, { password: 'another fresh passphrase' })

      const actions = await auditActions(alex.personId)
      expect(actions).toEqual([
        'resident.create',
        'resident.sign-in',
        'resident.sign-out',
        ...Array(5).fill('resident.sign-in-failed'),
        'resident.lockout',
        'resident.password-reset-request',
        'resident.password-reset',
      ])
      const failure = await test.database.db
        .selectFrom('audit_events')
        .selectAll()
        .where('subject_id', '=', alex.personId)
        .where('action', '=', 'resident.sign-in-failed')
        .executeTakeFirstOrThrow()
      expect(failure).toMatchObject({ actor_kind: 'anonymous', details: { reason: 'wrong-password' }, ip_address: '127.0.0.1' })
      expect(JSON.stringify(failure.details)).not.toContain(alex.email)
    })

    it('records a failed sign-in for an unknown email without storing the email', async () => {
      const agent = new Agent(test.app)
      await agent.submit('/sign-in', { email: 'unknown-person@example.com', password: 'whatever it is' })
      const rows = await test.database.db
        .selectFrom('audit_events')
        .selectAll()
        .where('action', '=', 'resident.sign-in-failed')
        .where('subject_id', 'is', null)
        .execute()
      expect(rows.length).toBeGreaterThan(0)
      expect(rows.at(-1)!.details).toEqual({ reason: 'unknown-email' })
    })
  })
})
