import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { expect } from 'vitest'

/** The parts of an OpenAPI 3.1 document the contract checks read. */
export interface OpenApiDocument {
  openapi: string
  info: { title: string; version: string }
  paths: Record<string, Record<string, Operation>>
  components: { schemas: Record<string, unknown>; securitySchemes?: Record<string, unknown> }
}

interface Operation {
  responses: Record<string, { description: string; headers?: Record<string, { required?: boolean }>; content?: Record<string, { schema: unknown }> }>
  parameters?: unknown[]
  requestBody?: unknown
}

export const methods = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const
const documentId = 'https://guildhall.example/api/v1/openapi.json'

/** RFC 3339 as JSON Schema means it: a full date and time with a zone. */
const dateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i
const date = /^\d{4}-\d{2}-\d{2}$/

function realDate(text: string): boolean {
  const day = text.slice(0, 10)
  return !Number.isNaN(Date.parse(`${day}T00:00:00Z`)) && new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) === day
}

/** Every "$ref" in the document, with where it was found. */
export function refsIn(value: unknown, at = '#'): { at: string; ref: string }[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => refsIn(item, `${at}/${index}`))
  if (typeof value !== 'object' || value === null) return []
  return Object.entries(value).flatMap(([key, child]) => (key === '$ref' && typeof child === 'string' ? [{ at, ref: child }] : refsIn(child, `${at}/${key}`)))
}

/** What a local JSON pointer such as #/components/schemas/Request points at, or undefined. */
export function resolvePointer(document: unknown, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined
  const steps = ref.slice(1).split('/').slice(1).map((step) => decodeURIComponent(step).replace(/~1/g, '/').replace(/~0/g, '~'))
  let here: unknown = document
  for (const step of steps) {
    if (typeof here !== 'object' || here === null || !(step in here)) return undefined
    here = (here as Record<string, unknown>)[step]
  }
  return here
}

export interface Contract {
  document: OpenApiDocument
  /** Fails unless the document describes this response's status and type for the operation, and the body fits its schema. */
  expectConforms(response: LightMyRequestResponse, method: string, pathTemplate: string): void
  /** Fails unless the response is problem+json with this status, fitting the document's Problem schema. */
  expectProblem(response: LightMyRequestResponse, status: number): Problem
  ajv: Ajv2020
}

export interface Problem {
  type: string
  title: string
  status: number
  detail?: string
  errors?: Record<string, string>
}

/**
 * The API's own description, as a client reads it from /api/v1/openapi.json, made into checks: each
 * real response a test sees is held to what the document says about that operation.
 */
export async function loadContract(app: FastifyInstance): Promise<Contract> {
  const response = await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })
  expect(response.statusCode).toBe(200)
  expect(response.headers['content-type']).toMatch(/^application\/json/)
  const document = response.json<OpenApiDocument>()

  const ajv = new Ajv2020({ strict: false, allErrors: true })
  ajv.addFormat('date-time', { type: 'string', validate: (text: string) => dateTime.test(text) && realDate(text) && !Number.isNaN(Date.parse(text)) })
  ajv.addFormat('date', { type: 'string', validate: (text: string) => date.test(text) && realDate(text) })
  // Under an $id, so the document's own "#/components/schemas/…" references resolve within it.
  ajv.addSchema({ $id: documentId, components: document.components }, documentId)

  const compiled = new Map<string, ValidateFunction>()
  function validatorFor(where: string, schema: unknown): ValidateFunction {
    let validate = compiled.get(where)
    if (!validate) {
      validate = ajv.compile(withBase(schema))
      compiled.set(where, validate)
    }
    return validate
  }
  /** A schema from an operation, with its "#/…" references pointed at the document. */
  function withBase(schema: unknown): Record<string, unknown> {
    return JSON.parse(JSON.stringify(schema).replace(/"\$ref":"#\//g, `"$ref":"${documentId}#/`)) as Record<string, unknown>
  }

  function expectFits(schema: unknown, where: string, body: unknown, description: string) {
    const validate = validatorFor(where, schema)
    const fits = validate(body)
    expect(fits, `${description} does not fit the document: ${ajv.errorsText(validate.errors, { separator: '\n' })}\n${JSON.stringify(body, null, 2).slice(0, 2000)}`).toBe(true)
  }

  return {
    document,
    ajv,
    expectConforms(response, method, pathTemplate) {
      const operation = document.paths[pathTemplate]?.[method.toLowerCase()]
      expect(operation, `${method} ${pathTemplate} is not in the document`).toBeDefined()
      const status = String(response.statusCode)
      const documented = operation!.responses[status] ?? operation!.responses.default
      const description = `${method} ${pathTemplate} answered ${status}`
      expect(documented, `${description}, which the document does not list: ${response.body.slice(0, 500)}`).toBeDefined()
      for (const [name, header] of Object.entries(documented!.headers ?? {})) {
        if (header.required) expect(response.headers[name.toLowerCase()], `${description} without the ${name} header the document promises`).toBeDefined()
      }
      const type = String(response.headers['content-type'] ?? '').split(';')[0]!.trim()
      if (!documented!.content) {
        expect(response.body, `${description} with a body the document does not describe`).toBe('')
        return
      }
      const media = documented!.content[type]
      expect(media, `${description} as "${type}", which the document does not list for ${status}`).toBeDefined()
      expectFits(media!.schema, `${pathTemplate} ${method} ${status} ${type}`, response.json(), description)
    },
    expectProblem(response, status) {
      expect(response.statusCode, response.body.slice(0, 500)).toBe(status)
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
      const body = response.json<Problem>()
      expectFits({ $ref: '#/components/schemas/Problem' }, 'Problem', body, `The problem answered with ${status}`)
      expect(body).toMatchObject({ type: expect.any(String), title: expect.any(String), status, detail: expect.any(String) })
      return body
    },
  }
}
