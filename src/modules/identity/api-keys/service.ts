import { createHash, randomBytes } from 'node:crypto'
import { sql, type Kysely, type Selectable } from 'kysely'
import type { Database } from '../../../database.ts'
import { Forbidden, NotFound, TooManyAttempts } from '../../../lib/errors.ts'
import { countHit } from '../../../lib/http/rate-limits.ts'
import { recordAudit, type Actor } from '../audit.ts'
import type { ApiClient, ApiKeyGrant } from './rules.ts'

export interface ApiKeySummary {
  id: string
  name: string
  /** The first characters of the key, enough for an administrator to tell which one a partner holds. */
  prefix: string
  services: 'all' | string[]
  write: boolean
  changeStatus: boolean
  ratePerMinute: number
  createdAt: Date
  createdByName: string | null
  lastUsedAt: Date | null
  revokedAt: Date | null
}

export interface IssuedApiKey {
  id: string
  name: string
  /** Shown once, when issued; only its hash is kept. */
  key: string
}

export interface ApiKeyUse {
  method: string
  path: string
  statusCode: number
  ipAddress?: string
}

const keyPattern = /^gh_[A-Za-z0-9_-]{43}$/
const prefixLength = 10
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const hashOf = (key: string) => createHash('sha256').update(key).digest('hex')

/**
 * The address a key was used at, without the key itself, which must never reach the log. Every
 * api_key parameter goes, repeated or with its name percent-encoded, as the query parser would read it.
 */
export function withoutKey(path: string): string {
  const start = path.indexOf('?')
  if (start === -1) return path
  const kept = path
    .slice(start + 1)
    .split('&')
    .filter((pair) => pair !== '' && parameterName(pair) !== 'api_key')
  return kept.length > 0 ? `${path.slice(0, start)}?${kept.join('&')}` : path.slice(0, start)
}

function parameterName(pair: string): string {
  const name = pair.split('=', 1)[0]!.replace(/\+/g, ' ')
  try {
    return decodeURIComponent(name)
  } catch {
    return name
  }
}

interface KeyRow {
  id: string
  name: string
  services: string[] | null
  can_write: boolean
  can_change_status: boolean
  rate_per_minute: number
}

const clientOf = (row: KeyRow): ApiClient => ({
  keyId: row.id,
  name: row.name,
  services: row.services ?? 'all',
  write: row.can_write,
  changeStatus: row.can_change_status,
  ratePerMinute: row.rate_per_minute,
})

function summaryOf(row: Selectable<Database['api_keys']> & { created_by_name: string | null }): ApiKeySummary {
  return {
    id: row.id,
    name: row.name,
    prefix: row.key_prefix,
    services: row.services ?? 'all',
    write: row.can_write,
    changeStatus: row.can_change_status,
    ratePerMinute: row.rate_per_minute,
    createdAt: row.created_at,
    createdByName: row.created_by_name,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  }
}

/**
 * The API keys partners, contractors and reporting apps call the APIs with: issued by an
 * administrator or from the command line, shown once, kept as hashes, limited each to its own rate,
 * and every use audited.
 */
export function createApiKeys(db: Kysely<Database>) {
  const summaries = () =>
    db.selectFrom('api_keys as key').leftJoin('staff_members as staff', 'staff.id', 'key.created_by').selectAll('key').select('staff.name as created_by_name')

  return {
    async issue(grant: ApiKeyGrant, actor: Actor, context: { ipAddress?: string } = {}): Promise<IssuedApiKey> {
      const key = `gh_${randomBytes(32).toString('base64url')}`
      return db.transaction().execute(async (transaction) => {
        const row = await transaction
          .insertInto('api_keys')
          .values({
            name: grant.name,
            secret_hash: hashOf(key),
            key_prefix: key.slice(0, prefixLength),
            services: grant.services === 'all' ? null : grant.services,
            can_write: grant.write,
            can_change_status: grant.changeStatus,
            rate_per_minute: grant.ratePerMinute,
            created_by: actor.kind === 'staff' ? (actor.id ?? null) : null,
          })
          .returning(['id', 'name'])
          .executeTakeFirstOrThrow()
        await recordAudit(transaction, {
          actor,
          action: 'api-key.issue',
          subject: { type: 'api-key', id: row.id },
          details: { name: grant.name, services: grant.services, write: grant.write, changeStatus: grant.changeStatus, ratePerMinute: grant.ratePerMinute },
          ipAddress: context.ipAddress,
        })
        return { id: row.id, name: row.name, key }
      })
    },

    /** Every key, those in use first, then the revoked, newest first within each. */
    async list(): Promise<ApiKeySummary[]> {
      const rows = await summaries().orderBy(sql`key.revoked_at is not null`).orderBy('key.created_at', 'desc').execute()
      return rows.map(summaryOf)
    },

    async find(id: string): Promise<ApiKeySummary> {
      const row = uuidPattern.test(id) ? await summaries().where('key.id', '=', id).executeTakeFirst() : undefined
      if (!row) throw new NotFound('API key')
      return summaryOf(row)
    },

    /** Stops a key working at once; what it did stays in the audit log. */
    async revoke(id: string, actor: Actor, context: { ipAddress?: string } = {}): Promise<void> {
      if (!uuidPattern.test(id)) throw new NotFound('API key')
      await db.transaction().execute(async (transaction) => {
        const row = await transaction
          .updateTable('api_keys')
          .set({ revoked_at: sql<Date>`now()`, revoked_by: actor.kind === 'staff' ? (actor.id ?? null) : null })
          .where('id', '=', id)
          .where('revoked_at', 'is', null)
          .returning(['name'])
          .executeTakeFirst()
        if (!row) throw new NotFound('API key')
        await recordAudit(transaction, { actor, action: 'api-key.revoke', subject: { type: 'api-key', id }, details: { name: row.name }, ipAddress: context.ipAddress })
      })
    },

    /**
     * Who a key belongs to and what it may do. A key that is unknown or revoked is refused, and one
     * used faster than its rate is told when to try again.
     */
    async authenticate(key: string, context: { ipAddress?: string } = {}): Promise<ApiClient> {
      const row = keyPattern.test(key)
        ? await db
            .updateTable('api_keys')
            // Kept to the minute, so a busy client does not write on every call.
            .set({ last_used_at: sql<Date>`case when last_used_at is null or last_used_at < now() - interval '1 minute' then now() else last_used_at end` })
            .where('secret_hash', '=', hashOf(key))
            .where('revoked_at', 'is', null)
            .returning(['id', 'name', 'services', 'can_write', 'can_change_status', 'rate_per_minute'])
            .executeTakeFirst()
        : undefined
      if (!row) throw new Forbidden('The API key is not recognised, or it has been revoked')
      const client = clientOf(row)
      const hit = await countHit(db, { key: `api-key:${client.keyId}`, limit: client.ratePerMinute, windowSeconds: 60 })
      if (!hit.allowed) {
        await recordAudit(db, { actor: { kind: 'api-client', id: client.keyId }, action: 'api-key.rate-limited', subject: { type: 'api-key', id: client.keyId }, ipAddress: context.ipAddress })
        throw new TooManyAttempts(hit.retryAt, `This API key may make ${client.ratePerMinute} calls a minute; wait a moment and try again`)
      }
      return client
    },

    /** One line in the audit log for each call a key makes. */
    async recordUse(client: ApiClient, use: ApiKeyUse): Promise<void> {
      await recordAudit(db, {
        actor: { kind: 'api-client', id: client.keyId },
        action: 'api-key.use',
        subject: { type: 'api-key', id: client.keyId },
        details: { method: use.method, path: withoutKey(use.path).slice(0, 500), status: use.statusCode },
        ipAddress: use.ipAddress,
      })
    },
  }
}

export type ApiKeys = ReturnType<typeof createApiKeys>
