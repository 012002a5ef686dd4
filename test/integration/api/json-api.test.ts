import { randomUUID } from 'node:crypto'
import type { LightMyRequestResponse } from 'fastify'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultCalendar } from '../../../src/lib/calendar/calendar.ts'
import { addDays, type PlainDate } from '../../../src/lib/calendar/plain-date.ts'
import { ukDateOf } from '../../../src/lib/calendar/uk-time.ts'
import { gridToLatitudeLongitude } from '../../../src/modules/places/index.ts'
import { isBookableDay, type CapacityOwner, type Slot } from '../../../src/modules/scheduling/index.ts'
import { Agent } from '../../support/agent.ts'
import { createTestApp, type TestApp } from '../../support/app.ts'
import { address, addressCsv, tenancyCsv, tenant } from '../../support/places.ts'
import { sessionCookie, sessionFor } from '../../support/sessions.ts'
import { signedInStaff } from '../../support/staff.ts'
import { placesOf, staffMember } from '../requests/factories.ts'
import { loadContract, type Contract } from './contract.ts'

/** Mill Lane in Abbey ward, inside the test council's boundary. */
const millLane = { easting: 447_467.2, northing: 204_298 }
const pointNear = (metresEast: number) => gridToLatitudeLongitude(millLane.easting + metresEast, millLane.northing)
const homes = Array.from({ length: 6 }, (_, index) => 8001 + index)

interface CallOptions {
  params?: Record<string, string>
  query?: string
  token?: string
  body?: unknown
  headers?: Record<string, string>
  /** Each caller its own internet address, so the limits per address of one test do not reach another's. */
  ip?: string
}

interface Token {
  token: string
  id: string
}

describe('the JSON API at /api/v1', () => {
  let test: TestApp
  let contract: Contract
  let team: CapacityOwner
  let officer: string
  let days: PlainDate[]
  let sequence = 0

  beforeAll(async () => {
    test = await createTestApp()
    await test.services.catalogue.seedDefinitions()
    const { id } = await test.database.db.insertInto('teams').values({ code: 'housing-repairs', name: 'Housing repairs' }).returning('id').executeTakeFirstOrThrow()
    team = { kind: 'team', id }
    officer = await staffMember(test.database.db)
    await test.services.places.importAddresses([
      addressCsv([address(8000, { address_line_1: 'Wendle Court', ...millLane }), ...homes.map((uprn) => address(uprn, { parent_uprn: 8000, ...millLane }))]),
    ])
    await test.services.places.importTenancies([
      tenancyCsv(homes.map((uprn, index) => tenant(`LW-T-8000${index}`, uprn, { given_name: 'Alex', family_name: `Tenant${index}` }))),
    ])
    const today = ukDateOf(new Date())
    const calendar = defaultCalendar.forRegion(test.config.council.bankHolidayRegion)
    days = []
    for (let date = addDays(today, 1); days.length < 4; date = addDays(date, 1)) {
      if (isBookableDay(date, { today, calendar, closures: [] })) days.push(date)
    }
    contract = await loadContract(test.app)
  })
  afterAll(async () => {
    await test?.close()
  })

  /** Calls the API as an app would, and holds the answer to what the document says of the operation. */
  async function call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', template: string, options: CallOptions = {}): Promise<LightMyRequestResponse> {
    const path = template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(options.params![name]!))
    const response = await test.app.inject({
      method,
      url: `/api/v1${path}${options.query ? `?${options.query}` : ''}`,
      headers: { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers },
      ...(options.body === undefined ? {} : { payload: options.body as object }),
      remoteAddress: options.ip ?? '192.0.2.1',
    })
    contract.expectConforms(response, method, template)
    return response
  }

  function nextIp(): string {
    sequence += 1
    return `198.51.${Math.floor(sequence / 250)}.${(sequence % 250) + 1}`
  }

  /** A resident with an account and a password, as they would have registered on the website. */
  async function resident(givenName = 'Jo', familyName = 'Bloggs') {
    sequence += 1
    const email = `${givenName.toLowerCase()}.${sequence}@example.com`
    const password = `${givenName} has a long password`
    const { personId } = await test.services.identity.residents.createVerifiedResident({ givenName, familyName, email, password })
    return { personId, email, password, ip: nextIp() }
  }

  async function signIn(person: { email: string; password: string; ip: string }, name = 'Report It for iPhone'): Promise<Token> {
    const response = await call('POST', '/tokens', { body: { email: person.email, password: person.password, name }, ip: person.ip })
    expect(response.statusCode, response.body).toBe(201)
    return response.json<Token>()
  }

  async function signedInResident(givenName = 'Jo', familyName = 'Bloggs') {
    const person = await resident(givenName, familyName)
    return { ...person, ...(await signIn(person)) }
  }

  let tenantNumber = 0
  /** A tenant of one of the council's homes, with the tenancy linked to their account, signed in through the API. */
  async function signedInTenant() {
    const index = tenantNumber++
    const person = await resident('Alex', `Tenant${index}`)
    await test.services.places.linkTenancy(person.personId, { reference: `LW-T-8000${index}`, postcode: 'LW1 5UP', day: '14', month: '3', year: '1985' })
    return { ...person, ...(await signIn(person)), uprn: homes[index]! }
  }

  const potholeAnswers = (details = 'Outside the post office') => ({
    location: pointNear(4),
    position: 'road',
    size: 'smaller-than-plate',
    depth: 'no',
    danger: 'no',
    details,
  })

  const tapAnswers = {
    gas: 'no',
    emergency: ['none'],
    where: 'own-home',
    area: 'kitchen',
    'kitchen-problem': 'taps',
    'kitchen-tap': 'dripping',
    description: 'The cold tap drips all night.',
    'contact-method': 'email',
    email: 'tenant@example.com',
  }

  async function reportPothole(caller: { token: string; ip: string }, details?: string) {
    const response = await call('POST', '/requests', { token: caller.token, ip: caller.ip, body: { serviceCode: 'pothole', answers: potholeAnswers(details) } })
    expect(response.statusCode, response.body).toBe(201)
    return response.json<ApiRequest>()
  }

  async function reportTap(caller: { token: string; ip: string }) {
    const response = await call('POST', '/requests', { token: caller.token, ip: caller.ip, body: { serviceCode: 'housing-repair', answers: tapAnswers } })
    expect(response.statusCode, response.body).toBe(201)
    return response.json<ApiRequest>()
  }

  async function apiKey(grant: { services: 'all' | string[]; write?: boolean; changeStatus?: boolean; ratePerMinute?: number }) {
    sequence += 1
    const { key } = await test.services.identity.apiKeys.issue(
      { name: `Partner ${sequence}`, services: grant.services, write: grant.write ?? false, changeStatus: grant.changeStatus ?? false, ratePerMinute: grant.ratePerMinute ?? 1000 },
      { kind: 'system' },
    )
    return { token: key, ip: nextIp() }
  }

  const requestsOf = (personId: string) => test.database.db.selectFrom('requests').select(['id', 'reference', 'channel']).where('person_id', '=', personId).execute()

  describe('services', () => {
    it('lists the services anyone may use, leaving private ones to residents and keys granted them', async () => {
      const anyone = await call('GET', '/services')
      expect(anyone.statusCode).toBe(200)
      const codes = anyone.json<{ code: string }[]>().map((service) => service.code)
      expect(codes).toContain('pothole')
      expect(codes).toContain('fly-tipping')
      expect(codes).not.toContain('housing-repair')
      expect(codes).not.toContain('missed-bin')

      const jo = await signedInResident()
      const forResident = await call('GET', '/services', { token: jo.token, ip: jo.ip })
      expect(forResident.json<{ code: string }[]>().map((service) => service.code)).toEqual(expect.arrayContaining(['pothole', 'housing-repair', 'missed-bin']))

      const partner = await apiKey({ services: ['housing-repair'] })
      const forKey = await call('GET', '/services', { token: partner.token, ip: partner.ip })
      const keyCodes = forKey.json<{ code: string }[]>().map((service) => service.code)
      expect(keyCodes).toContain('housing-repair')
      expect(keyCodes).not.toContain('missed-bin')
    })

    it('describes one service with its questions and how to answer each', async () => {
      const response = await call('GET', '/services/{code}', { params: { code: 'pothole' } })
      expect(response.statusCode).toBe(200)
      const service = response.json<{ code: string; name: string; visibility: string; questions: { id: string; kind: string; answer?: string; options?: { value: string }[] }[] }>()
      expect(service).toMatchObject({ code: 'pothole', name: 'Report a pothole', audience: 'residents', visibility: 'public', lgslCode: 557 })
      expect(service.questions.map((question) => question.id)).toEqual(['location', 'position', 'size', 'depth', 'danger', 'details', 'photo'])
      expect(service.questions[0]).toMatchObject({ kind: 'location', answer: 'the place, as { "latitude": 53.48, "longitude": -2.24 }' })
      expect(service.questions[1]!.options!.map((option) => option.value)).toEqual(['road', 'cycle-lane', 'pavement', 'kerb'])

      const repair = await call('GET', '/services/{code}', { params: { code: 'housing-repair' } })
      expect(contract.expectProblem(repair, 404).detail).toContain('housing-repair')
      contract.expectProblem(await call('GET', '/services/{code}', { params: { code: 'no-such-service' } }), 404)
    })
  })

  describe('signing in from an app', () => {
    it('gives a token for the right password, which then reads the account', async () => {
      const jo = await resident('Jo', 'Bloggs')
      const response = await call('POST', '/tokens', { body: { email: jo.email.toUpperCase(), password: jo.password, name: 'Bin day app' }, ip: jo.ip })
      expect(response.statusCode).toBe(201)
      expect(response.headers.location).toBe('/api/v1/account/tokens')
      const token = response.json<Token & { name: string }>()
      expect(token.token).toMatch(/^ghr_[\w-]{43}$/)
      expect(token.name).toBe('Bin day app')

      const account = await call('GET', '/account', { token: token.token, ip: jo.ip })
      expect(account.statusCode).toBe(200)
      expect(account.json()).toMatchObject({ id: jo.personId, givenName: 'Jo', familyName: 'Bloggs', email: jo.email, emailVerified: true })
    })

    it('refuses a wrong password, or none, as problem+json naming what is missing', async () => {
      const jo = await resident()
      const wrong = await call('POST', '/tokens', { body: { email: jo.email, password: 'not the password' }, ip: jo.ip })
      expect(contract.expectProblem(wrong, 401).detail).toBe('The email address or password is wrong')
      const unknown = await call('POST', '/tokens', { body: { email: 'nobody@example.com', password: 'whatever it is' }, ip: jo.ip })
      expect(contract.expectProblem(unknown, 401).detail).toBe('The email address or password is wrong')

      const missing = await call('POST', '/tokens', { body: { email: jo.email }, ip: jo.ip })
      expect(contract.expectProblem(missing, 400).errors).toEqual({ password: expect.any(String) })
      const nothing = await call('POST', '/tokens', { body: {}, ip: jo.ip })
      expect(Object.keys(contract.expectProblem(nothing, 400).errors!).sort()).toEqual(['email', 'password'])
    })

    it('locks the account after repeated wrong passwords, so even the right one is refused for a while', async () => {
      const jo = await resident()
      const statuses: number[] = []
      for (let attempt = 0; attempt < 5; attempt += 1) {
        statuses.push((await call('POST', '/tokens', { body: { email: jo.email, password: `guess ${attempt}` }, ip: jo.ip })).statusCode)
      }
      expect(statuses).toEqual([401, 401, 401, 401, 403])
      const right = await call('POST', '/tokens', { body: { email: jo.email, password: jo.password }, ip: jo.ip })
      expect(contract.expectProblem(right, 403).detail).toMatch(/locked/)
      expect(await test.services.identity.residentApiTokens.list(jo.personId)).toEqual([])
    })

    it('slows down guessing from one address with 429 and Retry-After', async () => {
      const ip = nextIp()
      // The identity tests count out the attempts one by one; here the address's allowance is simply used up.
      await test.database.db.insertInto('rate_limit_counters').values({ key: `sign-in:ip:${ip}`, window_started_at: new Date(), hits: 1000 }).execute()
      const response = await call('POST', '/tokens', { body: { email: 'guess@example.com', password: 'password1' }, ip })
      contract.expectProblem(response, 429)
      expect(Number(response.headers['retry-after'])).toBeGreaterThan(0)
    })
  })

  describe('a resident’s requests', () => {
    it('makes a request from answers and a place, as the web form would', async () => {
      const jo = await signedInResident()
      const response = await call('POST', '/requests', { token: jo.token, ip: jo.ip, body: { serviceCode: 'pothole', answers: potholeAnswers('By the bus stop') } })
      expect(response.statusCode).toBe(201)
      const made = response.json<ApiRequest>()
      expect(response.headers.location).toBe(`/api/v1/requests/${made.reference}`)
      expect(made).toMatchObject({ serviceCode: 'pothole', serviceName: 'Report a pothole', status: 'reported', statusLabel: 'Reported', open: true, publicText: null })
      expect(made.reference).toMatch(/^GH-[A-Z0-9]{4}-[A-Z0-9]{4}$/)
      expect(made.place).toMatchObject({ latitude: expect.closeTo(pointNear(4).latitude, 5), longitude: expect.closeTo(pointNear(4).longitude, 5) })
      expect(made.answers).toMatchObject({ position: 'road', details: 'By the bus stop', location: { wardCode: 'LWW01' } })
      expect(made.timeline!.map((entry) => entry.kind)).toEqual(['status-change'])
      expect(await requestsOf(jo.personId)).toEqual([{ id: expect.any(String), reference: made.reference, channel: 'api' }])
    })

    it('refuses answers the form would refuse, naming each field', async () => {
      const jo = await signedInResident()
      const post = (body: unknown) => call('POST', '/requests', { token: jo.token, ip: jo.ip, body })

      const noService = contract.expectProblem(await post({ answers: {} }), 400)
      expect(noService.errors).toEqual({ serviceCode: expect.any(String) })
      // Question by question, as the web form asks them, since a later question may depend on an earlier answer.
      const unanswered = contract.expectProblem(await post({ serviceCode: 'pothole', answers: { location: pointNear(0) } }), 400)
      expect(unanswered.errors).toEqual({ 'answers.position': 'Select where on the road the pothole is' })
      const outside = contract.expectProblem(await post({ serviceCode: 'pothole', answers: { ...potholeAnswers(), location: gridToLatitudeLongitude(440_000, 204_000) } }), 400)
      expect(outside.errors).toEqual({ 'answers.location': expect.stringContaining('outside') })
      const badOption = contract.expectProblem(await post({ serviceCode: 'pothole', answers: { ...potholeAnswers(), size: 'enormous' } }), 400)
      expect(Object.keys(badOption.errors!)).toEqual(['answers.size'])
      const notAnObject = contract.expectProblem(await post({ serviceCode: 'pothole', answers: ['road'] }), 400)
      expect(notAnObject.errors).toEqual({ answers: expect.any(String) })
      const photo = contract.expectProblem(await post({ serviceCode: 'pothole', answers: { ...potholeAnswers(), photo: 'data:image/png;base64,AAAA' } }), 400)
      expect(photo.errors).toEqual({ 'answers.photo': expect.stringContaining('Photos cannot be sent') })
      contract.expectProblem(await post({ serviceCode: 'no-such-service', answers: {} }), 404)
      expect(await requestsOf(jo.personId)).toEqual([])
    })

    it('asks a resident to sign in before making a request', async () => {
      const response = await call('POST', '/requests', { body: { serviceCode: 'pothole', answers: potholeAnswers() }, ip: nextIp() })
      contract.expectProblem(response, 401)
    })

    it('lists only the resident’s own requests, newest first, page by page without gaps or repeats', async () => {
      const jo = await signedInResident()
      const other = await signedInResident('Sam', 'Taylor')
      const made: string[] = []
      for (let index = 0; index < 7; index += 1) made.unshift((await reportPothole(jo, `Pothole ${index}`)).reference)
      const theirs = await reportPothole(other)

      const seen: string[] = []
      let cursor: string | null = null
      let pages = 0
      do {
        const response = await call('GET', '/requests', { token: jo.token, ip: jo.ip, query: `limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}` })
        expect(response.statusCode).toBe(200)
        const page = response.json<{ items: ApiRequest[]; nextCursor: string | null }>()
        expect(page.items.length).toBeLessThanOrEqual(3)
        seen.push(...page.items.map((item) => item.reference))
        cursor = page.nextCursor
        pages += 1
      } while (cursor !== null && pages < 10)
      expect(pages).toBe(3)
      expect(seen).toEqual(made)
      expect(seen).not.toContain(theirs.reference)
    })

    it('filters the list by service, status and time, and refuses filters it cannot read', async () => {
      const jo = await signedInResident()
      const pothole = await reportPothole(jo)
      const closed = await reportPothole(jo, 'Filled in already')
      const { id } = (await requestsOf(jo.personId)).find((row) => row.reference === closed.reference)!
      const { rowVersion } = await test.services.requests.request(id)
      await test.services.requests.changeStatus(id, { type: 'cancel' }, { actor: { kind: 'staff', id: officer }, expectedRowVersion: rowVersion })

      const list = async (query: string) => {
        const response = await call('GET', '/requests', { token: jo.token, ip: jo.ip, query })
        expect(response.statusCode, response.body).toBe(200)
        return response.json<{ items: ApiRequest[] }>().items.map((item) => item.reference)
      }
      expect(await list('status=open')).toEqual([pothole.reference])
      expect(await list('status=closed')).toEqual([closed.reference])
      expect(await list('service=pothole')).toEqual([closed.reference, pothole.reference])
      expect(await list('service=fly-tipping')).toEqual([])
      expect(await list(`from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).toEqual([])
      expect(await list(`to=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).toEqual([closed.reference, pothole.reference])

      for (const [query, field] of [
        ['status=pending', 'status'],
        ['limit=0', 'limit'],
        ['limit=101', 'limit'],
        ['from=yesterday', 'from'],
        ['to=2026-02-30', 'to'],
        ['cursor=not-a-cursor', 'cursor'],
        ['status=open&status=closed', 'status'],
      ] as const) {
        const response = await call('GET', '/requests', { token: jo.token, ip: jo.ip, query })
        expect(contract.expectProblem(response, 400).errors, query).toEqual({ [field]: expect.any(String) })
      }
    })

    it('reads one request with its public timeline, and adds the resident’s information to it', async () => {
      const jo = await signedInResident()
      const made = await reportPothole(jo)
      const read = await call('GET', '/requests/{reference}', { token: jo.token, ip: jo.ip, params: { reference: made.reference } })
      expect(read.statusCode).toBe(200)
      expect(read.json()).toMatchObject({ reference: made.reference, answers: made.answers })

      const added = await call('POST', '/requests/{reference}/updates', { token: jo.token, ip: jo.ip, params: { reference: made.reference }, body: { text: 'It is getting deeper' } })
      expect(added.statusCode).toBe(201)
      expect(added.headers.location).toBe(`/api/v1/requests/${made.reference}`)
      expect(added.json<ApiRequest>().timeline!.at(-1)).toMatchObject({ kind: 'information-added', by: 'resident', text: 'It is getting deeper' })

      const empty = await call('POST', '/requests/{reference}/updates', { token: jo.token, ip: jo.ip, params: { reference: made.reference }, body: {} })
      expect(Object.keys(contract.expectProblem(empty, 400).errors!)).toEqual(['text'])
      const notText = await call('POST', '/requests/{reference}/updates', { token: jo.token, ip: jo.ip, params: { reference: made.reference }, body: { text: 42 } })
      expect(contract.expectProblem(notText, 400).errors).toEqual({ text: expect.any(String) })
      const statusChange = await call('POST', '/requests/{reference}/updates', { token: jo.token, ip: jo.ip, params: { reference: made.reference }, body: { event: 'close', closureReason: 'duplicate' } })
      contract.expectProblem(statusChange, 403)
      expect((await test.services.requests.timeline((await requestsOf(jo.personId))[0]!.id, { audience: 'staff' })).map((entry) => entry.kind)).toEqual(['status-change', 'information-added'])
    })

    it('shows a request made through the API in the staff queue and the resident’s account, as one made on the web', async () => {
      const jo = await signedInResident('Jo', 'Bloggs')
      const made = await reportPothole(jo, 'Deep one by the school')
      await call('POST', '/requests/{reference}/updates', { token: jo.token, ip: jo.ip, params: { reference: made.reference }, body: { text: 'Cars swerve round it' } })

      const staff = await signedInStaff(test, ['team-lead'])
      const queue = await staff.agent.get('/staff/requests')
      expect(queue.status).toBe(200)
      expect(queue.page('table.app-queue tbody tr td:first-child a').map((_, link) => queue.page(link).text().trim()).get()).toContain(made.reference)
      const staffPage = await staff.agent.get(`/staff/requests/${made.reference}`)
      expect(staffPage.status).toBe(200)
      expect(staffPage.page('main').text()).toContain('Deep one by the school')
      expect(staffPage.page('main').text()).toContain('Cars swerve round it')

      const browser = new Agent(test.app)
      browser.setCookie(sessionCookie, await sessionFor(test.database.db, { kind: 'resident', id: jo.personId }))
      const list = await browser.get('/account/requests')
      expect(list.page('tbody tr td:first-child').text()).toContain(made.reference)
      const page = await browser.get(`/account/requests/${made.reference}`)
      expect(page.status).toBe(200)
      expect(page.page('h1').text()).toBe('Report a pothole')
      expect(page.page('.app-resident-timeline').text()).toContain('Cars swerve round it')
      expect(page.page('.govuk-summary-list').text()).toContain('Deep one by the school')
    })

    it('answers "not found" to another resident, whatever they try with the reference', async () => {
      const jo = await signedInResident()
      const sam = await signedInResident('Sam', 'Taylor')
      const made = await reportTap(await signedInTenant())
      const own = await reportPothole(jo)
      for (const reference of [made.reference, own.reference]) {
        const params = { reference }
        contract.expectProblem(await call('GET', '/requests/{reference}', { token: sam.token, ip: sam.ip, params }), 404)
        contract.expectProblem(await call('POST', '/requests/{reference}/updates', { token: sam.token, ip: sam.ip, params, body: { text: 'Mine now' } }), 404)
        contract.expectProblem(await call('GET', '/requests/{reference}/slots', { token: sam.token, ip: sam.ip, params }), 404)
        contract.expectProblem(await call('POST', '/requests/{reference}/appointment', { token: sam.token, ip: sam.ip, params, body: { date: days[0], window: 'morning' } }), 404)
      }
      contract.expectProblem(await call('GET', '/requests/{reference}', { token: sam.token, ip: sam.ip, params: { reference: 'not-a-reference' } }), 404)
      contract.expectProblem(await call('GET', '/requests/{reference}', { token: sam.token, ip: sam.ip, params: { reference: 'GH-ZZZZ-ZZZZ' } }), 404)
    })

    it('lets only a tenant report a housing repair, for their own home', async () => {
      const jo = await signedInResident()
      const refused = await call('POST', '/requests', { token: jo.token, ip: jo.ip, body: { serviceCode: 'housing-repair', answers: tapAnswers } })
      expect(contract.expectProblem(refused, 403).detail).toContain('tenants')

      const alex = await signedInTenant()
      const made = await reportTap(alex)
      expect(made).toMatchObject({ serviceCode: 'housing-repair', status: 'reported', place: null, answers: { 'kitchen-tap': 'dripping' } })
      const row = await test.database.db.selectFrom('requests').select('property_uprn').where('reference', '=', made.reference).executeTakeFirstOrThrow()
      expect(row.property_uprn).toBe(alex.uprn)
    })
  })

  describe('appointments for a housing repair', () => {
    const staff = () => ({ kind: 'staff' as const, id: officer })
    const placesIn = (slot: Slot) => placesOf(test.database.db, team, slot)

    it('lists the free slots, books one, moves it, and cancels it, keeping the places right', async () => {
      const first = { date: days[0]!, window: 'morning' }
      const second = { date: days[1]!, window: 'afternoon' }
      await test.services.scheduling.setCapacity(team, first, 3, staff())
      await test.services.scheduling.setCapacity(team, second, 3, staff())
      const alex = await signedInTenant()
      const { reference } = await reportTap(alex)
      const as = { token: alex.token, ip: alex.ip, params: { reference } }

      const slots = await call('GET', '/requests/{reference}/slots', as)
      expect(slots.statusCode).toBe(200)
      const offered = slots.json<{ date: string; slots: { window: string; free: number }[] }[]>()
      expect(offered.find((day) => day.date === first.date)?.slots).toContainEqual(expect.objectContaining({ window: 'morning', free: 3 }))
      contract.expectProblem(await call('GET', '/requests/{reference}/appointment', as), 404)

      const booked = await call('POST', '/requests/{reference}/appointment', { ...as, body: first })
      expect(booked.statusCode, booked.body).toBe(201)
      expect(booked.headers.location).toBe(`/api/v1/requests/${reference}/appointment`)
      const appointment = booked.json<{ id: string; version: number; date: string; window: string; status: string }>()
      expect(appointment).toMatchObject({ date: first.date, window: 'morning', status: 'booked' })
      expect(await placesIn(first)).toEqual({ places: 3, booked: 1 })
      const again = await call('POST', '/requests/{reference}/appointment', { ...as, body: second })
      contract.expectProblem(again, 409)

      const read = await call('GET', '/requests/{reference}/appointment', as)
      expect(read.json()).toEqual(appointment)

      const moved = await call('PUT', '/requests/{reference}/appointment', { ...as, body: { ...second, version: appointment.version } })
      expect(moved.statusCode, moved.body).toBe(200)
      const now = moved.json<{ id: string; version: number }>()
      expect(now).toMatchObject({ date: second.date, window: 'afternoon' })
      expect(await placesIn(first)).toEqual({ places: 3, booked: 0 })
      expect(await placesIn(second)).toEqual({ places: 3, booked: 1 })
      // The visit as first read has the same version as the one it was moved to, so the id tells them apart.
      expect(now.version).toBe(appointment.version)
      const stale = await call('PUT', '/requests/{reference}/appointment', { ...as, body: { ...first, id: appointment.id, version: appointment.version } })
      expect(contract.expectProblem(stale, 409).detail).toContain('moved since it was read')
      contract.expectProblem(await call('DELETE', '/requests/{reference}/appointment', { ...as, query: `id=${appointment.id}&version=${appointment.version}` }), 409)
      const badSlot = await call('PUT', '/requests/{reference}/appointment', { ...as, body: { date: 'tomorrow', window: '' } })
      expect(Object.keys(contract.expectProblem(badSlot, 400).errors!).sort()).toEqual(['date', 'window'])

      const staleCancel = await call('DELETE', '/requests/{reference}/appointment', { ...as, query: `version=${now.version + 5}` })
      contract.expectProblem(staleCancel, 409)
      const cancelled = await call('DELETE', '/requests/{reference}/appointment', { ...as, query: `id=${now.id}&version=${now.version}` })
      expect(cancelled.statusCode).toBe(204)
      expect(cancelled.body).toBe('')
      expect(await placesIn(second)).toEqual({ places: 3, booked: 0 })
      contract.expectProblem(await call('GET', '/requests/{reference}/appointment', as), 404)

      const timeline = await call('GET', '/requests/{reference}', as)
      expect(timeline.json<ApiRequest>().timeline!.filter((entry) => entry.kind === 'appointment')).toHaveLength(3)
    })

    it('refuses a slot that is full', async () => {
      const slot = { date: days[2]!, window: 'all-day' }
      await test.services.scheduling.setCapacity(team, slot, 1, staff())
      const quick = await signedInTenant()
      const slow = await signedInTenant()
      const quickRepair = await reportTap(quick)
      const slowRepair = await reportTap(slow)
      expect((await call('POST', '/requests/{reference}/appointment', { token: quick.token, ip: quick.ip, params: { reference: quickRepair.reference }, body: slot })).statusCode).toBe(201)
      const full = await call('POST', '/requests/{reference}/appointment', { token: slow.token, ip: slow.ip, params: { reference: slowRepair.reference }, body: slot })
      contract.expectProblem(full, 409)
      expect(await placesIn(slot)).toEqual({ places: 1, booked: 1 })
    })
  })

  describe('API keys', () => {
    it('lets a read-only key read public requests but not make any', async () => {
      const reader = await apiKey({ services: 'all' })
      const made = await reportPothole(await signedInResident())
      const listed = await call('GET', '/requests', { token: reader.token, ip: reader.ip, query: 'service=pothole&limit=100' })
      expect(listed.json<{ items: ApiRequest[] }>().items.map((item) => item.reference)).toContain(made.reference)

      const post = await call('POST', '/requests', { token: reader.token, ip: reader.ip, body: { serviceCode: 'pothole', answers: potholeAnswers(), reporter: { email: 'someone@example.com' } } })
      expect(contract.expectProblem(post, 403).detail).toBe('This API key may only read')
      const update = await call('POST', '/requests/{reference}/updates', { token: reader.token, ip: reader.ip, params: { reference: made.reference }, body: { text: 'Seen it' } })
      contract.expectProblem(update, 403)
    })

    it('makes a request for the reporter a partner names, and needs one', async () => {
      const partner = await apiKey({ services: ['pothole'], write: true })
      const missing = await call('POST', '/requests', { token: partner.token, ip: partner.ip, body: { serviceCode: 'pothole', answers: potholeAnswers() } })
      expect(contract.expectProblem(missing, 400).errors).toEqual({ reporter: expect.any(String) })
      const badEmail = await call('POST', '/requests', { token: partner.token, ip: partner.ip, body: { serviceCode: 'pothole', answers: potholeAnswers(), reporter: { email: 'not an email' } } })
      expect(contract.expectProblem(badEmail, 400).errors).toEqual({ 'reporter.email': expect.any(String) })

      const made = await call('POST', '/requests', { token: partner.token, ip: partner.ip, body: { serviceCode: 'pothole', answers: potholeAnswers(), reporter: { email: 'reporter@example.com', givenName: 'Rae' } } })
      expect(made.statusCode, made.body).toBe(201)
      const row = await test.database.db
        .selectFrom('requests')
        .innerJoin('people', 'people.id', 'requests.person_id')
        .select(['people.email', 'requests.channel'])
        .where('requests.reference', '=', made.json<ApiRequest>().reference)
        .executeTakeFirstOrThrow()
      expect(row).toEqual({ email: 'reporter@example.com', channel: 'api' })

      const elsewhere = await call('POST', '/requests', { token: partner.token, ip: partner.ip, body: { serviceCode: 'graffiti', answers: {}, reporter: { email: 'reporter@example.com' } } })
      contract.expectProblem(elsewhere, 403)
    })

    it('hides a private service’s requests from a key not granted it, and shows them, with answers, to one that is', async () => {
      const made = await reportTap(await signedInTenant())
      const potholes = await apiKey({ services: ['pothole'] })
      const repairs = await apiKey({ services: ['housing-repair'] })

      contract.expectProblem(await call('GET', '/requests/{reference}', { token: potholes.token, ip: potholes.ip, params: { reference: made.reference } }), 404)
      const listed = await call('GET', '/requests', { token: potholes.token, ip: potholes.ip, query: 'limit=100' })
      expect(listed.json<{ items: ApiRequest[] }>().items.map((item) => item.reference)).not.toContain(made.reference)
      const filtered = await call('GET', '/requests', { token: potholes.token, ip: potholes.ip, query: 'service=housing-repair' })
      expect(contract.expectProblem(filtered, 400).errors).toEqual({ service: expect.any(String) })
      contract.expectProblem(await call('GET', '/requests/{reference}', { params: { reference: made.reference } }), 404)

      const read = await call('GET', '/requests/{reference}', { token: repairs.token, ip: repairs.ip, params: { reference: made.reference } })
      expect(read.statusCode).toBe(200)
      expect(read.json<ApiRequest>().answers).toMatchObject({ 'kitchen-tap': 'dripping' })
    })

    it('lets a key granted status changes move a request on, and no other', async () => {
      const made = await reportPothole(await signedInResident())
      const commenter = await apiKey({ services: ['pothole'], write: true })
      const contractor = await apiKey({ services: ['pothole'], write: true, changeStatus: true })

      const refused = await call('POST', '/requests/{reference}/updates', { token: commenter.token, ip: commenter.ip, params: { reference: made.reference }, body: { event: 'triage' } })
      contract.expectProblem(refused, 403)
      const unknown = await call('POST', '/requests/{reference}/updates', { token: contractor.token, ip: contractor.ip, params: { reference: made.reference }, body: { event: 'explode' } })
      expect(contract.expectProblem(unknown, 400).errors).toEqual({ event: expect.any(String) })
      const triaged = await call('POST', '/requests/{reference}/updates', {
        token: contractor.token,
        ip: contractor.ip,
        params: { reference: made.reference },
        body: { event: 'triage', text: 'Inspector on the way' },
      })
      expect(triaged.statusCode, triaged.body).toBe(201)
      expect(triaged.json()).toMatchObject({ status: 'triaged', statusLabel: 'Checked by our highways team' })
      const wrongStep = await call('POST', '/requests/{reference}/updates', { token: contractor.token, ip: contractor.ip, params: { reference: made.reference }, body: { event: 'reopen' } })
      contract.expectProblem(wrongStep, 409)
    })

    it('refuses a key that is unknown or revoked, and one used faster than its rate', async () => {
      contract.expectProblem(await call('GET', '/requests', { token: `gh_${'x'.repeat(43)}` }), 401)
      contract.expectProblem(await call('GET', '/requests', { headers: { authorization: 'Basic dXNlcjpwYXNz' } }), 401)
      const issued = await test.services.identity.apiKeys.issue({ name: 'Old partner', services: 'all', write: false, changeStatus: false, ratePerMinute: 2 }, { kind: 'system' })
      expect((await call('GET', '/services', { token: issued.key })).statusCode).toBe(200)
      expect((await call('GET', '/services', { token: issued.key })).statusCode).toBe(200)
      const limited = await call('GET', '/services', { token: issued.key })
      contract.expectProblem(limited, 429)
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0)
      await test.services.identity.apiKeys.revoke(issued.id, { kind: 'system' })
      contract.expectProblem(await call('GET', '/services', { token: issued.key }), 401)
    })
  })

  describe('apps signed in to an account', () => {
    it('lists the apps, marking the one calling, and signs one out so its token stops working', async () => {
      const jo = await resident()
      const phone = await signIn(jo, 'Phone')
      const tablet = await signIn(jo, 'Tablet')

      const listed = await call('GET', '/account/tokens', { token: phone.token, ip: jo.ip })
      expect(listed.statusCode).toBe(200)
      expect(listed.json()).toEqual([
        expect.objectContaining({ id: tablet.id, name: 'Tablet', current: false }),
        expect.objectContaining({ id: phone.id, name: 'Phone', current: true, lastUsedAt: expect.any(String) }),
      ])

      expect((await call('DELETE', '/account/tokens/{id}', { token: phone.token, ip: jo.ip, params: { id: tablet.id } })).statusCode).toBe(204)
      contract.expectProblem(await call('GET', '/account', { token: tablet.token, ip: jo.ip }), 401)
      expect((await call('GET', '/account', { token: phone.token, ip: jo.ip })).statusCode).toBe(200)

      expect((await call('DELETE', '/account/tokens/{id}', { token: phone.token, ip: jo.ip, params: { id: 'current' } })).statusCode).toBe(204)
      contract.expectProblem(await call('GET', '/account/tokens', { token: phone.token, ip: jo.ip }), 401)
      expect(await test.services.identity.residentApiTokens.list(jo.personId)).toEqual([])
    })

    it('will not sign out another resident’s app, and keeps the account to residents', async () => {
      const jo = await signedInResident()
      const sam = await signedInResident('Sam', 'Taylor')
      contract.expectProblem(await call('DELETE', '/account/tokens/{id}', { token: sam.token, ip: sam.ip, params: { id: jo.id } }), 404)
      contract.expectProblem(await call('DELETE', '/account/tokens/{id}', { token: sam.token, ip: sam.ip, params: { id: 'not-an-id' } }), 404)
      expect((await call('GET', '/account', { token: jo.token, ip: jo.ip })).statusCode).toBe(200)

      contract.expectProblem(await call('GET', '/account'), 401)
      const partner = await apiKey({ services: 'all' })
      contract.expectProblem(await call('GET', '/account', { token: partner.token, ip: partner.ip }), 403)
    })
  })

  describe('Idempotency-Key', () => {
    it('makes one request for a POST sent twice with the same key, and gives the first answer again', async () => {
      const jo = await signedInResident()
      const key = randomUUID()
      const send = () => call('POST', '/requests', { token: jo.token, ip: jo.ip, headers: { 'idempotency-key': key }, body: { serviceCode: 'pothole', answers: potholeAnswers() } })
      const first = await send()
      const second = await send()
      expect(first.statusCode).toBe(201)
      expect(first.headers['idempotent-replayed']).toBeUndefined()
      expect(second.statusCode).toBe(201)
      expect(second.headers['idempotent-replayed']).toBe('true')
      expect(second.headers.location).toBe(first.headers.location)
      expect(second.json()).toEqual(first.json())
      expect(await requestsOf(jo.personId)).toHaveLength(1)
    })

    it('makes one request when the same POST arrives twice at once', async () => {
      const jo = await signedInResident()
      const key = randomUUID()
      const send = () => call('POST', '/requests', { token: jo.token, ip: jo.ip, headers: { 'idempotency-key': key }, body: { serviceCode: 'pothole', answers: potholeAnswers() } })
      const answers = await Promise.all([send(), send()])
      const statuses = answers.map((answer) => answer.statusCode).sort()
      // The second either waits for nothing and is told the first is still running, or arrives after it and is given its answer.
      expect([[201, 409], [201, 201]]).toContainEqual(statuses)
      expect(await requestsOf(jo.personId)).toHaveLength(1)
    })

    it('takes over a key whose first request never finished, once it has plainly been abandoned', async () => {
      const jo = await signedInResident()
      const key = randomUUID()
      const send = () => call('POST', '/requests', { token: jo.token, ip: jo.ip, headers: { 'idempotency-key': key }, body: { serviceCode: 'pothole', answers: potholeAnswers() } })
      expect((await send()).statusCode).toBe(201)
      // As a server that stopped between claiming the key and keeping the answer would leave it.
      await test.database.db.updateTable('api_idempotency_keys').set({ status_code: null, response_body: null }).where('key', '=', key).execute()
      expect(contract.expectProblem(await send(), 409).detail).toContain('still being handled')
      await sql`update api_idempotency_keys set created_at = now() - interval '10 minutes' where key = ${key}`.execute(test.database.db)
      const retried = await send()
      expect(retried.statusCode).toBe(201)
      expect(retried.headers['idempotent-replayed']).toBeUndefined()
      expect((await send()).headers['idempotent-replayed']).toBe('true')
    })

    it('refuses the same key with another body, and keeps keys apart between callers', async () => {
      const jo = await signedInResident()
      const sam = await signedInResident('Sam', 'Taylor')
      const key = randomUUID()
      const send = (caller: { token: string; ip: string }, details: string) =>
        call('POST', '/requests', { token: caller.token, ip: caller.ip, headers: { 'idempotency-key': key }, body: { serviceCode: 'pothole', answers: potholeAnswers(details) } })
      expect((await send(jo, 'First')).statusCode).toBe(201)
      const reused = await send(jo, 'Second')
      expect(contract.expectProblem(reused, 422).detail).toContain('different request')
      expect((await send(sam, 'Second')).statusCode).toBe(201)
      expect(await requestsOf(jo.personId)).toHaveLength(1)
      expect(await requestsOf(sam.personId)).toHaveLength(1)

      const tooLong = await call('POST', '/requests', { token: jo.token, ip: jo.ip, headers: { 'idempotency-key': 'k'.repeat(256) }, body: { serviceCode: 'pothole', answers: potholeAnswers() } })
      contract.expectProblem(tooLong, 400)
    })

    it('gives a refusal again too, rather than trying a second time', async () => {
      const jo = await signedInResident()
      const key = randomUUID()
      const send = () => call('POST', '/requests', { token: jo.token, ip: jo.ip, headers: { 'idempotency-key': key }, body: { serviceCode: 'pothole', answers: {} } })
      const first = contract.expectProblem(await send(), 400)
      const again = await send()
      expect(contract.expectProblem(again, 400)).toEqual(first)
      expect(again.headers['idempotent-replayed']).toBe('true')
    })

    it('keeps no sign-in answer, since it holds the token', async () => {
      const jo = await resident()
      const key = randomUUID()
      const first = await call('POST', '/tokens', { ip: jo.ip, headers: { 'idempotency-key': key }, body: { email: jo.email, password: jo.password } })
      const second = await call('POST', '/tokens', { ip: jo.ip, headers: { 'idempotency-key': key }, body: { email: jo.email, password: jo.password } })
      expect([first.statusCode, second.statusCode]).toEqual([201, 201])
      expect(second.json<Token>().token).not.toBe(first.json<Token>().token)
      const kept = await test.database.db.selectFrom('api_idempotency_keys').select('response_body').where('key', '=', key).execute()
      expect(kept).toEqual([])
    })
  })

  describe('ETags', () => {
    it('tags a read, answers 304 with no body while it is unchanged, and a new tag once it changes', async () => {
      const jo = await signedInResident()
      const made = await reportPothole(jo)
      const as = { token: jo.token, ip: jo.ip, params: { reference: made.reference } }
      const first = await call('GET', '/requests/{reference}', as)
      const etag = first.headers.etag as string
      expect(etag).toMatch(/^"[\w-]+"$/)
      expect(first.headers['cache-control']).toBe('private, no-cache')

      const unchanged = await call('GET', '/requests/{reference}', { ...as, headers: { 'if-none-match': etag } })
      expect(unchanged.statusCode).toBe(304)
      expect(unchanged.body).toBe('')
      expect(unchanged.headers.etag).toBe(etag)
      const weak = await call('GET', '/requests/{reference}', { ...as, headers: { 'if-none-match': `"other", W/${etag}` } })
      expect(weak.statusCode).toBe(304)

      await call('POST', '/requests/{reference}/updates', { ...as, body: { text: 'Now a car has hit it' } })
      const changed = await call('GET', '/requests/{reference}', { ...as, headers: { 'if-none-match': etag } })
      expect(changed.statusCode).toBe(200)
      expect(changed.headers.etag).not.toBe(etag)
      expect(changed.json<ApiRequest>().timeline!.at(-1)!.text).toBe('Now a car has hit it')
    })

    it('tags lists and services too', async () => {
      const services = await call('GET', '/services')
      const again = await call('GET', '/services', { headers: { 'if-none-match': services.headers.etag as string } })
      expect(again.statusCode).toBe(304)
      const list = await call('GET', '/requests', { query: 'limit=5' })
      expect(list.headers.etag).toEqual(expect.any(String))
    })
  })

  describe('errors', () => {
    it('answers a route the API does not have with 404 problem+json, whatever the method', async () => {
      for (const method of ['GET', 'POST', 'DELETE'] as const) {
        const response = await test.app.inject({ method, url: '/api/v1/nowhere', ...(method === 'POST' ? { payload: {} } : {}) })
        expect(contract.expectProblem(response, 404).detail).toContain(`${method} /api/v1/nowhere`)
      }
    })

    it('answers a body that is not JSON, or not JSON at all, with problem+json', async () => {
      const jo = await signedInResident()
      const headers = { authorization: `Bearer ${jo.token}` }
      const malformed = await test.app.inject({ method: 'POST', url: '/api/v1/requests', headers: { ...headers, 'content-type': 'application/json' }, payload: '{"serviceCode": "pothole",', remoteAddress: jo.ip })
      contract.expectConforms(malformed, 'POST', '/requests')
      contract.expectProblem(malformed, 400)
      const empty = await test.app.inject({ method: 'POST', url: '/api/v1/requests', headers: { ...headers, 'content-type': 'application/json' }, payload: '', remoteAddress: jo.ip })
      contract.expectConforms(empty, 'POST', '/requests')
      contract.expectProblem(empty, 400)
      const asText = await test.app.inject({ method: 'POST', url: '/api/v1/requests', headers: { ...headers, 'content-type': 'text/plain' }, payload: 'pothole please', remoteAddress: jo.ip })
      contract.expectConforms(asText, 'POST', '/requests')
      contract.expectProblem(asText, 415)
      const huge = await test.app.inject({
        method: 'POST',
        url: '/api/v1/requests',
        headers: { ...headers, 'content-type': 'application/json' },
        payload: JSON.stringify({ serviceCode: 'pothole', answers: { details: 'x'.repeat(2_000_000) } }),
        remoteAddress: jo.ip,
      })
      contract.expectConforms(huge, 'POST', '/requests')
      contract.expectProblem(huge, 413)
      const array = await call('POST', '/requests', { token: jo.token, ip: jo.ip, body: [] })
      contract.expectProblem(array, 400)
      expect(await requestsOf(jo.personId)).toEqual([])
    })

    it('refuses text holding the NUL character, which no form needs and the database cannot keep', async () => {
      const jo = await signedInResident()
      const body = await call('POST', '/requests', { token: jo.token, ip: jo.ip, body: { serviceCode: 'pothole', answers: potholeAnswers('Deep\u0000hole') } })
      expect(contract.expectProblem(body, 400).detail).toContain('U+0000')
      contract.expectProblem(await call('GET', '/requests', { token: jo.token, ip: jo.ip, query: 'service=pot%00hole' }), 400)
      contract.expectProblem(await call('GET', '/services/{code}', { params: { code: 'pot\u0000hole' } }), 400)
      contract.expectProblem(await call('POST', '/tokens', { ip: jo.ip, body: { email: `${jo.email}\u0000`, password: jo.password } }), 400)
      expect(await requestsOf(jo.personId)).toEqual([])
    })

    it('refuses a token that is not a bearer token, or not one it knows, rather than treating the caller as anyone', async () => {
      contract.expectProblem(await call('GET', '/services', { headers: { authorization: 'Bearer' } }), 401)
      contract.expectProblem(await call('GET', '/services', { token: `ghr_${'a'.repeat(43)}` }), 401)
      contract.expectProblem(await call('GET', '/requests/{reference}', { token: 'nonsense', params: { reference: 'GH-ZZZZ-ZZZZ' } }), 401)
    })
  })
})

interface ApiRequest {
  reference: string
  serviceCode: string
  status: string
  place: { latitude: number; longitude: number; description: string | null } | null
  answers?: Record<string, unknown>
  timeline?: { kind: string; by: string; text: string | null; status: string | null }[]
}
