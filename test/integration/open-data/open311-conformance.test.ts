import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../support/app.ts'
import { address, addressCsv } from '../../support/places.ts'
import { ukDateOf } from '../../../src/lib/calendar/index.ts'
import {
  errorsOf,
  formats,
  issueKey,
  items,
  millLane,
  open311Client,
  outsideTheArea,
  potholeFields,
  type Fields,
  type Format,
  type Open311Client,
  type Open311Response,
  type Tree,
} from './open311-client.ts'

/**
 * Every Open311 GeoReport v2 endpoint, and mySociety's servicerequestupdates, in XML and JSON: the
 * element and field names to the letter, the content types, the filters, and every refusal in the
 * standard's errors document with the HTTP status that goes with it.
 */

const serviceFields = ['service_code', 'service_name', 'description', 'metadata', 'type', 'keywords', 'group']
const attributeFields = ['variable', 'code', 'datatype', 'required', 'datatype_description', 'order', 'description']
const createdFields = ['service_request_id', 'token', 'service_notice', 'account_id']
const requestFields = [
  'service_request_id',
  'status',
  'status_notes',
  'service_name',
  'service_code',
  'description',
  'agency_responsible',
  'service_notice',
  'requested_datetime',
  'updated_datetime',
  'expected_datetime',
  'address',
  'address_id',
  'zipcode',
  'lat',
  'long',
  'media_url',
]
const updateFields = ['update_id', 'service_request_id', 'status', 'updated_datetime', 'description', 'media_url', 'external_status_code']
const extendedStatuses = ['OPEN', 'CLOSED', 'FIXED', 'IN_PROGRESS', 'ACTION_SCHEDULED', 'INVESTIGATING', 'DUPLICATE', 'NOT_COUNCILS_RESPONSIBILITY', 'NO_FURTHER_ACTION', 'INTERNAL_REFERRAL', 'CANCELLED', 'REOPEN', 'FOR_TRIAGE']
const w3cDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:Z|[+-]\d{2}:\d{2})$/
const dayMs = 86_400_000
/** A request id in the right form that no request has. */
const unknownReference = 'GH-2345-6789'

let test: TestApp
let client: Open311Client
/** A reporting app's key: every service, may send requests and move their status. */
let appKey: string
let readOnlyKey: string
/** Granted the pothole service only. */
let potholeKey: string
/** Granted the private missed-bin service, and nothing else private. */
let binsKey: string

const yesterday = () => ukDateOf(new Date(Date.now() - dayMs))

function missedBinFields(fields: Fields = {}): Fields {
  return {
    service_code: 'missed-bin',
    lat: millLane.latitude.toFixed(6),
    long: millLane.longitude.toFixed(6),
    email: 'bins@example.com',
    description: 'Both bins were left at number 4',
    'attribute[bins][]': ['rubbish', 'recycling'],
    'attribute[collection-date]': yesterday(),
    'attribute[out-in-time]': 'yes',
    'attribute[collection-point]': 'kerbside',
    ...fields,
  }
}

function streetLightFields(fields: Fields = {}): Fields {
  return {
    service_code: 'street-light',
    lat: millLane.latitude.toFixed(6),
    long: millLane.longitude.toFixed(6),
    email: 'lights@example.com',
    'attribute[fault]': 'not-working',
    'attribute[how-many]': 'one',
    ...fields,
  }
}

/** Sends a request as a reporting app and gives back its id and token. */
async function created(fields: Fields, key = appKey): Promise<{ id: string; token: string }> {
  const response = await client.post('requests', 'json', { ...fields, api_key: key })
  expect(response.status, response.body).toBe(200)
  const [request] = items(response.document)
  return { id: request!.service_request_id as string, token: request!.token as string }
}

const requestRow = (reference: string) => test.database.db.selectFrom('requests').selectAll().where('reference', '=', reference).executeTakeFirstOrThrow()

/** Makes a request look as if it was made days ago; the application never changes when a request was made. */
async function madeDaysAgo(reference: string, days: number) {
  await sql`update requests set created_at = ${new Date(Date.now() - days * dayMs)} where reference = ${reference}`.execute(test.database.db)
}

/** The same call in XML and JSON: the root element XML must have, and the same content in both. */
async function both(path: string, query: Fields, root: string): Promise<Tree> {
  const [xml, json] = await Promise.all(formats.map((format) => client.get(path, format, query)))
  expect(xml!.status, xml!.body.slice(0, 300)).toBe(200)
  expect(json!.status, json!.body.slice(0, 300)).toBe(200)
  expect(xml!.root).toBe(root)
  expect(xml!.document).toEqual(json!.document)
  return json!.document
}

const idsIn = (document: Tree) => items(document).map((request) => request.service_request_id)

beforeAll(async () => {
  test = await createTestApp()
  await test.services.catalogue.seedDefinitions()
  await test.services.places.importAddresses([addressCsv([address(8001)])])
  client = open311Client(test)
  appKey = (await issueKey(test, { changeStatus: true })).key
  readOnlyKey = (await issueKey(test, { write: false })).key
  potholeKey = (await issueKey(test, { services: ['pothole'] })).key
  binsKey = (await issueKey(test, { services: ['missed-bin'] })).key
})
afterAll(async () => {
  await test?.close()
})

describe('discovery', () => {
  it('lists the endpoint, its specification and both formats', async () => {
    const discovery = (await both('discovery', { jurisdiction_id: 'lower-wendle' }, 'discovery')) as Record<string, Tree>
    expect(Object.keys(discovery)).toEqual(['changeset', 'contact', 'key_service', 'endpoints'])
    expect(discovery.changeset).toMatch(w3cDateTime)
    const [endpoint] = items(discovery.endpoints!)
    expect(Object.keys(endpoint!)).toEqual(['specification', 'url', 'changeset', 'type', 'formats'])
    expect(endpoint).toMatchObject({ specification: 'http://wiki.open311.org/GeoReport_v2', url: `${test.config.baseUrl}/open311/v2`, type: 'production' })
    expect(endpoint!.formats).toEqual(['text/xml', 'application/json'])
  })
})

describe('services', () => {
  it('lists every public service to anyone, and no private one', async () => {
    const services = items(await both('services', {}, 'services'))
    for (const service of services) {
      expect(Object.keys(service)).toEqual(serviceFields)
      expect(['true', 'false']).toContain(service.metadata)
      expect(service.type).toBe('realtime')
      expect(service.service_name).not.toBe('')
    }
    const codes = services.map((service) => service.service_code)
    expect(codes).toEqual(expect.arrayContaining(['pothole', 'street-light', 'blocked-drain', 'fly-tipping']))
    expect(codes).not.toContain('missed-bin')
    expect(codes).not.toContain('housing-repair')
    expect(services.find((service) => service.service_code === 'pothole')).toMatchObject({ service_name: 'Report a pothole', metadata: 'true', group: 'Roads, streets and pavements' })
  })

  it('adds a private service only for a key granted it', async () => {
    const codesFor = async (key: string) => items(await both('services', { api_key: key }, 'services')).map((service) => service.service_code)
    const forBins = await codesFor(binsKey)
    expect(forBins).toContain('missed-bin')
    expect(forBins).not.toContain('housing-repair')
    expect(forBins).toContain('pothole')
    expect(await codesFor(potholeKey)).not.toContain('missed-bin')
    expect(await codesFor(appKey)).toEqual(expect.arrayContaining(['missed-bin', 'housing-repair']))
  })

  it('defines a service’s attributes with their datatypes, order and values', async () => {
    const definition = (await both('services/pothole', { jurisdiction_id: 'lower-wendle' }, 'service_definition')) as Record<string, Tree>
    expect(Object.keys(definition)).toEqual(['service_code', 'attributes'])
    expect(definition.service_code).toBe('pothole')
    const attributes = items(definition.attributes!)
    expect(attributes.map((attribute) => attribute.code)).toEqual(['position', 'size', 'depth', 'danger'])
    attributes.forEach((attribute, index) => {
      expect(Object.keys(attribute)).toEqual([...attributeFields, 'values'])
      expect(attribute).toMatchObject({ variable: 'true', datatype: 'singlevaluelist', required: 'true', order: String(index + 1) })
      for (const choice of items(attribute.values!)) expect(Object.keys(choice)).toEqual(['key', 'name'])
    })
    expect(attributes[0]!.description).toBe('Where on the road is the pothole?')
    expect(items(attributes[0]!.values!)[0]).toEqual({ key: 'road', name: 'In the road' })
    expect(attributes[2]!.datatype_description).toBe('4cm is about the width of 2 fingers. Only check if it is safe to do so.')

    const flyTipping = items(((await both('services/fly-tipping', {}, 'service_definition')) as Record<string, Tree>).attributes!)
    expect(flyTipping.find((attribute) => attribute.code === 'waste')).toMatchObject({ datatype: 'multivaluelist', required: 'true' })
    const witness = flyTipping.find((attribute) => attribute.code === 'witness-details')!
    expect(Object.keys(witness)).toEqual(attributeFields)
    expect(witness).toMatchObject({ datatype: 'text', required: 'false' })
  })

  it('defines a private service only for a key granted it', async () => {
    for (const format of formats) {
      expect(errorsOf(await client.get('services/missed-bin', format), 404)[0]).toContain('service_code "missed-bin"')
      errorsOf(await client.get('services/missed-bin', format, { api_key: potholeKey }), 404)
    }
    const definition = (await both('services/missed-bin', { api_key: binsKey }, 'service_definition')) as Record<string, Tree>
    const attributes = items(definition.attributes!)
    expect(attributes.map((attribute) => attribute.code)).toEqual(['bins', 'collection-date', 'out-in-time', 'collection-point'])
    expect(attributes[1]).toMatchObject({ datatype: 'datetime' })
  })
})

describe('POST requests', () => {
  it('takes a point, the reporter’s details and photo addresses, and answers with the id, a token and the account id', async () => {
    for (const format of formats) {
      const response = await client.post('requests', format, {
        ...potholeFields({ email: `sam.${format}@example.com`, first_name: 'Sam', last_name: 'Jones', phone: '07700 900123' }),
        device_id: `device-${format}`,
        account_id: `account-${format}`,
        media_url: ['https://photos.example.org/1.jpg', 'https://photos.example.org/2.jpg'],
        jurisdiction_id: 'lower-wendle',
        api_key: appKey,
      })
      expect(response.status, response.body).toBe(200)
      if (format === 'xml') expect(response.root).toBe('service_requests')
      const [request] = items(response.document)
      expect(Object.keys(request!)).toEqual(createdFields)
      expect(request).toMatchObject({ service_notice: '', account_id: `account-${format}` })
      expect(request!.service_request_id).toMatch(/^GH-[0-9A-Z]{4}-[0-9A-Z]{4}$/)
      expect(request!.token).toMatch(/^[0-9a-f-]{36}$/)

      const row = await requestRow(request!.service_request_id as string)
      expect(row).toMatchObject({ service_code: 'pothole', channel: 'open311', media_urls: ['https://photos.example.org/1.jpg', 'https://photos.example.org/2.jpg'], is_public: true })
      expect(row.answers).toMatchObject({ position: 'road', size: 'plate-to-tyre', depth: 'no', danger: 'no', details: 'A hole in the road outside the post office' })
      expect(row.answers.location).toMatchObject({ wardCode: 'LWW01', latitude: Number(millLane.latitude.toFixed(6)) })
      const person = await test.database.db.selectFrom('people').selectAll().where('id', '=', row.person_id).executeTakeFirstOrThrow()
      expect(person).toMatchObject({ email: `sam.${format}@example.com`, given_name: 'Sam', family_name: 'Jones' })
      const submission = await test.database.db.selectFrom('open311_submissions').selectAll().where('request_id', '=', row.id).executeTakeFirstOrThrow()
      expect(submission).toMatchObject({ token: request!.token, device_id: `device-${format}`, account_id: `account-${format}` })
    }
  })

  it('places a request by address_string, by address_id (a UPRN) or by point, whichever is given', async () => {
    const byPostcode = await created(potholeFields({ lat: [], long: [], address_string: 'LW1 5UP' }))
    expect((await requestRow(byPostcode.id)).answers.location).toMatchObject({ wardCode: 'LWW01', usrn: '48100001' })
    const byStreet = await created(potholeFields({ lat: [], long: [], address_string: 'Mill Lane' }))
    expect((await requestRow(byStreet.id)).answers.location).toMatchObject({ wardCode: 'LWW01' })
    const byUprn = await created(potholeFields({ lat: [], long: [], address_id: '8001' }))
    expect((await requestRow(byUprn.id)).answers.location).toMatchObject({ wardCode: 'LWW01', description: 'Near 1 Mill Lane, Lower Wendle' })
    const pointAndWords = await created(potholeFields({ address_string: 'By the post office' }))
    expect((await requestRow(pointAndWords.id)).answers.location).toMatchObject({ description: expect.stringContaining('(given as "By the post office")') })
  })

  it('records the reporter by a UK mobile number when no email address is given', async () => {
    const { id } = await created(potholeFields({ email: [], phone: '07700 900456', first_name: 'Ria' }))
    const person = await test.database.db.selectFrom('people').selectAll().where('id', '=', (await requestRow(id)).person_id).executeTakeFirstOrThrow()
    expect(person).toMatchObject({ email: null, mobile: '07700900456', given_name: 'Ria' })
  })

  it('takes the same fields as multipart form data', async () => {
    const response = await client.postMultipart('requests', 'xml', { ...potholeFields({ media_url: ['https://photos.example.org/3.jpg'] }), api_key: appKey })
    expect(response.status, response.body).toBe(200)
    const [request] = items(response.document)
    expect((await requestRow(request!.service_request_id as string)).media_urls).toEqual(['https://photos.example.org/3.jpg'])
  })

  it('sends a request for a private service with a key granted it', async () => {
    const { id } = await created(missedBinFields(), binsKey)
    expect(await requestRow(id)).toMatchObject({ service_code: 'missed-bin', is_public: false })
    expect((await requestRow(id)).answers).toMatchObject({ bins: ['rubbish', 'recycling'], 'collection-date': yesterday(), details: 'Both bins were left at number 4' })
  })
})

describe('GET requests', () => {
  let pothole: { id: string; token: string }
  let light: { id: string; token: string }
  let fixed: { id: string; token: string }
  let old: { id: string; token: string }
  let bins: { id: string; token: string }

  beforeAll(async () => {
    pothole = await created(potholeFields({ description: 'Deep hole by the bus stop' }))
    light = await created(streetLightFields())
    fixed = await created(potholeFields())
    const update = await client.post('servicerequestupdates', 'xml', { service_request_id: fixed.id, update_id: 'fixed-1', status: 'FIXED', updated_datetime: new Date().toISOString(), api_key: appKey })
    expect(update.status, update.body).toBe(200)
    old = await created(potholeFields())
    await madeDaysAgo(old.id, 100)
    bins = await created(missedBinFields(), binsKey)
  })

  it('lists requests with every field of the standard, newest first', async () => {
    const listed = items(await both('requests', { jurisdiction_id: 'lower-wendle' }, 'service_requests'))
    for (const request of listed) {
      expect(Object.keys(request)).toEqual(requestFields)
      expect(['open', 'closed']).toContain(request.status)
      expect(request.requested_datetime).toMatch(w3cDateTime)
      expect(request.updated_datetime).toMatch(w3cDateTime)
      expect(request.agency_responsible).toBe(test.config.council.name)
    }
    const ids = listed.map((request) => request.service_request_id)
    expect(ids.indexOf(light.id)).toBeLessThan(ids.indexOf(pothole.id))
    expect(listed.find((request) => request.service_request_id === pothole.id)).toMatchObject({
      status: 'open',
      status_notes: 'Reported',
      service_name: 'Report a pothole',
      service_code: 'pothole',
      address: 'Mill Lane, Lower Wendle',
      lat: String(Number(millLane.latitude.toFixed(6))),
      long: String(Number(millLane.longitude.toFixed(6))),
    })
    expect(listed.find((request) => request.service_request_id === fixed.id)).toMatchObject({ status: 'closed', status_notes: 'Pothole repaired' })
  })

  it('covers the last 90 days unless start_date and end_date say otherwise', async () => {
    const recent = idsIn(await both('requests', {}, 'service_requests'))
    expect(recent).toContain(pothole.id)
    expect(recent).not.toContain(old.id)
    const then = idsIn(
      await both('requests', { start_date: new Date(Date.now() - 101 * dayMs).toISOString(), end_date: new Date(Date.now() - 99 * dayMs).toISOString() }, 'service_requests'),
    )
    expect(then).toEqual([old.id])
    const untilThen = idsIn(await both('requests', { end_date: new Date(Date.now() - 99 * dayMs).toISOString() }, 'service_requests'))
    expect(untilThen).toEqual([old.id])
    // A start_date alone reaches 90 days on from it, so today's requests are after its end.
    const fromThen = idsIn(await both('requests', { start_date: new Date(Date.now() - 101 * dayMs).toISOString() }, 'service_requests'))
    expect(fromThen).toEqual([old.id])
  })

  it('filters by service_code, one or several', async () => {
    const lights = items(await both('requests', { service_code: 'street-light' }, 'service_requests'))
    expect(lights.map((request) => request.service_request_id)).toEqual([light.id])
    const both311 = idsIn(await both('requests', { service_code: 'street-light,pothole' }, 'service_requests'))
    expect(both311).toEqual(expect.arrayContaining([light.id, pothole.id, fixed.id]))
  })

  it('filters by status, open or closed', async () => {
    const open = idsIn(await both('requests', { status: 'open' }, 'service_requests'))
    expect(open).toContain(pothole.id)
    expect(open).not.toContain(fixed.id)
    const closed = idsIn(await both('requests', { status: 'closed' }, 'service_requests'))
    expect(closed).toEqual([fixed.id])
    const either = idsIn(await both('requests', { status: 'open,closed' }, 'service_requests'))
    expect(either).toEqual(expect.arrayContaining([pothole.id, fixed.id]))
  })

  it('gives the requests named by service_request_id whatever the other filters say', async () => {
    const named = idsIn(
      await both(
        'requests',
        { service_request_id: `${pothole.id},${old.id.toLowerCase()}`, service_code: 'street-light', status: 'closed', start_date: '2020-01-01T00:00:00Z', end_date: '2020-01-02T00:00:00Z' },
        'service_requests',
      ),
    )
    expect(named.sort()).toEqual([pothole.id, old.id].sort())
    expect(idsIn(await both('requests', { service_request_id: [pothole.id, light.id] }, 'service_requests')).sort()).toEqual([pothole.id, light.id].sort())
  })

  it('leaves a private service’s requests out unless the key is granted the service', async () => {
    expect(idsIn(await both('requests', {}, 'service_requests'))).not.toContain(bins.id)
    expect(idsIn(await both('requests', { service_request_id: bins.id }, 'service_requests'))).toEqual([])
    expect(idsIn(await both('requests', { api_key: potholeKey }, 'service_requests'))).not.toContain(bins.id)
    const granted = items(await both('requests', { service_request_id: bins.id, api_key: binsKey }, 'service_requests'))
    expect(granted).toHaveLength(1)
    expect(granted[0]).toMatchObject({ service_code: 'missed-bin', description: 'Both bins were left at number 4' })
  })

  it('gives one request by its id, and the id for a token', async () => {
    const [one] = items(await both(`requests/${pothole.id}`, { jurisdiction_id: 'lower-wendle' }, 'service_requests'))
    expect(Object.keys(one!)).toEqual(requestFields)
    expect(one!.service_request_id).toBe(pothole.id)
    const [byToken] = items(await both(`tokens/${pothole.token}`, { jurisdiction_id: 'lower-wendle' }, 'service_requests'))
    expect(byToken).toEqual({ service_request_id: pothole.id, token: pothole.token })
    for (const format of formats) {
      expect(errorsOf(await client.get(`requests/${unknownReference}`, format), 404)[0]).toContain('service_request_id')
      expect(errorsOf(await client.get('requests/not-a-reference', format), 404)[0]).toContain('service_request_id')
      expect(errorsOf(await client.get(`requests/${bins.id}`, format), 404)[0]).toContain('service_request_id')
      errorsOf(await client.get(`requests/${bins.id}`, format, { api_key: potholeKey }), 404)
      expect(errorsOf(await client.get('tokens/3bd3ef2a-c450-46be-bba8-ca59f886810d', format), 404)[0]).toContain('token')
      errorsOf(await client.get(`tokens/${bins.token}`, format), 404)
    }
    expect(items(await both(`requests/${bins.id}`, { api_key: binsKey }, 'service_requests'))).toHaveLength(1)
    expect(items(await both(`tokens/${bins.token}`, { api_key: binsKey }, 'service_requests'))).toEqual([{ service_request_id: bins.id, token: bins.token }])
  })
})

describe('servicerequestupdates', () => {
  it('takes an update and answers with its update_id', async () => {
    const { id } = await created(potholeFields())
    for (const format of formats) {
      const response = await client.post('servicerequestupdates', format, {
        service_request_id: id,
        update_id: `conformance-${format}`,
        status: 'OPEN',
        updated_datetime: '2026-11-24T09:30:00+00:00',
        description: 'Still there',
        email: 'sam@example.com',
        first_name: 'Sam',
        last_name: 'Jones',
        media_url: 'https://photos.example.org/4.jpg',
        jurisdiction_id: 'lower-wendle',
        api_key: appKey,
      })
      expect(response.status, response.body).toBe(200)
      if (format === 'xml') expect(response.root).toBe('service_request_updates')
      const [update] = items(response.document)
      expect(Object.keys(update!)).toEqual(['update_id'])
      expect(update!.update_id).not.toBe('')
    }
  })

  it('lists changes with every field of the extension, within the last 90 days unless dates are given', async () => {
    const { id } = await created(potholeFields())
    const fixed = await client.post('servicerequestupdates', 'xml', { service_request_id: id, update_id: 'listed-1', status: 'FIXED', updated_datetime: new Date().toISOString(), api_key: appKey })
    expect(fixed.status, fixed.body).toBe(200)
    const listed = items(await both('servicerequestupdates', { jurisdiction_id: 'lower-wendle' }, 'service_request_updates'))
    for (const update of listed) {
      expect(Object.keys(update)).toEqual(updateFields)
      expect(extendedStatuses).toContain(update.status)
      expect(update.updated_datetime).toMatch(w3cDateTime)
    }
    const ours = listed.filter((update) => update.service_request_id === id)
    expect(ours.map((update) => [update.status, update.external_status_code, update.description])).toEqual([
      ['INVESTIGATING', 'triaged', 'Checked by our highways team'],
      ['FIXED', 'completed', 'Pothole repaired'],
    ])

    await sql`update request_events set occurred_at = occurred_at - interval '100 days' where request_id = (select id from requests where reference = ${id})`.execute(test.database.db)
    expect(items(await both('servicerequestupdates', {}, 'service_request_updates')).map((update) => update.service_request_id)).not.toContain(id)
    const then = items(
      await both('servicerequestupdates', { start_date: new Date(Date.now() - 101 * dayMs).toISOString(), end_date: new Date(Date.now() - 99 * dayMs).toISOString() }, 'service_request_updates'),
    )
    expect(then.map((update) => update.service_request_id)).toEqual([id, id])
  })

  it('leaves out the updates the asking client sent itself, which it has already', async () => {
    const { id } = await created(potholeFields())
    await client.post('servicerequestupdates', 'xml', { service_request_id: id, update_id: 'own-1', status: 'IN_PROGRESS', updated_datetime: new Date().toISOString(), api_key: appKey })
    const ofRequest = async (query: Fields) => items(await both('servicerequestupdates', query, 'service_request_updates')).filter((update) => update.service_request_id === id)
    expect((await ofRequest({})).map((update) => update.status)).toEqual(['IN_PROGRESS'])
    expect(await ofRequest({ api_key: appKey })).toEqual([])
  })
})

interface Refusal {
  title: string
  status: number
  /** The words the description must hold: the parameter or the thing that was wrong. */
  names: string
  send: (format: Format) => Promise<Open311Response>
}

describe('refusals', () => {
  let reference: string
  let revokedKey: string

  beforeAll(async () => {
    reference = (await created(potholeFields())).id
    const revoked = await issueKey(test)
    await test.services.identity.apiKeys.revoke(revoked.id, { kind: 'system' })
    revokedKey = revoked.key
  })

  const update = (fields: Fields = {}): Fields => ({ service_request_id: reference, update_id: `refused-${Math.random()}`, status: 'OPEN', updated_datetime: new Date().toISOString(), api_key: appKey, ...fields })
  const daysAgo = (days: number) => new Date(Date.now() - days * dayMs).toISOString()

  const refusals: Refusal[] = [
    { title: 'an address that is not an endpoint', status: 404, names: 'discovery.xml', send: (format) => client.get('nothing', format) },
    { title: 'an address too deep to be an endpoint', status: 404, names: 'discovery.xml', send: (format) => client.get('requests/a/b', format) },
    { title: 'an unknown kind of item', status: 404, names: 'discovery.xml', send: (format) => client.get('widgets/1', format) },
    { title: 'a service that does not exist', status: 404, names: 'service_code "gritting"', send: (format) => client.get('services/gritting', format) },
    { title: 'a service code longer than any parameter the router takes', status: 404, names: 'service_code', send: (format) => client.get(`services/${'x'.repeat(300)}`, format) },
    { title: 'a start_date that is not a date', status: 400, names: 'start_date', send: (format) => client.get('requests', format, { start_date: 'last tuesday' }) },
    { title: 'an end_date that is not a real date', status: 400, names: 'end_date', send: (format) => client.get('requests', format, { end_date: '2026-02-30T00:00:00Z' }) },
    { title: 'a time without its offset', status: 400, names: 'start_date', send: (format) => client.get('servicerequestupdates', format, { start_date: '2026-11-24T09:30:00' }) },
    { title: 'an end_date before the start_date', status: 400, names: 'start_date must be before end_date', send: (format) => client.get('requests', format, { start_date: daysAgo(1), end_date: daysAgo(2) }) },
    { title: 'a window of more than 90 days', status: 400, names: 'at most 90 days apart', send: (format) => client.get('requests', format, { start_date: daysAgo(100), end_date: daysAgo(5) }) },
    { title: 'a window of updates of more than 90 days', status: 400, names: 'at most 90 days apart', send: (format) => client.get('servicerequestupdates', format, { start_date: daysAgo(100), end_date: daysAgo(5) }) },
    { title: 'a status that is neither open nor closed', status: 400, names: 'status', send: (format) => client.get('requests', format, { status: 'fixed' }) },
    { title: 'a service_code filter naming no service', status: 400, names: 'service_code "gritting"', send: (format) => client.get('requests', format, { service_code: 'gritting' }) },
    { title: 'more than 1,000 ids', status: 400, names: 'service_request_id', send: (format) => client.get('requests', format, { service_request_id: Array.from({ length: 1001 }, (_, index) => `GH-2345-${String(index).padStart(4, '2')}`).join(',') }) },
    { title: 'a request without an api_key', status: 403, names: 'api_key', send: (format) => client.post('requests', format, potholeFields()) },
    { title: 'a request with a key nobody was given', status: 403, names: 'api_key', send: (format) => client.post('requests', format, { ...potholeFields(), api_key: 'gh_not-a-real-key' }) },
    { title: 'a request with a revoked key', status: 403, names: 'api_key', send: (format) => client.post('requests', format, { ...potholeFields(), api_key: revokedKey }) },
    { title: 'a read with a revoked key', status: 403, names: 'api_key', send: (format) => client.get('requests', format, { api_key: revokedKey }) },
    { title: 'a request with a key that may only read', status: 403, names: 'api_key', send: (format) => client.post('requests', format, { ...potholeFields(), api_key: readOnlyKey }) },
    { title: 'a request for a private service the key is not granted', status: 403, names: 'missed-bin', send: (format) => client.post('requests', format, { ...missedBinFields(), api_key: potholeKey }) },
    { title: 'a request for a service that does not exist', status: 404, names: 'service_code "gritting"', send: (format) => client.post('requests', format, { ...potholeFields({ service_code: 'gritting' }), api_key: appKey }) },
    { title: 'a request without a service_code', status: 400, names: 'service_code', send: (format) => client.post('requests', format, { ...potholeFields({ service_code: [] }), api_key: appKey }) },
    { title: 'a request missing a required attribute', status: 400, names: 'attribute[position]', send: (format) => client.post('requests', format, { ...potholeFields({ 'attribute[position]': [] }), api_key: appKey }) },
    { title: 'an attribute value that is not one of the service’s', status: 400, names: 'attribute[size]', send: (format) => client.post('requests', format, { ...potholeFields({ 'attribute[size]': 'enormous' }), api_key: appKey }) },
    { title: 'answers that lead to advice rather than a request', status: 400, names: 'advice', send: (format) => client.post('requests', format, { ...missedBinFields({ 'attribute[out-in-time]': 'no' }), api_key: appKey }) },
    { title: 'a latitude that is not a number', status: 400, names: 'lat must be', send: (format) => client.post('requests', format, { ...potholeFields({ lat: 'north' }), api_key: appKey }) },
    { title: 'a longitude out of range', status: 400, names: 'long must be', send: (format) => client.post('requests', format, { ...potholeFields({ long: '181' }), api_key: appKey }) },
    { title: 'a latitude without a longitude', status: 400, names: 'lat and long', send: (format) => client.post('requests', format, { ...potholeFields({ long: [] }), api_key: appKey }) },
    { title: 'no place at all', status: 400, names: 'lat and long, address_string or address_id', send: (format) => client.post('requests', format, { ...potholeFields({ lat: [], long: [] }), api_key: appKey }) },
    {
      title: 'a place outside the council’s area',
      status: 400,
      names: 'outside',
      send: (format) => client.post('requests', format, { ...potholeFields({ lat: outsideTheArea.latitude.toFixed(6), long: outsideTheArea.longitude.toFixed(6) }), api_key: appKey }),
    },
    { title: 'an address_id that is not a UPRN', status: 400, names: 'address_id', send: (format) => client.post('requests', format, { ...potholeFields({ lat: [], long: [], address_id: 'number 4' }), api_key: appKey }) },
    { title: 'an address_id of no property', status: 400, names: 'address_id 999999', send: (format) => client.post('requests', format, { ...potholeFields({ lat: [], long: [], address_id: '999999' }), api_key: appKey }) },
    { title: 'an address_string matching nowhere', status: 400, names: 'address_string', send: (format) => client.post('requests', format, { ...potholeFields({ lat: [], long: [], address_string: 'Atlantis' }), api_key: appKey }) },
    { title: 'a description over 4,000 characters', status: 400, names: 'description must be 4,000 characters or fewer', send: (format) => client.post('requests', format, { ...potholeFields({ description: 'x'.repeat(4001) }), api_key: appKey }) },
    { title: 'more than ten media_url', status: 400, names: 'media_url', send: (format) => client.post('requests', format, { ...potholeFields({ media_url: Array.from({ length: 11 }, (_, index) => `https://photos.example.org/${index}.jpg`) }), api_key: appKey }) },
    { title: 'a media_url that is not a web address', status: 400, names: 'media_url', send: (format) => client.post('requests', format, { ...potholeFields({ media_url: 'javascript:alert(1)' }), api_key: appKey }) },
    { title: 'no email address or phone number', status: 400, names: 'email', send: (format) => client.post('requests', format, { ...potholeFields({ email: [] }), api_key: appKey }) },
    { title: 'an email address that is not one', status: 400, names: 'email', send: (format) => client.post('requests', format, { ...potholeFields({ email: 'sam at example' }), api_key: appKey }) },
    { title: 'a field given twice where one is meant', status: 400, names: 'description was given more than once', send: (format) => client.post('requests', format, { ...potholeFields({ description: ['one', 'two'] }), api_key: appKey }) },
    { title: 'a body in a type Open311 does not take', status: 400, names: 'application/x-www-form-urlencoded', send: (format) => client.call('POST', 'requests', format, { payload: '<service_code>pothole</service_code>', contentType: 'application/xml' }) },
    { title: 'a post to a list that takes none', status: 404, names: 'servicerequestupdates.xml', send: (format) => client.post('services', format, { api_key: appKey }) },
    { title: 'an update to a request that does not exist', status: 404, names: `service_request_id "${unknownReference}"`, send: (format) => client.post('servicerequestupdates', format, update({ service_request_id: unknownReference })) },
    { title: 'an update without an api_key', status: 403, names: 'api_key', send: (format) => client.post('servicerequestupdates', format, update({ api_key: [] })) },
    { title: 'an update with a key that may only read', status: 403, names: 'api_key', send: (format) => client.post('servicerequestupdates', format, update({ api_key: readOnlyKey })) },
    { title: 'an update with a status not in the extension', status: 400, names: 'status must be one of', send: (format) => client.post('servicerequestupdates', format, update({ status: 'MENDED' })) },
    { title: 'an update without an update_id', status: 400, names: 'update_id', send: (format) => client.post('servicerequestupdates', format, update({ update_id: [] })) },
    { title: 'an update with a bad updated_datetime', status: 400, names: 'updated_datetime', send: (format) => client.post('servicerequestupdates', format, update({ updated_datetime: 'this morning' })) },
    { title: 'an update with a description over 4,000 characters', status: 400, names: 'description', send: (format) => client.post('servicerequestupdates', format, update({ description: 'x'.repeat(4001) })) },
    { title: 'an update with more than ten media_url', status: 400, names: 'media_url', send: (format) => client.post('servicerequestupdates', format, update({ media_url: Array.from({ length: 11 }, (_, index) => `https://photos.example.org/${index}.jpg`) })) },
  ]

  for (const refusal of refusals) {
    it(`refuses ${refusal.title} with ${refusal.status}`, async () => {
      for (const format of formats) {
        const descriptions = errorsOf(await refusal.send(format), refusal.status)
        expect(descriptions.join(' | ')).toContain(refusal.names)
      }
    })
  }

  it('answers an error in the format the path asks for, whatever the query ends with', async () => {
    const response = await client.get('requests', 'xml', { start_date: 'requests.json' })
    expect(errorsOf(response, 400)[0]).toContain('start_date')
  })

  it('refuses a key used faster than its rate with 429 and when to try again', async () => {
    const { key } = await issueKey(test, { ratePerMinute: 2 })
    for (const format of formats) expect((await client.get('services', format, { api_key: key })).status).toBe(200)
    for (const format of formats) {
      const response = await client.get('services', format, { api_key: key })
      expect(errorsOf(response, 429)[0]).toContain('2 calls a minute')
      expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    }
  })
})

describe('the most a listing gives', () => {
  it('is 1,000 requests, the newest', async () => {
    const template = await requestRow((await created(potholeFields())).id)
    // Copies of one request, each with its own id and reference and made a second apart, as if reported over the last half hour.
    await sql`
      insert into requests
      select (jsonb_populate_record(null::requests, to_jsonb(template) || jsonb_build_object(
        'id', gen_random_uuid(),
        'reference', 'GH-COPY-' || lpad(copy::text, 4, '0'),
        'created_at', now() - make_interval(secs => copy + 1)
      ))).*
      from requests as template, generate_series(1, 1001) as copy
      where template.id = ${template.id}
    `.execute(test.database.db)
    for (const format of formats) {
      const listed = items((await client.get('requests', format, { service_code: 'pothole' })).document)
      expect(listed).toHaveLength(1000)
      expect(listed[0]!.service_request_id).toBe(template.reference)
    }
  })
})
