import { createHash, randomBytes } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import type { Database } from '../../../database.ts'
import { InvalidInput, NotFound } from '../../../lib/errors.ts'
import { recordAudit } from '../audit.ts'

/** What the JSON API knows of a resident signed in through an app. */
export interface ResidentApiCaller {
  personId: string
  tokenId: string
}

export interface ResidentApiToken {
  id: string
  name: string
  createdAt: Date
  lastUsedAt: Date | null
}

/** Opaque, so an app cannot read anything from it; the prefix tells it apart from a council's API key. */
export const residentTokenPattern = /^ghr_[A-Za-z0-9_-]{43}$/
const longestName = 100

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex')

/**
 * Tokens a resident's app holds after signing in through the JSON API: stored as hashes, named
 * for the app, listed on the resident's account page, and signed out from there or by the app.
 */
export function residentApiTokens(db: Kysely<Database>) {
  return {
    /** A new token for a resident who has just proved who they are; the token is shown once. */
    async issue(personId: string, name: string, context: { ipAddress?: string } = {}): Promise<{ id: string; token: string; name: string; createdAt: Date }> {
      const label = name.trim()
      if (label.length > longestName) throw new InvalidInput({ name: `The name of the app must be ${longestName} characters or fewer` })
      const token = `ghr_${randomBytes(32).toString('base64url')}`
      const row = await db
        .insertInto('resident_api_tokens')
        .values({ person_id: personId, name: label || 'An app', secret_hash: hashOf(token) })
        .returning(['id', 'name', 'created_at'])
        .executeTakeFirstOrThrow()
      await recordAudit(db, { actor: { kind: 'resident', id: personId }, action: 'resident.api-sign-in', subject: { type: 'api-token', id: row.id }, ipAddress: context.ipAddress })
      return { id: row.id, token, name: row.name, createdAt: row.created_at }
    },

    /** The resident a token belongs to, or undefined for one that is unknown or signed out. */
    async authenticate(token: string): Promise<ResidentApiCaller | undefined> {
      if (!residentTokenPattern.test(token)) return undefined
      const row = await db
        .updateTable('resident_api_tokens')
        // Kept to the minute, so a busy app does not write on every call.
        .set({ last_used_at: sql<Date>`case when last_used_at is null or last_used_at < now() - interval '1 minute' then now() else last_used_at end` })
        .where('secret_hash', '=', hashOf(token))
        .where('revoked_at', 'is', null)
        .returning(['id', 'person_id'])
        .executeTakeFirst()
      return row && { personId: row.person_id, tokenId: row.id }
    },

    /** The apps signed in to the resident's account, newest first. */
    async list(personId: string): Promise<ResidentApiToken[]> {
      const rows = await db
        .selectFrom('resident_api_tokens')
        .select(['id', 'name', 'created_at', 'last_used_at'])
        .where('person_id', '=', personId)
        .where('revoked_at', 'is', null)
        .orderBy('created_at', 'desc')
        .execute()
      return rows.map((row) => ({ id: row.id, name: row.name, createdAt: row.created_at, lastUsedAt: row.last_used_at }))
    },

    /** Signs an app out. Someone else's token is "not found", exactly as one that does not exist. */
    async revoke(personId: string, tokenId: string): Promise<void> {
      const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
      const result = uuid.test(tokenId)
        ? await db
            .updateTable('resident_api_tokens')
            .set({ revoked_at: sql<Date>`coalesce(revoked_at, now())` })
            .where('id', '=', tokenId)
            .where('person_id', '=', personId)
            .executeTakeFirst()
        : undefined
      if (!result || Number(result.numUpdatedRows) === 0) throw new NotFound('app sign-in')
      await recordAudit(db, { actor: { kind: 'resident', id: personId }, action: 'resident.api-sign-out', subject: { type: 'api-token', id: tokenId } })
    },
  }
}

export type ResidentApiTokens = ReturnType<typeof residentApiTokens>
