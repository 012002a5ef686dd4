import { createHash, randomInt, timingSafeEqual } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import type { Database } from '../../database.ts'
import type { Answers } from './questions.ts'

/** How long a guest has to confirm a report: long enough to find the email tomorrow morning. */
export const guestConfirmationHours = 24
/** Wrong codes allowed before a texted code stops working, so six digits cannot be guessed. */
export const guestCodeAttempts = 5

export interface HeldSubmission {
  id: string
  token: string
  /** The six-digit code for a text; undefined for an email, which carries a link. */
  code: string | undefined
}

export interface ClaimedSubmission {
  id: string
  personId: string
  serviceCode: string
  definitionVersionId: string
  answers: Answers
  channel: 'email' | 'sms'
}

export type ClaimRefusal = 'unknown' | 'expired' | 'used' | 'wrong-code' | 'too-many-tries'

const codeHash = (token: string, code: string) => createHash('sha256').update(`${token}:${code}`).digest('hex')

const sameHash = (left: string, right: string) => timingSafeEqual(Buffer.from(left, 'hex'), Buffer.from(right, 'hex'))

/**
 * Forms sent without an account, held until their sender confirms them. A claim takes the held
 * form exactly once (the update that marks it confirmed is the lock), and a release puts it back
 * should making the request then fail, so nothing the person sent is lost.
 */
export function guestSubmissions(db: Kysely<Database>) {
  const columns = ['id', 'person_id', 'service_code', 'definition_version_id', 'answers', 'channel'] as const
  const claimed = (row: { id: string; person_id: string; service_code: string; definition_version_id: string; answers: Answers; channel: 'email' | 'sms' }): ClaimedSubmission => ({
    id: row.id,
    personId: row.person_id,
    serviceCode: row.service_code,
    definitionVersionId: row.definition_version_id,
    answers: row.answers,
    channel: row.channel,
  })

  /** Why a claim found nothing to take. */
  async function refusalFor(where: { token: string } | { id: string }): Promise<ClaimRefusal> {
    const row = await db
      .selectFrom('guest_submissions')
      .select(['confirmed_at', sql<boolean>`expires_at <= now()`.as('expired'), 'code_attempts'])
      .where('token' in where ? 'token' : 'id', '=', 'token' in where ? where.token : where.id)
      .executeTakeFirst()
    if (!row) return 'unknown'
    if (row.confirmed_at) return 'used'
    if (row.code_attempts >= guestCodeAttempts) return 'too-many-tries'
    return row.expired ? 'expired' : 'unknown'
  }

  return {
    async hold(transaction: Kysely<Database>, submission: Omit<ClaimedSubmission, 'id'>): Promise<HeldSubmission> {
      const code = submission.channel === 'sms' ? String(randomInt(0, 1_000_000)).padStart(6, '0') : undefined
      const row = await transaction
        .insertInto('guest_submissions')
        .values({
          person_id: submission.personId,
          service_code: submission.serviceCode,
          definition_version_id: submission.definitionVersionId,
          answers: JSON.stringify(submission.answers),
          channel: submission.channel,
          expires_at: sql<Date>`now() + make_interval(hours => ${guestConfirmationHours})`,
        })
        .returning(['id', 'token'])
        .executeTakeFirstOrThrow()
      if (code) await transaction.updateTable('guest_submissions').set({ code_hash: codeHash(row.token, code) }).where('id', '=', row.id).execute()
      return { id: row.id, token: row.token, code }
    },

    /** Takes the held form the link names, once, while it has not expired. */
    async claimByLink(token: string): Promise<ClaimedSubmission | ClaimRefusal> {
      if (!/^[0-9a-f]{64}$/.test(token)) return 'unknown'
      const row = await db
        .updateTable('guest_submissions')
        .set({ confirmed_at: new Date() })
        .where('token', '=', token)
        .where('confirmed_at', 'is', null)
        .where('expires_at', '>', sql<Date>`now()`)
        .returning(columns)
        .executeTakeFirst()
      return row ? claimed(row) : refusalFor({ token })
    },

    /** Takes the held form with the code texted for it; each wrong code counts, and the fifth stops it. */
    async claimByCode(id: string, code: string): Promise<ClaimedSubmission | ClaimRefusal> {
      if (!/^[0-9a-f-]{36}$/.test(id)) return 'unknown'
      return db.transaction().execute(async (transaction) => {
        const row = await transaction
          .selectFrom('guest_submissions')
          .select([...columns, 'token', 'code_hash', 'code_attempts', 'confirmed_at', sql<boolean>`expires_at <= now()`.as('expired')])
          .where('id', '=', id)
          .forUpdate()
          .executeTakeFirst()
        if (!row || !row.code_hash) return 'unknown'
        if (row.confirmed_at) return 'used'
        if (row.expired) return 'expired'
        if (row.code_attempts >= guestCodeAttempts) return 'too-many-tries'
        if (!sameHash(row.code_hash, codeHash(row.token, code))) {
          await transaction.updateTable('guest_submissions').set({ code_attempts: row.code_attempts + 1 }).where('id', '=', id).execute()
          return row.code_attempts + 1 >= guestCodeAttempts ? 'too-many-tries' : 'wrong-code'
        }
        await transaction.updateTable('guest_submissions').set({ confirmed_at: new Date() }).where('id', '=', id).execute()
        return claimed(row)
      })
    },

    /** Puts a claimed form back, when making its request failed, so it can be confirmed again. */
    async release(id: string): Promise<void> {
      await db.updateTable('guest_submissions').set({ confirmed_at: null }).where('id', '=', id).execute()
    },

    async recordRequest(id: string, reference: string): Promise<void> {
      await db.updateTable('guest_submissions').set({ request_reference: reference }).where('id', '=', id).execute()
    },

    /** The request a confirmed form became, for a link used a second time. */
    async referenceFor(where: { token: string } | { id: string }): Promise<string | undefined> {
      const row = await db
        .selectFrom('guest_submissions')
        .select('request_reference')
        .where('token' in where ? 'token' : 'id', '=', 'token' in where ? where.token : where.id)
        .executeTakeFirst()
      return row?.request_reference ?? undefined
    },
  }
}

export type GuestSubmissions = ReturnType<typeof guestSubmissions>
