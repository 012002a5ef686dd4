import { describe, expect, it } from 'vitest'
import {
  codeAttemptsAllowed,
  expiryFor,
  hashCode,
  hashSecret,
  looksLikeSecret,
  newCode,
  newSecret,
  sameHash,
  tokenState,
} from '../../../src/modules/identity/residents/tokens.ts'
import { clockTime, clockTimeText } from '../../../src/modules/identity/residents/clock-time.ts'
import {
  normaliseMobile,
  passwordError,
  registrationErrors,
} from '../../../src/modules/identity/residents/validation.ts'
import { translator } from '../../../src/lib/i18n/index.ts'

const now = new Date('2026-11-23T14:30:00Z')

describe('secrets sent to residents', () => {
  it('are long and random, and only their hash is kept', () => {
    const secrets = new Set(Array.from({ length: 100 }, () => newSecret()))
    expect(secrets.size).toBe(100)
    for (const secret of secrets) expect(looksLikeSecret(secret)).toBe(true)
    const secret = [...secrets][0]!
    expect(hashSecret(secret)).toMatch(/^[0-9a-f]{64}$/)
    expect(hashSecret(secret)).not.toContain(secret)
    expect(hashSecret(secret)).toBe(hashSecret(secret))
  })

  it('makes six-digit codes, hashed with their owner so equal codes differ', () => {
    for (let count = 0; count < 200; count++) expect(newCode()).toMatch(/^\d{6}$/)
    expect(hashCode('person-a', '123456')).not.toBe(hashCode('person-b', '123456'))
    expect(sameHash(hashCode('person-a', '123456'), hashCode('person-a', '123456'))).toBe(true)
    expect(sameHash(hashCode('person-a', '123456'), hashCode('person-a', '123457'))).toBe(false)
    expect(sameHash('abcd', 'abcdef')).toBe(false)
  })

  it('ignores anything that is not shaped like a link secret', () => {
    for (const value of ['', 'short', `${'a'.repeat(42)}/`, 'a'.repeat(44)]) expect(looksLikeSecret(value)).toBe(false)
  })

  it('expires links and codes after their purpose’s lifetime', () => {
    expect(expiryFor('verify-email', now)).toEqual(new Date('2026-11-24T14:30:00Z'))
    expect(expiryFor('reset-password', now)).toEqual(new Date('2026-11-23T15:30:00Z'))
    expect(expiryFor('confirm-mobile', now)).toEqual(new Date('2026-11-23T14:40:00Z'))
  })

  it('tells a valid token from a used, expired or over-guessed one', () => {
    const token = { usedAt: null, expiresAt: new Date('2026-11-23T15:00:00Z'), attempts: 0 }
    expect(tokenState(token, now)).toBe('valid')
    expect(tokenState({ ...token, usedAt: now }, now)).toBe('used')
    expect(tokenState(token, new Date('2026-11-23T15:00:00Z'))).toBe('expired')
    expect(tokenState({ ...token, attempts: codeAttemptsAllowed }, now, codeAttemptsAllowed)).toBe('too-many-attempts')
    expect(tokenState({ ...token, attempts: codeAttemptsAllowed - 1 }, now, codeAttemptsAllowed)).toBe('valid')
  })
})

describe('what residents type', () => {
  it('accepts UK mobiles in any usual form, and international numbers with their +', () => {
    for (const value of ['07700 900 982', '07700900982', '+44 7700 900982', '0044 7700 900982', '(07700) 900-982']) {
      expect(normaliseMobile(value)).toBe('07700900982')
    }
    expect(normaliseMobile('+353 85 123 4567')).toBe('+353851234567')
    for (const value of ['01632 960000', '0770090098', 'call me', '+44 1632 960000']) expect(normaliseMobile(value)).toBeUndefined()
  })

  it('refuses short, very long and easily guessed passwords', () => {
    expect(passwordError('')).toBe('identity.residents.errors.password.missing')
    expect(passwordError('seven77')).toBe('identity.residents.errors.password.tooShort')
    expect(passwordError('x'.repeat(257))).toBe('identity.residents.errors.password.tooLong')
    expect(passwordError('Password1')).toBe('identity.residents.errors.password.easilyGuessed')
    expect(passwordError('sam@example.com', 'sam@example.com')).toBe('identity.residents.errors.password.easilyGuessed')
    expect(passwordError('three random words')).toBeUndefined()
  })

  it('names each registration field that needs fixing, in form order', () => {
    expect(Object.keys(registrationErrors({ givenName: ' ', familyName: '', email: 'x', password: '', mobile: 'no' }))).toEqual([
      'givenName',
      'familyName',
      'email',
      'password',
      'mobile',
    ])
    expect(registrationErrors({ givenName: 'Sam', familyName: 'Lee', email: 'sam@example.com', password: 'three random words', mobile: '' })).toEqual({})
  })

})

describe('telling a resident when to try again', () => {
  const t = translator('en')
  it('gives the UK time of day, GOV.UK style', () => {
    expect(clockTime(new Date('2026-11-23T14:45:00Z'), now)).toEqual({ time: '2:45pm', day: undefined })
    expect(clockTime(new Date('2026-11-23T12:00:00Z'), now).time).toBe('midday')
    expect(clockTime(new Date('2026-11-23T00:05:00Z'), new Date('2026-11-23T00:00:00Z')).time).toBe('12:05am')
    expect(clockTime(new Date('2026-07-01T13:45:00Z'), new Date('2026-07-01T09:00:00Z')).time).toBe('2:45pm')
  })

  it('adds the day when it is not today', () => {
    expect(clockTimeText(t, new Date('2026-11-24T09:15:00Z'), now)).toBe('9:15am on 24 November')
    expect(clockTimeText(t, new Date('2026-11-23T17:00:00Z'), now)).toBe('5pm')
  })
})
