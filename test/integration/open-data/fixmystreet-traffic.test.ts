import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Agent } from '../../support/agent.ts'
import { createTestApp, type TestApp } from '../../support/app.ts'
import { address, addressCsv, sessionCookie, signedInResident } from '../../support/places.ts'
import { signedInStaff } from '../../support/staff.ts'
import { ukDateOf } from '../../../src/lib/calendar/index.ts'
import { formats, issueKey, items, millLane, open311Client, type Fields, type Open311Client } from './open311-client.ts'

/**
 * Open311 as FixMyStreet speaks it: form-encoded posts to requests.xml and servicerequestupdates.xml
 * with attribute[...] fields, its long description with CRLF line endings, several media_url, and
 * the XML it reads the ids back from. What it sends must become a request like any made on the
 * council's own site, seen by staff in their queue and by the resident in their account, while
 * the public sees no one's name, address or unmoderated words.
 */

const resident = { givenName: 'Alex', familyName: 'Morgan' }
const phone = '07700 900987'
const photos = ['https://www.fixmystreet.com/photo/report/123.0.full.jpeg', 'https://www.fixmystreet.com/photo/report/123.1.full.jpeg']
/** FixMyStreet's own words around the reporter's, as its extended description has them. */
const fixMyStreetDescription = [
  'title: Mattress dumped on the verge',
  '',
  'detail: A double mattress and a broken chair.',
  'Been there since Monday.',
  '',
  'url: https://www.fixmystreet.com/report/123',
  '',
  'Submitted via FixMyStreet',
  '',
].join('\r\n')

let test: TestApp
let client: Open311Client
/** FixMyStreet's key: it may send reports and updates, and its updates move a report's status. */
let fixMyStreetKey: string
/** Another app's key, whose updates are comments only. */
let commentsOnlyKey: string
let residentEmail: string
let residentPersonId: string
let residentAgent: Agent
let moderatorId: string
let officer: { id: string; agent: Agent }

beforeAll(async () => {
  test = await createTestApp()
  await test.services.catalogue.seedDefinitions()
  await test.services.places.importAddresses([addressCsv([address(8001)])])
  client = open311Client(test)
  fixMyStreetKey = (await issueKey(test, { changeStatus: true })).key
  commentsOnlyKey = (await issueKey(test, { changeStatus: false })).key
  const signedIn = await signedInResident(test.database.db, resident)
  residentPersonId = signedIn.personId
  residentAgent = new Agent(test.app)
  residentAgent.setCookie(sessionCookie, signedIn.sessionToken)
  residentEmail = (await test.database.db.selectFrom('people').select('email').where('id', '=', residentPersonId).executeTakeFirstOrThrow()).email!
  moderatorId = (await signedInStaff(test, ['moderator'])).id
  officer = await signedInStaff(test, ['officer'])
})
afterAll(async () => {
  await test?.close()
})

/** A fly-tipping report as FixMyStreet posts it for the resident: coordinates to six places, attributes as attribute[...] fields. */
function flyTippingReport(fields: Fields = {}): Fields {
  return {
    api_key: fixMyStreetKey,
    jurisdiction_id: 'lower-wendle',
    service_code: 'fly-tipping',
    lat: millLane.latitude.toFixed(6),
    long: millLane.longitude.toFixed(6),
    email: residentEmail,
    first_name: resident.givenName,
    last_name: resident.familyName,
    phone,
    description: fixMyStreetDescription,
    'attribute[waste][]': ['mattress', 'furniture'],
    'attribute[amount]': 'single-item',
    'attribute[witnessed]': 'no',
    'attribute[uprn]': '8001',
    media_url: photos,
    ...fields,
  }
}

/** Posts as FixMyStreet does and reads the id back from the XML as it does. */
async function report(fields: Fields = {}): Promise<string> {
  const response = await client.post('requests', 'xml', flyTippingReport(fields))
  expect(response.status, response.body).toBe(200)
  expect(response.root).toBe('service_requests')
  const id = items(response.document)[0]!.service_request_id
  expect(id).toMatch(/^GH-/)
  return id as string
}

/** An update as FixMyStreet posts it: its comment's id as update_id, and "-" for a last name it does not have. */
function updateFrom(reference: string, fields: Fields): Fields {
  return {
    api_key: fixMyStreetKey,
    jurisdiction_id: 'lower-wendle',
    service_request_id: reference,
    updated_datetime: '2026-11-24T09:30:00Z',
    first_name: 'Sam',
    last_name: '-',
    email: 'sam@example.com',
    description: 'Still there this morning.\r\nIt has been rained on.',
    ...fields,
  }
}

async function postUpdate(fields: Fields): Promise<string> {
  const response = await client.post('servicerequestupdates', 'xml', fields)
  expect(response.status, response.body).toBe(200)
  expect(response.root).toBe('service_request_updates')
  return items(response.document)[0]!.update_id as string
}

const requestRow = (reference: string) => test.database.db.selectFrom('requests').selectAll().where('reference', '=', reference).executeTakeFirstOrThrow()
const commentsOn = async (requestId: string) =>
  test.database.db.selectFrom('request_events').selectAll().where('request_id', '=', requestId).where('kind', '=', 'comment').orderBy('id').execute()

describe('a report from FixMyStreet', () => {
  it('is stored as the resident’s request, with the attributes, the description in one kind of line ending, and the photos as links', async () => {
    const reference = await report()
    const row = await requestRow(reference)
    expect(row).toMatchObject({ service_code: 'fly-tipping', channel: 'open311', person_id: residentPersonId, is_public: true, moderation: 'pending', media_urls: photos })
    expect(row.answers).toMatchObject({ waste: ['furniture', 'mattress'], amount: 'single-item', witnessed: 'no', details: fixMyStreetDescription.replace(/\r\n/g, '\n').trim() })
    expect(JSON.stringify(row.answers)).not.toContain('\r')
    expect(row.answers.location).toMatchObject({ wardCode: 'LWW01', usrn: '48100001' })

    const page = await officer.agent.get(`/staff/requests/${reference}`)
    expect(page.status).toBe(200)
    expect(page.body).toContain('Photos held by the app that sent the report')
    for (const url of photos) {
      const link = page.page(`a[href="${url}"]`)
      expect(link.length, `a link to ${url}`).toBe(1)
      expect(link.attr('rel')).toBe('noreferrer noopener')
    }
  })

  it('waits in the staff queue and shows in the resident’s account like one made on the web', async () => {
    const reference = await report()
    const onTheWeb = await test.services.requests.createRequest({
      serviceCode: 'fly-tipping',
      personId: residentPersonId,
      channel: 'web',
      answers: { ...(await requestRow(reference)).answers, details: 'Reported on the council’s site' },
    })

    const queue = await officer.agent.get('/staff/requests?sort=age')
    expect(queue.status).toBe(200)
    const queued = queue.page('table.app-queue tbody tr td:first-child a').map((_, link) => queue.page(link).text().trim()).get()
    expect(queued).toEqual(expect.arrayContaining([reference, onTheWeb.reference]))
    const rowText = (wanted: string) => queue.page(`a:contains("${wanted}")`).closest('tr').find('td').slice(1).map((_, cell) => queue.page(cell).text().trim()).get()
    expect(rowText(reference)).toEqual(rowText(onTheWeb.reference))

    expect((await test.services.requests.requestsOf(residentPersonId)).map((summary) => summary.reference)).toEqual(expect.arrayContaining([reference, onTheWeb.reference]))
    const account = await residentAgent.get('/account/requests')
    expect(account.status).toBe(200)
    const cellsOf = (wanted: string) => account.page(`tbody tr:contains("${wanted}") td`).slice(1).map((_, cell) => account.page(cell).text().trim()).get()
    expect(cellsOf(reference)).toEqual(cellsOf(onTheWeb.reference))
    expect(cellsOf(reference)).not.toEqual([])
    const own = await residentAgent.get(`/account/requests/${reference}`)
    expect(own.status).toBe(200)
    expect(own.body).toContain('Been there since Monday.')
  })

  it('is found with others by a comma-separated service_request_id, as FixMyStreet checks its reports', async () => {
    const first = await report()
    const second = await report({ 'attribute[amount]': 'car-boot' })
    const response = await client.get('requests', 'xml', { service_request_id: `${first},${second}`, jurisdiction_id: 'lower-wendle' })
    expect(response.status).toBe(200)
    expect(items(response.document).map((request) => request.service_request_id).sort()).toEqual([first, second].sort())
  })
})

describe('updates from FixMyStreet', () => {
  it('move the request’s status when the key may, reach the resident’s timeline, and keep the comment for moderation', async () => {
    const reference = await report()
    const { id } = await requestRow(reference)
    const updateId = await postUpdate(updateFrom(reference, { update_id: '9001', status: 'FIXED', media_url: 'https://www.fixmystreet.com/photo/c/9001.0.full.jpeg' }))
    expect(updateId).not.toBe('')

    expect((await test.services.requests.request(id)).state.status).toBe('completed')
    const timeline = await test.services.requests.timeline(id, { audience: 'resident' })
    expect(timeline.filter((entry) => entry.kind === 'status-change').map((entry) => entry.toStatus)).toEqual(expect.arrayContaining(['completed']))
    const own = await residentAgent.get(`/account/requests/${reference}`)
    expect(own.body).toContain('Rubbish cleared')

    const [comment, ...others] = await commentsOn(id)
    expect(others).toEqual([])
    expect(comment).toMatchObject({ moderation: 'pending', visibility: 'internal', body: 'Still there this morning.\nIt has been rained on.' })
    expect(comment!.details).toMatchObject({ authorName: 'Sam', mediaUrls: ['https://www.fixmystreet.com/photo/c/9001.0.full.jpeg'], madeAt: '2026-11-24T09:30:00.000Z' })
    expect(timeline.filter((entry) => entry.kind === 'comment')).toEqual([])

    // FixMyStreet sends an update again when it did not hear back; it is the same update.
    expect(await postUpdate(updateFrom(reference, { update_id: '9001', status: 'FIXED' }))).toBe(updateId)
    expect(await commentsOn(id)).toHaveLength(1)
    const changes = (await test.services.requests.timeline(id, { audience: 'staff' })).filter((entry) => entry.kind === 'status-change')
    expect(changes.filter((entry) => entry.toStatus === 'completed')).toHaveLength(1)
  })

  it('leave the status alone when the key may not change it, and keep the comment for moderation', async () => {
    const reference = await report()
    const { id } = await requestRow(reference)
    await postUpdate(updateFrom(reference, { update_id: 'comments-1', status: 'FIXED', api_key: commentsOnlyKey }))
    expect((await test.services.requests.request(id)).state.status).toBe('reported')
    const comments = await commentsOn(id)
    expect(comments).toHaveLength(1)
    expect(comments[0]).toMatchObject({ moderation: 'pending', visibility: 'internal', body: 'Still there this morning.\nIt has been rained on.' })
  })
})

describe('updates made in the back office', () => {
  it('are listed for FixMyStreet with every field it reads', async () => {
    const reference = await report()
    const { id } = await requestRow(reference)
    const staff = { kind: 'staff' as const, id: officer.id }
    const triaged = await test.services.requests.changeStatus(id, { type: 'triage' }, { actor: staff, expectedRowVersion: (await test.services.requests.request(id)).rowVersion })
    await test.services.requests.changeStatus(id, { type: 'schedule' }, { actor: staff, expectedRowVersion: triaged.rowVersion, note: 'A crew will clear it on Friday' })
    await test.services.requests.addNote(id, { actor: staff, body: 'The crew has been told about the chair too', visibility: 'public' })

    const today = ukDateOf(new Date())
    for (const format of formats) {
      const response = await client.get('servicerequestupdates', format, { api_key: fixMyStreetKey, start_date: `${today}T00:00:00Z`, end_date: new Date(Date.now() + 60_000).toISOString() })
      expect(response.status).toBe(200)
      if (format === 'xml') expect(response.root).toBe('service_request_updates')
      const ours = items(response.document).filter((update) => update.service_request_id === reference)
      for (const update of ours) {
        expect(Object.keys(update)).toEqual(['update_id', 'service_request_id', 'status', 'updated_datetime', 'description', 'media_url', 'external_status_code'])
        expect(update.update_id).toMatch(/^\d+$/)
        expect(update.updated_datetime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/)
      }
      expect(ours.map((update) => [update.status, update.external_status_code, update.description, update.media_url])).toEqual([
        ['INVESTIGATING', 'triaged', 'Checked by our street cleaning team', ''],
        ['ACTION_SCHEDULED', 'scheduled', 'A crew will clear it on Friday', ''],
        ['ACTION_SCHEDULED', 'scheduled', 'The crew has been told about the chair too', ''],
      ])
      expect(new Set(ours.map((update) => update.update_id)).size).toBe(3)
    }
  })
})

describe('what the public may see', () => {
  it('never includes a private service’s requests without a key granted the service', async () => {
    const bins = await client.post('requests', 'xml', {
      api_key: fixMyStreetKey,
      service_code: 'missed-bin',
      lat: millLane.latitude.toFixed(6),
      long: millLane.longitude.toFixed(6),
      email: residentEmail,
      'attribute[bins][]': ['rubbish'],
      'attribute[collection-date]': ukDateOf(new Date(Date.now() - 86_400_000)),
      'attribute[out-in-time]': 'yes',
      'attribute[collection-point]': 'kerbside',
    })
    expect(bins.status, bins.body).toBe(200)
    const reference = items(bins.document)[0]!.service_request_id as string
    const potholeOnly = (await issueKey(test, { services: ['pothole'] })).key
    for (const format of formats) {
      const queries: Fields[] = [{}, { api_key: potholeOnly }, { service_request_id: reference }, { service_request_id: reference, api_key: potholeOnly }]
      for (const query of queries) {
        const listed = await client.get('requests', format, query)
        expect(listed.status).toBe(200)
        expect(listed.body).not.toContain(reference)
      }
      expect((await client.get(`requests/${reference}`, format)).status).toBe(404)
      expect((await client.get(`requests/${reference}`, format, { api_key: fixMyStreetKey })).status).toBe(200)
    }
  })

  it('holds no one’s email address, name or phone number, and no words a moderator has not approved', async () => {
    const reference = await report()
    const { id } = await requestRow(reference)
    const token = (await test.database.db.selectFrom('open311_submissions').select('token').where('request_id', '=', id).executeTakeFirstOrThrow()).token
    await postUpdate(updateFrom(reference, { update_id: 'public-1', status: 'IN_PROGRESS' }))
    const personal = [residentEmail, resident.givenName, resident.familyName, phone, phone.replace(/\s/g, ''), 'sam@example.com', 'Sam']

    const publicBodies = async () => {
      const bodies: string[] = []
      for (const format of formats) {
        for (const path of ['requests', `requests/${reference}`, `tokens/${token}`, 'servicerequestupdates']) {
          const response = await client.get(path, format, path === 'requests' ? { service_request_id: reference } : {})
          expect(response.status, `${path}.${format}`).toBe(200)
          bodies.push(response.body)
        }
      }
      return bodies
    }

    for (const body of await publicBodies()) {
      for (const detail of personal) expect(body).not.toContain(detail)
      expect(body).not.toContain('Been there since Monday')
      expect(body).not.toContain('rained on')
    }
    const [unmoderated] = items((await client.get(`requests/${reference}`, 'json')).document)
    expect(unmoderated!.description).toBe('')

    await test.services.publicReports.moderate(moderatorId, reference, { approve: 'A mattress and a chair on the verge' })
    const [approved] = items((await client.get(`requests/${reference}`, 'json')).document)
    expect(approved!.description).toBe('A mattress and a chair on the verge')
    for (const body of await publicBodies()) for (const detail of personal) expect(body).not.toContain(detail)
  })
})
