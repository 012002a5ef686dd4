import type { FastifyRequest } from 'fastify'
import type { Services } from '../../container.ts'
import { Forbidden } from '../../lib/errors.ts'
import { residentTokenPattern, type ApiClient } from '../identity/index.ts'
import { ApiProblem } from './problems.ts'

/** Who is calling the JSON API: a resident through an app, a partner with an API key, or anyone. */
export type ApiCaller = { kind: 'resident'; personId: string; tokenId: string } | { kind: 'client'; client: ApiClient } | { kind: 'anyone' }

declare module 'fastify' {
  interface FastifyRequest {
    apiCaller: ApiCaller
  }
}

const unauthorised = (detail: string) => new ApiProblem(401, 'Sign-in needed', detail)

/** Reads the bearer token; a token that is wrong is refused, never taken as no token at all. */
export async function callerOf(request: FastifyRequest, services: Services): Promise<ApiCaller> {
  const header = request.headers.authorization
  if (header === undefined || header.trim() === '') return { kind: 'anyone' }
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim())
  if (!match) throw unauthorised('The Authorization header must be "Bearer" followed by a token')
  const token = match[1]!
  if (residentTokenPattern.test(token)) {
    const resident = await services.identity.residentApiTokens.authenticate(token)
    if (!resident) throw unauthorised('The token is not recognised or the app was signed out; sign in again')
    return { kind: 'resident', ...resident }
  }
  try {
    const client = await services.identity.apiKeys.authenticate(token, { ipAddress: request.ip })
    request.apiClient = client
    return { kind: 'client', client }
  } catch (error) {
    if (error instanceof Forbidden) throw unauthorised(error.message)
    throw error
  }
}

export function requireResident(caller: ApiCaller): Extract<ApiCaller, { kind: 'resident' }> {
  if (caller.kind === 'resident') return caller
  if (caller.kind === 'client') throw new ApiProblem(403, 'Not allowed', 'Only a resident signed in through an app has an account here')
  throw unauthorised('Sign in with POST /api/v1/tokens and send the token as "Authorization: Bearer …"')
}

/** A caller that may act: a resident, or a client whose key may write for the service. */
export function requireSignedIn(caller: ApiCaller): Exclude<ApiCaller, { kind: 'anyone' }> {
  if (caller.kind === 'anyone') throw unauthorised('Send a resident’s token or an API key as "Authorization: Bearer …"')
  return caller
}
