import { createHash } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { sql } from 'kysely'
import type { DatabaseHandle } from '../../lib/database/connection.ts'
import type { ApiCaller } from './callers.ts'
import { ApiProblem } from './problems.ts'

/** How long an answer is kept at least, to be given again: a day covers any client's retries. */
export const idempotencyHours = 24
/** Longer than any POST takes: a claim still unanswered after this was left by a server that stopped. */
const abandonedMinutes = 5
const keyPattern = /^[\x21-\x7e]{1,255}$/

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: { caller: string; key: string }
  }
  interface FastifyContextConfig {
    /** False for a POST whose answer must not be kept to give again, so it takes no Idempotency-Key. */
    keepsAnswer?: boolean
  }
}

const callerKey = (caller: ApiCaller, request: FastifyRequest) =>
  caller.kind === 'resident' ? `resident:${caller.personId}` : caller.kind === 'client' ? `client:${caller.client.keyId}` : `address:${request.ip}`

/**
 * Before a POST with an Idempotency-Key runs: the first time, the key is claimed; again with the
 * same body, the first answer is given back; with another body, or while the first is still
 * running, the client is told so. A claim never answered, because its server stopped, is taken
 * over, so the key is not stuck for a day. Returns true when the reply has been sent here.
 */
export async function replayOrClaim(db: DatabaseHandle, request: FastifyRequest, reply: FastifyReply, caller: ApiCaller): Promise<boolean> {
  const header = request.headers['idempotency-key']
  if (header === undefined) return false
  const key = Array.isArray(header) ? undefined : header.trim()
  if (!key || !keyPattern.test(key)) throw new ApiProblem(400, 'Invalid input', 'Idempotency-Key must be 1 to 255 visible characters, such as a UUID')
  const owner = callerKey(caller, request)
  const fingerprint = createHash('sha256').update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`).digest('hex')
  const claimed = await db
    .insertInto('api_idempotency_keys')
    .values({ caller: owner, key, fingerprint })
    .onConflict((conflict) => conflict.columns(['caller', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst()
  if (claimed) {
    request.idempotency = { caller: owner, key }
    return false
  }
  const earlier = await db.selectFrom('api_idempotency_keys').selectAll().where('caller', '=', owner).where('key', '=', key).executeTakeFirstOrThrow()
  if (earlier.fingerprint !== fingerprint) throw new ApiProblem(422, 'Idempotency key reused', 'This Idempotency-Key was sent before with a different request; use a new key for a new request')
  if (earlier.status_code === null) {
    const abandoned = await db
      .deleteFrom('api_idempotency_keys')
      .where('caller', '=', owner)
      .where('key', '=', key)
      .where('status_code', 'is', null)
      .where('created_at', '<', sql<Date>`now() - make_interval(mins => ${abandonedMinutes})`)
      .executeTakeFirst()
    if (Number(abandoned.numDeletedRows) === 0) throw new ApiProblem(409, 'Conflict', 'A request with this Idempotency-Key is still being handled; try again in a moment')
    return replayOrClaim(db, request, reply, caller)
  }
  if (earlier.location) reply.header('location', earlier.location)
  await reply
    .code(earlier.status_code)
    .header('idempotent-replayed', 'true')
    .type(earlier.status_code >= 400 ? 'application/problem+json' : 'application/json; charset=utf-8')
    .send(earlier.response_body ?? '')
  return true
}

/** After the POST: its answer is kept, unless the server failed, when the key is freed to try again. */
export async function rememberAnswer(db: DatabaseHandle, request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<void> {
  const claim = request.idempotency
  if (!claim) return
  const where = db.updateTable('api_idempotency_keys').where('caller', '=', claim.caller).where('key', '=', claim.key)
  if (reply.statusCode >= 500) {
    await db.deleteFrom('api_idempotency_keys').where('caller', '=', claim.caller).where('key', '=', claim.key).execute()
    return
  }
  const location = reply.getHeader('location')
  await where
    .set({ status_code: reply.statusCode, response_body: typeof payload === 'string' ? payload : payload === undefined || payload === null ? '' : String(payload), location: typeof location === 'string' ? location : null })
    .execute()
}

export async function removeExpiredIdempotencyKeys(db: DatabaseHandle): Promise<void> {
  await db.deleteFrom('api_idempotency_keys').where('created_at', '<', sql<Date>`now() - make_interval(hours => ${idempotencyHours})`).execute()
}
