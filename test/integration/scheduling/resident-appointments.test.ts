import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultCalendar } from '../../../src/lib/calendar/calendar.ts'
import { addDays, type PlainDate } from '../../../src/lib/calendar/plain-date.ts'
import { ukDateOf } from '../../../src/lib/calendar/uk-time.ts'
import { changeLinkToken, isBookableDay, slotMoments, type CapacityOwner, type Slot } from '../../../src/modules/scheduling/index.ts'
import { Agent, errorSummary, type AgentResponse } from '../../support/agent.ts'
import { createTestApp, type TestApp } from '../../support/app.ts'
import { address, addressCsv, sessionCookie, signedInResident, tenancyCsv, tenant } from '../../support/places.ts'
import { placesOf, staffMember } from '../requests/factories.ts'

const repair = '/services/housing-repair'

describe('a tenant’s own appointments', () => {
  let test: TestApp
  let team: CapacityOwner
  let officer: string
  let tenantNumber = 0
  /** Working days from tomorrow, counted from today in the UK, so the tests hold whenever they run. */
  let days: PlainDate[]

  beforeAll(async () => {
    test = await createTestApp()
    await test.services.catalogue.seedDefinitions()
    const { id } = await test.database.db.insertInto('teams').values({ code: 'housing-repairs', name: 'Housing repairs' }).returning('id').executeTakeFirstOrThrow()
    team = { kind: 'team', id }
    officer = await staffMember(test.database.db)
    const homes = Array.from({ length: 20 }, (_, index) => address(7001 + index, { parent_uprn: 7000 }))
    await test.services.places.importAddresses([addressCsv([address(7000, { address_line_1: 'Wendle Court' }), ...homes])])
    await test.services.places.importTenancies([
      tenancyCsv(homes.map((home, index) => tenant(`LW-T-2000${String(index).padStart(2, '0')}`, Number(home.uprn), { given_name: 'Alex', family_name: `Tenant${index}` }))),
    ])
    const today = ukDateOf(new Date())
    const calendar = defaultCalendar.forRegion(test.config.council.bankHolidayRegion)
    days = []
    for (let date = addDays(today, 1); days.length < 8; date = addDays(date, 1)) {
      if (isBookableDay(date, { today, calendar, closures: [] })) days.push(date)
    }
  })
  afterAll(async () => {
    await test?.close()
  })

  const staff = () => ({ kind: 'staff' as const, id: officer })
  const value = (slot: Slot) => `${slot.date}/${slot.window}`

  async function signedInTenant() {
    const index = tenantNumber++
    const resident = await signedInResident(test.database.db, { givenName: 'Alex', familyName: `Tenant${index}` })
    await test.services.places.linkTenancy(resident.personId, { reference: `LW-T-2000${String(index).padStart(2, '0')}`, postcode: 'LW1 5UP', day: '14', month: '3', year: '1985' })
    const agent = new Agent(test.app)
    agent.setCookie(sessionCookie, resident.sessionToken)
    return { agent, personId: resident.personId }
  }

  async function answer(agent: Agent, pageId: string, fields: Record<string, string | string[]>) {
    await agent.get(`${repair}/${pageId}`)
    const response = await agent.post(`${repair}/${pageId}`, fields)
    expect(response.status, `answering ${pageId}: ${errorSummary(response).join(', ')}`).toBe(303)
  }

  /** Reports a kitchen tap through the real form, with updates by email, and sends it. */
  async function reportTap(agent: Agent, fault: 'dripping' | 'will-not-turn-off' = 'dripping'): Promise<AgentResponse> {
    await answer(agent, 'gas', { gas: 'no' })
    await answer(agent, 'emergency', { emergency: 'none' })
    await answer(agent, 'where', { where: 'own-home' })
    await answer(agent, 'area', { area: 'kitchen' })
    await answer(agent, 'kitchen-problem', { 'kitchen-problem': 'taps' })
    await answer(agent, 'kitchen-tap', { 'kitchen-tap': fault })
    await answer(agent, 'description', { description: 'The cold tap drips all night.' })
    await answer(agent, 'photos', {})
    await answer(agent, 'access', { access: '' })
    await answer(agent, 'contact-method', { 'contact-method': 'email' })
    await answer(agent, 'email', { email: 'tenant@example.com' })
    await agent.get(`${repair}/check-answers`)
    return agent.post(`${repair}/check-answers`)
  }

  /** A tenant who has just reported a routine repair, and its reference. */
  async function tenantWithRepair() {
    const tenantOf = await signedInTenant()
    const sent = await reportTap(tenantOf.agent)
    const request = await test.database.db.selectFrom('requests').select(['id', 'reference']).where('person_id', '=', tenantOf.personId).executeTakeFirstOrThrow()
    return { ...tenantOf, sent, id: request.id, reference: request.reference, page: `/account/requests/${request.reference}/appointment` }
  }

  const placesIn = (slot: Slot) => placesOf(test.database.db, team, slot)

  /** The change link in the latest message about the request's visit, as the tenant receives it. */
  async function linkInMessage(personId: string, type: 'appointment-booked' | 'appointment-moved'): Promise<string> {
    const message = await test.database.db
      .selectFrom('outbox_messages')
      .select('personalisation')
      .where('person_id', '=', personId)
      .where('message_type', 'like', `${type}%`)
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow()
    const link = message.personalisation.link!
    expect(link).toMatch(/\/appointments\/[\w-]+\.[\w-]+$/)
    return new URL(link).pathname
  }

  const timelineTitles = (response: AgentResponse) => response.page('.app-resident-timeline h3').map((_, heading) => response.page(heading).text().trim()).get()
  const radioValues = (response: AgentResponse) => response.page('input[name="slot"]').map((_, input) => response.page(input).attr('value')).get()

  it('sends a routine repair to its confirmation, saying we will arrange a visit, when there are no times to book', async () => {
    const { agent, sent, reference } = await tenantWithRepair()
    expect(sent.status).toBe(303)
    expect(sent.location).toBe(`${repair}/confirmation/${reference}`)
    const confirmation = await agent.follow(sent)
    expect(confirmation.page('.govuk-panel__title').text().trim()).toBe('Report sent')
    expect(confirmation.page('main').text()).toContain('We will contact you to arrange a visit.')
    // The request page offers the booking page, which says the same.
    const requestPage = await agent.get(`/account/requests/${reference}`)
    const book = requestPage.page('a.govuk-button').filter((_, link) => requestPage.page(link).text().trim() === 'Book an appointment')
    expect(book.attr('href')).toBe(`/account/requests/${reference}/appointment`)
    const noTimes = await agent.get(book.attr('href')!)
    expect(noTimes.page('h1').text().trim()).toBe('There are no times to book online')
    expect(noTimes.page('main').text()).toContain('We will contact you to arrange a visit.')
  })

  it('offers a routine repair a time straight after reporting it, but not an emergency', async () => {
    const morning = { date: days[0]!, window: 'morning' }
    await test.services.scheduling.setCapacity(team, morning, 5, staff())
    await test.services.scheduling.setCapacity(team, { date: days[0]!, window: 'afternoon' }, 5, staff())

    const routine = await tenantWithRepair()
    expect(routine.sent.status).toBe(303)
    expect(routine.sent.location).toBe(`/account/requests/${routine.reference}/appointment?reported=1`)
    const page = await routine.agent.follow(routine.sent)
    expect(page.status).toBe(200)
    expect(page.page('.govuk-notification-banner--success').text()).toContain(`Repair reported – your reference is ${routine.reference}`)
    expect(page.page('h1').text().trim()).toBe('When can we visit?')
    expect(page.page('title').text()).toMatch(/^When can we visit\? – /)
    expect(page.page('#slot-hint').text()).toContain('Someone will arrive at any time within the hours you choose')
    expect(radioValues(page)).toEqual([value(morning), `${days[0]}/afternoon`, 'none'])
    expect(page.page('label[for="slot-none"]').text().trim()).toBe('None of these times suit me')
    expect(page.page('.govuk-inset-text').text()).toContain('A responsible adult aged 18 or over must be at home for the whole time')

    const emergency = await signedInTenant()
    const sent = await reportTap(emergency.agent, 'will-not-turn-off')
    expect(sent.status).toBe(303)
    expect(sent.location).toMatch(new RegExp(`^${repair}/confirmation/`))
    const confirmation = await emergency.agent.follow(sent)
    expect(confirmation.page('.govuk-panel__title').text().trim()).toBe('Report sent')
    expect(confirmation.page('main').text()).not.toContain('arrange a visit')
  })

  it('asks for a time when none is chosen, then books the one chosen and confirms it', async () => {
    const slot = { date: days[1]!, window: 'morning' }
    await test.services.scheduling.setCapacity(team, slot, 3, staff())
    const { agent, id, page, reference } = await tenantWithRepair()

    await agent.get(page)
    const empty = await agent.post(page, {})
    expect(empty.status).toBe(400)
    expect(errorSummary(empty)).toEqual(['Select a time for us to visit'])
    expect(empty.page('.govuk-error-summary a').attr('href')).toBe('#slot')
    expect(empty.page('input#slot')).toHaveLength(1)
    expect(empty.page('#slot-error').text()).toContain('Select a time for us to visit')
    expect(empty.page('title').text()).toMatch(/^Error: When can we visit\?/)
    expect(await test.services.scheduling.currentAppointment(id)).toBeUndefined()

    const booked = await agent.post(page, { slot: value(slot) })
    expect(booked.status).toBe(303)
    expect(booked.location).toBe(`${page}/booked`)
    expect(await placesIn(slot)).toEqual({ places: 3, booked: 1 })
    const confirmation = await agent.follow(booked)
    const { day, times } = test.services.scheduling.describe(slot)
    expect(confirmation.page('.govuk-panel__title').text().trim()).toBe('Appointment booked')
    expect(confirmation.page('.govuk-panel__body').text()).toContain(day)
    expect(confirmation.page('.govuk-panel__body').text()).toContain(times)
    expect(confirmation.page('main').text()).toContain('We will remind you the day before the visit.')
    expect(confirmation.page(`a[href="${page}.ics"]`).text()).toBe('Add the appointment to your calendar')
    expect(confirmation.page(`a[href="/account/requests/${reference}"]`)).toHaveLength(1)

    const requestPage = await agent.get(`/account/requests/${reference}`)
    expect(requestPage.page('#appointment').text()).toBe('Your appointment')
    expect(requestPage.page('.app-appointment').text()).toContain(day)
    expect(requestPage.page(`a[href="${page}"]`).text()).toBe('Change appointment')
    expect(requestPage.page(`a[href="${page}/cancel"]`).text()).toBe('Cancel appointment')
    expect(requestPage.page(`a[href="${page}.ics"]`).text()).toBe('Add to your calendar')
    expect(timelineTitles(requestPage)).toContain(`Appointment booked for ${day}, ${times}`)
  })

  it('shows a time filled meanwhile as a clear error, with the times still free', async () => {
    const last = { date: days[2]!, window: 'afternoon' }
    const other = { date: days[2]!, window: 'morning' }
    await test.services.scheduling.setCapacity(team, last, 1, staff())
    await test.services.scheduling.setCapacity(team, other, 1, staff())
    const slow = await tenantWithRepair()
    const quick = await tenantWithRepair()

    const seen = await slow.agent.get(slow.page)
    expect(radioValues(seen)).toContain(value(last))
    await test.services.scheduling.book(quick.id, last, { kind: 'resident', id: quick.personId })

    const refused = await slow.agent.post(slow.page, { slot: value(last) })
    expect(refused.status).toBe(409)
    const { day } = test.services.scheduling.describe(last)
    expect(errorSummary(refused)).toEqual([`There are no places left on ${day} (midday to 6pm). Choose another time.`])
    expect(radioValues(refused)).not.toContain(value(last))
    expect(radioValues(refused)).toContain(value(other))
    expect(await test.services.scheduling.currentAppointment(slow.id)).toBeUndefined()
    expect(await placesIn(last)).toEqual({ places: 1, booked: 1 })
  })

  it('records that none of the times suit, and tells the tenant we will be in touch', async () => {
    const { agent, id, page, reference } = await tenantWithRepair()
    await agent.get(page)
    const none = await agent.post(page, { slot: 'none' })
    expect(none.status).toBe(303)
    expect(none.location).toBe(`/account/requests/${reference}`)
    const requestPage = await agent.follow(none)
    expect(requestPage.page('.govuk-notification-banner--success').text()).toContain('We will contact you to arrange a visit')
    const timeline = await test.services.requests.timeline(id, { audience: 'staff' })
    expect(timeline.at(-1)).toMatchObject({ kind: 'appointment', details: { change: 'none-suitable' } })
  })

  it('moves the visit from the account, and refuses a change to a visit changed since the page was seen', async () => {
    const from = { date: days[3]!, window: 'morning' }
    const to = { date: days[3]!, window: 'afternoon' }
    await test.services.scheduling.setCapacity(team, from, 2, staff())
    await test.services.scheduling.setCapacity(team, to, 2, staff())
    const { agent, id, personId, page, reference } = await tenantWithRepair()
    const booked = await test.services.scheduling.book(id, from, { kind: 'resident', id: personId })

    const changePage = await agent.get(page)
    expect(changePage.page('h1').text().trim()).toBe('Choose a new time for your visit')
    expect(changePage.page('input[name="appointment"]').attr('value')).toBe(booked.id)
    expect(changePage.page('input[name="version"]').attr('value')).toBe(String(booked.version))
    expect(radioValues(changePage)).not.toContain('none')

    // Someone else moves it, then this page, seen before, is sent.
    const elsewhere = await test.services.scheduling.move(booked.id, to, staff(), booked.version)
    const stale = await agent.post(page, { slot: value(from), appointment: booked.id, version: String(booked.version) })
    expect(stale.status).toBe(409)
    expect(errorSummary(stale)).toEqual(['This appointment has changed since you saw it. Check it again before making a change.'])
    expect(stale.page('input[name="appointment"]').attr('value')).toBe(elsewhere.id)
    expect(await test.services.scheduling.currentAppointment(id)).toMatchObject({ id: elsewhere.id, window: 'afternoon', version: 1 })

    const moved = await agent.post(page, { slot: value(from), appointment: elsewhere.id, version: String(elsewhere.version) })
    expect(moved.status).toBe(303)
    expect(moved.location).toBe(`${page}/booked?changed=1`)
    expect((await agent.follow(moved)).page('.govuk-panel__title').text().trim()).toBe('Appointment changed')
    expect(await test.services.scheduling.currentAppointment(id)).toMatchObject({ date: from.date, window: 'morning' })
    expect(await placesIn(from)).toEqual({ places: 2, booked: 1 })
    expect(await placesIn(to)).toEqual({ places: 2, booked: 0 })
    const requestPage = await agent.get(`/account/requests/${reference}`)
    expect(timelineTitles(requestPage)[0]).toBe(`Appointment changed to ${test.services.scheduling.describe(from).day}, 8am to midday`)
  })

  it('cancels from the account after asking, freeing the place', async () => {
    const slot = { date: days[4]!, window: 'all-day' }
    await test.services.scheduling.setCapacity(team, slot, 1, staff())
    const { agent, id, personId, page, reference } = await tenantWithRepair()
    await test.services.scheduling.book(id, slot, { kind: 'resident', id: personId })
    expect(await placesIn(slot)).toEqual({ places: 1, booked: 1 })

    const ask = await agent.get(`${page}/cancel`)
    expect(ask.status).toBe(200)
    expect(ask.page('h1').text().trim()).toBe('Are you sure you want to cancel your appointment?')
    expect(ask.page('.govuk-warning-text').text()).toContain('we will not visit')
    expect(await placesIn(slot)).toEqual({ places: 1, booked: 1 })

    const cancelled = await agent.post(`${page}/cancel`, { appointment: ask.page('input[name="appointment"]').attr('value')!, version: ask.page('input[name="version"]').attr('value')! })
    expect(cancelled.status).toBe(303)
    expect(cancelled.location).toBe(`/account/requests/${reference}`)
    expect(await placesIn(slot)).toEqual({ places: 1, booked: 0 })
    expect(await test.services.scheduling.currentAppointment(id)).toBeUndefined()
    const requestPage = await agent.follow(cancelled)
    expect(requestPage.page('.govuk-notification-banner--success').text()).toContain('Your appointment has been cancelled')
    expect(requestPage.page(`a.govuk-button[href="${page}"]`).text().trim()).toBe('Book an appointment')
  })

  it('gives another resident “not found” for every appointment address of someone else’s request', async () => {
    const slot = { date: days[5]!, window: 'morning' }
    await test.services.scheduling.setCapacity(team, slot, 2, staff())
    const owner = await tenantWithRepair()
    await test.services.scheduling.book(owner.id, slot, { kind: 'resident', id: owner.personId })
    const other = await tenantWithRepair()

    for (const suffix of ['', '/booked', '/cancel']) expect((await other.agent.get(`${owner.page}${suffix}`)).status, suffix).toBe(404)
    expect((await other.agent.get(`${owner.page}.ics`)).status).toBe(404)
    // A token from the resident's own page, so only the ownership check stands in the way.
    await other.agent.get(other.page)
    const { id: appointment } = (await test.services.scheduling.currentAppointment(owner.id))!
    expect((await other.agent.post(owner.page, { slot: value(slot), appointment, version: '1' })).status).toBe(404)
    expect((await other.agent.post(`${owner.page}/cancel`, { appointment, version: '1' })).status).toBe(404)
    expect(await test.services.scheduling.currentAppointment(owner.id)).toMatchObject({ date: slot.date, version: 1, status: 'booked' })
  })

  it('offers the add-to-calendar file as an iCalendar event in UTC', async () => {
    const slot = { date: days[5]!, window: 'afternoon' }
    await test.services.scheduling.setCapacity(team, slot, 2, staff())
    const { agent, id, personId, page, reference } = await tenantWithRepair()
    await test.services.scheduling.book(id, slot, { kind: 'resident', id: personId })

    const file = await agent.get(`${page}.ics`)
    expect(file.status).toBe(200)
    expect(file.headers['content-type']).toBe('text/calendar; charset=utf-8')
    expect(file.headers['content-disposition']).toBe(`attachment; filename="appointment-${reference}.ics"`)
    const starts = slotMoments(slot).starts.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')
    expect(file.body).toContain('\r\nBEGIN:VEVENT\r\n')
    expect(file.body).toContain(`\r\nDTSTART:${starts}\r\n`)
    expect(starts).toMatch(/^\d{8}T\d{6}Z$/)
    expect(file.body.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/)
    expect(file.body).toMatch(/\r\nLOCATION:\d+ Mill Lane/)
  })

  it('opens the link in a message without signing in, changes nothing by opening it, and moves the visit on a POST', async () => {
    const from = { date: days[6]!, window: 'morning' }
    const to = { date: days[6]!, window: 'afternoon' }
    await test.services.scheduling.setCapacity(team, from, 2, staff())
    await test.services.scheduling.setCapacity(team, to, 2, staff())
    const { id, personId, reference } = await tenantWithRepair()
    const booked = await test.services.scheduling.book(id, from, { kind: 'resident', id: personId })
    const link = await linkInMessage(personId, 'appointment-booked')

    // A mail scanner opening every link in the message, and a person who is not signed in.
    const scanner = new Agent(test.app)
    const visit = await scanner.get(link)
    expect(visit.status).toBe(200)
    expect(visit.page('h1').text().trim()).toBe('Your repair appointment')
    expect(visit.page('.govuk-summary-list').text()).toContain(reference)
    expect(visit.page('.govuk-summary-list').text()).toContain(test.services.scheduling.describe(from).day)
    expect(visit.page(`a[href="${link}/change"]`).text()).toBe('Change the time')
    expect(visit.page(`a[href="${link}/cancel"]`).text()).toBe('Cancel the appointment')
    expect(visit.page(`a[href="${link}/calendar.ics"]`)).toHaveLength(1)
    expect((await scanner.get(`${link}/change`)).status).toBe(200)
    expect((await scanner.get(`${link}/cancel`)).status).toBe(200)
    const calendar = await scanner.get(`${link}/calendar.ics`)
    expect(calendar.headers['content-type']).toBe('text/calendar; charset=utf-8')
    expect(calendar.body).toContain('BEGIN:VEVENT')
    expect(await test.services.scheduling.appointment(booked.id)).toMatchObject({ status: 'booked', version: 1 })
    expect(await placesIn(from)).toEqual({ places: 2, booked: 1 })

    // Without its CSRF token the form is refused, and nothing changes.
    const person = new Agent(test.app)
    await person.get(`${link}/change`)
    expect((await person.post(`${link}/change`, { slot: value(to) }, { csrf: null })).status).toBe(403)
    expect(await test.services.scheduling.appointment(booked.id)).toMatchObject({ status: 'booked', version: 1 })

    const nothing = await person.post(`${link}/change`, {})
    expect(nothing.status).toBe(400)
    expect(errorSummary(nothing)).toEqual(['Select a new time for us to visit'])

    const moved = await person.post(`${link}/change`, { slot: value(to) })
    expect(moved.status).toBe(303)
    expect(moved.location).toBe('/appointments/changed')
    const done = await person.follow(moved)
    expect(done.page('.govuk-panel__title').text().trim()).toBe('Your appointment has been changed')
    expect(done.page('.govuk-panel__body').text()).toContain(test.services.scheduling.describe(to).day)
    expect(done.page('.govuk-panel__body').text()).toContain('midday to 6pm')
    expect(await test.services.scheduling.currentAppointment(id)).toMatchObject({ date: to.date, window: 'afternoon' })
    expect(await placesIn(from)).toEqual({ places: 2, booked: 0 })
    const timeline = await test.services.requests.timeline(id, { audience: 'staff' })
    expect(timeline.at(-1)).toMatchObject({ kind: 'appointment', actor: { kind: 'resident', id: personId }, details: { change: 'moved' } })

    // The same link afterwards: the visit has changed since it was sent.
    for (const suffix of ['', '/change', '/cancel']) {
      const again = await person.get(`${link}${suffix}`)
      expect(again.status, suffix).toBe(410)
      expect(again.page('h1').text().trim()).toBe('This appointment has changed')
      expect(again.page('main').text()).toContain(`call us on ${test.config.council.repairsPhone}`)
      expect(again.page('main a[href^="/sign-in"]').text()).toBe('Sign in to your account')
    }
    expect((await person.post(`${link}/cancel`)).status).toBe(410)
    expect(await test.services.scheduling.currentAppointment(id)).toMatchObject({ date: to.date, window: 'afternoon', status: 'booked' })
  })

  it('cancels through the link in the moved message, freeing the place, and the link is then spent', async () => {
    const from = { date: days[7]!, window: 'morning' }
    const to = { date: days[7]!, window: 'all-day' }
    await test.services.scheduling.setCapacity(team, from, 1, staff())
    await test.services.scheduling.setCapacity(team, to, 1, staff())
    const { id, personId } = await tenantWithRepair()
    const booked = await test.services.scheduling.book(id, from, { kind: 'resident', id: personId })
    await test.services.scheduling.move(booked.id, to, staff(), booked.version)
    const link = await linkInMessage(personId, 'appointment-moved')

    const person = new Agent(test.app)
    const ask = await person.get(`${link}/cancel`)
    expect(ask.page('h1').text().trim()).toBe('Are you sure you want to cancel your appointment?')
    const cancelled = await person.post(`${link}/cancel`)
    expect(cancelled.status).toBe(303)
    expect(cancelled.location).toBe('/appointments/cancelled')
    expect((await person.follow(cancelled)).page('.govuk-panel__title').text().trim()).toBe('Your appointment has been cancelled')
    expect(await test.services.scheduling.currentAppointment(id)).toBeUndefined()
    expect(await placesIn(to)).toEqual({ places: 1, booked: 0 })

    const again = await person.get(link)
    expect(again.status).toBe(410)
    expect(again.page('h1').text().trim()).toBe('This appointment has changed')
  })

  it('says an expired link has expired, and treats a forged one as not found', async () => {
    const slot = { date: days[0]!, window: 'all-day' }
    await test.services.scheduling.setCapacity(team, slot, 1, staff())
    const { id, personId } = await tenantWithRepair()
    const booked = await test.services.scheduling.book(id, slot, { kind: 'resident', id: personId })
    const secret = test.config.scheduling.changeLinkSecret!

    const expired = changeLinkToken({ appointmentId: booked.id, version: booked.version, expiresAt: new Date(Date.now() - 60_000) }, secret)
    for (const suffix of ['', '/change', '/cancel']) {
      const page = await new Agent(test.app).get(`/appointments/${expired}${suffix}`)
      expect(page.status, suffix).toBe(410)
      expect(page.page('h1').text().trim()).toBe('This link has expired')
      expect(page.page('main').text()).toContain(test.config.council.repairsPhone)
    }

    const link = await linkInMessage(personId, 'appointment-booked')
    const [payload] = link.replace('/appointments/', '').split('.')
    const forged = `${payload}.${Buffer.from('not the council’s signature at all, no').toString('base64url')}`
    expect((await new Agent(test.app).get(`/appointments/${forged}`)).status).toBe(404)
    expect((await new Agent(test.app).get('/appointments/nonsense')).status).toBe(404)
    expect(await test.services.scheduling.appointment(booked.id)).toMatchObject({ status: 'booked', version: 1 })
  })

  it('refuses a booking from the account sent without its CSRF token', async () => {
    const { agent, id, page } = await tenantWithRepair()
    await agent.get(page)
    const refused = await agent.post(page, { slot: `${days[1]}/morning` }, { csrf: null })
    expect(refused.status).toBe(403)
    expect(await test.services.scheduling.currentAppointment(id)).toBeUndefined()
  })
})
