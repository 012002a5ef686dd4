import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * Signed links that let a tenant change or cancel an appointment without signing in. A token
 * does one thing (its purpose is written into what is signed, so a token made for anything else
 * never passes), names one version of one appointment, and expires. Whoever reads it compares the
 * version with the appointment's own, so a link dies the moment the appointment changes.
 */
export const changeLinkPurpose = 'appointment-change'

export interface ChangeLinkClaims {
  appointmentId: string
  version: number
  expiresAt: Date
}

export type ChangeLinkReading = { valid: true; claims: ChangeLinkClaims } | { valid: false; reason: 'malformed' | 'forged' | 'expired' }

const minimumSecretLength = 32

function checkSecret(secret: string): void {
  if (secret.length < minimumSecretLength) throw new RangeError(`A change-link secret needs at least ${minimumSecretLength} characters`)
}

function signatureOf(payload: string, secret: string): Buffer {
  return createHmac('sha256', secret).update(payload).digest()
}

export function changeLinkToken(claims: ChangeLinkClaims, secret: string): string {
  checkSecret(secret)
  const payload = Buffer.from(
    JSON.stringify({ purpose: changeLinkPurpose, appointmentId: claims.appointmentId, version: claims.version, expiresAt: claims.expiresAt.getTime() }),
  ).toString('base64url')
  return `${payload}.${signatureOf(payload, secret).toString('base64url')}`
}

function claimsIn(payload: string): (ChangeLinkClaims & { purpose: unknown }) | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
    if (typeof parsed !== 'object' || parsed === null) return undefined
    const { purpose, appointmentId, version, expiresAt } = parsed as Record<string, unknown>
    if (typeof appointmentId !== 'string' || !Number.isInteger(version) || !Number.isInteger(expiresAt)) return undefined
    return { purpose, appointmentId, version: version as number, expiresAt: new Date(expiresAt as number) }
  } catch {
    return undefined
  }
}

/** Reads a token back, checking the signature before believing anything in it. */
export function readChangeLinkToken(token: string, secret: string, now: Date): ChangeLinkReading {
  checkSecret(secret)
  const parts = token.split('.')
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') return { valid: false, reason: 'malformed' }
  const [payload, signature] = parts as [string, string]
  const given = Buffer.from(signature, 'base64url')
  const expected = signatureOf(payload, secret)
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { valid: false, reason: 'forged' }
  const claims = claimsIn(payload)
  if (!claims || claims.purpose !== changeLinkPurpose) return { valid: false, reason: 'malformed' }
  if (now.getTime() >= claims.expiresAt.getTime()) return { valid: false, reason: 'expired' }
  return { valid: true, claims: { appointmentId: claims.appointmentId, version: claims.version, expiresAt: claims.expiresAt } }
}
