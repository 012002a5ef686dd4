import { sessionFor } from '../../support/sessions.ts'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LocalFileStorage } from '../../../src/lib/files/local-storage.ts'
import { createTestApp, type TestApp } from '../../support/app.ts'
import { Agent, errorSummary, type AgentResponse } from '../../support/agent.ts'
import { postMultipart } from '../../support/multipart.ts'
import { address, addressCsv, sessionCookie, signedInResident, tenancyCsv, tenant } from '../../support/places.ts'

const repair = '/services/housing-repair'

describe('the form engine', () => {
  let test: TestApp
  let uploads: string
  let tenantNumber = 0

  beforeAll(async () => {
    uploads = await mkdtemp(path.join(tmpdir(), 'guildhall-form-uploads-'))
    test = await createTestApp({ environment: { UPLOADS_DIR: uploads, COUNCIL_PHONE: '01632 960123', COUNCIL_OUT_OF_HOURS_PHONE: '01632 960999' } })
    await test.services.catalogue.seedDefinitions()
    const homes = Array.from({ length: 12 }, (_, index) => address(5001 + index, { parent_uprn: 5000 }))
    await test.services.places.importAddresses([addressCsv([address(5000, { address_line_1: 'Wendle Court' }), ...homes])])
    await test.services.places.importTenancies([
      tenancyCsv(homes.map((home, index) => tenant(`LW-T-1000${String(index).padStart(2, '0')}`, Number(home.uprn), { given_name: 'Alex', family_name: `Tenant${index}` }))),
    ])
  })
  afterAll(async () => {
    await test?.close()
    await rm(uploads, { recursive: true, force: true })
  })

  /** A signed-in tenant whose account is linked to their tenancy at Wendle Court. */
  async function signedInTenant() {
    const index = tenantNumber++
    const resident = await signedInResident(test.database.db, { givenName: 'Alex', familyName: `Tenant${index}` })
    await test.services.places.linkTenancy(resident.personId, {
      reference: `LW-T-1000${String(index).padStart(2, '0')}`,
      postcode: 'LW1 5UP',
      day: '14',
      month: '3',
      year: '1985',
    })
    const agent = new Agent(test.app)
    agent.setCookie(sessionCookie, resident.sessionToken)
    return { agent, personId: resident.personId, uprn: 5001 + index }
  }

  /** Answers one page the way a person does: open it, fill it in, continue. */
  async function answer(agent: Agent, pageId: string, fields: Record<string, string | string[]>): Promise<AgentResponse> {
    const page = await agent.get(`${repair}/${pageId}`)
    expect(page.status, `opening ${pageId}`).toBe(200)
    const response = await agent.post(`${repair}/${pageId}`, fields)
    expect(response.status, `answering ${pageId}: ${errorSummary(response).join(', ')}`).toBe(303)
    return response
  }

  /** The kitchen tap journey up to check your answers. */
  async function reportDrippingTap(agent: Agent) {
    await answer(agent, 'gas', { gas: 'no' })
    await answer(agent, 'emergency', { emergency: 'none' })
    await answer(agent, 'where', { where: 'own-home' })
    await answer(agent, 'area', { area: 'kitchen' })
    await answer(agent, 'kitchen-problem', { 'kitchen-problem': 'taps' })
    await answer(agent, 'kitchen-tap', { 'kitchen-tap': 'dripping' })
    await answer(agent, 'description', { description: 'The cold tap drips all night.' })
    await answer(agent, 'photos', {})
    await answer(agent, 'access', { access: 'A friendly dog.' })
    await answer(agent, 'contact-method', { 'contact-method': 'text' })
    return answer(agent, 'mobile', { mobile: '07700 900 982' })
  }

  const requestsOf = (personId: string) =>
    test.database.db.selectFrom('requests').selectAll().where('person_id', '=', personId).execute()

  it('takes a tenant from the start page through every question to a reference', async () => {
    const { agent, personId, uprn } = await signedInTenant()
    const start = await agent.get(`${repair}/start`)
    expect(start.page('h1').text()).toBe('Report a repair to your council home')
    expect(start.page('a.govuk-button--start').attr('href')).toBe(`${repair}/gas`)

    const first = await agent.get(`${repair}/gas`)
    expect(first.page('h1').text().trim()).toBe('Can you smell gas?')
    expect(first.page('.govuk-back-link').attr('href')).toBe(`${repair}/start`)

    const last = await reportDrippingTap(agent)
    expect(last.location).toBe(`${repair}/check-answers`)
    const tap = await agent.get(`${repair}/kitchen-tap`)
    expect(tap.page('.govuk-back-link').attr('href')).toBe(`${repair}/kitchen-problem`)

    const check = await agent.get(`${repair}/check-answers`)
    expect(check.page('h1').text()).toBe('Check your answers before sending')
    const rows = check.page('.govuk-summary-list__row')
      .map((_, row) => [[check.page(row).find('dt').text().trim(), check.page(row).find('dd.govuk-summary-list__value').text().trim()]])
      .get() as [string, string][]
    expect(rows).toContainEqual(['Smell of gas', 'No'])
    expect(rows).toContainEqual(['Mobile number', '07700900982'])
    expect(rows).toContainEqual(['Photos', 'Not answered'])
    expect(check.page('a[href="/services/housing-repair/kitchen-tap?change=1"]').text()).toContain('Change')

    const sent = await agent.post(`${repair}/check-answers`)
    expect(sent.status).toBe(303)
    const confirmation = await agent.follow(sent)
    const [request] = await requestsOf(personId)
    expect(request).toBeDefined()
    expect(confirmation.page('.govuk-panel__title').text().trim()).toBe('Report sent')
    expect(confirmation.page('.govuk-panel__body').text()).toContain(request!.reference)
    expect(request!.channel).toBe('web')
    expect(request!.property_uprn).toBe(uprn)
    expect(request!.job_code).not.toBeNull()

    // Sending again (a second click, or Back then send) makes nothing new.
    const again = await agent.post(`${repair}/check-answers`)
    expect(again.location).toBe(`${repair}/confirmation/${request!.reference}`)
    expect(await requestsOf(personId)).toHaveLength(1)
    const drafts = await test.database.db.selectFrom('form_drafts').selectAll().where('person_id', '=', personId).execute()
    expect(drafts).toEqual([])
  })

  it('makes a repair to the shared areas against the tenant’s block, not their flat', async () => {
    const { agent, personId } = await signedInTenant()
    await answer(agent, 'gas', { gas: 'no' })
    await answer(agent, 'emergency', { emergency: 'none' })
    await answer(agent, 'where', { where: 'communal' })
    await answer(agent, 'communal-problem', { 'communal-problem': 'lighting' })
    await answer(agent, 'description', { description: 'The stairwell light on the second floor is out.' })
    await answer(agent, 'photos', {})
    await answer(agent, 'access', { access: '' })
    await answer(agent, 'contact-method', { 'contact-method': 'text' })
    await answer(agent, 'mobile', { mobile: '07700 900 982' })
    expect((await agent.post(`${repair}/check-answers`)).status).toBe(303)
    const [request] = await requestsOf(personId)
    expect(request!.property_uprn).toBe(5000)
  })

  it('refuses a place that is not one of the choices, and ignores fields the page does not ask for', async () => {
    const { agent, personId, uprn } = await signedInTenant()
    await answer(agent, 'gas', { gas: 'no' })
    await answer(agent, 'emergency', { emergency: 'none' })
    const tampered = await agent.post(`${repair}/where`, { where: '5012' })
    expect(tampered.status).toBe(400)
    expect(errorSummary(tampered)).toHaveLength(1)
    await answer(agent, 'where', { where: 'own-home', propertyUprn: '5012', uprn: '5012' })
    await answer(agent, 'area', { area: 'kitchen' })
    await answer(agent, 'kitchen-problem', { 'kitchen-problem': 'taps' })
    await answer(agent, 'kitchen-tap', { 'kitchen-tap': 'dripping' })
    await answer(agent, 'description', { description: 'Drips.' })
    await answer(agent, 'photos', {})
    await answer(agent, 'access', { access: '' })
    await answer(agent, 'contact-method', { 'contact-method': 'text' })
    await answer(agent, 'mobile', { mobile: '07700 900 982' })
    expect((await agent.post(`${repair}/check-answers`, { propertyUprn: '5012', personId: 'someone-else' })).status).toBe(303)
    const [request] = await requestsOf(personId)
    expect(request!.property_uprn).toBe(uprn)
  })

  it('makes one request when the form is sent twice at once, pinned to the version the form was started with', async () => {
    const { agent, personId } = await signedInTenant()
    const started = await test.services.catalogue.currentDefinition('housing-repair')
    await reportDrippingTap(agent)
    const republished = await test.services.catalogue.publishDefinition({ ...started!.definition, description: 'A newer description of the service.' })
    expect(republished.added).toBe(true)

    await agent.get(`${repair}/check-answers`)
    const responses = await Promise.all([agent.post(`${repair}/check-answers`), agent.post(`${repair}/check-answers`)])
    expect(responses.map((response) => response.status)).toEqual([303, 303])
    const made = await requestsOf(personId)
    expect(made).toHaveLength(1)
    expect(made[0]!.definition_version_id).toBe(started!.id)
  })

  it('shows each refused answer in the GOV.UK error summary and beside its field, keeping what was typed', async () => {
    const { agent } = await signedInTenant()
    await agent.get(`${repair}/gas`)
    const noChoice = await agent.post(`${repair}/gas`, {})
    expect(noChoice.status).toBe(400)
    expect(errorSummary(noChoice)).toEqual(['Select yes if you can smell gas'])
    expect(noChoice.page('.govuk-error-summary a').attr('href')).toBe('#gas')
    expect(noChoice.page('#gas-error').text()).toContain('Select yes if you can smell gas')
    expect(noChoice.page('title').text()).toMatch(/^Error: /)

    await answer(agent, 'gas', { gas: 'no' })
    await agent.get(`${repair}/emergency`)
    const both = await agent.post(`${repair}/emergency`, { emergency: ['none', 'no-water'] })
    expect(errorSummary(both)).toEqual(['Select ‘None of these’ on its own, or untick it and select the answers that apply'])
    expect(both.page('input[value="no-water"]').attr('checked')).toBeDefined()

    await answer(agent, 'emergency', { emergency: 'none' })
    await answer(agent, 'where', { where: 'own-home' })
    await answer(agent, 'area', { area: 'kitchen' })
    await answer(agent, 'kitchen-problem', { 'kitchen-problem': 'taps' })
    await answer(agent, 'kitchen-tap', { 'kitchen-tap': 'dripping' })
    await agent.get(`${repair}/description`)
    const tooLong = await agent.post(`${repair}/description`, { description: 'x'.repeat(1201) })
    expect(errorSummary(tooLong)).toEqual(['Your answer must be 1200 characters or less'])
    expect(tooLong.page('textarea#description').text()).toBe('x'.repeat(1201))

    await answer(agent, 'description', { description: 'Dripping' })
    await answer(agent, 'photos', {})
    await answer(agent, 'access', {})
    await answer(agent, 'contact-method', { 'contact-method': 'text' })
    await agent.get(`${repair}/mobile`)
    const landline = await agent.post(`${repair}/mobile`, { mobile: '01632 960000' })
    expect(errorSummary(landline)).toEqual(['Enter a UK mobile number, like 07700 900 982'])
    expect(landline.page('input#mobile').attr('value')).toBe('01632 960000')
  })

  it('stops at the gas emergency page, records that it was shown, and makes no request', async () => {
    const { agent, personId } = await signedInTenant()
    const response = await answer(agent, 'gas', { gas: 'yes' })
    expect(response.location).toBe(`${repair}/gas-emergency`)
    const stop = await agent.follow(response)
    expect(stop.page('h1').text()).toBe('Call the National Gas Emergency Service now')
    expect(stop.body).toContain('Call 0800 111 999 now.')
    expect(stop.body).toContain('call us on 01632 960123')
    expect(stop.page('form[action^="/services/housing-repair/"]')).toHaveLength(0)
    expect(stop.page('.govuk-button')).toHaveLength(0)

    // Nothing further can be reached, and check answers sends the person back to the stop.
    expect((await agent.get(`${repair}/where`)).location).toBe(`${repair}/gas-emergency`)
    expect((await agent.get(`${repair}/check-answers`)).location).toBe(`${repair}/gas-emergency`)
    const sent = await agent.post(`${repair}/check-answers`)
    expect(sent.location).toBe(`${repair}/gas-emergency`)
    expect(await requestsOf(personId)).toEqual([])

    const shown = await test.database.db.selectFrom('form_interruptions_shown').selectAll().where('person_id', '=', personId).execute()
    expect(shown.map((row) => row.outcome)).toContain('gas-emergency-shown')
  })

  it('sends an emergency to the "call us now" page with the council repairs number', async () => {
    const { agent } = await signedInTenant()
    await answer(agent, 'gas', { gas: 'no' })
    const response = await answer(agent, 'emergency', { emergency: ['no-water'] })
    const stop = await agent.follow(response)
    expect(stop.page('h1').text()).toBe('Call us now: this is an emergency repair')
    expect(stop.body).toContain('Call our repairs team on 01632 960123.')
    expect(stop.body).toContain('In the evening, at weekends and on bank holidays, call 01632 960999.')
  })

  it('drops the answers that no longer apply when an answer is changed from check your answers', async () => {
    const { agent, personId } = await signedInTenant()
    await reportDrippingTap(agent)

    const change = await agent.get(`${repair}/area?change=1`)
    expect(change.page('.govuk-back-link').attr('href')).toBe(`${repair}/check-answers`)
    const changed = await agent.post(`${repair}/area?change=1`, { area: 'bathroom' })
    // The new area asks a question that was never answered, so that comes next.
    expect(changed.location).toBe(`${repair}/bathroom-problem?change=1`)
    const toilet = await answer(agent, 'bathroom-problem?change=1', { 'bathroom-problem': 'toilet' })
    expect(toilet.location).toBe(`${repair}/toilet?change=1`)
    const done = await answer(agent, 'toilet?change=1', { toilet: 'running' })
    expect(done.location).toBe(`${repair}/check-answers`)

    const check = await agent.get(`${repair}/check-answers`)
    expect(check.body).not.toContain('It drips')
    expect(check.page('main').text()).toContain('The toilet')
    const [draft] = await test.database.db.selectFrom('form_drafts').select('answers').where('person_id', '=', personId).execute()
    expect(Object.keys(draft!.answers)).not.toContain('kitchen-problem')
    expect(Object.keys(draft!.answers)).not.toContain('kitchen-tap')
    expect(draft!.answers.toilet).toBe('running')

    // Changing the contact method to email asks for the address and forgets the mobile number.
    const email = await agent.submit(`${repair}/contact-method?change=1`, { 'contact-method': 'email' })
    expect(email.location).toBe(`${repair}/email?change=1`)
    await answer(agent, 'email?change=1', { email: 'alex@example.com' })
    const [after] = await test.database.db.selectFrom('form_drafts').select('answers').where('person_id', '=', personId).execute()
    expect(after!.answers.mobile).toBeUndefined()
  })

  it('keeps an unfinished form for a resident who signs out and comes back', async () => {
    const { agent, personId } = await signedInTenant()
    await answer(agent, 'gas', { gas: 'no' })
    await answer(agent, 'emergency', { emergency: 'none' })
    await answer(agent, 'where', { where: 'communal' })

    await agent.get('/account')
    const signOut = await agent.post('/sign-out')
    expect(signOut.status).toBeLessThan(400)
    expect((await agent.get(`${repair}/communal-problem`)).location).toMatch(/^\/sign-in\?returnTo=/)

    // Signing in again is a new session for the same person.
    const token = await sessionFor(test.database.db, { kind: 'resident', id: personId })
    const returning = new Agent(test.app)
    returning.setCookie(sessionCookie, token)
    const start = await returning.get(`${repair}/start`)
    expect(start.page('h2').text()).toContain('You have not finished this form')
    const carryOn = start.page('a.govuk-button').filter((_, link) => start.page(link).text().trim() === 'Carry on')
    expect(carryOn.attr('href')).toBe(`${repair}/communal-problem`)
    const page = await returning.get(`${repair}/where`)
    expect(page.page('input[name="where"][value="communal"]').attr('checked')).toBeDefined()

    const again = await returning.post(`${repair}/start-again`)
    expect(again.location).toBe(`${repair}/gas`)
    const fresh = await returning.get(`${repair}/start`)
    expect(fresh.page('a.govuk-button--start')).toHaveLength(1)
  })

  it('adds a photo through a multipart form, re-encoded and stored', async () => {
    const { agent, personId } = await signedInTenant()
    await answer(agent, 'gas', { gas: 'no' })
    await answer(agent, 'emergency', { emergency: 'none' })
    await answer(agent, 'where', { where: 'own-home' })
    await answer(agent, 'area', { area: 'kitchen' })
    await answer(agent, 'kitchen-problem', { 'kitchen-problem': 'taps' })
    await answer(agent, 'kitchen-tap', { 'kitchen-tap': 'dripping' })
    await answer(agent, 'description', { description: 'Drips' })
    const form = await agent.get(`${repair}/photos`)
    expect(form.page('main form').attr('enctype')).toBe('multipart/form-data')
    const csrf = form.page('input[name="_csrf"]').attr('value')!
    const image = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#3366cc' } }).png().toBuffer()

    const send = (fields: Record<string, string>, data: Buffer) =>
      postMultipart(test.app, agent, `${repair}/photos`, fields, [{ name: 'photos', filename: 'tap.png', type: 'image/png', data }])

    const notAnImage = await send({ _csrf: csrf }, Buffer.from('this is not a picture'))
    expect(notAnImage.status).toBe(400)
    expect(errorSummary(notAnImage)).toEqual(['The selected file must be a JPEG, PNG or WebP'])

    const withoutToken = await send({}, image)
    expect(withoutToken.status).toBe(403)

    const tooBig = await send({ _csrf: csrf }, Buffer.alloc(10 * 1024 * 1024 + 1, 1))
    expect(tooBig.status).toBe(400)
    expect(errorSummary(tooBig)).toEqual(['The selected file must be smaller than 10MB'])
    expect(tooBig.page('.govuk-error-summary a').attr('href')).toBe('#photos')

    const tooMany = await postMultipart(
      test.app,
      agent,
      `${repair}/photos`,
      { _csrf: csrf },
      Array.from({ length: 4 }, (_, index) => ({ name: 'photos', filename: `tap-${index}.png`, type: 'image/png', data: image })),
    )
    expect(errorSummary(tooMany)).toEqual(['You can add up to 3 photos'])

    const accepted = await send({ _csrf: csrf }, image)
    expect(accepted.status).toBe(303)
    expect(accepted.location).toBe(`${repair}/access`)
    const [draft] = await test.database.db.selectFrom('form_drafts').select('answers').where('person_id', '=', personId).execute()
    const keys = draft!.answers.photos as string[]
    expect(keys).toHaveLength(1)
    const file = await new LocalFileStorage(uploads).get(keys[0]!)
    expect(file?.contentType).toBe('image/jpeg')
    file?.stream.destroy()
  })

  it('refuses a form sent without its CSRF token', async () => {
    const { agent, personId } = await signedInTenant()
    await agent.get(`${repair}/gas`)
    const response = await agent.post(`${repair}/gas`, { gas: 'no' }, { csrf: null })
    expect(response.status).toBe(403)
    expect(await test.database.db.selectFrom('form_drafts').selectAll().where('person_id', '=', personId).execute()).toEqual([])
  })

  it('asks a resident with no linked tenancy to link it before reporting a repair', async () => {
    const resident = await signedInResident(test.database.db, { givenName: 'Sam', familyName: 'Nobody' })
    const agent = new Agent(test.app)
    agent.setCookie(sessionCookie, resident.sessionToken)
    const page = await agent.get(`${repair}/gas`)
    expect(page.page('h1').text()).toBe('Link your tenancy first')
    expect(page.page('a[href="/account/tenancy"]')).toHaveLength(1)
  })

  it('sends someone who is not signed in to sign in, and hides services that do not exist', async () => {
    const visitor = new Agent(test.app)
    const start = await visitor.get(`${repair}/start`)
    expect(start.status).toBe(200)
    expect((await visitor.get(`${repair}/gas`)).location).toBe('/sign-in?returnTo=%2Fservices%2Fhousing-repair%2Fgas')
    expect((await visitor.get('/services/no-such-service/start')).status).toBe(404)
  })
})
