import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../support/app.ts'
import { loadContract, methods, refsIn, resolvePointer, type Contract } from './contract.ts'

/** "METHOD /path" for each route in Fastify's printed tree, whose lines each add a segment to their parent's path. */
function servedRoutes(tree: string): string[] {
  const stack: string[] = []
  const routes: string[] = []
  for (const line of tree.split('\n')) {
    const match = /^((?:[│ ] {3})*)[├└]── (\S+)(?: \(([A-Z, ]+)\))?$/.exec(line)
    if (!match) continue
    const depth = match[1]!.length / 4
    stack.length = depth
    stack.push(match[2]!)
    for (const method of match[3]?.split(', ') ?? []) if (method !== 'HEAD') routes.push(`${method} ${stack.join('')}`)
  }
  return routes
}

describe('the JSON API’s OpenAPI document', () => {
  let test: TestApp
  let contract: Contract
  beforeAll(async () => {
    test = await createTestApp()
    await test.services.catalogue.seedDefinitions()
    contract = await loadContract(test.app)
  })
  afterAll(async () => {
    await test?.close()
  })

  const operations = () =>
    Object.entries(contract.document.paths).flatMap(([path, item]) =>
      methods.filter((method) => item[method] !== undefined).map((method) => ({ path, method, operation: item[method]! })),
    )

  it('is OpenAPI 3.1 with a title, a version and the API’s address', () => {
    const { document } = contract
    expect(document.openapi).toMatch(/^3\.1\.\d+$/)
    expect(document.info.title).toBe(`${test.config.council.name} API`)
    expect(document.info.version).toMatch(/^\d+\.\d+\.\d+$/)
    expect((document as unknown as { servers: { url: string }[] }).servers).toEqual([{ url: `${test.config.baseUrl}/api/v1` }])
  })

  it('gives every operation its responses, each with a description, and names every path parameter', () => {
    expect(operations().length).toBeGreaterThan(10)
    for (const { path, method, operation } of operations()) {
      const where = `${method.toUpperCase()} ${path}`
      expect(path, where).toMatch(/^\//)
      expect(Object.keys(operation.responses).length, where).toBeGreaterThan(0)
      for (const [status, response] of Object.entries(operation.responses)) {
        expect(status, where).toMatch(/^([1-5]\d\d|[1-5]XX|default)$/)
        expect(response.description, `${where} ${status}`).toEqual(expect.any(String))
      }
      const declared = (operation.parameters ?? []).filter((parameter) => (parameter as { in: string }).in === 'path').map((parameter) => (parameter as { name: string }).name)
      const inTemplate = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1])
      expect(declared.sort(), where).toEqual(inTemplate.sort())
    }
  })

  it('resolves every $ref within the document', () => {
    const refs = refsIn(contract.document)
    expect(refs.length).toBeGreaterThan(10)
    for (const { at, ref } of refs) expect(resolvePointer(contract.document, ref), `${ref} at ${at}`).toBeDefined()
  })

  it('compiles every schema it describes', () => {
    for (const name of Object.keys(contract.document.components.schemas)) {
      expect(() => contract.ajv.compile({ $ref: `https://guildhall.example/api/v1/openapi.json#/components/schemas/${name}` }), name).not.toThrow()
    }
  })

  it('describes every error as problem+json and every success as JSON', () => {
    for (const { path, method, operation } of operations()) {
      for (const [status, response] of Object.entries(operation.responses)) {
        const types = Object.keys(response.content ?? {})
        const where = `${method.toUpperCase()} ${path} ${status}`
        if (Number(status) >= 400) expect(types, where).toEqual(['application/problem+json'])
        else if (status === '204' || status === '304') expect(types, where).toEqual([])
        else expect(types, where).toEqual(['application/json'])
      }
    }
  })

  it('documents what every call can meet: an ETag and 304 on reads, the Idempotency-Key’s refusals on POSTs, and refused tokens and rates everywhere', () => {
    for (const { path, method, operation } of operations()) {
      const where = `${method.toUpperCase()} ${path}`
      const statuses = Object.keys(operation.responses)
      expect(statuses, where).toEqual(expect.arrayContaining(['400', '401', '429']))
      if (method === 'get') {
        expect(statuses, where).toEqual(expect.arrayContaining(['200', '304']))
        expect(operation.responses['200']!.headers, where).toHaveProperty('ETag')
      }
      const takesKey = (operation.parameters ?? []).some((parameter) => (parameter as { name: string }).name === 'Idempotency-Key')
      if (method === 'post' && path !== '/tokens') expect(takesKey, where).toBe(true)
      if (takesKey) expect(statuses, where).toEqual(expect.arrayContaining(['409', '422']))
      if (operation.requestBody) expect(statuses, where).toEqual(expect.arrayContaining(['413', '415']))
    }
  })

  it('documents every route the API answers, and the API answers every operation documented', () => {
    const documented = operations().map(({ path, method }) => `${method.toUpperCase()} /api/v1${path.replace(/\{(\w+)\}/g, ':$1')}`)
    for (const route of documented) {
      const [method, url] = route.split(' ') as [string, string]
      expect(test.app.hasRoute({ method: method as 'GET', url }), route).toBe(true)
    }
    const served = servedRoutes(test.app.printRoutes({ commonPrefix: false })).filter((route) => /^\S+ \/api\/v1\//.test(route))
    // The document itself, and the address finder the web pages' script calls, which the places module serves apart from this API.
    const apart = ['GET /api/v1/openapi.json', 'GET /api/v1/addresses']
    expect(served.filter((route) => !apart.includes(route)).sort()).toEqual([...documented].sort())
  })

  it('holds the services a caller may use to the document', async () => {
    const response = await test.app.inject({ method: 'GET', url: '/api/v1/services' })
    contract.expectConforms(response, 'GET', '/services')
    const pothole = await test.app.inject({ method: 'GET', url: '/api/v1/services/pothole' })
    contract.expectConforms(pothole, 'GET', '/services/{code}')
  })

  it('fails a response whose status the operation does not list', async () => {
    const response = await test.app.inject({ method: 'GET', url: '/api/v1/services/pothole' })
    const pretending = { ...response, statusCode: 418, body: response.body, json: response.json, headers: response.headers } as typeof response
    expect(() => contract.expectConforms(pretending, 'GET', '/services/{code}')).toThrow(/does not list/)
  })

  it('fails a body that does not fit the schema, and a type the document does not list', async () => {
    const response = await test.app.inject({ method: 'GET', url: '/api/v1/services/pothole' })
    const extraField = { ...response, json: () => ({ ...response.json<object>(), secret: 'not documented' }) } as typeof response
    expect(() => contract.expectConforms(extraField, 'GET', '/services/{code}')).toThrow(/does not fit/)
    const asHtml = { ...response, headers: { ...response.headers, 'content-type': 'text/html' } } as typeof response
    expect(() => contract.expectConforms(asHtml, 'GET', '/services/{code}')).toThrow(/text\/html/)
  })
})
