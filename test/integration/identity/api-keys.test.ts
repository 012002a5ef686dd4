import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Agent, errorSummary, type AgentResponse } from '../../support/agent.ts'
import { createTestApp, type TestApp } from '../../support/app.ts'
import { signedInStaff } from '../../support/staff.ts'
import { Forbidden, TooManyAttempts } from '../../../src/lib/errors.ts'
import { withoutKey } from '../../../src/modules/identity/api-keys/service.ts'
import type { ApiKeyGrant } from '../../../src/modules/identity/index.ts'

let test: TestApp

beforeAll(async () => {
  test = await createTestApp()
  await test.services.catalogue.seedDefinitions()
})
afterAll(async () => {
  await test?.close()
})

const keyPattern = /^gh_[A-Za-z0-9_-]{43}$/
const apiKeys = () => test.services.identity.apiKeys

const administrator = async () => {
  const { id, agent } = await signedInStaff(test, ['administrator'])
  const name = (await test.database.db.selectFrom('staff_members').select('name').where('id', '=', id).executeTakeFirstOrThrow()).name
  return { id, name, agent }
}

const grant = (overrides: Partial<ApiKeyGrant> = {}): ApiKeyGrant => ({ name: `Partner ${randomUUID().slice(0, 8)}`, services: 'all', write: false, changeStatus: false, ratePerMinute: 120, ...overrides })

const keyCount = async () => Number((await test.database.db.selectFrom('api_keys').select((select) => select.fn.countAll().as('count')).executeTakeFirstOrThrow()).count)

const auditOf = (keyId: string) =>
  test.database.db.selectFrom('audit_events').select(['action', 'actor_kind', 'actor_id', 'details']).where('subject_type', '=', 'api-key').where('subject_id', '=', keyId).orderBy('id').execute()

/** The cells of the list's row for the key with this name, as text. */
const rowFor = (response: AgentResponse, name: string) => {
  const row = response.page('tbody tr').filter((_, element) => response.page(element).find('th').text().includes(name))
  expect(row.length, name).toBe(1)
  return row
    .find('th, td')
    .map((_, cell) => response.page(cell).text().replace(/\s+/g, ' ').trim())
    .get()
}

const inlineError = (response: AgentResponse, id: string) => response.page(`#${id}-error`).text().replace(/\s+/g, ' ').trim()

describe('managing API keys in the back office', () => {
  it('lets an administrator create a key, shows it once, and afterwards only its first characters', async () => {
    const admin = await administrator()
    const home = await admin.agent.get('/staff')
    expect(home.page('main a[href="/staff/api-keys"]').text()).toBe('Manage API keys')
    expect(home.page('.govuk-service-navigation a[href="/staff/api-keys"]').text().trim()).toBe('API keys')

    const form = await admin.agent.get('/staff/api-keys/new')
    expect(form.status).toBe(200)
    const repairs = form.page('input[name="serviceCodes"][value="housing-repair"]')
    expect(repairs.length).toBe(1)
    expect(form.page(`#${repairs.attr('id')}-item-hint`).text()).toContain('Private')
    expect(form.page('input[name="serviceCodes"][value="pothole"]').attr('aria-describedby')).toBeUndefined()
    expect(form.page('#ratePerMinute').attr('value')).toBe('120')

    const issued = await admin.agent.post('/staff/api-keys', {
      name: '  Fixit job system ',
      services: 'chosen',
      serviceCodes: ['housing-repair', 'pothole'],
      write: 'yes',
      changeStatus: 'yes',
      ratePerMinute: '60',
    })
    expect(issued.status).toBe(201)
    expect(issued.headers['cache-control']).toBe('no-store')
    expect(issued.page('h1').text().trim()).toBe('Your API key')
    expect(issued.body).toContain('This is the only time the key will be shown')
    const key = issued.page('code#api-key').text()
    expect(key).toMatch(keyPattern)

    const list = await admin.agent.get('/staff/api-keys')
    expect(list.body).not.toContain(key)
    expect(rowFor(list, 'Fixit job system')).toEqual([
      `Fixit job system Key: ${key.slice(0, 10)}…`,
      'Report a pothole, Report a repair to your council home',
      'Read, write and change status',
      '60',
      expect.stringContaining(`by ${admin.name}`),
      'Never',
      'Active Revoke Fixit job system',
    ])

    expect(await apiKeys().authenticate(key)).toMatchObject({
      name: 'Fixit job system',
      services: ['housing-repair', 'pothole'],
      write: true,
      changeStatus: true,
      ratePerMinute: 60,
    })
    const [summary] = (await apiKeys().list()).filter((candidate) => candidate.name === 'Fixit job system')
    expect(await auditOf(summary!.id)).toEqual([
      expect.objectContaining({ action: 'api-key.issue', actor_kind: 'staff', actor_id: admin.id }),
    ])
    expect(JSON.stringify(await auditOf(summary!.id))).not.toContain(key)
  })

  it('issues a read-only key for every service at the usual rate', async () => {
    const admin = await administrator()
    await admin.agent.get('/staff/api-keys/new')
    const issued = await admin.agent.post('/staff/api-keys', { name: 'Open data dashboard', services: 'all', serviceCodes: 'pothole', ratePerMinute: '' })
    expect(issued.status).toBe(201)
    expect(await apiKeys().authenticate(issued.page('#api-key').text())).toMatchObject({ services: 'all', write: false, changeStatus: false, ratePerMinute: 120 })
    const list = await admin.agent.get('/staff/api-keys')
    expect(rowFor(list, 'Open data dashboard').slice(1, 4)).toEqual(['All services', 'Read', '120'])
  })

  it('shows each mistake in the error summary and beside its field, keeps what was entered, and issues nothing', async () => {
    const admin = await administrator()
    const before = await keyCount()
    await admin.agent.get('/staff/api-keys/new')

    const first = await admin.agent.post('/staff/api-keys', { name: '', changeStatus: 'yes', ratePerMinute: 'lots' })
    expect(first.status).toBe(400)
    expect(errorSummary(first)).toEqual([
      'Enter a name for the API key',
      'Select ‘All services’ or at least one service',
      'A key can change the status of requests only if it can also send updates',
      'The rate must be a whole number of calls a minute from 1 to 100,000',
    ])
    expect(first.page('.govuk-error-summary a').map((_, link) => first.page(link).attr('href')).get()).toEqual(['#name', '#services', '#changeStatus', '#ratePerMinute'])
    for (const id of ['name', 'services', 'access', 'ratePerMinute']) expect(inlineError(first, id), id).toMatch(/^Error: /)
    expect(first.page('#changeStatus').attr('checked')).toBeDefined()
    expect(first.page('#write').attr('checked')).toBeUndefined()
    expect(first.page('#ratePerMinute').attr('value')).toBe('lots')
    expect(first.page('title').text()).toMatch(/^Error: /)

    const second = await admin.agent.post('/staff/api-keys', { name: 'x'.repeat(101), services: 'chosen', write: 'yes', ratePerMinute: '100001' })
    expect(errorSummary(second)).toEqual([
      'The name must be 100 characters or fewer',
      'Select ‘All services’ or at least one service',
      'The rate must be a whole number of calls a minute from 1 to 100,000',
    ])
    expect(second.page('.govuk-error-summary a').eq(1).attr('href')).toBe('#serviceCodes')
    expect(inlineError(second, 'serviceCodes')).toContain('Select ‘All services’ or at least one service')
    expect(second.page('#name').attr('value')).toBe('x'.repeat(101))
    expect(second.page('input[name="services"][value="chosen"]').attr('checked')).toBeDefined()
    expect(second.page('#write').attr('checked')).toBeDefined()

    const third = await admin.agent.post('/staff/api-keys', { name: 'Fixit', services: 'chosen', serviceCodes: ['pothole', 'no-such-service'], ratePerMinute: '1.5' })
    expect(errorSummary(third)).toEqual(['Select services from the list', 'The rate must be a whole number of calls a minute from 1 to 100,000'])
    expect(third.page('input[name="serviceCodes"][value="pothole"]').attr('checked')).toBeDefined()
    expect(third.page('#name').attr('value')).toBe('Fixit')

    expect(await keyCount()).toBe(before)
  })

  it('refuses every API key page to staff without permission to manage keys', async () => {
    const key = await apiKeys().issue(grant(), { kind: 'system' })
    const { agent } = await signedInStaff(test, ['team-lead'])
    const home = await agent.get('/staff')
    expect(home.body).not.toContain('Manage API keys')
    for (const path of ['/staff/api-keys', '/staff/api-keys/new', `/staff/api-keys/${key.id}/revoke`]) {
      const response = await agent.get(path)
      expect(response.status, path).toBe(403)
      expect(response.page('h1').text()).toBe('You do not have permission to see this page')
    }
    // Posted with a good CSRF token from the home page, so only the missing permission refuses them.
    await agent.get('/staff')
    const before = await keyCount()
    const create = await agent.post('/staff/api-keys', { name: 'Sneaky', services: 'all' })
    expect(create.status).toBe(403)
    expect(create.page('h1').text()).toBe('You do not have permission to see this page')
    const revoke = await agent.post(`/staff/api-keys/${key.id}/revoke`)
    expect(revoke.status).toBe(403)
    expect(await keyCount()).toBe(before)
    expect(await apiKeys().authenticate(key.key)).toMatchObject({ keyId: key.id })

    const visitor = await new Agent(test.app).get('/staff/api-keys')
    expect(visitor.location).toBe('/staff/sign-in?returnTo=%2Fstaff%2Fapi-keys')
  })

  it('asks before revoking a key, then stops it working at once and records who did it', async () => {
    const admin = await administrator()
    const key = await apiKeys().issue(grant({ name: 'Old reporting app' }), { kind: 'system' })
    const confirm = await admin.agent.get(`/staff/api-keys/${key.id}/revoke`)
    expect(confirm.status).toBe(200)
    expect(confirm.page('h1').text().trim()).toBe('Are you sure you want to revoke Old reporting app?')
    expect(confirm.body).toContain('Anything using it will stop working at once')
    expect(confirm.body).toContain(`${key.key.slice(0, 10)}…`)

    const revoked = await admin.agent.post(`/staff/api-keys/${key.id}/revoke`)
    expect(revoked.status).toBe(303)
    expect(revoked.location).toBe('/staff/api-keys')
    const list = await admin.agent.follow(revoked)
    expect(list.page('.govuk-notification-banner').text()).toContain('API key Old reporting app revoked')
    const row = rowFor(list, 'Old reporting app')
    expect(row.at(-1)).toMatch(/^Revoked on \d+ \w+ \d{4}$/)

    await expect(apiKeys().authenticate(key.key)).rejects.toBeInstanceOf(Forbidden)
    expect((await auditOf(key.id)).map((entry) => [entry.action, entry.actor_kind, entry.actor_id])).toEqual([
      ['api-key.issue', 'system', null],
      ['api-key.revoke', 'staff', admin.id],
    ])

    expect((await admin.agent.get(`/staff/api-keys/${key.id}/revoke`)).status).toBe(404)
    await admin.agent.get('/staff/api-keys')
    expect((await admin.agent.post(`/staff/api-keys/${key.id}/revoke`)).status).toBe(404)
  })

  it('shows a page not found for a key that does not exist', async () => {
    const admin = await administrator()
    expect((await admin.agent.get(`/staff/api-keys/${randomUUID()}/revoke`)).status).toBe(404)
    expect((await admin.agent.get('/staff/api-keys/not-a-key/revoke')).status).toBe(404)
  })

  it('refuses the forms posted without their CSRF token and changes nothing', async () => {
    const admin = await administrator()
    const key = await apiKeys().issue(grant(), { kind: 'system' })
    const before = await keyCount()
    await admin.agent.get('/staff/api-keys/new')
    const create = await admin.agent.post('/staff/api-keys', { name: 'Sneaky', services: 'all' }, { csrf: null })
    expect(create.status).toBe(403)
    const revoke = await admin.agent.post(`/staff/api-keys/${key.id}/revoke`, {}, { csrf: 'forged-token' })
    expect(revoke.status).toBe(403)
    expect(await keyCount()).toBe(before)
    expect(await apiKeys().authenticate(key.key)).toMatchObject({ keyId: key.id })
  })
})

describe('using an API key', () => {
  it('tells a key used faster than its rate to wait, and records that it was held back', async () => {
    const key = await apiKeys().issue(grant({ ratePerMinute: 2 }), { kind: 'system' })
    await apiKeys().authenticate(key.key)
    await apiKeys().authenticate(key.key)
    const refusal = await apiKeys().authenticate(key.key).then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(refusal).toBeInstanceOf(TooManyAttempts)
    expect((refusal as TooManyAttempts).retryAt.getTime()).toBeGreaterThan(Date.now())
    expect((await auditOf(key.id)).map((entry) => entry.action)).toContain('api-key.rate-limited')
  })

  it('never writes the key into the audit log of its use', async () => {
    const key = await apiKeys().issue(grant(), { kind: 'system' })
    const client = await apiKeys().authenticate(key.key)
    await apiKeys().recordUse(client, { method: 'GET', path: `/open311/v2/requests.json?api_key=${key.key}&service_code=pothole`, statusCode: 200 })
    await apiKeys().recordUse(client, { method: 'GET', path: `/open311/v2/services.json?api_key=${key.key}&api%5Fkey=${key.key}`, statusCode: 200 })
    const uses = (await auditOf(key.id)).filter((entry) => entry.action === 'api-key.use')
    expect(uses.map((entry) => entry.details)).toEqual([
      { method: 'GET', path: '/open311/v2/requests.json?service_code=pothole', status: 200 },
      { method: 'GET', path: '/open311/v2/services.json', status: 200 },
    ])
    expect(JSON.stringify(uses)).not.toContain(key.key)
  })

  it('takes out every api_key parameter from an address, and nothing else', () => {
    expect(withoutKey('/open311/v2/services.json')).toBe('/open311/v2/services.json')
    expect(withoutKey('/open311/v2/services.json?api_key=secret')).toBe('/open311/v2/services.json')
    expect(withoutKey('/open311/v2/requests.json?api_key=secret&status=open')).toBe('/open311/v2/requests.json?status=open')
    expect(withoutKey('/open311/v2/requests.json?status=open&api_key=secret&service_code=pothole')).toBe('/open311/v2/requests.json?status=open&service_code=pothole')
    expect(withoutKey('/open311/v2/requests.json?api_key=one&api_key=two')).toBe('/open311/v2/requests.json')
    expect(withoutKey('/open311/v2/requests.json?API%5Fkey=kept&api%5fkey=secret&my_api_key=kept')).toBe('/open311/v2/requests.json?API%5Fkey=kept&my_api_key=kept')
  })
})
