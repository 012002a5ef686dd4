import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultCalendar } from '../../../src/lib/calendar/calendar.ts'
import { ukDateOf } from '../../../src/lib/calendar/uk-time.ts'
import { LocalFileStorage } from '../../../src/lib/files/local-storage.ts'
import { storePhotos } from '../../../src/lib/files/photo-uploads.ts'
import { translator } from '../../../src/lib/i18n/index.ts'
import { Agent, errorSummary, type AgentResponse } from '../../support/agent.ts'
import { createTestApp, type TestApp } from '../../support/app.ts'
import { photoFile, pictureOf, submitMultipart } from '../../support/multipart.ts'
import { sessionCookie, sessionFor } from '../../support/sessions.ts'
import { person, property, repairDefinition } from './factories.ts'

describe('an operative’s work', () => {
  let test: TestApp
  let uploads: string
  let officer: string
  let counter = 0
  let nextUprn = 7000

  beforeAll(async () => {
    uploads = await mkdtemp(path.join(tmpdir(), 'guildhall-work-photos-'))
    test = await createTestApp({ environment: { UPLOADS_DIR: uploads } })
    const photoQuestion = { id: 'photos', kind: 'photo' as const, label: 'Photos of the problem', required: false }
    await test.services.catalogue.publishDefinition(repairDefinition({ questions: [...repairDefinition().questions, photoQuestion] }))
    officer = await signedInStaff(['team-lead']).then((staff) => staff.id)
  })
  afterAll(async () => {
    await test?.close()
    await rm(uploads, { recursive: true, force: true })
  })

  async function signedInStaff(roleCodes: string[], contractorCode: string | null = null) {
    counter += 1
    const id = await test.services.identity.staff.createStaffMember({
      name: `Worker ${counter}`,
      email: `work${counter}@lowerwendle.example.gov.uk`,
      password: null,
      roleCodes,
      teamCodes: [],
      contractorCode,
    })
    const agent = new Agent(test.app)
    agent.setCookie(sessionCookie, await sessionFor(test.database.db, { kind: 'staff', id }))
    return { id, agent }
  }

  /** A contractor of its own for each test, with one operative signed in. */
  async function contractorWithOperative() {
    counter += 1
    const code = `contractor-${counter}`
    const name = `Contractor ${counter} Ltd`
    const contractorId = await test.services.identity.staff.ensureContractor(code, name)
    const operative = await signedInStaff(['contractor-operative'], code)
    return { contractorId, name, ...operative }
  }

  const actor = () => ({ kind: 'staff' as const, id: officer })

  async function job(contractorId: string, problem: 'dripping-tap' | 'blocked-toilet' = 'dripping-tap', photoKeys: string[] = []) {
    const made = await test.services.requests.createRequest({
      serviceCode: 'test-repair',
      personId: await person(test.database.db),
      propertyUprn: await property(test.database.db, nextUprn++),
      answers: { problem, details: 'Drips all night', photos: photoKeys },
      channel: 'web',
    })
    const { rowVersion } = await test.services.requests.request(made.id)
    await test.services.requests.assign(made.id, { teamId: null, staffId: null, contractorId }, { actor: actor(), expectedRowVersion: rowVersion })
    return made
  }

  async function staffChange(id: string, type: 'schedule' | 'complete') {
    const { rowVersion } = await test.services.requests.request(id)
    await test.services.requests.changeStatus(id, { type }, { actor: actor(), expectedRowVersion: rowVersion })
  }

  /** The first working day after today in the UK, when a visit can be booked. */
  const nextWorkingDay = () => defaultCalendar.nextWorkingDay(ukDateOf(new Date()), test.config.council.bankHolidayRegion)

  const statusOf = async (id: string) => (await test.services.requests.request(id)).state.status
  const rowVersionOn = (page: AgentResponse) => page.page('input[name="rowVersion"]').attr('value')!
  const outcomesOn = (page: AgentResponse) => page.page('input[name="outcome"]').map((_, input) => page.page(input).attr('value')).get()

  /** Opens the job and records an outcome on it, as the operative's browser sends the form. */
  async function recordOutcome(agent: Agent, reference: string, fields: Record<string, string>, files: Parameters<typeof photoFile>[0][] = [], rowVersion?: string) {
    const url = `/staff/work/${reference}`
    const page = await agent.get(url)
    return submitMultipart(test.app, agent, url, `${url}/outcome`, { rowVersion: rowVersion ?? rowVersionOn(page), ...fields }, files.map((data) => photoFile(data)))
  }

  async function storedFileCount(): Promise<number> {
    const entries = await readdir(uploads, { recursive: true, withFileTypes: true }).catch(() => [])
    return entries.filter((entry) => entry.isFile()).length
  }

  it('lists only the open jobs given to the operative’s contractor, soonest target first', async () => {
    const { contractorId, name, agent } = await contractorWithOperative()
    const other = await contractorWithOperative()
    const routine = await job(contractorId, 'dripping-tap')
    const urgent = await job(contractorId, 'blocked-toilet')
    const theirs = await job(other.contractorId, 'blocked-toilet')
    const finished = await job(contractorId, 'dripping-tap')
    await staffChange(finished.id, 'schedule')
    await staffChange(finished.id, 'complete')

    const page = await agent.get('/staff/work')
    expect(page.status).toBe(200)
    expect(page.page('h1').text()).toBe('Your jobs')
    expect(page.page('main').text()).toContain(`Open jobs given to ${name}`)
    const rows = page.page('tbody tr').map((_, row) => [page.page(row).find('td').map((__, cell) => page.page(cell).text().trim()).get()]).get()
    expect(rows).toEqual([
      [urgent.reference, 'SOR 202001 – Plumbing', expect.stringMatching(/^\d+ Mill Lane, LW1 5UP$/), 'Urgent', expect.stringMatching(/\d{4}/), 'Reported'],
      [routine.reference, 'SOR 201003 – Plumbing', expect.stringMatching(/^\d+ Mill Lane, LW1 5UP$/), 'Routine', expect.stringMatching(/\d{4}/), 'Reported'],
    ])
    expect(page.page(`a[href="/staff/work/${urgent.reference}"]`)).toHaveLength(1)
    expect(page.body).not.toContain(theirs.reference)
    expect(page.body).not.toContain(finished.reference)
    const navigation = page.page('.govuk-service-navigation__link').map((_, link) => page.page(link).text().trim()).get()
    expect(navigation).toContain('Your jobs')
    expect(navigation).not.toContain('Requests')
  })

  it('shows a job with the problem, the address, the photos and the target; another contractor’s job is not found', async () => {
    const { contractorId, id: operativeId, agent } = await contractorWithOperative()
    const other = await contractorWithOperative()
    const stored = await storePhotos(new LocalFileStorage(uploads), [await pictureOf('#884422')], {
      folder: 'requests',
      limits: { maxCount: 3, maxMegabytes: 10 },
      t: translator('en'),
    })
    const made = await job(contractorId, 'dripping-tap', 'keys' in stored ? stored.keys : [])
    const theirs = await job(other.contractorId)

    const page = await agent.get(`/staff/work/${made.reference}`)
    expect(page.status).toBe(200)
    expect(page.page('h1').text()).toBe(made.reference)
    const summary = page.page('.govuk-summary-list').first().text()
    expect(summary).toMatch(/\d+ Mill Lane/)
    expect(summary).toContain('LW1 5UP')
    expect(summary).toContain('SOR 201003 – Plumbing')
    expect(summary).toMatch(/Target\s+\d{1,2} \w+ \d{4}/)
    const problem = page.page('.govuk-summary-list').eq(1).text()
    expect(problem).toContain('A dripping tap')
    expect(problem).toContain('Drips all night')
    expect(page.page('.app-photos img').attr('alt')).toBe('Photo 1 of 1')
    const audit = await test.database.db.selectFrom('audit_events').select(['action', 'actor_id']).where('subject_id', '=', made.id).execute()
    expect(audit).toContainEqual({ action: 'request.view', actor_id: operativeId })

    expect((await agent.get(`/staff/work/${theirs.reference}`)).status).toBe(404)
    expect((await agent.get('/staff/work/GH-ZZZZ-ZZZZ')).status).toBe(404)
    expect((await agent.post(`/staff/work/${theirs.reference}/outcome`, { outcome: 'start-work', rowVersion: '1' })).status).toBe(404)
    expect(await statusOf(theirs.id)).toBe('reported')
  })

  it('warns the operative about the property and the person they are visiting, and no one else’s', async () => {
    const { contractorId, agent } = await contractorWithOperative()
    const made = await job(contractorId)
    const record = await test.services.requests.request(made.id)
    const lead = await test.services.identity.staff.accessFor(officer)
    const noReview = { reviewDay: '', reviewMonth: '', reviewYear: '' }
    await test.services.warnings.record({ kind: 'property', uprn: record.propertyUprn! }, { category: 'animal', description: 'Large dog: ask for it to be shut away', ...noReview }, lead!)
    await test.services.warnings.record({ kind: 'person', personId: record.personId }, { category: 'vulnerable-person', description: 'Hard of hearing: knock loudly', ...noReview }, lead!)
    const elsewhere = await test.services.requests.request((await job(contractorId)).id)
    await test.services.warnings.record({ kind: 'property', uprn: elsewhere.propertyUprn! }, { category: 'risk-to-staff', description: 'Not this job', ...noReview }, lead!)

    const page = await agent.get(`/staff/work/${made.reference}`)
    const shown = page.page('#warnings').nextAll().text()
    expect(shown).toContain('Large dog: ask for it to be shut away')
    expect(shown).toContain('Hard of hearing: knock loudly')
    expect(shown).not.toContain('Not this job')
  })

  it('records work started and then completed, each as the lifecycle allows, told to the resident and audited', async () => {
    const { contractorId, id: operativeId, agent } = await contractorWithOperative()
    const made = await job(contractorId)

    expect(outcomesOn(await agent.get(`/staff/work/${made.reference}`))).toEqual(['start-work'])
    const started = await recordOutcome(agent, made.reference, { outcome: 'start-work', note: '' })
    expect(started.status).toBe(303)
    expect(started.location).toBe('/staff/work')
    expect((await agent.follow(started)).page('.govuk-notification-banner').text()).toContain(`Job ${made.reference} recorded as started`)
    expect(await statusOf(made.id)).toBe('in-progress')

    expect(outcomesOn(await agent.get(`/staff/work/${made.reference}`))).toEqual(['complete'])
    const completed = await recordOutcome(agent, made.reference, { outcome: 'complete', note: 'Replaced the washer' })
    expect(completed.status).toBe(303)
    expect(await statusOf(made.id)).toBe('completed')
    const last = (await test.services.requests.timeline(made.id, { audience: 'resident' })).at(-1)
    expect(last).toMatchObject({ kind: 'status-change', toStatus: 'completed', body: 'Replaced the washer', visibility: 'public' })
    const audit = await test.database.db.selectFrom('audit_events').select(['action', 'actor_id']).where('subject_id', '=', made.id).where('action', '=', 'request.change-status').execute()
    expect(audit).toEqual([
      { action: 'request.change-status', actor_id: operativeId },
      { action: 'request.change-status', actor_id: operativeId },
    ])

    const list = await agent.get('/staff/work')
    expect(list.page(`a[href="/staff/work/${made.reference}"]`)).toHaveLength(0)
    const finished = await agent.get(`/staff/work/${made.reference}`)
    expect(outcomesOn(finished)).toEqual([])
    expect(finished.page('main').text()).toContain('Nothing can be recorded for this job while its status is completed')
  })

  it('records no access with a note for the resident and a photo for staff only', async () => {
    const { contractorId, agent } = await contractorWithOperative()
    const made = await job(contractorId)
    await staffChange(made.id, 'schedule')
    expect(outcomesOn(await agent.get(`/staff/work/${made.reference}`))).toEqual(['complete', 'record-no-access', 'start-work'])

    const recorded = await recordOutcome(agent, made.reference, { outcome: 'record-no-access', note: 'Nobody answered at 10am; card left' }, [await pictureOf('#ffffff')])
    expect(recorded.status).toBe(303)
    expect(await statusOf(made.id)).toBe('no-access')
    const event = (await test.services.requests.timeline(made.id, { audience: 'resident' })).at(-1)
    expect(event).toMatchObject({ toStatus: 'no-access', body: 'Nobody answered at 10am; card left', visibility: 'public' })
    const photos = await test.services.requests.photosOf(made.id, 'staff')
    expect(photos).toEqual([expect.objectContaining({ visibility: 'internal', eventId: event!.id, addedBy: expect.objectContaining({ kind: 'staff' }) })])
    expect(await test.services.requests.photosOf(made.id, 'resident')).toEqual([])
    const photo = await test.app.inject({ method: 'GET', url: `/requests/photos/${photos[0]!.id}`, headers: { cookie: `${sessionCookie}=${agent.cookie(sessionCookie)}` } })
    expect(photo.statusCode).toBe(200)
  })

  it('keeps the place of a booked visit nobody was in for, counts it at the property, and asks the tenant to rebook', async () => {
    const { contractorId, agent } = await contractorWithOperative()
    const made = await job(contractorId)
    const { personId, propertyUprn } = await test.services.requests.request(made.id)
    await test.database.db.updateTable('people').set({ email: 'tenant@example.com' }).where('id', '=', personId).execute()
    const slot = { date: nextWorkingDay(), window: 'morning' }
    await test.services.scheduling.setCapacity({ kind: 'contractor', id: contractorId }, slot, 1, actor())
    await test.services.scheduling.book(made.id, slot, actor())

    await recordOutcome(agent, made.reference, { outcome: 'record-no-access', note: 'Nobody answered; card left' })

    const [visit] = await test.services.scheduling.appointmentsOf(made.id)
    expect(visit).toMatchObject({ status: 'no-access', ...slot })
    const capacity = await test.database.db.selectFrom('capacity').select(['places', 'booked']).where('contractor_id', '=', contractorId).executeTakeFirstOrThrow()
    expect(capacity).toEqual({ places: 1, booked: 1 })
    expect(await test.services.scheduling.noAccessVisits(propertyUprn!)).toBe(1)
    const invitations = await test.database.db.selectFrom('outbox_messages').select(['recipient', 'personalisation']).where('message_type', '=', 'appointment-no-access-email').where('person_id', '=', personId).execute()
    expect(invitations).toEqual([{ recipient: 'tenant@example.com', personalisation: expect.objectContaining({ reference: made.reference, link: expect.stringContaining(`/account/requests/${made.reference}`) }) }])
  })

  it('frees the place of a booked visit when its request is cancelled, and marks it done when the work is', async () => {
    const { contractorId, agent } = await contractorWithOperative()
    const owner = { kind: 'contractor' as const, id: contractorId }
    const slot = { date: nextWorkingDay(), window: 'afternoon' }
    await test.services.scheduling.setCapacity(owner, slot, 2, actor())
    const cancelled = await job(contractorId)
    await test.services.scheduling.book(cancelled.id, slot, actor())
    const done = await job(contractorId)
    await test.services.scheduling.book(done.id, slot, actor())

    const { rowVersion } = await test.services.requests.request(cancelled.id)
    await test.services.requests.changeStatus(cancelled.id, { type: 'cancel' }, { actor: actor(), expectedRowVersion: rowVersion })
    await recordOutcome(agent, done.reference, { outcome: 'complete', note: '' })

    expect((await test.services.scheduling.appointmentsOf(cancelled.id)).map((visit) => visit.status)).toEqual(['cancelled'])
    expect((await test.services.scheduling.appointmentsOf(done.id)).map((visit) => visit.status)).toEqual(['completed'])
    const capacity = await test.database.db.selectFrom('capacity').select(['places', 'booked']).where('contractor_id', '=', contractorId).executeTakeFirstOrThrow()
    expect(capacity).toEqual({ places: 2, booked: 1 })
  })

  it('asks what happened when no access is recorded without a note, and changes and stores nothing', async () => {
    const { contractorId, agent } = await contractorWithOperative()
    const made = await job(contractorId)
    await staffChange(made.id, 'schedule')
    const filesBefore = await storedFileCount()

    const noNote = await recordOutcome(agent, made.reference, { outcome: 'record-no-access', note: '  ' }, [await pictureOf('#000000')])
    expect(noNote.status).toBe(400)
    expect(errorSummary(noNote)).toEqual(['Enter what happened when you could not get in'])
    expect(noNote.page('input[name="outcome"][value="record-no-access"]').attr('checked')).toBeDefined()

    const noOutcome = await recordOutcome(agent, made.reference, { note: 'Came round' })
    expect(noOutcome.status).toBe(400)
    expect(errorSummary(noOutcome)).toEqual(['Select what happened'])
    expect(noOutcome.page('textarea#note').text()).toBe('Came round')

    expect(await statusOf(made.id)).toBe('scheduled')
    expect(await storedFileCount()).toBe(filesBefore)
    expect(await test.services.requests.photosOf(made.id, 'staff')).toEqual([])
  })

  it('refuses an outcome sent from a stale page, showing the fresh job with the note kept', async () => {
    const { contractorId, agent } = await contractorWithOperative()
    const made = await job(contractorId)
    await staffChange(made.id, 'schedule')
    const seen = await agent.get(`/staff/work/${made.reference}`)
    await test.services.requests.addNote(made.id, { actor: actor(), body: 'Resident will be out until 2pm', visibility: 'internal' })
    const filesBefore = await storedFileCount()

    const stale = await recordOutcome(agent, made.reference, { outcome: 'complete', note: 'All fixed' }, [await pictureOf('#00ff00')], rowVersionOn(seen))
    expect(stale.status).toBe(409)
    expect(errorSummary(stale)[0]).toContain('Someone else changed this request while you were looking at it')
    expect(stale.page('textarea#note').text()).toBe('All fixed')
    expect(Number(rowVersionOn(stale))).toBeGreaterThan(Number(rowVersionOn(seen)))
    expect(await statusOf(made.id)).toBe('scheduled')
    expect(await storedFileCount()).toBe(filesBefore)
  })

  it('keeps operatives out of the council’s request pages, and officers out of the work pages', async () => {
    const { contractorId, agent } = await contractorWithOperative()
    const made = await job(contractorId)
    expect((await agent.get('/staff/requests')).status).toBe(403)
    expect((await agent.get(`/staff/requests/${made.reference}`)).status).toBe(403)
    await agent.get('/staff/work')
    expect((await agent.post(`/staff/requests/${made.reference}/status`, { event: 'cancel', rowVersion: '2' })).status).toBe(403)
    expect(await statusOf(made.id)).toBe('reported')

    const anOfficer = await signedInStaff(['officer'])
    expect((await anOfficer.agent.get('/staff/work')).status).toBe(403)
    expect((await anOfficer.agent.get(`/staff/work/${made.reference}`)).status).toBe(403)
  })

  it('tells council staff who may see the work pages that they belong to no contractor', async () => {
    const administrator = await signedInStaff(['administrator'])
    const page = await administrator.agent.get('/staff/work')
    expect(page.status).toBe(200)
    expect(page.page('main').text()).toContain('Your account does not belong to a contractor')
    expect(page.page('tbody tr')).toHaveLength(0)
  })
})
