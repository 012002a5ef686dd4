import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * Signed links that let a tenant change or cancel an appointment without signing in. A token
 * does one thing (its purpose is part of what is signed, so a token made for anything else never
 * passes), names one version of one appointment, and expires. Whoever reads it compares the
 * version with the appointment's own, so a link dies the moment the appointment changes.
 *
 * Tokens travel in text messages, where every character counts, so they are packed: the
 * appointment id's 16 bytes, the version and the expiry in seconds, then a 128-bit HMAC-SHA256
 * signature. About 57 characters in all.
 */
export const changeLinkPurpose = 'appointment-change'

export interface ChangeLinkClaims {
  appointmentId: string
  version: number
  /** Kept to the second. */
  expiresAt: Date
}

export type ChangeLinkReading = { valid: true; claims: ChangeLinkClaims } | { valid: false; reason: 'malformed' | 'forged' | 'expired' }

const minimumSecretLength = 32
const payloadBytes = 24
const signatureBytes = 16
const base64Url = /^[A-Za-z0-9_-]+$/

function checkSecret(secret: string): void {
  if (secret.length < minimumSecretLength) throw new RangeError(`A change-link secret needs at least ${minimumSecretLength} characters`)
}

/** The signature of a payload for a purpose; tests sign for other purposes to show they are refused. */
export function changeLinkSignature(payload: Buffer, secret: string, purpose = changeLinkPurpose): Buffer {
  return createHmac('sha256', secret).update(`${purpose}:`).update(payload).digest().subarray(0, signatureBytes)
}

function packed(claims: ChangeLinkClaims): Buffer {
  const id = Buffer.from(claims.appointmentId.replace(/-/g, ''), 'hex')
  if (id.length !== 16) throw new RangeError('A change link names an appointment by its UUID')
  const numbers = Buffer.alloc(8)
  numbers.writeUInt32BE(claims.version, 0)
  numbers.writeUInt32BE(Math.floor(claims.expiresAt.getTime() / 1000), 4)
  return Buffer.concat([id, numbers])
}

function unpacked(payload: Buffer): ChangeLinkClaims {
  const hex = payload.subarray(0, 16).toString('hex')
  const appointmentId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
  return { appointmentId, version: payload.readUInt32BE(16), expiresAt: new Date(payload.readUInt32BE(20) * 1000) }
}

export function changeLinkToken(claims: ChangeLinkClaims, secret: string): string {
  checkSecret(secret)
  const payload = packed(claims)
  return `${payload.toString('base64url')}.${changeLinkSignature(payload, secret).toString('base64url')}`
}

/** Reads a token back, checking the signature before believing anything in it. */
export function readChangeLinkToken(token: string, secret: string, now: Date): ChangeLinkReading {
  checkSecret(secret)
  const parts = token.split('.')
  if (parts.length !== 2 || !parts.every((part) => base64Url.test(part))) return { valid: false, reason: 'malformed' }
  const payload = Buffer.from(parts[0]!, 'base64url')
  const given = Buffer.from(parts[1]!, 'base64url')
  if (payload.length !== payloadBytes) return { valid: false, reason: 'malformed' }
  const expected = changeLinkSignature(payload, secret)
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { valid: false, reason: 'forged' }
  const claims = unpacked(payload)
  if (now.getTime() >= claims.expiresAt.getTime()) return { valid: false, reason: 'expired' }
  return { valid: true, claims }
}
