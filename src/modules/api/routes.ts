import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../config.ts'
import type { Services } from '../../container.ts'
import { InvalidInput, TooManyAttempts } from '../../lib/errors.ts'
import { callerOf, requireResident } from './callers.ts'
import { withEtag } from './etags.ts'
import { rememberAnswer, replayOrClaim } from './idempotency.ts'
import { openApiDocument } from './openapi.ts'
import { ApiProblem, apiErrorHandler, sendNoSuchRoute } from './problems.ts'

type ReferenceParams = { Params: { reference: string } }
type Query = Record<string, unknown>

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/** Where in a value, its keys included, text holds U+0000, which PostgreSQL cannot store: the field's path, or undefined. */
function nulAt(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined
  if (typeof value !== 'object' || value === null) return undefined
  for (const [key, inner] of Object.entries(value)) {
    const field = path ? `${path}.${key}` : key
    if (key.includes('\u0000')) return field.replaceAll('\u0000', '\\0')
    const found = nulAt(inner, field)
    if (found !== undefined) return found
  }
  return undefined
}

/**
 * The JSON API at /api/v1, described by /api/v1/openapi.json. Every route is thin: it reads who is
 * calling, hands the body to the API's service, and sends what comes back; errors are problem+json.
 */
export async function jsonApiRoutes(app: FastifyInstance, { config, services }: { config: Config; services: Services }) {
  const { api, appointments } = services.jsonApi
  const document = JSON.stringify(openApiDocument(config))

  await app.register(
    async (routes) => {
      routes.setErrorHandler(apiErrorHandler)
      // JSON only: a form or text body is refused as unsupported rather than read as something else.
      routes.removeAllContentTypeParsers()
      routes.addContentTypeParser('application/json', { parseAs: 'string' }, routes.getDefaultJsonParser('error', 'error'))
      routes.setNotFoundHandler(sendNoSuchRoute)

      routes.addHook('preHandler', async (request, reply) => {
        const nulField = [request.params, request.query, request.body].map((value) => nulAt(value, '')).find((field) => field !== undefined)
        if (nulField !== undefined) {
          const field = nulField || 'body'
          throw new InvalidInput({ [field]: `${field} must not contain the NUL character (U+0000)` })
        }
        request.apiCaller = await callerOf(request, services)
        if (request.method === 'POST' && request.routeOptions.config.keepsAnswer !== false && (await replayOrClaim(services.jsonApi.db, request, reply, request.apiCaller))) return reply
      })
      routes.addHook('onSend', async (request, reply, payload) => {
        if (request.method === 'POST' && request.idempotency && !reply.getHeader('idempotent-replayed')) await rememberAnswer(services.jsonApi.db, request, reply, payload)
        return withEtag(request, reply, payload)
      })
      routes.addHook('onResponse', async (request, reply) => {
        if (!request.apiClient) return
        await services.identity.apiKeys
          .recordUse(request.apiClient, { method: request.method, path: request.url, statusCode: reply.statusCode, ipAddress: request.ip })
          .catch((error: unknown) => request.log.error({ err: error }, 'The use of an API key could not be audited'))
      })

      const created = (reply: FastifyReply, location: string, body: unknown) => reply.code(201).header('location', location).send(body)
      const requestUrl = (reference: string) => `/api/v1/requests/${reference}`
      const ipOf = (request: FastifyRequest) => ({ ipAddress: request.ip })
      const noCsrf = { config: { csrf: false } }

      routes.get('/openapi.json', async (_request, reply) => reply.type('application/json; charset=utf-8').send(document))

      routes.get('/services', async (request) => api.services(request.apiCaller))
      routes.get<{ Params: { code: string } }>('/services/:code', async (request) => api.service(request.apiCaller, request.params.code))

      routes.get('/requests', async (request) => api.listRequests(request.apiCaller, request.query as Query))
      routes.post('/requests', noCsrf, async (request, reply) => {
        const body = await api.createRequest(request.apiCaller, request.body, { ipAddress: request.ip })
        return created(reply, requestUrl(body.reference), body)
      })
      routes.get<ReferenceParams>('/requests/:reference', async (request) => api.request(request.apiCaller, request.params.reference))
      routes.post<ReferenceParams>('/requests/:reference/updates', noCsrf, async (request, reply) => {
        const body = await api.addUpdate(request.apiCaller, request.params.reference, request.body)
        return created(reply, requestUrl(body.reference), body)
      })

      routes.get<ReferenceParams>('/requests/:reference/slots', async (request) => appointments.slots(request.apiCaller, request.params.reference))
      routes.get<ReferenceParams>('/requests/:reference/appointment', async (request) => appointments.appointment(request.apiCaller, request.params.reference))
      routes.post<ReferenceParams>('/requests/:reference/appointment', noCsrf, async (request, reply) => {
        const body = await appointments.book(request.apiCaller, request.params.reference, request.body)
        return created(reply, `${requestUrl(request.params.reference)}/appointment`, body)
      })
      routes.put<ReferenceParams>('/requests/:reference/appointment', noCsrf, async (request) => appointments.move(request.apiCaller, request.params.reference, request.body))
      routes.delete<ReferenceParams & { Querystring: { id?: string; version?: string } }>('/requests/:reference/appointment', noCsrf, async (request, reply) => {
        const { id, version } = request.query
        if (version !== undefined && !/^\d{1,9}$/.test(version)) throw new InvalidInput({ version: 'version must be the whole number the appointment was read with' })
        await appointments.cancel(request.apiCaller, request.params.reference, { id, version: version === undefined ? undefined : Number(version) })
        return reply.code(204).send()
      })

      // A sign-in's answer holds a new token, which is never kept anywhere but by the app; signing in twice is harmless.
      routes.post('/tokens', { config: { csrf: false, keepsAnswer: false } }, async (request, reply) => {
        const body = isObject(request.body) ? request.body : {}
        const email = typeof body.email === 'string' ? body.email.trim() : ''
        const password = typeof body.password === 'string' ? body.password : ''
        const missing: Record<string, string> = {}
        if (!email) missing.email = 'Give the email address of the resident’s account'
        if (!password) missing.password = 'Give the password of the resident’s account'
        if (Object.keys(missing).length > 0) throw new InvalidInput(missing)
        const result = await services.identity.residents.signIn({ email, password }, ipOf(request))
        if (result.outcome === 'too-many-attempts') throw new TooManyAttempts(result.retryAt, 'Too many attempts to sign in; try again later')
        if (result.outcome === 'locked') throw new ApiProblem(403, 'Not allowed', `The account is locked after too many wrong passwords until ${result.until.toISOString()}`)
        if (result.outcome === 'wrong-details') throw new ApiProblem(401, 'Sign-in needed', 'The email address or password is wrong')
        const name = typeof body.name === 'string' ? body.name : ''
        const token = await services.identity.residentApiTokens.issue(result.personId, name, ipOf(request))
        return created(reply, '/api/v1/account/tokens', { token: token.token, id: token.id, name: token.name, createdAt: token.createdAt.toISOString() })
      })

      routes.get('/account', async (request) => {
        const resident = requireResident(request.apiCaller)
        const person = await services.identity.residents.findPersonById(resident.personId)
        if (!person) throw new ApiProblem(404, 'Not found', 'The account no longer exists')
        return {
          id: person.id,
          givenName: person.givenName,
          familyName: person.familyName,
          email: person.email,
          emailVerified: person.emailVerified,
          mobile: person.mobile,
          mobileVerified: person.mobileVerified,
          contactPreference: person.contactPreference,
        }
      })
      routes.get('/account/tokens', async (request) => {
        const resident = requireResident(request.apiCaller)
        const tokens = await services.identity.residentApiTokens.list(resident.personId)
        return tokens.map((token) => ({
          id: token.id,
          name: token.name,
          createdAt: token.createdAt.toISOString(),
          lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
          current: token.id === resident.tokenId,
        }))
      })
      routes.delete<{ Params: { id: string } }>('/account/tokens/:id', noCsrf, async (request, reply) => {
        const resident = requireResident(request.apiCaller)
        await services.identity.residentApiTokens.revoke(resident.personId, request.params.id === 'current' ? resident.tokenId : request.params.id)
        return reply.code(204).send()
      })
    },
    { prefix: '/api/v1' },
  )
}
