import type { DatabaseHandle } from '../../lib/database/connection.ts'
import { TooManyAttempts } from '../../lib/errors.ts'
import { formatDateTime } from '../../lib/http/views.ts'
import { countHit } from '../../lib/http/rate-limits.ts'
import type { Translate } from '../../lib/i18n/index.ts'

/**
 * How many forms one person, and one internet address, may send in an hour. Far more than anyone
 * reporting real problems needs; a script sending hundreds is slowed to a trickle. An address is
 * allowed more, since a library or office shares one.
 */
export const submissionLimits = {
  perPerson: { limit: 10, windowSeconds: 3600 },
  perAddress: { limit: 30, windowSeconds: 3600 },
} as const

/** The name of the form field people never see and programs filling in every field do. */
export const honeypotField = 'website'

/** Counts a submission against both limits and refuses it, saying until when, once either is used up. */
export async function limitSubmissions(db: DatabaseHandle, sender: { personId: string; ipAddress: string }, t: Translate): Promise<void> {
  const [byPerson, byAddress] = await Promise.all([
    countHit(db, { key: `form-submission:person:${sender.personId}`, ...submissionLimits.perPerson }),
    countHit(db, { key: `form-submission:ip:${sender.ipAddress}`, ...submissionLimits.perAddress }),
  ])
  const refused = [byPerson, byAddress].filter((result) => !result.allowed)
  if (refused.length === 0) return
  const retryAt = new Date(Math.max(...refused.map((result) => result.retryAt.getTime())))
  throw new TooManyAttempts(retryAt, t('catalogue.form.tooMany', { time: formatDateTime(retryAt) }))
}

/** Whether the hidden field was filled in, which a person using the page never does. */
export function filledHoneypot(body: unknown): boolean {
  const value = (body as Record<string, unknown> | undefined)?.[honeypotField]
  return typeof value === 'string' && value.trim() !== ''
}
