import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Agent, errorSummary } from '../../support/agent.ts'
import { createTestApp, type TestApp } from '../../support/app.ts'
import { person, property, repairDefinition } from './factories.ts'

let test: TestApp
let counter = 0
const password = 'correct horse battery staple'

beforeAll(async () => {
  test = await createTestApp()
  await test.services.identity.staff.ensureTeam('housing-repairs', 'Housing repairs')
  await test.services.catalogue.publishDefinition(repairDefinition())
})
afterAll(async () => {
  await test?.close()
})

async function signedIn(roleCodes: string[]) {
  counter += 1
  const email = `templates${counter}@lowerwendle.example.gov.uk`
  await test.services.identity.staff.createStaffMember({ name: `Staff ${counter}`, email, password, roleCodes, teamCodes: ['housing-repairs'] })
  const agent = new Agent(test.app)
  await agent.get('/staff/sign-in')
  expect((await agent.post('/staff/sign-in', { email, password })).status).toBe(303)
  return agent
}

const titles = async (agent: Agent) => {
  const list = await agent.get('/staff/response-templates')
  return list.page('tbody tr td:first-child').map((_, cell) => list.page(cell).text().trim()).get()
}

describe('keeping response templates', () => {
  it('adds, changes and archives a template, each in the audit log', async () => {
    const editor = await signedIn(['catalogue-editor'])
    const added = await editor.post('/staff/response-templates/new', { title: 'Parts ordered', body: 'We have ordered parts for ((reference)).', serviceCode: '' })
    expect(added.status).toBe(303)
    expect(await titles(editor)).toEqual(['Parts ordered'])

    const [template] = await test.services.responseTemplates.list()
    const form = await editor.get(`/staff/response-templates/${template!.id}`)
    expect(form.page('#body').text()).toBe('We have ordered parts for ((reference)).')
    expect((await editor.post(`/staff/response-templates/${template!.id}`, { title: 'Parts on order', body: 'Parts for ((reference)) are on order.', serviceCode: 'test-repair' })).status).toBe(303)
    expect(await test.services.responseTemplates.template(template!.id)).toMatchObject({ title: 'Parts on order', serviceCode: 'test-repair' })

    expect((await editor.get(`/staff/response-templates/${template!.id}/archive`)).page('h1').text()).toBe('Archive "Parts on order"?')
    expect((await editor.post(`/staff/response-templates/${template!.id}/archive`)).status).toBe(303)
    expect(await titles(editor)).toEqual([])
    const actions = await test.database.db.selectFrom('audit_events').select('action').where('subject_id', '=', template!.id).orderBy('id').execute()
    expect(actions.map((row) => row.action)).toEqual(['response-template.create', 'response-template.update', 'response-template.archive'])
  })

  it('shows every mistake with the words kept, and refuses a second template with the same title', async () => {
    const editor = await signedIn(['catalogue-editor'])
    const empty = await editor.post('/staff/response-templates/new', { title: '', body: 'Dear ((name))', serviceCode: '' })
    expect(empty.status).toBe(400)
    expect(errorSummary(empty)).toEqual(['Enter a title', '((name)) is not something that can be filled in; use ((reference)), ((target date)), ((council name))'])
    expect(empty.page('#body').text()).toBe('Dear ((name))')

    await editor.post('/staff/response-templates/new', { title: 'We could not get in', body: 'Sorry we missed you.', serviceCode: '' })
    const twice = await editor.post('/staff/response-templates/new', { title: 'we could not get in', body: 'Again.', serviceCode: '' })
    expect(errorSummary(twice)).toEqual(['A response template already has this title'])
  })

  it('is only for staff who look after messages', async () => {
    const officer = await signedIn(['officer'])
    expect((await officer.get('/staff/response-templates')).status).toBe(403)
    expect((await officer.post('/staff/response-templates/new', { title: 'x', body: 'y' })).status).toBe(403)
    expect((await new Agent(test.app).get('/staff/response-templates')).status).toBe(302)
  })
})

describe('writing a public update from a template', () => {
  it('fills the update with the template’s words for this request, and sends what the officer sends', async () => {
    await test.services.responseTemplates.create({ title: 'Work booked', body: 'Your repair ((reference)) is booked. ((council name))', serviceCode: 'test-repair' }, { kind: 'system' })
    await test.services.responseTemplates.create({ title: 'Bins only', body: 'Not for repairs.', serviceCode: 'missed-bin' }, { kind: 'system' })
    const made = await test.services.requests.createRequest({
      serviceCode: 'test-repair',
      personId: await person(test.database.db),
      propertyUprn: await property(test.database.db, 9300),
      answers: { problem: 'dripping-tap', details: '' },
      channel: 'web',
    })
    const officer = await signedIn(['officer'])
    const page = await officer.get(`/staff/requests/${made.reference}`)
    const offered = page.page('#template option').map((_, option) => page.page(option).text()).get()
    expect(offered).toContain('Work booked')
    expect(offered).not.toContain('Bins only')

    const chosen = page.page('#template option').filter((_, option) => page.page(option).text() === 'Work booked').attr('value')!
    const filled = await officer.get(`/staff/requests/${made.reference}?template=${chosen}`)
    expect(filled.page('#body').text()).toBe(`Your repair ${made.reference} is booked. ${test.config.council.name}`)
    expect(filled.page('input[name="visibility"][value="public"]').attr('checked')).toBeDefined()

    const sent = await officer.post(`/staff/requests/${made.reference}/notes`, {
      visibility: 'public',
      body: `Your repair ${made.reference} is booked for Tuesday.`,
      rowVersion: filled.page('input[name="rowVersion"]').first().attr('value')!,
    })
    expect(sent.status).toBe(303)
    const update = (await test.services.requests.timeline(made.id, { audience: 'resident' })).find((entry) => entry.kind === 'public-update')
    expect(update?.body).toBe(`Your repair ${made.reference} is booked for Tuesday.`)
  })
})
