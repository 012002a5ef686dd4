import fc from 'fast-check'
import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { gridToLatitudeLongitude } from '../../../src/modules/places/index.ts'
import { createTestApp, type TestApp } from '../../support/app.ts'
import { address, addressCsv } from '../../support/places.ts'
import { loadContract, type Contract } from './contract.ts'

/**
 * Whatever an app or a partner sends, the JSON API answers as its OpenAPI document says, never with
 * a failure of the council's own; and when it refuses input, it says which field to fix.
 */

const runs = { numRuns: 80 }
const point = gridToLatitudeLongitude(447_467.2, 204_298)

/** Values that have tripped up parsers before, beside whatever fast-check makes up. */
const awkward = fc.constantFrom('', ' ', '\u0000', 'a\u0000b', '%', '%00', '\uD800', '💩', 'null', '-1', '0', '1e400', 'NaN', '101', '2026-02-30', '2026-11-24T25:00:00Z', 'open', 'closed', 'pothole', 'housing-repair', 'GH-AAAA-AAAA', 'AAAA')
const text = fc.oneof(fc.string(), fc.string({ unit: 'grapheme', maxLength: 40 }), awkward, fc.date({ noInvalidDate: true }).map((date) => date.toISOString()))
const jsonBody = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.dictionary(fc.constantFrom('serviceCode', 'answers', 'text', 'email', 'password', 'name', 'slot', 'date', 'window', 'version', 'id'), fc.oneof(text, fc.jsonValue({ maxDepth: 2 })), { maxKeys: 5 }))

let test: TestApp
let contract: Contract
let residentToken: string
let partnerKey: string
let reference: string
let callCount = 0

beforeAll(async () => {
  test = await createTestApp()
  await test.services.catalogue.seedDefinitions()
  await test.services.places.importAddresses([addressCsv([address(8001)])])
  const email = 'sam.properties@example.com'
  const { personId } = await test.services.identity.residents.createVerifiedResident({ givenName: 'Sam', familyName: 'Okafor', email, password: 'a long password for properties' })
  residentToken = (await test.services.identity.residentApiTokens.issue(personId, 'Property tests')).token
  partnerKey = (await test.services.identity.apiKeys.issue({ name: 'Property partner', services: 'all', write: true, changeStatus: true, ratePerMinute: 100_000 }, { kind: 'system' })).key
  const made = await send('POST', '/requests', '/requests', residentToken, {
    serviceCode: 'pothole',
    answers: { location: point, position: 'road', size: 'smaller-than-plate', depth: 'no', danger: 'no', details: 'By the bus stop' },
  })
  expect(made.statusCode, made.body).toBe(201)
  reference = made.json<{ reference: string }>().reference
  contract = await loadContract(test.app)
})
afterAll(async () => {
  await test?.close()
})

/** Each call from an address of its own, so the limits per address measure one property's calls, not all of them. */
function nextAddress(): string {
  callCount += 1
  return `198.51.${Math.floor(callCount / 250) % 250}.${(callCount % 250) + 1}`
}

async function send(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, template: string, bearer: string | undefined, body?: unknown): Promise<LightMyRequestResponse> {
  return test.app.inject({
    method,
    url: `/api/v1${url}`,
    headers: { ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    remoteAddress: nextAddress(),
  })
}

/** The answer is what the document promises; a refusal of input names a field or says what to send. */
function expectDescribed(response: LightMyRequestResponse, method: string, template: string) {
  expect(response.statusCode, response.body).toBeLessThan(500)
  contract.expectConforms(response, method, template)
  if (response.statusCode === 400) {
    const problem = contract.expectProblem(response, 400)
    expect(problem.detail ?? '', 'a refusal says what was wrong').not.toBe('')
  }
}

const callers = fc.constantFrom<'resident' | 'partner' | 'anyone'>('resident', 'partner', 'anyone')
const bearerOf = (caller: 'resident' | 'partner' | 'anyone') => (caller === 'resident' ? residentToken : caller === 'partner' ? partnerKey : undefined)

describe('the JSON API under arbitrary input', () => {
  it('lists requests for any filters and cursor, refusing a bad one by name', async () => {
    const parameters = ['limit', 'status', 'from', 'to', 'cursor', 'service'] as const
    await fc.assert(
      fc.asyncProperty(callers, fc.dictionary(fc.constantFrom(...parameters), text, { minKeys: 1, maxKeys: 4 }), async (caller, query) => {
        const response = await send('GET', `/requests?${new URLSearchParams(query).toString()}`, '/requests', bearerOf(caller))
        expectDescribed(response, 'GET', '/requests')
        if (response.statusCode === 400) {
          const problem = response.json<{ detail: string; errors?: Record<string, string> }>()
          const named = Object.keys(problem.errors ?? {}).concat(problem.detail)
          expect(parameters.some((parameter) => named.some((text) => text.includes(parameter))), problem.detail).toBe(true)
        }
      }),
      runs,
    )
  })

  it('answers any service code or reference in the address with the service, the request, or not found', async () => {
    await fc.assert(
      fc.asyncProperty(callers, fc.constantFrom('/services/{code}', '/requests/{reference}', '/requests/{reference}/slots', '/requests/{reference}/appointment'), text, async (caller, template, id) => {
        const response = await send('GET', template.replace(/\{\w+\}/, encodeURIComponent(Buffer.from(id).toString())), template, bearerOf(caller))
        expectDescribed(response, 'GET', template)
      }),
      runs,
    )
  })

  it('takes any body for a new request and either makes it or says what to fix', async () => {
    await fc.assert(
      fc.asyncProperty(callers, jsonBody, async (caller, body) => {
        const response = await send('POST', '/requests', '/requests', bearerOf(caller), body)
        expectDescribed(response, 'POST', '/requests')
      }),
      runs,
    )
  })

  it('takes any body for an update, an appointment or a sign-in', async () => {
    const operations = [
      { method: 'POST', template: '/requests/{reference}/updates' },
      { method: 'POST', template: '/requests/{reference}/appointment' },
      { method: 'PUT', template: '/requests/{reference}/appointment' },
      { method: 'POST', template: '/tokens' },
    ] as const
    await fc.assert(
      fc.asyncProperty(callers, fc.constantFrom(...operations), jsonBody, async (caller, operation, body) => {
        const response = await send(operation.method, operation.template.replace('{reference}', reference), operation.template, bearerOf(caller), body)
        expectDescribed(response, operation.method, operation.template)
      }),
      runs,
    )
  })
})
