import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../support/app.ts'
import { extendedStatuses } from '../../../src/modules/open-data/index.ts'
import { address, addressCsv } from '../../support/places.ts'
import { errorsOf, issueKey, items, open311Client, potholeFields, type Fields, type Format, type Open311Client, type Open311Response } from './open311-client.ts'

/**
 * Whatever a client sends, Open311 answers with a document in the format asked for, never a failure
 * of the council's own; and when it refuses, it says which parameter to fix.
 */

const runs = { numRuns: 100 }

/** Values that have tripped up parsers before: empty, control characters, markup, numbers at the edges, dates that are nearly dates. */
const awkward = fc.constantFrom(
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\r\n',
  '\t',
  '%',
  '%00',
  '<request>&amp;</request>',
  ']]>',
  '\uFFFE',
  '\uD800',
  '💩',
  'null',
  '[]',
  '{}',
  '-0',
  '1e400',
  'NaN',
  '-91',
  '181',
  '99999999999999999999999',
  '2026-02-30',
  '2026-11-24T25:00:00Z',
  '2026-11-24T09:30:00',
  '0000-01-01',
  '9999-12-31T23:59:59+14:00',
  'GH-AAAA-AAAA',
  'FIXED',
  'open,closed',
  ',,,',
  'javascript:alert(1)',
  'https://example.org/photo.jpg',
  'https://',
  'someone@example.com',
  '07700 900123',
)

const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  awkward,
  fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
  fc.string({ minLength: 4_001, maxLength: 12_000 }),
)

/** One value, or the parameter repeated, as a form or a query string repeats it. */
const value = fc.oneof({ weight: 4, arbitrary: text }, { weight: 1, arbitrary: fc.array(text, { minLength: 2, maxLength: 12 }) })
const format = fc.constantFrom<Format>('xml', 'json')
/** The two ways a form reaches Open311. */
const encoding = fc.constantFrom('form', 'multipart')
/** A field of a JSON body, which a client may send as anything JSON can say. */
const jsonField = fc.oneof(text, fc.jsonValue({ maxDepth: 2 }))
/** Names a client might invent, including ones shaped like the standard's own. */
const extraName = fc.oneof(fc.string({ minLength: 1, maxLength: 30 }), fc.string({ minLength: 1, maxLength: 20 }).map((code) => `attribute[${code}]`), fc.constantFrom('__proto__', 'constructor', 'attribute[]', 'attribute[[x]]'))
const extraFields = fc.dictionary(extraName, value, { maxKeys: 3 })

let test: TestApp
let client: Open311Client
let key: string
let reference: string
let token: string
let updateCount = 0

beforeAll(async () => {
  test = await createTestApp()
  await test.services.catalogue.seedDefinitions()
  await test.services.places.importAddresses([addressCsv([address(8001)])])
  client = open311Client(test)
  key = (await issueKey(test, { changeStatus: true })).key
  const created = items((await client.post('requests', 'json', { ...potholeFields(), api_key: key })).document)[0]!
  reference = created.service_request_id as string
  token = created.token as string
})
afterAll(async () => {
  await test?.close()
})

/** Sends the fields as a form or as multipart, as a reporting app might. */
function post(path: string, answerIn: Format, fields: Fields, as: string) {
  return as === 'multipart' ? client.postMultipart(path, answerIn, fields) : client.post(path, answerIn, fields)
}

function postJson(path: string, answerIn: Format, body: unknown) {
  return client.call('POST', path, answerIn, { payload: JSON.stringify(body), contentType: 'application/json' })
}

/** A refusal names the parameter that was wrong; anything else is an answer. */
function expectRefusalNames(response: Open311Response, parameter: string) {
  if (response.status < 400) return
  const descriptions = errorsOf(response, response.status)
  expect(
    descriptions.some((description) => description.includes(parameter)),
    `a refusal of ${parameter} says so: ${descriptions.join(' | ')}`,
  ).toBe(true)
}

/** A refusal of a mix of parameters names at least one the endpoint reads. */
function expectRefusalNamesOneOf(response: Open311Response, parameters: readonly string[]) {
  if (response.status < 400) return
  for (const description of errorsOf(response, response.status)) {
    expect(
      parameters.some((parameter) => description.includes(parameter)),
      `"${description}" names one of ${parameters.join(', ')}`,
    ).toBe(true)
  }
}

const withKey = (fields: Fields): Fields => (fields.api_key === undefined ? { ...fields, api_key: key } : fields)
/** An id as a client puts it in the address: UTF-8, percent-encoded, so a lone surrogate becomes U+FFFD as it would on the wire. */
const path = (id: string) => encodeURIComponent(Buffer.from(id).toString())

const requestsParameters = ['service_request_id', 'service_code', 'start_date', 'end_date', 'status', 'jurisdiction_id', 'api_key'] as const
const postRequestParameters = [
  'service_code',
  'lat',
  'long',
  'address_string',
  'address_id',
  'email',
  'device_id',
  'account_id',
  'first_name',
  'last_name',
  'phone',
  'description',
  'media_url',
  'jurisdiction_id',
  'api_key',
  'attribute[position]',
  'attribute[size]',
  'attribute[depth]',
  'attribute[danger]',
  'attribute[details]',
] as const
const updatesParameters = ['start_date', 'end_date', 'jurisdiction_id', 'api_key'] as const
const postUpdateParameters = ['service_request_id', 'update_id', 'status', 'updated_datetime', 'description', 'email', 'first_name', 'last_name', 'media_url', 'service_code', 'jurisdiction_id', 'api_key'] as const

/** A refusal of a request's fields may name the place or photos rather than one parameter. */
const postRequestNames = [...postRequestParameters, 'attribute[', 'media', 'place given', 'answers given']

/** A fresh update for the request, which each run's changes leave the next run's request alone. */
async function freshUpdate(): Promise<Fields> {
  const created = items((await client.post('requests', 'json', { ...potholeFields(), api_key: key })).document)[0]!
  updateCount += 1
  return {
    service_request_id: created.service_request_id as string,
    update_id: `update-${updateCount}`,
    status: 'OPEN',
    updated_datetime: new Date().toISOString(),
    description: 'Still there this morning',
    first_name: 'Sam',
    last_name: 'Jones',
    email: 'sam@example.com',
  }
}

describe('GET requests', () => {
  it('answers any value of any parameter, and a refusal names the parameter', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...requestsParameters), value, format, async (parameter, given, answerIn) => {
        expectRefusalNames(await client.get('requests', answerIn, { [parameter]: given }), parameter)
      }),
      runs,
    )
  })

  it('answers any mix of parameters and extra fields', async () => {
    const query = fc.record(Object.fromEntries(requestsParameters.map((name) => [name, value])), { requiredKeys: [] })
    await fc.assert(
      fc.asyncProperty(query, extraFields, format, async (given, extra, answerIn) => {
        expectRefusalNamesOneOf(await client.get('requests', answerIn, { ...extra, ...given } as Fields), requestsParameters)
      }),
      runs,
    )
  })
})

describe('GET requests/{id}, services/{code} and tokens/{token}', () => {
  it('answers any id, and a refusal names service_request_id', async () => {
    const id = fc.oneof(text, fc.constant(reference), fc.constant(reference.toLowerCase().replace(/-/g, '')))
    await fc.assert(
      fc.asyncProperty(id.filter((given) => given !== ''), fc.option(value), format, async (given, apiKey, answerIn) => {
        const response = await client.get(`requests/${path(given)}`, answerIn, apiKey === null ? {} : { api_key: apiKey })
        expectRefusalNamesOneOf(response, ['service_request_id', 'api_key'])
      }),
      runs,
    )
  })

  it('answers any service code, and a refusal names service_code', async () => {
    const code = fc.oneof(text, fc.constantFrom('pothole', 'missed-bin', 'housing-repair', 'POTHOLE'))
    await fc.assert(
      fc.asyncProperty(code.filter((given) => given !== ''), fc.option(value), format, async (given, apiKey, answerIn) => {
        const response = await client.get(`services/${path(given)}`, answerIn, apiKey === null ? {} : { api_key: apiKey })
        expectRefusalNamesOneOf(response, ['service_code', 'api_key'])
      }),
      runs,
    )
  })

  it('answers any token, and a refusal names the token', async () => {
    const given = fc.oneof(text, fc.constant(token), fc.uuid())
    await fc.assert(
      fc.asyncProperty(given.filter((candidate) => candidate !== ''), format, async (candidate, answerIn) => {
        expectRefusalNamesOneOf(await client.get(`tokens/${path(candidate)}`, answerIn), ['token'])
      }),
      runs,
    )
  })
})

describe('GET servicerequestupdates', () => {
  it('answers any value of any parameter, and a refusal names the parameter', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...updatesParameters), value, format, async (parameter, given, answerIn) => {
        expectRefusalNames(await client.get('servicerequestupdates', answerIn, { [parameter]: given }), parameter)
      }),
      runs,
    )
  })

  it('answers any mix of parameters and extra fields', async () => {
    const query = fc.record(Object.fromEntries(updatesParameters.map((name) => [name, value])), { requiredKeys: [] })
    await fc.assert(
      fc.asyncProperty(query, extraFields, format, async (given, extra, answerIn) => {
        expectRefusalNamesOneOf(await client.get('servicerequestupdates', answerIn, { ...extra, ...given } as Fields), updatesParameters)
      }),
      runs,
    )
  })
})

describe('POST requests', () => {
  it('answers any value of any one field of a good request, and a refusal names the field', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...postRequestParameters), value, format, encoding, async (parameter, given, answerIn, as) => {
        const response = await post('requests', answerIn, withKey({ ...potholeFields(), [parameter]: given }), as)
        expectRefusalNames(response, parameter)
      }),
      runs,
    )
  })

  it('answers a JSON body of any shape', async () => {
    const fields = fc.dictionary(fc.constantFrom(...postRequestParameters), jsonField, { maxKeys: 4 })
    await fc.assert(
      fc.asyncProperty(fields, format, async (given, answerIn) => {
        expectRefusalNamesOneOf(await postJson('requests', answerIn, { ...withKey(potholeFields()), ...given }), postRequestNames)
      }),
      runs,
    )
  })

  it('answers any mix of fields and extra fields', async () => {
    const fields = fc.record(Object.fromEntries(postRequestParameters.map((name) => [name, value])), { requiredKeys: [] })
    await fc.assert(
      fc.asyncProperty(fields, extraFields, fc.boolean(), format, async (given, extra, startGood, answerIn) => {
        const sent = { ...extra, ...(startGood ? potholeFields() : {}), ...given } as Fields
        expectRefusalNamesOneOf(await client.post('requests', answerIn, withKey(sent)), postRequestNames)
      }),
      runs,
    )
  })
})

describe('POST servicerequestupdates', () => {
  it('answers any value of any one field of a good update, and a refusal names the field', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...postUpdateParameters), value, format, encoding, async (parameter, given, answerIn, as) => {
        const response = await post('servicerequestupdates', answerIn, withKey({ ...(await freshUpdate()), [parameter]: given }), as)
        expectRefusalNames(response, parameter)
      }),
      runs,
    )
  })

  it('answers a JSON body of any shape', async () => {
    const fields = fc.dictionary(fc.constantFrom(...postUpdateParameters), jsonField, { maxKeys: 4 })
    await fc.assert(
      fc.asyncProperty(fields, format, async (given, answerIn) => {
        expectRefusalNamesOneOf(await postJson('servicerequestupdates', answerIn, { ...withKey(await freshUpdate()), ...given }), postUpdateParameters)
      }),
      runs,
    )
  })

  it('answers any mix of fields and extra fields', async () => {
    const fields = fc.record(Object.fromEntries(postUpdateParameters.map((name) => [name, value])), { requiredKeys: [] })
    await fc.assert(
      fc.asyncProperty(fields, extraFields, fc.boolean(), format, async (given, extra, startGood, answerIn) => {
        const sent = { ...extra, ...(startGood ? await freshUpdate() : {}), ...given } as Fields
        expectRefusalNamesOneOf(await client.post('servicerequestupdates', answerIn, withKey(sent)), postUpdateParameters)
      }),
      runs,
    )
  })
})

describe('a request’s status moved by updates', () => {
  it('answers any run of statuses, moving the request where the lifecycle allows and naming status where it does not', async () => {
    const status = fc.oneof(
      { weight: 5, arbitrary: fc.constantFrom(...extendedStatuses, 'in progress', 'fixed', 'Not Councils Responsibility') },
      { weight: 1, arbitrary: text },
    )
    await fc.assert(
      fc.asyncProperty(fc.array(status, { minLength: 1, maxLength: 6 }), format, async (statuses, answerIn) => {
        const base = await freshUpdate()
        for (const [index, wanted] of statuses.entries()) {
          const response = await client.post('servicerequestupdates', answerIn, withKey({ ...base, update_id: `${base.update_id}-${index}`, status: wanted }))
          expectRefusalNames(response, 'status')
        }
      }),
      { numRuns: 50 },
    )
  })
})

describe('reading back what was sent', () => {
  it('lists the requests and status changes the properties above stored, in well-formed XML and in JSON', async () => {
    for (const answerIn of ['xml', 'json'] as const) {
      // With the key, the listing carries the reporters' own words, whatever characters they sent.
      const requests = await client.get('requests', answerIn, { api_key: key })
      expect(requests.status).toBe(200)
      expect(items(requests.document).length).toBeGreaterThan(100)
      // Without it, since a client is not told again of the changes it made itself.
      const updates = await client.get('servicerequestupdates', answerIn)
      expect(updates.status).toBe(200)
      expect(items(updates.document).length).toBeGreaterThan(0)
    }
  })
})
