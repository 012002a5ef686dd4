import { describe, expect, it } from 'vitest'
import { changeLinkSignature, changeLinkToken, readChangeLinkToken } from '../../../src/modules/scheduling/change-links.ts'

const secret = 'a-change-link-secret-long-enough-0123456789'
const claims = { appointmentId: '3f1d5c3e-0b7a-4d59-9a7e-2b8f6c1d0e42', version: 3, expiresAt: new Date('2026-07-15T17:00:00Z') }
const beforeExpiry = new Date('2026-07-14T09:00:00Z')

function segments(token: string): [string, string] {
  return token.split('.') as [string, string]
}

describe('change links', () => {
  it('reads back the appointment, version and expiry it was made with, from a token short enough for a text', () => {
    const token = changeLinkToken(claims, secret)
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/)
    expect(token.length).toBeLessThanOrEqual(60)
    expect(readChangeLinkToken(token, secret, beforeExpiry)).toEqual({ valid: true, claims })
  })

  it('is refused from the moment it expires', () => {
    const token = changeLinkToken(claims, secret)
    expect(readChangeLinkToken(token, secret, new Date('2026-07-15T16:59:59Z')).valid).toBe(true)
    expect(readChangeLinkToken(token, secret, claims.expiresAt)).toEqual({ valid: false, reason: 'expired' })
  })

  it('is refused when signed with another secret', () => {
    const token = changeLinkToken(claims, secret)
    expect(readChangeLinkToken(token, `${secret}-rotated`, beforeExpiry)).toEqual({ valid: false, reason: 'forged' })
  })

  it('is refused when anything in it is changed', () => {
    const [payload, signature] = segments(changeLinkToken(claims, secret))
    const laterVersion = Buffer.from(payload, 'base64url')
    laterVersion.writeUInt32BE(4, 16)
    expect(readChangeLinkToken(`${laterVersion.toString('base64url')}.${signature}`, secret, beforeExpiry)).toEqual({ valid: false, reason: 'forged' })
    const flipped = `${signature.slice(0, 5)}${signature[5] === 'A' ? 'B' : 'A'}${signature.slice(6)}`
    expect(readChangeLinkToken(`${payload}.${flipped}`, secret, beforeExpiry)).toEqual({ valid: false, reason: 'forged' })
    expect(readChangeLinkToken(`${payload}.${signature.slice(0, 10)}`, secret, beforeExpiry)).toEqual({ valid: false, reason: 'forged' })
  })

  it('is refused when it is not a change link at all', () => {
    expect(readChangeLinkToken('', secret, beforeExpiry)).toEqual({ valid: false, reason: 'malformed' })
    expect(readChangeLinkToken('no-dot-here', secret, beforeExpiry)).toEqual({ valid: false, reason: 'malformed' })
    expect(readChangeLinkToken('a.b.c', secret, beforeExpiry)).toEqual({ valid: false, reason: 'malformed' })
    expect(readChangeLinkToken('abc.d=f', secret, beforeExpiry)).toEqual({ valid: false, reason: 'malformed' })
    // Properly signed with our secret, but for another purpose.
    const [payload] = segments(changeLinkToken(claims, secret))
    const otherPurpose = changeLinkSignature(Buffer.from(payload, 'base64url'), secret, 'password-reset').toString('base64url')
    expect(readChangeLinkToken(`${payload}.${otherPurpose}`, secret, beforeExpiry)).toEqual({ valid: false, reason: 'forged' })
  })

  it('needs a secret long enough to resist guessing', () => {
    expect(() => changeLinkToken(claims, 'short')).toThrow(/at least 32 characters/)
    expect(() => readChangeLinkToken('a.b', 'short', beforeExpiry)).toThrow(/at least 32 characters/)
  })
})
