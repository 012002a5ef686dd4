import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { errorSummary, type Agent } from '../../support/agent.ts'
import { createTestApp, type TestApp } from '../../support/app.ts'
import { signedInStaff } from '../../support/staff.ts'
import { gridToLatitudeLongitude } from '../../../src/modules/places/index.ts'
import { definitionsFolder, isChoiceQuestion, type CatalogueEntry } from '../../../src/modules/catalogue/index.ts'
import { person } from '../requests/factories.ts'

/** 1 Mill Lane, in Abbey ward (LWW01) inside the demo council's boundary. */
const millLane = { easting: 447_467.2, northing: 204_298 }

let test: TestApp
let editor: { id: string; agent: Agent }

beforeAll(async () => {
  test = await createTestApp()
  await test.services.catalogue.seedDefinitions()
  editor = await signedInStaff(test, ['catalogue-editor'])
})
afterAll(async () => {
  await test?.close()
})

async function definitionFile(code: string): Promise<Record<string, unknown> & { questions: Record<string, unknown>[] }> {
  return JSON.parse(await readFile(path.join(definitionsFolder, `${code}.json`), 'utf8')) as Record<string, unknown> & { questions: Record<string, unknown>[] }
}

/** Fly-tipping with a new kind of rubbish to choose from and a shorter time on its start page. */
async function flyTippingWithNewOption() {
  const definition = await definitionFile('fly-tipping')
  const waste = definition.questions.find((question) => question.id === 'waste')! as { options: unknown[] }
  waste.options.splice(-1, 0, { value: 'electricals', label: 'Old electrical goods' })
  definition.startPage = { ...(definition.startPage as object), takes: 'about 3 minutes' }
  return JSON.stringify(definition, null, 2)
}

function wasteOptions(entry: CatalogueEntry | undefined): string[] {
  if (!entry || !('questions' in entry)) return []
  const waste = entry.questions.find((question) => question.id === 'waste')
  return waste && isChoiceQuestion(waste) ? waste.options.map((option) => option.value) : []
}

async function flyTippingRequest() {
  const point = gridToLatitudeLongitude(millLane.easting, millLane.northing)
  return test.services.requests.createRequest({
    serviceCode: 'fly-tipping',
    personId: await person(test.database.db),
    channel: 'web',
    answers: {
      location: { latitude: point.latitude, longitude: point.longitude, ...millLane, usrn: '48100001', wardCode: 'LWW01', description: 'Near 1 Mill Lane, Lower Wendle' },
      waste: ['black-bags'],
      amount: 'single-item',
      witnessed: 'no',
      details: '',
      photo: [],
    },
  })
}

describe('the catalogue list', () => {
  it('lists every service, forms and links, with its version and who published it', async () => {
    const list = await editor.agent.get('/staff/catalogue')
    expect(list.status).toBe(200)
    const row = (code: string) => list.page(`#service-${code} td`).map((_, cell) => list.page(cell).text().replace(/\s+/g, ' ').trim()).get()
    expect(row('fly-tipping').slice(0, 4)).toEqual(['Report fly-tipping', 'Form', 'Residents', '1'])
    expect(row('fly-tipping')[4]).toContain("From the council's files")
    expect(row('pay-council-tax').slice(0, 2)).toEqual(['Pay your council tax', 'Link to another website'])
    expect(list.page('a[href="/staff/catalogue/new"]').text().trim()).toBe('Add a service')
    expect(list.page('.govuk-service-navigation a[href="/staff/catalogue"]').text().trim()).toBe('Service catalogue')
  })
})

describe('changing a form', () => {
  it('previews a change without publishing it, publishes it as version 2, and leaves earlier requests on version 1', async () => {
    const before = await flyTippingRequest()
    const page = await editor.agent.get('/staff/catalogue/fly-tipping')
    expect(page.status).toBe(200)
    expect(page.page('label[for="definition"]').text().trim()).toBe('Definition')
    expect(JSON.parse(page.page('#definition').text())).toMatchObject({ code: 'fly-tipping', name: { en: 'Report fly-tipping' } })
    expect(page.page('#versions tbody tr').length).toBe(1)

    const changed = await flyTippingWithNewOption()
    const preview = await editor.agent.post('/staff/catalogue/fly-tipping', { definition: changed, action: 'preview' })
    expect(preview.status).toBe(200)
    const pagesText = preview.page('#preview-pages').text()
    expect(pagesText).toContain('Old electrical goods (electricals)')
    expect(pagesText).toContain('Asked when ‘witnessed’ is ‘yes’')
    expect(preview.page('#preview').text()).toContain('about 3 minutes')
    expect(preview.page('#preview-priority').text()).toContain('Urgent when ‘amount’ is ‘lorry’')
    expect(preview.page('#definition').text()).toBe(changed)
    expect(await test.services.catalogue.versionsOf('fly-tipping')).toHaveLength(1)

    const published = await editor.agent.post('/staff/catalogue/fly-tipping', { definition: changed, action: 'publish' })
    expect(published.status).toBe(303)
    expect(published.location).toBe('/staff/catalogue/fly-tipping')
    const after = await editor.agent.follow(published)
    expect(after.page('.govuk-notification-banner').text()).toContain(
      'Version 2 of Report fly-tipping is published. New requests use it; requests already made keep the version they were made with.',
    )
    const versions = await test.services.catalogue.versionsOf('fly-tipping')
    expect(versions.map((version) => [version.version, version.current, version.publishedBy])).toEqual([
      [1, false, null],
      [2, true, editor.id],
    ])
    const audit = await test.database.db.selectFrom('audit_events').selectAll().where('action', '=', 'catalogue.publish').where('subject_id', '=', 'fly-tipping').execute()
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({ actor_kind: 'staff', actor_id: editor.id, subject_type: 'service', details: { version: 2 } })

    expect((await test.app.inject({ method: 'GET', url: '/services/fly-tipping' })).body).toContain('about 3 minutes')
    expect(wasteOptions((await test.services.catalogue.currentDefinition('fly-tipping'))?.definition)).toContain('electricals')
    const made = await test.database.db.selectFrom('requests').select('definition_version_id').where('id', '=', before.id).executeTakeFirstOrThrow()
    const pinned = await test.services.catalogue.definitionVersion(made.definition_version_id)
    expect(pinned?.version).toBe(1)
    expect(wasteOptions(pinned?.definition)).not.toContain('electricals')

    const old = await editor.agent.get('/staff/catalogue/fly-tipping/versions/1')
    expect(old.status).toBe(200)
    expect(old.page('#definition').attr('readonly')).toBe('readonly')
    expect(wasteOptions(JSON.parse(old.page('#definition').text()) as CatalogueEntry)).not.toContain('electricals')

    const again = await editor.agent.post('/staff/catalogue/fly-tipping', { definition: after.page('#definition').text(), action: 'publish' })
    expect(again.status).toBe(303)
    expect((await editor.agent.follow(again)).page('.govuk-notification-banner').text()).toContain('Nothing has changed since version 2')
    expect(await test.services.catalogue.versionsOf('fly-tipping')).toHaveLength(2)
  })

  it('refuses text that is not JSON, a definition with problems and a changed code, keeping the text as typed', async () => {
    await editor.agent.get('/staff/catalogue/pothole')
    const broken = '{ "code": "pothole", '
    const notJson = await editor.agent.post('/staff/catalogue/pothole', { definition: broken, action: 'preview' })
    expect(notJson.status).toBe(400)
    expect(errorSummary(notJson)).toHaveLength(1)
    expect(errorSummary(notJson)[0]).toMatch(/^The definition is not valid JSON: /)
    expect(notJson.page('.govuk-error-summary a').attr('href')).toBe('#definition')
    expect(notJson.page('#definition').text()).toBe(broken)

    const definition = await definitionFile('fly-tipping')
    definition.questions[2]!.id = 'waste'
    definition.topics = ['street-cleaning', 'space-travel']
    const withProblems = JSON.stringify(definition, null, 2)
    const problems = await editor.agent.post('/staff/catalogue/fly-tipping', { definition: withProblems, action: 'publish' })
    expect(problems.status).toBe(400)
    expect(errorSummary(problems)).toEqual([
      "questions[2].id is 'waste', which questions[1] already uses (question ‘waste’)",
      "priority.rules[1].when refers to question 'amount', which does not exist",
      expect.stringMatching(/^topics\[1\] is 'space-travel', which is not one of the front door's topics/),
    ])
    expect(problems.page('#definition').text()).toBe(withProblems)

    const pothole = JSON.stringify(await definitionFile('pothole'), null, 2)
    const mismatch = await editor.agent.post('/staff/catalogue/fly-tipping', { definition: pothole, action: 'publish' })
    expect(mismatch.status).toBe(400)
    expect(errorSummary(mismatch)).toEqual(["The definition's code is ‘pothole’ but this is the page for ‘fly-tipping’; a service's code cannot be changed"])
    expect(mismatch.page('#definition').text()).toBe(pothole)
    expect(await test.services.catalogue.versionsOf('pothole')).toHaveLength(1)
  })

  it('says a service does not exist', async () => {
    expect((await editor.agent.get('/staff/catalogue/no-such-service')).status).toBe(404)
    expect((await editor.agent.get('/staff/catalogue/fly-tipping/versions/99')).status).toBe(404)
  })
})

describe('changing a link to another website', () => {
  it('shows the link entry and previews a change to it', async () => {
    const page = await editor.agent.get('/staff/catalogue/pay-council-tax')
    expect(page.status).toBe(200)
    const entry = JSON.parse(page.page('#definition').text()) as Record<string, unknown>
    expect(entry.link).toBe('https://www.lowerwendle.gov.example/council-tax/pay')
    const changed = JSON.stringify({ ...entry, link: 'https://pay.lowerwendle.gov.example/council-tax' }, null, 2)
    const preview = await editor.agent.post('/staff/catalogue/pay-council-tax', { definition: changed, action: 'preview' })
    expect(preview.status).toBe(200)
    const previewText = preview.page('#preview').text()
    expect(previewText).toContain('Pay your council tax')
    expect(previewText).toContain('https://pay.lowerwendle.gov.example/council-tax')
    expect(preview.page('#preview-pages').length).toBe(0)

    const published = await editor.agent.post('/staff/catalogue/pay-council-tax', { definition: changed, action: 'publish' })
    expect(published.status).toBe(303)
    expect((await test.services.catalogue.frontDoor.entry('pay-council-tax'))?.link).toBe('https://pay.lowerwendle.gov.example/council-tax')
    expect((await editor.agent.get('/staff/catalogue/pay-council-tax/versions/1')).page('#definition').text()).toContain('https://www.lowerwendle.gov.example/council-tax/pay')
  })
})

describe('adding a service', () => {
  it('starts from an example, publishes a new service the public can find, and refuses a code already taken', async () => {
    const page = await editor.agent.get('/staff/catalogue/new')
    expect(page.status).toBe(200)
    const example = JSON.parse(page.page('#definition').text()) as Record<string, unknown>
    const preview = await editor.agent.post('/staff/catalogue/new', { definition: page.page('#definition').text(), action: 'preview' })
    expect(preview.status).toBe(200)
    expect(preview.page('#preview-pages > li').length).toBe(2)

    const definition = JSON.stringify({ ...example, code: 'overgrown-hedge', name: 'Report an overgrown hedge', description: 'Tell us about a hedge blocking a pavement.' }, null, 2)
    const published = await editor.agent.post('/staff/catalogue/new', { definition, action: 'publish' })
    expect(published.status).toBe(303)
    expect(published.location).toBe('/staff/catalogue/overgrown-hedge')
    expect((await editor.agent.follow(published)).page('.govuk-notification-banner').text()).toContain('Version 1 of Report an overgrown hedge is published.')

    expect((await test.app.inject({ method: 'GET', url: '/services' })).body).toContain('href="/services/overgrown-hedge"')
    const start = await test.app.inject({ method: 'GET', url: '/services/overgrown-hedge' })
    expect(start.statusCode).toBe(200)
    expect(start.body).toContain('Report an overgrown hedge')

    const taken = await editor.agent.post('/staff/catalogue/new', { definition, action: 'publish' })
    expect(taken.status).toBe(400)
    expect(errorSummary(taken)).toEqual(['A service with the code overgrown-hedge already exists; change it on its own page'])
    expect(taken.page('#definition').text()).toBe(definition)
    expect(await test.services.catalogue.versionsOf('overgrown-hedge')).toHaveLength(1)
  })
})

describe('who may edit the catalogue', () => {
  it('refuses staff without catalogue.edit on every page', async () => {
    const officer = await signedInStaff(test, ['officer'])
    await officer.agent.get('/staff')
    for (const url of ['/staff/catalogue', '/staff/catalogue/new', '/staff/catalogue/fly-tipping', '/staff/catalogue/fly-tipping/versions/1']) {
      expect((await officer.agent.get(url)).status, url).toBe(403)
    }
    for (const url of ['/staff/catalogue/new', '/staff/catalogue/fly-tipping']) {
      expect((await officer.agent.post(url, { definition: '{}', action: 'publish' })).status, url).toBe(403)
    }
  })
})
