import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto'
import type { TokenPurpose } from '../tables.ts'

/**
 * Single-use secrets sent to a person. Only a hash is stored, so a copy of the database cannot be
 * used to confirm someone else's email or reset their password.
 */
export const tokenLifetimeMinutes: Record<TokenPurpose, number> = {
  'verify-email': 24 * 60,
  'reset-password': 60,
  'confirm-mobile': 10,
}

/** Wrong guesses allowed at a mobile confirmation code before a new one must be sent. */
export const codeAttemptsAllowed = 5

export function newSecret(): string {
  return randomBytes(32).toString('base64url')
}

export function newCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0')
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex')
}

/** A six-digit code is hashed with its owner's id, so equal codes for two people hash differently. */
export function hashCode(personId: string, code: string): string {
  return hashSecret(`${personId}:${code}`)
}

export function sameHash(left: string, right: string): boolean {
  const a = Buffer.from(left, 'hex')
  const b = Buffer.from(right, 'hex')
  return a.length === b.length && timingSafeEqual(a, b)
}

export function expiryFor(purpose: TokenPurpose, now: Date): Date {
  return new Date(now.getTime() + tokenLifetimeMinutes[purpose] * 60_000)
}

export type TokenState = 'valid' | 'used' | 'expired' | 'too-many-attempts'

export interface TokenRecord {
  usedAt: Date | null
  expiresAt: Date
  attempts: number
}

export function tokenState(token: TokenRecord, now: Date, attemptsAllowed = Number.POSITIVE_INFINITY): TokenState {
  if (token.usedAt !== null) return 'used'
  if (token.expiresAt.getTime() <= now.getTime()) return 'expired'
  if (token.attempts >= attemptsAllowed) return 'too-many-attempts'
  return 'valid'
}

/** Secrets in links are 43 base64url characters; anything else is not worth a database lookup. */
export function looksLikeSecret(value: string): boolean {
  return /^[\w-]{43}$/.test(value)
}
