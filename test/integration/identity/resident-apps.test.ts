import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../support/app.ts'
import { residentWithPassword, signedInWithPassword, type ResidentWithPassword } from '../../support/residents.ts'
import { Agent, type AgentResponse } from '../../support/agent.ts'

describe('apps signed in to a resident’s account', () => {
  let test: TestApp
  beforeAll(async () => {
    test = await createTestApp()
  })
  afterAll(() => test.close())

  const tokens = () => test.services.identity.residentApiTokens

  const resident = (givenName?: string, familyName?: string) => residentWithPassword(test, givenName, familyName)
  const signedIn = (person: ResidentWithPassword) => signedInWithPassword(test, person)

  /** Each row of the apps table as the resident reads it. */
  function appRows(response: AgentResponse) {
    return response
      .page('#apps ~ table tbody tr')
      .map((_, row) => ({
        name: response.page(row).find('th').text().trim(),
        cells: response.page(row).find('td').map((__, cell) => response.page(cell).text().trim().replace(/\s+/g, ' ')).get(),
        action: response.page(row).find('form').attr('action'),
      }))
      .get()
  }

  const banner = (response: AgentResponse) => response.page('.govuk-notification-banner--success').text().replace(/\s+/g, ' ').trim()

  it('says so when no app is signed in', async () => {
    const agent = await signedIn(await resident())
    const page = await agent.get('/account')
    expect(page.page('#apps').text()).toBe('Apps signed in to your account')
    expect(page.body).toContain('No apps are signed in to your account.')
    expect(appRows(page)).toEqual([])
  })

  it('lists each app by name, newest first, with a sign-out button naming the app for screen readers', async () => {
    const alex = await resident()
    const older = await tokens().issue(alex.personId, 'Bin day app')
    const newer = await tokens().issue(alex.personId, 'Report it <now>')
    await tokens().authenticate(older.token)
    const agent = await signedIn(alex)

    const page = await agent.get('/account')
    expect(page.status).toBe(200)
    const rows = appRows(page)
    expect(rows.map((row) => row.name)).toEqual(['Report it <now>', 'Bin day app'])
    expect(rows[0]!.cells[1]).toBe('Not used yet')
    expect(rows[1]!.cells[1]).toMatch(/^\d{1,2} \w+ \d{4} at \d{1,2}(:\d{2})?(am|pm)$/)
    expect(rows[0]!.cells[0]).toMatch(/^\d{1,2} \w+ \d{4}$/)
    expect(rows.map((row) => row.action)).toEqual([`/account/apps/${newer.id}/sign-out`, `/account/apps/${older.id}/sign-out`])
    const button = page.page(`form[action="/account/apps/${older.id}/sign-out"] button`)
    expect(button.attr('class')).toContain('govuk-button govuk-button--secondary')
    expect(button.find('.govuk-visually-hidden').text()).toBe(' Bin day app')
    expect(page.page(`form[action="/account/apps/${newer.id}/sign-out"] input[name="_csrf"]`).val()).toBeTruthy()
    expect(page.body).not.toContain('Report it <now>')
  })

  it('signs one app out: it leaves the page, its token stops working, and the other app carries on', async () => {
    const alex = await resident()
    const keep = await tokens().issue(alex.personId, 'Bin day app')
    const remove = await tokens().issue(alex.personId, 'Old phone')
    const agent = await signedIn(alex)
    await agent.get('/account')

    const response = await agent.post(`/account/apps/${remove.id}/sign-out`)
    expect(response.status).toBe(303)
    expect(response.location).toBe('/account')

    const page = await agent.follow(response)
    expect(banner(page)).toContain('You signed out Old phone')
    expect(appRows(page).map((row) => row.name)).toEqual(['Bin day app'])
    expect(await tokens().authenticate(remove.token)).toBeUndefined()
    expect(await tokens().authenticate(keep.token)).toEqual({ personId: alex.personId, tokenId: keep.id })

    const audit = await test.database.db
      .selectFrom('audit_events')
      .select('action')
      .where('subject_type', '=', 'api-token')
      .where('subject_id', '=', remove.id)
      .orderBy('id')
      .execute()
    expect(audit.map((row) => row.action)).toEqual(['resident.api-sign-in', 'resident.api-sign-out'])
  })

  it('does not let another resident sign out someone else’s app', async () => {
    const alex = await resident()
    const alexApp = await tokens().issue(alex.personId, 'Bin day app')
    const sam = await signedIn(await resident('Sam', 'Taylor'))
    await sam.get('/account')

    const response = await sam.post(`/account/apps/${alexApp.id}/sign-out`)
    expect(response.status).toBe(404)
    expect(await tokens().authenticate(alexApp.token)).toEqual({ personId: alex.personId, tokenId: alexApp.id })
  })

  it('answers "not found" for an app that does not exist', async () => {
    const agent = await signedIn(await resident())
    await agent.get('/account')
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-an-id']) {
      expect((await agent.post(`/account/apps/${id}/sign-out`)).status, id).toBe(404)
    }
  })

  it('takes a second press of the button, from a page left open, as done', async () => {
    const alex = await resident()
    const app = await tokens().issue(alex.personId, 'Old phone')
    const agent = await signedIn(alex)
    await agent.get('/account')
    await agent.post(`/account/apps/${app.id}/sign-out`)

    const again = await agent.post(`/account/apps/${app.id}/sign-out`)
    expect(again.status).toBe(303)
    expect(banner(await agent.follow(again))).toContain('You signed out the app')
    expect(await tokens().authenticate(app.token)).toBeUndefined()
  })

  it('refuses a sign-out sent without the form’s CSRF token, and the app stays signed in', async () => {
    const alex = await resident()
    const app = await tokens().issue(alex.personId, 'Bin day app')
    const agent = await signedIn(alex)
    await agent.get('/account')

    const response = await agent.post(`/account/apps/${app.id}/sign-out`, {}, { csrf: null })
    expect(response.status).toBe(403)
    expect(await tokens().authenticate(app.token)).toBeDefined()
    expect(appRows(await agent.get('/account')).map((row) => row.name)).toEqual(['Bin day app'])
  })

  it('sends someone who is not signed in to sign in, and signs nothing out', async () => {
    const alex = await resident()
    const app = await tokens().issue(alex.personId, 'Bin day app')
    const visitor = new Agent(test.app)
    await visitor.get('/sign-in')

    const response = await visitor.post(`/account/apps/${app.id}/sign-out`)
    expect(response.status).toBe(302)
    expect(response.location).toBe(`/sign-in?returnTo=${encodeURIComponent('/account')}`)
    expect(await tokens().authenticate(app.token)).toBeDefined()
  })
})
