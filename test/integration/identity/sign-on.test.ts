import { generateKeyPairSync } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Agent, type AgentResponse } from '../../support/agent.ts'
import { createTestApp, type TestApp } from '../../support/app.ts'
import { startOpenIdProvider, type LocalOpenIdProvider } from '../../support/openid-provider.ts'

const baseUrl = 'http://guildhall.test'
let provider: LocalOpenIdProvider
let test: TestApp

/** A key pair as the service would hold it: the private key as PEM for our configuration, the public key as a JWK for the provider. */
function keyPair(type: 'rsa' | 'ec') {
  const { privateKey, publicKey } =
    type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' })
  return { pem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicJwk: publicKey.export({ format: 'jwk' }) }
}

const oneLoginKey = keyPair('rsa')
const directoryKey = keyPair('ec')

beforeAll(async () => {
  provider = await startOpenIdProvider({
    clients: [
      // As the real One Login does, the provider accepts only assertions signed with the registered key.
      { clientId: 'one-login-client', publicKeys: [oneLoginKey.publicJwk], redirectUris: [`${baseUrl}/sign-in/one-login/callback`] },
      { clientId: 'directory-client', clientSecret: 'directory-secret', redirectUris: [`${baseUrl}/staff/sign-in/directory/callback`] },
      { clientId: 'directory-key-client', publicKeys: [directoryKey.publicJwk], redirectUris: [`${baseUrl}/staff/sign-in/directory/callback`] },
    ],
  })
  test = await createTestApp({
    environment: {
      BASE_URL: baseUrl,
      ONE_LOGIN_ISSUER: provider.issuer,
      ONE_LOGIN_CLIENT_ID: 'one-login-client',
      ONE_LOGIN_PRIVATE_KEY: oneLoginKey.pem,
      STAFF_SSO_ISSUER: provider.issuer,
      STAFF_SSO_CLIENT_ID: 'directory-client',
      STAFF_SSO_CLIENT_SECRET: 'directory-secret',
      STAFF_SSO_NAME: 'your Lower Wendle account',
    },
  })
})
afterAll(async () => {
  await test?.close()
  await provider?.close()
})

/** Starts at our link, signs in at the provider as the account with this email, and lands back on our callback. */
async function signInThroughProvider(agent: Agent, startPath: string, email: string): Promise<AgentResponse> {
  const started = await agent.get(startPath)
  expect(started.status).toBe(303)
  expect(started.location!.startsWith(`${provider.issuer}/`)).toBe(true)
  const authorization = new URL(started.location!)
  expect(authorization.searchParams.get('code_challenge_method')).toBe('S256')
  expect(authorization.searchParams.get('state')).toBeTruthy()
  expect(authorization.searchParams.get('nonce')).toBeTruthy()
  const callback = await provider.signIn(started.location!, email)
  expect(callback.origin).toBe(baseUrl)
  return agent.get(`${callback.pathname}${callback.search}`)
}

/** Every signed-in session, after checking this browser holds one. */
const signedInSessions = async (agent: Agent) => {
  const sessions = await test.database.db.selectFrom('sessions').select(['principal_kind', 'principal_id']).where('principal_id', 'is not', null).execute()
  const cookie = agent.cookie('guildhall_session')
  expect(cookie).toBeTruthy()
  return sessions
}

describe('signing in a resident with GOV.UK One Login', () => {
  it('offers One Login on the sign-in page, keeping where the resident was going', async () => {
    const page = await new Agent(test.app).get('/sign-in?returnTo=/account/details')
    const button = page.page('a.govuk-button[href^="/sign-in/one-login"]')
    expect(button.attr('href')).toBe('/sign-in/one-login?returnTo=%2Faccount%2Fdetails')
  })

  it('creates a person and an account on their first sign-in, and finds them again next time', async () => {
    provider.addAccount({ subject: 'one-login-new-resident', email: 'new.resident@example.com' })
    const agent = new Agent(test.app)
    const landed = await signInThroughProvider(agent, '/sign-in/one-login', 'new.resident@example.com')
    expect(landed.status).toBe(303)
    expect(landed.location).toBe('/account')

    const account = await test.database.db
      .selectFrom('resident_accounts')
      .innerJoin('people', 'people.id', 'resident_accounts.person_id')
      .select(['people.id', 'people.email', 'people.email_verified_at', 'resident_accounts.password_hash'])
      .where('resident_accounts.one_login_subject', '=', 'one-login-new-resident')
      .executeTakeFirstOrThrow()
    expect(account.email).toBe('new.resident@example.com')
    expect(account.email_verified_at).not.toBeNull()
    expect(account.password_hash).toBeNull()
    const sessions = await signedInSessions(agent)
    expect(sessions).toContainEqual({ principal_kind: 'resident', principal_id: account.id })
    const accountPage = await agent.get('/account')
    expect(accountPage.page('.govuk-notification-banner__heading').text()).toContain('Tell us your name')

    const again = await signInThroughProvider(new Agent(test.app), '/sign-in/one-login', 'new.resident@example.com')
    expect(again.location).toBe('/account')
    const people = await test.database.db.selectFrom('people').select('id').where('email', '=', 'new.resident@example.com').execute()
    expect(people).toHaveLength(1)
    const actions = await test.database.db.selectFrom('audit_events').select('action').where('actor_id', '=', account.id).orderBy('id').execute()
    expect(actions.map((row) => row.action)).toEqual(['resident-account.create', 'resident.sign-in', 'resident.sign-in'])
  })

  it('links One Login to the account of a person the council already knows by that verified email', async () => {
    const person = await test.database.db
      .insertInto('people')
      .values({ given_name: 'Kath', family_name: 'Known', email: 'Kath.Known@example.com' })
      .returning('id')
      .executeTakeFirstOrThrow()
    await test.database.db.insertInto('resident_accounts').values({ person_id: person.id, password_hash: 'not-a-real-hash' }).execute()
    provider.addAccount({ subject: 'one-login-kath', email: 'kath.known@example.com' })

    const landed = await signInThroughProvider(new Agent(test.app), '/sign-in/one-login?returnTo=%2Faccount%2Fdetails', 'kath.known@example.com')
    expect(landed.location).toBe('/account/details')
    const account = await test.database.db.selectFrom('resident_accounts').selectAll().where('person_id', '=', person.id).executeTakeFirstOrThrow()
    expect(account.one_login_subject).toBe('one-login-kath')
    expect(account.password_hash).toBe('not-a-real-hash')
    const link = await test.database.db.selectFrom('audit_events').select('action').where('actor_id', '=', person.id).where('action', '=', 'resident-account.link-one-login').execute()
    expect(link).toHaveLength(1)
  })

  it('never matches anyone by an email One Login has not verified', async () => {
    await test.database.db.insertInto('people').values({ given_name: 'Una', family_name: 'Verified', email: 'una@example.com' }).execute()
    provider.addAccount({ subject: 'one-login-unverified', email: 'una@example.com', emailVerified: false })
    const agent = new Agent(test.app)
    const landed = await signInThroughProvider(agent, '/sign-in/one-login', 'una@example.com')
    expect(landed.status).toBe(403)
    expect(landed.body).toContain('GOV.UK One Login has not confirmed your email address')
    const linked = await test.database.db.selectFrom('resident_accounts').select('person_id').where('one_login_subject', '=', 'one-login-unverified').execute()
    expect(linked).toEqual([])
  })

  it('refuses a callback whose state does not match the one this browser started with', async () => {
    provider.addAccount({ subject: 'one-login-victim', email: 'victim@example.com' })
    const attacker = new Agent(test.app)
    const started = await attacker.get('/sign-in/one-login')
    const callback = await provider.signIn(started.location!, 'victim@example.com')

    const victim = new Agent(test.app)
    await victim.get('/sign-in/one-login')
    const landed = await victim.get(`${callback.pathname}${callback.search}`)
    expect(landed.status).toBe(400)
    expect(landed.page('h1').text()).toBe('Sorry, we could not sign you in')
    const linked = await test.database.db.selectFrom('resident_accounts').select('person_id').where('one_login_subject', '=', 'one-login-victim').execute()
    expect(linked).toEqual([])

    const unexpected = await new Agent(test.app).get(`${callback.pathname}${callback.search}`)
    expect(unexpected.status).toBe(400)
  })

  it('explains when the person cancels at the provider', async () => {
    const agent = new Agent(test.app)
    await agent.get('/sign-in/one-login')
    const landed = await agent.get('/sign-in/one-login/callback?error=access_denied&state=whatever')
    expect(landed.status).toBe(400)
    expect(landed.body).toContain('Signing in was cancelled or did not finish')
  })
})

describe('signing in staff through the council staff directory', () => {
  it('offers the directory on the staff sign-in page', async () => {
    const page = await new Agent(test.app).get('/staff/sign-in')
    const button = page.page('a.govuk-button[href="/staff/sign-in/directory"]')
    expect(button.text().trim()).toBe('Sign in with your Lower Wendle account')
  })

  it('matches a member of staff by email the first time, then by their directory account', async () => {
    const id = await test.services.identity.staff.createStaffMember({
      name: 'Dee Directory',
      email: 'dee@lowerwendle.example.gov.uk',
      password: null,
      roleCodes: ['officer'],
      teamCodes: [],
    })
    provider.addAccount({ subject: 'directory-dee', email: 'Dee@lowerwendle.example.gov.uk' })
    const agent = new Agent(test.app)
    const landed = await signInThroughProvider(agent, '/staff/sign-in/directory', 'dee@lowerwendle.example.gov.uk')
    expect(landed.location).toBe('/staff')
    const home = await agent.follow(landed)
    expect(home.page('h1').text()).toContain('Hello, Dee Directory')
    const member = await test.database.db.selectFrom('staff_members').select('directory_subject').where('id', '=', id).executeTakeFirstOrThrow()
    expect(member.directory_subject).toBe('directory-dee')

    // A later change of email in the directory does not lose the link.
    provider.addAccount({ subject: 'directory-dee', email: 'dee.renamed@lowerwendle.example.gov.uk' })
    const later = await signInThroughProvider(new Agent(test.app), '/staff/sign-in/directory?returnTo=%2Fstaff%2Faudit', 'dee.renamed@lowerwendle.example.gov.uk')
    expect(later.location).toBe('/staff/audit')
    const events = await test.database.db.selectFrom('audit_events').select(['action', 'details']).where('actor_id', '=', id).orderBy('id').execute()
    expect(events.map((event) => event.action)).toEqual(['staff.directory-link', 'staff.sign-in', 'staff.sign-in'])
    expect(events[1]!.details).toEqual({ method: 'directory' })
  })

  it('refuses someone the directory knows but who has no staff account, with a clear page', async () => {
    provider.addAccount({ subject: 'directory-stranger', email: 'stranger@lowerwendle.example.gov.uk' })
    const agent = new Agent(test.app)
    const landed = await signInThroughProvider(agent, '/staff/sign-in/directory', 'stranger@lowerwendle.example.gov.uk')
    expect(landed.status).toBe(403)
    expect(landed.page('h1').text()).toBe('You cannot sign in to the staff site')
    expect(landed.body).toContain('you do not have a staff account here')
    expect((await agent.get('/staff')).location).toMatch(/^\/staff\/sign-in/)
    const failure = await test.database.db.selectFrom('audit_events').select('details').where('action', '=', 'staff.sign-in-failed').where('actor_kind', '=', 'anonymous').execute()
    expect(failure.map((row) => row.details.subject)).toContain('directory-stranger')
  })

  it('refuses a disabled member of staff', async () => {
    const id = await test.services.identity.staff.createStaffMember({
      name: 'Dan Disabled',
      email: 'dan@lowerwendle.example.gov.uk',
      password: null,
      roleCodes: ['officer'],
      teamCodes: [],
    })
    await test.database.db.updateTable('staff_members').set({ disabled_at: new Date() }).where('id', '=', id).execute()
    provider.addAccount({ subject: 'directory-dan', email: 'dan@lowerwendle.example.gov.uk' })
    const landed = await signInThroughProvider(new Agent(test.app), '/staff/sign-in/directory', 'dan@lowerwendle.example.gov.uk')
    expect(landed.status).toBe(403)
    expect(landed.body).toContain('Your staff account has been disabled')
  })
})

describe('authenticating to the provider with a private key', () => {
  let keyed: TestApp
  beforeAll(async () => {
    keyed = await createTestApp({
      environment: {
        BASE_URL: baseUrl,
        ONE_LOGIN_ISSUER: provider.issuer,
        ONE_LOGIN_CLIENT_ID: 'one-login-client',
        // A key the provider has never been given, as after a key is replaced without registering it.
        ONE_LOGIN_PRIVATE_KEY: keyPair('rsa').pem,
        STAFF_SSO_ISSUER: provider.issuer,
        STAFF_SSO_CLIENT_ID: 'directory-key-client',
        STAFF_SSO_PRIVATE_KEY: directoryKey.pem,
      },
    })
  })
  afterAll(async () => {
    await keyed?.close()
  })

  it('shows our problem page, not an error, when the provider refuses the key, and signs nobody in', async () => {
    provider.addAccount({ subject: 'one-login-wrong-key', email: 'wrong.key@example.com' })
    const agent = new Agent(keyed.app)
    const landed = await signInThroughProvider(agent, '/sign-in/one-login', 'wrong.key@example.com')
    expect(landed.status).toBe(400)
    expect(landed.page('h1').text()).toBe('Sorry, we could not sign you in')
    expect(landed.body).toContain('Something went wrong while signing you in. Nothing has changed.')
    expect(landed.page('main a[href="/sign-in"]').text()).toBe('Try signing in again')
    const linked = await keyed.database.db.selectFrom('resident_accounts').select('person_id').where('one_login_subject', '=', 'one-login-wrong-key').execute()
    expect(linked).toEqual([])
    const signedIn = await keyed.database.db.selectFrom('sessions').select('id').where('principal_id', 'is not', null).execute()
    expect(signedIn).toEqual([])
  })

  it('signs staff in through a directory that takes an EC key, by the same code path', async () => {
    const id = await keyed.services.identity.staff.createStaffMember({
      name: 'Kez Keyed',
      email: 'kez@lowerwendle.example.gov.uk',
      password: null,
      roleCodes: ['officer'],
      teamCodes: [],
    })
    provider.addAccount({ subject: 'directory-kez', email: 'kez@lowerwendle.example.gov.uk' })
    const agent = new Agent(keyed.app)
    const landed = await signInThroughProvider(agent, '/staff/sign-in/directory', 'kez@lowerwendle.example.gov.uk')
    expect(landed.location).toBe('/staff')
    const sessions = await keyed.database.db.selectFrom('sessions').select('principal_id').where('principal_kind', '=', 'staff').execute()
    expect(sessions).toEqual([{ principal_id: id }])
  })
})

describe('when single sign-on is not configured', () => {
  let plain: TestApp
  beforeAll(async () => {
    plain = await createTestApp()
  })
  afterAll(async () => {
    await plain?.close()
  })

  it('shows no directory button and has no sign-on routes', async () => {
    const agent = new Agent(plain.app)
    const page = await agent.get('/staff/sign-in')
    expect(page.body).not.toContain('/staff/sign-in/directory')
    expect((await agent.get('/sign-in')).body).not.toContain('/sign-in/one-login')
    expect((await agent.get('/staff/sign-in/directory')).status).toBe(404)
    expect((await agent.get('/sign-in/one-login')).status).toBe(404)
  })
})
