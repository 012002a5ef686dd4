import { createHash, randomBytes } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fastifyPlugin from 'fastify-plugin'
import type { DatabaseHandle } from '../database/connection.ts'

export type PrincipalKind = 'resident' | 'staff'
export interface Principal {
  kind: PrincipalKind
  id: string
}

export const sessionCookieName = 'guildhall_session'

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex')

/**
 * A server-side session kept in PostgreSQL, so any app instance can serve any request and staff
 * sessions can be ended at once (disabling an account deletes its rows). The cookie holds a random
 * token; only its hash is stored.
 */
export class Session {
  private changed = false
  private rotated = false
  private destroyed = false

  constructor(
    private token: string | undefined,
    private values: Record<string, unknown>,
    public principal: Principal | undefined,
  ) {}

  get<T>(key: string): T | undefined {
    return this.values[key] as T | undefined
  }

  set(key: string, value: unknown) {
    this.values[key] = value
    this.changed = true
  }

  delete(key: string) {
    if (key in this.values) {
      delete this.values[key]
      this.changed = true
    }
  }

  /** Starts a fresh session for the signed-in person, so a token planted before sign-in is useless. */
  signIn(principal: Principal) {
    this.principal = principal
    this.rotated = true
    this.changed = true
  }

  signOut() {
    this.principal = undefined
    this.values = {}
    this.destroyed = true
  }

  /** @internal used by the plugin when the response is sent */
  pending() {
    return { token: this.token, values: this.values, changed: this.changed, rotated: this.rotated, destroyed: this.destroyed }
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    session: Session
  }
}

export interface SessionOptions {
  db: DatabaseHandle
  secureCookies: boolean
  idleMinutes: number
}

export async function endSessionsOf(db: DatabaseHandle, principal: Principal): Promise<number> {
  const result = await db
    .deleteFrom('sessions')
    .where('principal_kind', '=', principal.kind)
    .where('principal_id', '=', principal.id)
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}

async function sessions(app: FastifyInstance, options: SessionOptions) {
  const { db } = options
  const idleMs = options.idleMinutes * 60_000

  const writeCookie = (reply: FastifyReply, token: string, expires: Date) =>
    reply.setCookie(sessionCookieName, token, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: options.secureCookies,
      expires,
    })

  app.decorateRequest('session', null as unknown as Session)

  app.addHook('onRequest', async (request: FastifyRequest) => {
    const token = request.cookies[sessionCookieName]
    if (token && /^[\w-]{43}$/.test(token)) {
      const row = await db
        .selectFrom('sessions')
        .select(['data', 'principal_kind', 'principal_id'])
        .where('id', '=', hashOf(token))
        .where('expires_at', '>', new Date())
        .executeTakeFirst()
      if (row) {
        const principal =
          row.principal_kind && row.principal_id ? { kind: row.principal_kind, id: row.principal_id } : undefined
        request.session = new Session(token, row.data, principal)
        return
      }
    }
    request.session = new Session(undefined, {}, undefined)
  })

  app.addHook('onSend', async (request, reply, payload) => {
    const session = request.session
    if (!session) return payload
    const { token, values, changed, rotated, destroyed } = session.pending()
    const expires = new Date(Date.now() + idleMs)
    if (destroyed) {
      if (token) await db.deleteFrom('sessions').where('id', '=', hashOf(token)).execute()
      reply.clearCookie(sessionCookieName, { path: '/' })
      return payload
    }
    if (!changed && !token) return payload
    const principal = session.principal
    if (rotated || !token) {
      if (token) await db.deleteFrom('sessions').where('id', '=', hashOf(token)).execute()
      const fresh = randomBytes(32).toString('base64url')
      await db
        .insertInto('sessions')
        .values({
          id: hashOf(fresh),
          principal_kind: principal?.kind ?? null,
          principal_id: principal?.id ?? null,
          data: JSON.stringify(values),
          expires_at: expires,
        })
        .execute()
      writeCookie(reply, fresh, expires)
      return payload
    }
    const updated = await db
      .updateTable('sessions')
      .set({ data: JSON.stringify(values), expires_at: expires })
      .where('id', '=', hashOf(token))
      .executeTakeFirst()
    if (Number(updated.numUpdatedRows) > 0) writeCookie(reply, token, expires)
    return payload
  })
}

export const sessionsPlugin = fastifyPlugin(sessions, { name: 'sessions', dependencies: ['@fastify/cookie'] })
