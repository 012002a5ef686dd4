import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigurationError, loadConfig } from '../../src/config.ts'

const rsaKey = pem(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey)
const ecKey = pem(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey)

const problemWith = (environment: Record<string, string>) => {
  try {
    loadConfig(environment)
  } catch (error) {
    if (error instanceof ConfigurationError) return error.message
    throw error
  }
  throw new Error('expected a configuration error')
}

describe('configuration', () => {
  it('runs the embedded demo when nothing is set', () => {
    const config = loadConfig({})
    expect(config.port).toBe(3000)
    expect(config.database.kind).toBe('embedded')
    expect(config.loadDemoData).toBe(true)
    expect(config.demoMode).toBe(true)
    expect(config.uploadsDirectory).toBe(path.resolve('data', 'uploads'))
  })

  it('keeps uploads under DATA_DIR unless UPLOADS_DIR says elsewhere', () => {
    expect(loadConfig({ DATA_DIR: '/srv/guildhall' }).uploadsDirectory).toBe(path.join('/srv/guildhall', 'uploads'))
    expect(loadConfig({ DATA_DIR: '/srv/guildhall', UPLOADS_DIR: '/mnt/shared/uploads' }).uploadsDirectory).toBe('/mnt/shared/uploads')
  })

  it('sends repairs calls to the main number unless the council gives a repairs and an out-of-hours line', () => {
    expect(loadConfig({ COUNCIL_PHONE: '01632 960000' }).council).toMatchObject({ repairsPhone: '01632 960000', outOfHoursPhone: '01632 960000' })
    expect(loadConfig({ COUNCIL_REPAIRS_PHONE: '01632 960111' }).council).toMatchObject({ repairsPhone: '01632 960111', outOfHoursPhone: '01632 960111' })
    expect(loadConfig({ COUNCIL_REPAIRS_PHONE: '01632 960111', COUNCIL_OUT_OF_HOURS_PHONE: '01632 960999' }).council.outOfHoursPhone).toBe('01632 960999')
  })

  it('reads the council’s own priority targets, naming the mistake in one that cannot be read', () => {
    expect(loadConfig({}).requests.priorityTargets).toEqual({})
    expect(loadConfig({ PRIORITY_TARGETS: 'urgent=3d, emergency = 12h' }).requests.priorityTargets).toEqual({ urgent: { workingDays: 3 }, emergency: { hours: 12 } })
    expect(() => loadConfig({ PRIORITY_TARGETS: 'urgent=3 days' })).toThrow('PRIORITY_TARGETS has "urgent=3 days": write each as PRIORITY=NUMBER')
    expect(() => loadConfig({ PRIORITY_TARGETS: 'soon=3d' })).toThrow(/PRIORITY one of immediate, emergency, urgent, routine/)
    expect(() => loadConfig({ PRIORITY_TARGETS: 'routine=0d' })).toThrow(/PRIORITY_TARGETS has "routine=0d"/)
  })

  it('takes the council’s nation, England unless told otherwise', () => {
    expect(loadConfig({}).council.nation).toBe('england')
    expect(loadConfig({ COUNCIL_NATION: 'wales' }).council.nation).toBe('wales')
    expect(() => loadConfig({ COUNCIL_NATION: 'cornwall' })).toThrow(/COUNCIL_NATION/)
  })

  it('uses DATABASE_URL and loads no demo data unless asked', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://guildhall@db.internal/guildhall' })
    expect(config.database).toMatchObject({ kind: 'external', url: 'postgres://guildhall@db.internal/guildhall' })
    expect(config.loadDemoData).toBe(false)
    expect(loadConfig({ DATABASE_URL: 'postgres://db/guildhall', DEMO_DATA: 'true' }).loadDemoData).toBe(true)
  })

  it('books urgent and routine visits and reminds at 18:00 outside 21:00 to 08:00 unless told otherwise', () => {
    expect(loadConfig({}).scheduling).toEqual({
      bookedPriorities: ['urgent', 'routine'],
      reminderTime: '18:00',
      quietHours: { from: '21:00', until: '08:00' },
      changeLinkSecret: undefined,
    })
    const own = loadConfig({ BOOKED_PRIORITIES: 'routine', APPOINTMENT_REMINDER_TIME: '17:30', MESSAGE_QUIET_HOURS: 'none' }).scheduling
    expect(own).toMatchObject({ bookedPriorities: ['routine'], reminderTime: '17:30', quietHours: null })
    expect(problemWith({ BOOKED_PRIORITIES: 'urgent,soon' })).toContain('BOOKED_PRIORITIES has "soon"')
    expect(problemWith({ APPOINTMENT_REMINDER_TIME: '6pm' })).toBe('APPOINTMENT_REMINDER_TIME must be a time on the 24-hour clock such as 18:00')
    expect(problemWith({ MESSAGE_QUIET_HOURS: '21:00-21:00' })).toContain('MESSAGE_QUIET_HOURS must be two different real times')
    expect(problemWith({ MESSAGE_QUIET_HOURS: '25:00-08:00' })).toContain('MESSAGE_QUIET_HOURS must be two different real times')
  })

  it('signs change links with their own secret, or one made from the session secret and never equal to it', () => {
    const sessionSecret = 'a-session-secret-that-is-long-enough-1234'
    const derived = loadConfig({ SESSION_SECRET: sessionSecret }).scheduling.changeLinkSecret
    expect(derived).toMatch(/^[\w-]{43}$/)
    expect(derived).not.toBe(sessionSecret)
    const own = 'an-appointment-link-secret-long-enough-99'
    expect(loadConfig({ SESSION_SECRET: sessionSecret, APPOINTMENT_LINK_SECRET: own }).scheduling.changeLinkSecret).toBe(own)
    expect(problemWith({ APPOINTMENT_LINK_SECRET: 'short' })).toBe('APPOINTMENT_LINK_SECRET must be at least 32 characters')
  })

  it('names the variable and the problem in one line', () => {
    expect(problemWith({ PORT: 'eighty' })).toBe('PORT must be a number')
    expect(problemWith({ PORT: '70000' })).toBe('PORT must be between 0 and 65535')
    expect(problemWith({ EMBEDDED_DATABASE_PORT: '80' })).toBe('EMBEDDED_DATABASE_PORT must be between 1024 and 65535')
    expect(problemWith({ COUNCIL_BRAND_COLOUR: 'green' })).toBe('COUNCIL_BRAND_COLOUR must be a colour like #1d70b8')
    expect(problemWith({ DATABASE_URL: 'mysql://x' })).toBe('DATABASE_URL must be a postgres:// connection string')
    expect(problemWith({ DEMO_DATA: 'perhaps' })).toBe('DEMO_DATA must be true or false')
    expect(problemWith({ SESSION_SECRET: 'short' })).toBe('SESSION_SECRET must be at least 32 characters')
  })

  it('refuses production without a session secret, a real database or a real message provider', () => {
    const production = { NODE_ENV: 'production', DATABASE_URL: 'postgres://db/guildhall', SESSION_SECRET: 'x'.repeat(40) }
    expect(problemWith({ ...production, SESSION_SECRET: '' })).toBe('SESSION_SECRET is required in production')
    expect(problemWith({ ...production, DATABASE_URL: '' })).toMatch(/^DATABASE_URL is required in production/)
    expect(problemWith(production)).toMatch(/^NOTIFICATIONS_PROVIDER is "local", a stand-in/)
  })

  it('asks for every part of a single sign-on provider once any part is given', () => {
    expect(problemWith({ ONE_LOGIN_ISSUER: 'https://oidc.example' })).toBe(
      'ONE_LOGIN_CLIENT_ID is required when any ONE_LOGIN_* variable is set',
    )
    expect(problemWith({ ONE_LOGIN_ISSUER: 'https://oidc.example', ONE_LOGIN_CLIENT_ID: 'guildhall' })).toBe(
      'ONE_LOGIN_CLIENT_SECRET or ONE_LOGIN_PRIVATE_KEY is required when any ONE_LOGIN_* variable is set',
    )
    expect(problemWith({ STAFF_SSO_PRIVATE_KEY: rsaKey })).toBe('STAFF_SSO_ISSUER is required when any STAFF_SSO_* variable is set')
    const config = loadConfig({ STAFF_SSO_ISSUER: 'https://login.example/tenant/v2.0', STAFF_SSO_CLIENT_ID: 'guildhall', STAFF_SSO_CLIENT_SECRET: 's3cret' })
    expect(config.staffSignOn).toEqual({
      issuer: 'https://login.example/tenant/v2.0',
      clientId: 'guildhall',
      authentication: { method: 'client-secret', secret: 's3cret' },
      name: 'your council account',
    })
  })

  describe('a private key instead of a client secret', () => {
    const oneLogin = { ONE_LOGIN_ISSUER: 'https://oidc.account.gov.uk/', ONE_LOGIN_CLIENT_ID: 'guildhall' }

    it('signs with RS256 for an RSA key and the matching ES algorithm for an EC key', () => {
      const rsa = loadConfig({ ...oneLogin, ONE_LOGIN_PRIVATE_KEY: rsaKey }).oneLogin!.authentication
      expect(rsa).toMatchObject({ method: 'private-key', algorithm: 'RS256' })
      const ec = loadConfig({ ...oneLogin, ONE_LOGIN_PRIVATE_KEY: pem(generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey) })
      expect(ec.oneLogin!.authentication).toMatchObject({ method: 'private-key', algorithm: 'ES384' })
      const staff = loadConfig({ STAFF_SSO_ISSUER: 'https://login.example/', STAFF_SSO_CLIENT_ID: 'guildhall', STAFF_SSO_PRIVATE_KEY: ecKey })
      expect(staff.staffSignOn!.authentication).toMatchObject({ method: 'private-key', algorithm: 'ES256' })
    })

    it('accepts a key whose line breaks are written as \\n', () => {
      const oneLine = rsaKey.trim().replaceAll('\n', '\\n')
      expect(oneLine).not.toContain('\n')
      expect(loadConfig({ ...oneLogin, ONE_LOGIN_PRIVATE_KEY: oneLine }).oneLogin!.authentication.method).toBe('private-key')
    })

    it('refuses, in one line naming the variable, a key it cannot read or cannot sign with', () => {
      const problems = [
        problemWith({ ...oneLogin, ONE_LOGIN_PRIVATE_KEY: 'not a key' }),
        problemWith({ ...oneLogin, ONE_LOGIN_PRIVATE_KEY: generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString() }),
      ]
      for (const problem of problems) {
        expect(problem).toBe('ONE_LOGIN_PRIVATE_KEY must be a PEM-encoded PKCS#8 private key, beginning "-----BEGIN PRIVATE KEY-----"')
      }
      expect(problemWith({ ...oneLogin, ONE_LOGIN_PRIVATE_KEY: pem(generateKeyPairSync('ed25519').privateKey) })).toBe(
        'ONE_LOGIN_PRIVATE_KEY must be an RSA key or an EC key on the P-256, P-384 or P-521 curve',
      )
      expect(problemWith({ ...oneLogin, ONE_LOGIN_PRIVATE_KEY: pem(generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey) })).toMatch(
        /^ONE_LOGIN_PRIVATE_KEY must be an RSA key or an EC key/,
      )
    })

    it('takes a client secret or a private key, never both', () => {
      expect(problemWith({ ...oneLogin, ONE_LOGIN_CLIENT_SECRET: 's3cret', ONE_LOGIN_PRIVATE_KEY: rsaKey })).toBe(
        'ONE_LOGIN_PRIVATE_KEY cannot be set together with ONE_LOGIN_CLIENT_SECRET; use one of the two',
      )
    })
  })

  it('paces the outbox as production does unless told otherwise, and refuses a lease Notify calls could outlast', () => {
    expect(loadConfig({}).outbox).toEqual({ leaseSeconds: 90, firstRetrySeconds: 10, longestRetrySeconds: 1800 })
    expect(loadConfig({ OUTBOX_LEASE_SECONDS: '3', OUTBOX_FIRST_RETRY_SECONDS: '1', OUTBOX_LONGEST_RETRY_SECONDS: '2' }).outbox).toEqual({
      leaseSeconds: 3,
      firstRetrySeconds: 1,
      longestRetrySeconds: 2,
    })
    expect(problemWith({ OUTBOX_LEASE_SECONDS: 'two minutes' })).toBe('OUTBOX_LEASE_SECONDS must be a number')
    expect(problemWith({ OUTBOX_LEASE_SECONDS: '1' })).toBe('OUTBOX_LEASE_SECONDS must be between 2 and 3600')
    expect(problemWith({ OUTBOX_FIRST_RETRY_SECONDS: '0' })).toBe('OUTBOX_FIRST_RETRY_SECONDS must be between 1 and 3600')
    expect(problemWith({ OUTBOX_FIRST_RETRY_SECONDS: '60', OUTBOX_LONGEST_RETRY_SECONDS: '30' })).toBe(
      'OUTBOX_LONGEST_RETRY_SECONDS must be at least OUTBOX_FIRST_RETRY_SECONDS',
    )
    const notify = { NOTIFICATIONS_PROVIDER: 'notify', NOTIFY_API_KEY: `test-${'0'.repeat(36)}-${'1'.repeat(36)}` }
    expect(problemWith({ ...notify, NOTIFY_TIMEOUT_MS: '60000' })).toBe('OUTBOX_LEASE_SECONDS must be longer than two calls to GOV.UK Notify (twice NOTIFY_TIMEOUT_MS)')
    expect(loadConfig({ ...notify, NOTIFY_TIMEOUT_MS: '44000' }).outbox.leaseSeconds).toBe(90)
  })
})

function pem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString()
}
