import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../support/app.ts'
import { Agent, errorSummary } from '../../support/agent.ts'
import { address, addressCsv, sessionCookie, signedInResident } from '../../support/places.ts'
import { gridToLatitudeLongitude } from '../../../src/modules/places/index.ts'

const flyTipping = '/services/fly-tipping'
/** Mill Lane in Abbey ward (LWW01), inside the demo council's boundary. */
const millLane = { easting: 447_467.2, northing: 204_298 }
const secretName = 'Bartholomew Quince'
const secretWords = 'dumped by the man at number nine'

describe('street reports: where they are, nearby duplicates and what the public sees', () => {
  let test: TestApp
  beforeAll(async () => {
    test = await createTestApp()
    await test.services.catalogue.seedDefinitions()
    await test.services.places.importAddresses([
      addressCsv([
        address(7001, { postcode: 'LW1 5UP', ...millLane }),
        address(7002, { postcode: 'LW1 5UP', easting: millLane.easting + 18, northing: millLane.northing }),
        address(7003, { postcode: 'LW2 3AB', usrn: 48_100_002, street_name: 'Church Road', address_line_1: '3 Church Road', easting: 449_500, northing: 204_000, ward_code: 'LWW02', ward_name: 'Castle Hill' }),
      ]),
    ])
  })
  afterAll(async () => {
    await test?.close()
  })

  async function resident(givenName = 'Jo', familyName = 'Bloggs') {
    const signedIn = await signedInResident(test.database.db, { givenName, familyName })
    const agent = new Agent(test.app)
    agent.setCookie(sessionCookie, signedIn.sessionToken)
    return { agent, personId: signedIn.personId }
  }

  const pointNear = (metresEast: number, metresNorth = 0) => gridToLatitudeLongitude(millLane.easting + metresEast, millLane.northing + metresNorth)

  /** Marks a point on the map as the script would, by posting its latitude and longitude. */
  async function markOnMap(agent: Agent, point: { latitude: number; longitude: number }) {
    await agent.get(`${flyTipping}/location`)
    return agent.post(`${flyTipping}/location`, { 'location-latitude': point.latitude.toFixed(6), 'location-longitude': point.longitude.toFixed(6) })
  }

  async function finishFlyTipping(agent: Agent, details: string) {
    const answers: [string, Record<string, string | string[]>][] = [
      ['waste', { waste: ['mattress'] }],
      ['amount', { amount: 'single-item' }],
      ['witnessed', { witnessed: 'no' }],
      ['details', { details }],
      ['photo', {}],
    ]
    for (const [page, fields] of answers) {
      await agent.get(`${flyTipping}/${page}`)
      const answered = await agent.post(`${flyTipping}/${page}`, fields)
      expect(answered.status, `${page}: ${errorSummary(answered).join(', ')}`).toBe(303)
    }
    const sent = await agent.post(`${flyTipping}/check-answers`)
    expect(sent.status).toBe(303)
    return test.database.db.selectFrom('requests').selectAll().orderBy('created_at', 'desc').limit(1).executeTakeFirstOrThrow()
  }

  it('records a place marked on the map with its grid reference, nearest street and ward', async () => {
    const { agent } = await resident(secretName.split(' ')[0], secretName.split(' ')[1])
    const marked = await markOnMap(agent, pointNear(5))
    expect(marked.location).toBe(`${flyTipping}/waste`)
    const request = await finishFlyTipping(agent, `Three bags ${secretWords}`)
    expect(request).toMatchObject({ is_public: true, moderation: 'pending', ward_code: 'LWW01', usrn: 48_100_001, public_text: null })
    expect(request.easting).toBeCloseTo(millLane.easting + 5, 0)
    expect(request.northing).toBeCloseTo(millLane.northing, 0)
    expect(request.location).toEqual({ x: request.easting, y: request.northing })
    expect(request.answers.location).toMatchObject({ wardCode: 'LWW01', usrn: '48100001', description: 'Near 1 Mill Lane, Lower Wendle' })
  })

  it('refuses a point outside the council’s area with a message that says so, and keeps nothing', async () => {
    const { agent } = await resident()
    const outside = await markOnMap(agent, gridToLatitudeLongitude(440_000, 204_000))
    expect(outside.status).toBe(400)
    expect(errorSummary(outside)).toEqual([
      'The place you marked is outside our area, so we cannot deal with it. Mark a place inside the area on the map, or report it to the council for the area it is in',
    ])
    expect(outside.page('.govuk-error-summary a').attr('href')).toBe('#location')
    expect(outside.page('#location').text()).toContain('outside our area')
  })

  it('refuses a marked point that is not a number or not on the Earth', async () => {
    const { agent } = await resident()
    await agent.get(`${flyTipping}/location`)
    for (const [latitude, longitude] of [['north', '-1.2'], ['95', '0'], ['51.7', 'Infinity']]) {
      const refused = await agent.post(`${flyTipping}/location`, { 'location-latitude': latitude!, 'location-longitude': longitude! })
      expect(refused.status).toBe(400)
      expect(errorSummary(refused)).toEqual(['Mark the place on the map, or search and select a street or address from the list'])
    }
  })

  it('finds streets by name and places at a postcode without a map, then records the street chosen', async () => {
    const { agent } = await resident()
    const byName = await agent.get(`${flyTipping}/location?place=church`)
    expect(byName.page('input[name="location"]').map((_, input) => byName.page(input).attr('value')).get()).toEqual(['street:48100002'])
    expect(byName.page('label[for="location"]').text().trim()).toBe('Church Road, Lower Wendle')
    const chosen = await agent.post(`${flyTipping}/location`, { location: 'street:48100002', place: 'church' })
    expect(chosen.location).toBe(`${flyTipping}/waste`)
    const draft = await test.database.db.selectFrom('form_drafts').select('answers').where('service_code', '=', 'fly-tipping').orderBy('updated_at', 'desc').executeTakeFirstOrThrow()
    expect(draft.answers.location).toMatchObject({ usrn: '48100002', wardCode: 'LWW02', description: 'Near 3 Church Road, Lower Wendle' })
  })

  it('asks "Is it one of these?" about an open report of the same kind within 50 metres, and follows it instead', async () => {
    const { agent, personId } = await resident('Sam', 'Nearby')
    const existing = await test.database.db.selectFrom('requests').select('reference').where('service_code', '=', 'fly-tipping').where('ward_code', '=', 'LWW01').executeTakeFirstOrThrow()

    const marked = await markOnMap(agent, pointNear(30))
    expect(marked.location).toBe(`${flyTipping}/nearby`)
    const nearby = await agent.follow(marked)
    expect(nearby.page('h1').text()).toBe('Is it one of these?')
    expect(nearby.page('input[name="reference"]').map((_, input) => nearby.page(input).attr('value')).get()).toEqual([existing.reference])
    expect(nearby.body).toContain('About 25 metres away')
    expect(nearby.body).not.toContain(secretName)
    expect(nearby.body).not.toContain(secretWords)
    expect(nearby.page('a.govuk-button').attr('href')).toBe(`${flyTipping}/waste`)

    const supported = await agent.post(`${flyTipping}/nearby`, { reference: existing.reference })
    expect(supported.location).toBe(`/reports/${existing.reference}`)
    const page = await agent.follow(supported)
    expect(page.page('.govuk-notification-banner').text()).toContain('We have added your support')
    expect(page.body).toContain('1 other person has reported this too')
    expect(page.page('form[action$="/unfollow"]')).toHaveLength(1)
    expect(await test.database.db.selectFrom('form_drafts').select('person_id').where('person_id', '=', personId).execute()).toEqual([])
    const count = await test.database.db.selectFrom('requests').select((select) => select.fn.countAll<string>().as('count')).where('service_code', '=', 'fly-tipping').executeTakeFirstOrThrow()
    expect(Number(count.count)).toBe(1)
  })

  it('offers nothing further away than 50 metres, of another kind, or closed, and will not support a report it did not offer', async () => {
    const { agent } = await resident()
    expect((await markOnMap(agent, pointNear(60))).location).toBe(`${flyTipping}/waste`)
    const other = await test.database.db.selectFrom('requests').select('reference').where('service_code', '=', 'fly-tipping').executeTakeFirstOrThrow()
    const refused = await agent.post(`${flyTipping}/nearby`, { reference: other.reference })
    expect(refused.location).toBe(`${flyTipping}/nearby`)
    expect(await test.services.publicReports.nearby('graffiti', { easting: millLane.easting, northing: millLane.northing }, 50)).toEqual([])
  })

  it('never shows a name or unmoderated words on the public list, report page, map data or ward feed', async () => {
    const report = await test.database.db.selectFrom('requests').select('reference').where('service_code', '=', 'fly-tipping').executeTakeFirstOrThrow()
    const anyone = new Agent(test.app)
    const pages = [
      await anyone.get('/reports'),
      await anyone.get('/reports?service=fly-tipping&state=open&ward=LWW01'),
      await anyone.get(`/reports/${report.reference}`),
      await anyone.get('/reports/map.json?west=-1.4&south=51.6&east=-1.1&north=51.9'),
      await anyone.get('/wards/LWW01/reports.atom'),
    ]
    for (const page of pages) {
      expect(page.status).toBe(200)
      expect(page.body).not.toContain(secretName.split(' ')[1])
      expect(page.body).not.toContain(secretWords)
      expect(page.body).not.toContain('1 Mill Lane')
    }
    expect(pages[0]!.body).toContain(`/reports/${report.reference}`)
    expect(pages[2]!.body).toContain('We show what the person who reported this wrote')
    expect(pages[2]!.body).toContain('On or near Mill Lane, Lower Wendle')
    expect(JSON.parse(pages[3]!.body)).toMatchObject({ kind: 'reports', reports: [{ reference: report.reference, serviceName: 'Report fly-tipping' }] })
    expect(pages[4]!.headers['content-type']).toContain('application/atom+xml')
    expect(pages[4]!.body).toContain(`<id>${test.config.baseUrl}/reports/${report.reference}</id>`)

    await test.services.publicReports.moderate(await moderatorId(), report.reference, { approve: 'Three bags of rubbish by the lamp post' })
    const approved = await anyone.get(`/reports/${report.reference}`)
    expect(approved.body).toContain('Three bags of rubbish by the lamp post')
    expect(approved.body).not.toContain(secretWords)
  })

  it('filters the list by kind, status and ward, and refuses a map view it cannot show with a JSON error', async () => {
    const anyone = new Agent(test.app)
    const count = async (query: string) => (await anyone.get(`/reports?${query}`)).page('.app-report-list__item').length
    expect(await count('service=fly-tipping')).toBe(1)
    expect(await count('service=pothole')).toBe(0)
    expect(await count('state=closed')).toBe(0)
    expect(await count('ward=LWW02')).toBe(0)
    expect(await count('service=missed-bin')).toBe(1)
    const wide = await anyone.get('/reports/map.json?west=-5&south=50&east=1&north=55')
    expect(wide.status).toBe(400)
    expect(wide.headers['content-type']).toContain('application/problem+json')
    expect(JSON.parse(wide.body).detail).toContain('at most 1 degree across')
    const missing = await anyone.get('/reports/map.json?west=a')
    expect(JSON.parse(missing.body).detail).toContain('west must be a number of degrees')
    expect((await anyone.get('/reports/GH0000000')).status).toBe(404)
    expect((await anyone.get('/wards/NOWHERE/reports.atom')).status).toBe(404)
  })

  it('draws a crowded view as clusters from the counts by square, which follow every change of a report', async () => {
    const view = '/reports/map.json?west=-1.4&south=51.6&east=-1.1&north=51.9'
    const template = await test.database.db.selectFrom('requests').selectAll().where('service_code', '=', 'fly-tipping').executeTakeFirstOrThrow()
    // 400 more reports spread 2 km east of Mill Lane, copied from the one made through the form.
    await sql`
      insert into requests (reference, service_code, definition_version_id, person_id, answers, channel, status, priority, target_at,
                            location, easting, northing, latitude, longitude, ward_code, is_public, moderation)
      select 'GH' || lpad(n::text, 8, '0'), service_code, definition_version_id, person_id, answers, channel, status, priority, target_at,
             point(easting + n * 5, northing), easting + n * 5, northing, latitude, longitude + n * 0.00007, ward_code, true, 'none'
      from requests, generate_series(1, 400) as n where id = ${template.id}`.execute(test.database.db)
    const crowded = JSON.parse((await new Agent(test.app).get(view)).body) as { kind: string; clusters: { count: number }[] }
    expect(crowded.kind).toBe('clusters')
    expect(crowded.clusters.reduce((sum, cluster) => sum + cluster.count, 0)).toBe(401)
    expect(crowded.clusters.length).toBeLessThanOrEqual(144)

    await sql`update requests set status = 'closed', closure_reason = 'completed', closed_at = now() where reference like 'GH00000%'`.execute(test.database.db)
    const openOnly = JSON.parse((await new Agent(test.app).get(`${view}&state=open`)).body) as { kind: string; reports: unknown[] }
    expect(openOnly.kind).toBe('reports')
    await sql`delete from requests where reference like 'GH00000%'`.execute(test.database.db)
    const cells = await test.database.db.selectFrom('report_map_cells').select((select) => select.fn.sum<string>('reports').as('reports')).executeTakeFirstOrThrow()
    expect(Number(cells.reports)).toBe(1)
  })

  async function moderatorId() {
    const id = await test.services.identity.staff.createStaffMember({
      name: 'Mo Moderator',
      email: `moderator-${Date.now()}@lowerwendle.example.gov.uk`,
      password: null,
      roleCodes: ['moderator'],
      teamCodes: [],
      contractorCode: null,
    })
    return id
  }
})
