import { createHash, randomBytes } from 'node:crypto'
import type { DatabaseHandle } from '../../src/lib/database/connection.ts'
import type { Principal } from '../../src/lib/http/sessions.ts'

export { sessionCookieName as sessionCookie } from '../../src/lib/http/sessions.ts'

/**
 * A signed-in session made directly in the database, for tests that are not about signing in.
 * Returns the token a browser would hold in its session cookie.
 */
export async function sessionFor(db: DatabaseHandle, principal: Principal): Promise<string> {
  const token = randomBytes(32).toString('base64url')
  await db
    .insertInto('sessions')
    .values({
      id: createHash('sha256').update(token).digest('hex'),
      principal_kind: principal.kind,
      principal_id: principal.id,
      data: '{}',
      expires_at: new Date(Date.now() + 3_600_000),
    })
    .execute()
  return token
}
