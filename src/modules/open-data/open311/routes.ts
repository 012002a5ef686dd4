import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Services } from '../../../container.ts'
import { Conflict, DomainError, Forbidden, InvalidInput, NotFound, TooManyAttempts } from '../../../lib/errors.ts'
import type { ApiClient } from '../../identity/index.ts'
import { contentTypes, errorsDocument, open311Formats, render, type Open311Document, type Open311Format } from './documents.ts'
import { Open311Refusal, single } from './parameters.ts'
import type { Open311, Open311Caller } from './service.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** The API key's client, once the key the request carried was checked. */
    apiClient?: ApiClient
  }
}

type Raw = Record<string, unknown>

const prefix = '/open311/v2'

/**
 * The parts of the address below /open311/v2. One wildcard route reads them all, because the
 * router answers a named parameter of over 100 characters itself, in JSON of its own, before
 * Open311 could refuse it in the standard's terms. The parts are split before they are decoded,
 * so an id holding an encoded "/" is still one id.
 */
const partsOf = (request: FastifyRequest) =>
  request.url
    .split('?', 1)[0]!
    .slice(prefix.length + 1)
    .split('/')
    .map((part) => decodeURIComponent(part))

const noSuchAddress = () => new Open311Refusal(404, ['There is no such Open311 address; discovery.xml lists what there is'])

/** "requests.xml" → the name and the format; anything but .xml or .json is not an address here. */
function fileOf(file: string): { name: string; format: Open311Format } {
  const dot = file.lastIndexOf('.')
  const format = file.slice(dot + 1)
  if (dot <= 0 || !(open311Formats as readonly string[]).includes(format)) {
    throw new Open311Refusal(404, ['Ask for the response as .xml or .json, for example services.xml'])
  }
  return { name: file.slice(0, dot), format: format as Open311Format }
}

/** The format the address asks for; only the path says, since a query's value may end in ".json" too. */
const formatOf = (request: FastifyRequest): Open311Format => (request.url.split('?', 1)[0]!.endsWith('.json') ? 'json' : 'xml')

function send(reply: FastifyReply, format: Open311Format, document: Open311Document, statusCode = 200) {
  return reply.code(statusCode).type(contentTypes[format]).send(render(document, format))
}

/** A refusal from anywhere below, in the standard's terms; it knows only 400, 403 and 404. */
function refusalOf(error: unknown): Open311Refusal | undefined {
  if (error instanceof Open311Refusal) return error
  if (error instanceof InvalidInput) return new Open311Refusal(400, Object.values(error.fields))
  if (error instanceof NotFound) return new Open311Refusal(404, [error.message])
  if (error instanceof Conflict) return new Open311Refusal(400, [error.message])
  if (error instanceof DomainError && (error.statusCode === 403 || error.statusCode === 404)) return new Open311Refusal(error.statusCode, [error.message])
  if (error instanceof DomainError) return new Open311Refusal(400, [error.message])
  return undefined
}

/** Fastify's own refusals of a body it could not read, worded for the client to act on. */
function bodyRefusal(error: { statusCode?: number; code?: string; message: string }): Open311Refusal | undefined {
  if (error.statusCode === 413 || error.code === 'FST_FILES_LIMIT' || error.code === 'FST_REQ_FILE_TOO_LARGE') {
    return new Open311Refusal(400, ['The request is too large: a body may be at most 1 MB, with up to 3 photos of 10 MB each'])
  }
  if (error.statusCode === 415) return new Open311Refusal(400, ['Send the body as application/x-www-form-urlencoded or multipart/form-data'])
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) return new Open311Refusal(400, [`The request could not be read: ${error.message}`])
  return undefined
}

/** Form fields as text, and any uploaded files apart as the photos they are meant to be. */
function fieldsAndPhotos(body: unknown): { fields: Raw; photos: Buffer[] } {
  const fields: Raw = {}
  const photos: Buffer[] = []
  if (typeof body !== 'object' || body === null) return { fields, photos }
  for (const [name, value] of Object.entries(body as Raw)) {
    const values = Array.isArray(value) ? value : [value]
    const files = values.filter((item): item is Buffer => Buffer.isBuffer(item))
    if (files.length > 0) photos.push(...files)
    else fields[name] = value
  }
  return { fields, photos }
}

/**
 * Open311 GeoReport v2 at /open311/v2, in XML and JSON. Callers with an API key send it as
 * api_key; each key's use is audited and limited to its own rate.
 */
export async function open311Routes(app: FastifyInstance, { services }: { services: Services }) {
  const open311: Open311 = services.openData.open311
  const apiKeys = services.identity.apiKeys

  await app.register(
    async (api) => {
      api.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
        const format = formatOf(request)
        if (error instanceof TooManyAttempts) {
          reply.header('retry-after', Math.max(1, Math.ceil((error.retryAt.getTime() - Date.now()) / 1000)))
          return send(reply, format, errorsDocument([{ code: 429, description: error.message }]), 429)
        }
        const refusal = refusalOf(error) ?? bodyRefusal(error)
        if (refusal) return send(reply, format, errorsDocument(refusal.descriptions.map((description) => ({ code: refusal.statusCode, description }))), refusal.statusCode)
        request.log.error({ err: error }, 'unhandled error in Open311')
        return send(reply, format, errorsDocument([{ code: 500, description: 'Something went wrong on our side; try again later' }]), 500)
      })
      api.setNotFoundHandler((request, reply) => {
        const refusal = noSuchAddress()
        return send(reply, formatOf(request), errorsDocument(refusal.descriptions.map((description) => ({ code: 404, description }))), 404)
      })
      api.addHook('onResponse', async (request, reply) => {
        if (!request.apiClient) return
        await apiKeys
          .recordUse(request.apiClient, { method: request.method, path: request.url, statusCode: reply.statusCode, ipAddress: request.ip })
          .catch((error: unknown) => request.log.error({ err: error }, 'The use of an API key could not be audited'))
      })

      /** The caller's client, when the call carries a key; a key that is wrong is refused, never ignored. */
      async function callerOf(request: FastifyRequest, fields: Raw): Promise<Open311Caller> {
        const key = single(fields, 'api_key') ?? single(request.query as Raw, 'api_key')
        if (key === undefined || key.trim() === '') return undefined
        try {
          request.apiClient = await apiKeys.authenticate(key.trim(), { ipAddress: request.ip })
        } catch (error) {
          // Named as the parameter, so a client sees which part of its call to fix.
          if (error instanceof Forbidden) throw new Open311Refusal(403, [`api_key: ${error.message}`])
          throw error
        }
        return request.apiClient
      }

      const query = (request: FastifyRequest) => request.query as Raw

      async function list(request: FastifyRequest, reply: FastifyReply, file: string) {
        const { name, format } = fileOf(file)
        const caller = await callerOf(request, {})
        switch (name) {
          case 'discovery':
            return send(reply, format, open311.discovery())
          case 'services':
            return send(reply, format, await open311.services(caller))
          case 'requests':
            return send(reply, format, await open311.requests(query(request), caller))
          case 'servicerequestupdates':
            return send(reply, format, await open311.updates(query(request), caller))
          default:
            throw new Open311Refusal(404, [`There is no Open311 list called "${name.slice(0, 40)}"; discovery.xml lists what there is`])
        }
      }

      async function item(request: FastifyRequest, reply: FastifyReply, kind: string, file: string) {
        const { name: id, format } = fileOf(file)
        const caller = await callerOf(request, {})
        switch (kind) {
          case 'services':
            return send(reply, format, await open311.serviceDefinition(id, caller))
          case 'requests':
            return send(reply, format, await open311.request(id, caller))
          case 'tokens':
            return send(reply, format, await open311.token(id, caller))
          default:
            throw noSuchAddress()
        }
      }

      api.get('/*', async (request, reply) => {
        const parts = partsOf(request)
        if (parts.length === 1) return list(request, reply, parts[0]!)
        if (parts.length === 2) return item(request, reply, parts[0]!, parts[1]!)
        throw noSuchAddress()
      })

      // Clients authenticate with their key, not a session, so there is no form for CSRF to protect.
      api.post('/*', { config: { csrf: false } }, async (request, reply) => {
        const parts = partsOf(request)
        if (parts.length !== 1) throw noSuchAddress()
        const { name, format } = fileOf(parts[0]!)
        const { fields, photos } = fieldsAndPhotos(request.body)
        const caller = await callerOf(request, fields)
        switch (name) {
          case 'requests':
            return send(reply, format, await open311.createRequest(fields, photos, caller))
          case 'servicerequestupdates':
            if (photos.length > 0) throw new Open311Refusal(400, ['Send an update’s photos as media_url'])
            return send(reply, format, await open311.postUpdate(fields, caller))
          default:
            throw new Open311Refusal(404, [`Nothing can be sent to "${name.slice(0, 40)}"; send requests to requests.xml and updates to servicerequestupdates.xml`])
        }
      })
    },
    { prefix },
  )
}
