import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../support/database.ts'
import { testConfig } from '../../support/app.ts'
import { buildApp } from '../../../src/app.ts'
import { createServices } from '../../../src/container.ts'
import { createLogger } from '../../../src/lib/log.ts'
import type { FastifyInstance } from 'fastify'

/** Encodes fields and one file as a browser would send a multipart form. */
async function multipart(fields: Record<string, string>, file?: { name: string; content: Buffer }) {
  const form = new FormData()
  for (const [name, value] of Object.entries(fields)) form.append(name, value)
  if (file) form.append('photo', new Blob([new Uint8Array(file.content)], { type: 'image/png' }), file.name)
  const response = new Response(form)
  return { payload: Buffer.from(await response.arrayBuffer()), contentType: response.headers.get('content-type')! }
}

describe('CSRF protection on multipart forms (photo uploads)', () => {
  let database: TestDatabase
  let app: FastifyInstance
  let received: unknown[] = []

  beforeAll(async () => {
    database = await createTestDatabase()
    const config = testConfig()
    const logger = createLogger('silent')
    app = await buildApp({ config, db: database.db, logger, services: createServices({ config, db: database.db, logger }), cookieSecret: config.sessionSecret! })
    app.get('/upload-form', async (_request, reply) => reply.send({ token: reply.generateCsrf() }))
    app.post('/upload', async (request) => {
      received.push(request.body)
      return { ok: true }
    })
    await app.ready()
  })
  afterAll(async () => {
    await app.close()
    await database.destroy()
  })

  async function formToken() {
    const response = await app.inject({ url: '/upload-form' })
    const cookie = String(response.headers['set-cookie']).split(';')[0]!
    return { cookie, token: (response.json() as { token: string }).token }
  }

  it('accepts a multipart form carrying the token from its page', async () => {
    received = []
    const { cookie, token } = await formToken()
    const body = await multipart({ _csrf: token, description: 'Broken tap' }, { name: 'tap.png', content: Buffer.from('png') })
    const response = await app.inject({ method: 'POST', url: '/upload', headers: { cookie, 'content-type': body.contentType }, payload: body.payload })
    expect(response.statusCode).toBe(200)
    expect(received).toHaveLength(1)
  })

  it('refuses a multipart form without the token and never runs the handler', async () => {
    received = []
    const { cookie } = await formToken()
    const body = await multipart({ description: 'Broken tap' }, { name: 'tap.png', content: Buffer.from('png') })
    const response = await app.inject({ method: 'POST', url: '/upload', headers: { cookie, 'content-type': body.contentType }, payload: body.payload })
    expect(response.statusCode).toBe(403)
    expect(received).toHaveLength(0)
  })

  it('refuses a token taken from another visitor', async () => {
    received = []
    const mine = await formToken()
    const theirs = await formToken()
    const body = await multipart({ _csrf: theirs.token, description: 'Broken tap' })
    const response = await app.inject({ method: 'POST', url: '/upload', headers: { cookie: mine.cookie, 'content-type': body.contentType }, payload: body.payload })
    expect(response.statusCode).toBe(403)
    expect(received).toHaveLength(0)
  })
})
