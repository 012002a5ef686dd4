import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { changeLinkToken, readChangeLinkToken } from '../../../src/modules/scheduling/change-links.ts'

const secret = 'a-change-link-secret-long-enough-0123456789'
const claims = { appointmentId: '3f1d5c3e-0b7a-4d59-9a7e-2b8f6c1d0e42', version: 3, expiresAt: new Date('2026-07-15T17:00:00Z') }
const beforeExpiry = new Date('2026-07-14T09:00:00Z')

function segments(token: string): [string, string] {
  return token.split('.') as [string, string]
}

describe('change links', () => {
  it('reads back the appointment, version and expiry it was made with', () => {
    const token = changeLinkToken(claims, secret)
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/)
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
    const laterVersion = Buffer.from(
      JSON.stringify({ purpose: 'appointment-change', appointmentId: claims.appointmentId, version: 4, expiresAt: claims.expiresAt.getTime() }),
    ).toString('base64url')
    expect(readChangeLinkToken(`${laterVersion}.${signature}`, secret, beforeExpiry)).toEqual({ valid: false, reason: 'forged' })
    const flipped = `${signature.slice(0, 5)}${signature[5] === 'A' ? 'B' : 'A'}${signature.slice(6)}`
    expect(readChangeLinkToken(`${payload}.${flipped}`, secret, beforeExpiry)).toEqual({ valid: false, reason: 'forged' })
    expect(readChangeLinkToken(`${payload}.${signature.slice(0, 10)}`, secret, beforeExpiry)).toEqual({ valid: false, reason: 'forged' })
  })

  it('is refused when it is not a change link at all', () => {
    expect(readChangeLinkToken('', secret, beforeExpiry)).toEqual({ valid: false, reason: 'malformed' })
    expect(readChangeLinkToken('no-dot-here', secret, beforeExpiry)).toEqual({ valid: false, reason: 'malformed' })
    expect(readChangeLinkToken('a.b.c', secret, beforeExpiry)).toEqual({ valid: false, reason: 'malformed' })
    // Properly signed with our secret, but for another purpose.
    const payload = Buffer.from(JSON.stringify({ ...claims, purpose: 'password-reset', expiresAt: claims.expiresAt.getTime() })).toString('base64url')
    const signature = createHmac('sha256', secret).update(payload).digest('base64url')
    expect(readChangeLinkToken(`${payload}.${signature}`, secret, beforeExpiry)).toEqual({ valid: false, reason: 'malformed' })
  })

  it('needs a secret long enough to resist guessing', () => {
    expect(() => changeLinkToken(claims, 'short')).toThrow(/at least 32 characters/)
    expect(() => readChangeLinkToken('a.b', 'short', beforeExpiry)).toThrow(/at least 32 characters/)
  })
})
