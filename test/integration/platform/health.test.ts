import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, testConfig, type TestApp } from '../../support/app.ts'
import { buildApp } from '../../../src/app.ts'
import { createServices } from '../../../src/container.ts'
import { connectDatabase } from '../../../src/lib/database/connection.ts'
import { createLogger } from '../../../src/lib/log.ts'
import { Agent } from '../../support/agent.ts'

describe('the platform shell', () => {
  let test: TestApp
  beforeAll(async () => {
    test = await createTestApp()
  })
  afterAll(() => test.close())

  it('reports a healthy database on /health', async () => {
    const response = await test.app.inject({ url: '/health' })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ status: 'ok', database: 'up' })
  })

  it('shows the council name, not GOV.UK, and a strict content security policy', async () => {
    const response = await new Agent(test.app).get('/')
    expect(response.page('.govuk-generic-header__homepage-link').text().trim()).toBe(test.config.council.name)
    expect(response.body).not.toContain('govuk-logo')
    const policy = String(response.headers['content-security-policy'])
    expect(policy).toMatch(/script-src 'self' 'nonce-[0-9a-f]+'/)
    expect(policy).not.toContain('unsafe-inline')
    const nonce = /nonce-([0-9a-f]+)/.exec(policy)![1]
    expect(response.page('script:not([src])').attr('nonce')).toBe(nonce)
  })

  it('answers an unknown page with the GOV.UK page-not-found pattern', async () => {
    const response = await new Agent(test.app).get('/no-such-page')
    expect(response.status).toBe(404)
    expect(response.page('h1').text()).toBe('Page not found')
  })
})

describe('health when the database is down', () => {
  it('answers 503', async () => {
    const config = testConfig()
    const logger = createLogger('silent')
    const { db } = connectDatabase('postgres://nobody:nothing@127.0.0.1:9/none', 1)
    const app = await buildApp({ config, db, logger, services: createServices({ config, db, logger }), cookieSecret: config.sessionSecret! })
    const response = await app.inject({ url: '/health' })
    expect(response.statusCode).toBe(503)
    expect(response.json()).toEqual({ status: 'unavailable', database: 'down' })
    await app.close()
    await db.destroy()
  })
})
