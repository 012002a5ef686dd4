import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { createTestApp, testConfig, type TestApp } from '../../support/app.ts'
import { createTestDatabase, type TestDatabase } from '../../support/database.ts'
import { buildApp } from '../../../src/app.ts'
import { createServices } from '../../../src/container.ts'
import { createLogger } from '../../../src/lib/log.ts'
import { queueMessage } from '../../../src/modules/notifications/index.ts'

describe('the demo outbox page', () => {
  let test: TestApp
  beforeAll(async () => {
    test = await createTestApp()
  })
  afterAll(() => test.close())

  it('lists messages newest first, plainly marked not for production, with links to follow', async () => {
    const { db } = test.database
    const first = await queueMessage(db, {
      personId: null,
      channel: 'email',
      recipient: 'first@example.com',
      messageType: 'email-verification',
      personalisation: { name: '<b>Ada</b>', link: 'http://localhost:3000/confirm-email/first-link' },
    })
    await queueMessage(db, { personId: null, channel: 'sms', recipient: '07700900982', messageType: 'mobile-confirmation-code', personalisation: { code: '654321' } })
    await test.services.notifications.sendMessage(first.id)

    const response = await test.app.inject({ url: '/dev/outbox' })
    expect(response.statusCode).toBe(200)
    expect(response.body).toContain('Not for production')
    const recipients = [...response.body.matchAll(/(first@example\.com|07700900982)/g)].map((match) => match[1])
    expect(recipients[0]).toBe('07700900982')
    expect(response.body).toContain('654321 is your Borough of Lower Wendle Council code')
    expect(response.body).toContain('<a class="govuk-link" href="http://localhost:3000/confirm-email/first-link">')
    expect(response.body).toContain('Dear &lt;b&gt;Ada&lt;/b&gt;,')
    expect(response.body).toContain('Sent')
    expect(response.body).toContain('Queued')
  })
})

describe('the demo outbox page outside demo mode', () => {
  let database: TestDatabase
  let app: FastifyInstance
  beforeAll(async () => {
    database = await createTestDatabase()
    const config = { ...testConfig(), demoMode: false }
    const logger = createLogger('silent')
    app = await buildApp({ config, db: database.db, logger, services: createServices({ config, db: database.db, logger }), cookieSecret: config.sessionSecret! })
    await app.ready()
  })
  afterAll(async () => {
    await app.close()
    await database.destroy()
  })

  it('does not exist', async () => {
    const response = await app.inject({ url: '/dev/outbox' })
    expect(response.statusCode).toBe(404)
    expect(response.body).toContain('Page not found')
  })
})
