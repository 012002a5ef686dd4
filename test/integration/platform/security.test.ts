import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../../src/app.ts'
import { createServices } from '../../../src/container.ts'
import { createLogger } from '../../../src/lib/log.ts'
import { Agent, type AgentResponse } from '../../support/agent.ts'
import { testConfig } from '../../support/app.ts'
import { createTestDatabase, type TestDatabase } from '../../support/database.ts'

const failureMessage = 'the ledger table exploded at line 42'

/**
 * The real application, plus two routes only these tests have: one that puts something in the
 * session (no public page writes a session without signing in) and one that fails.
 */
async function buildSecurityTestApp(database: TestDatabase, environment: Record<string, string> = {}): Promise<FastifyInstance> {
  const config = testConfig(environment)
  const logger = createLogger('silent')
  const services = createServices({ config, db: database.db, logger })
  const app = await buildApp({ config, db: database.db, logger, services, cookieSecret: config.sessionSecret! })
  app.get('/test-only/remember-me', async (request, reply) => {
    request.session.set('remembered', true)
    return reply.send('remembered')
  })
  const fail = async () => {
    throw new Error(failureMessage)
  }
  app.get('/test-only/failure', fail)
  app.get('/api/v1/test-only/failure', fail)
  await app.ready()
  return app
}

function setCookieHeader(response: AgentResponse, name: string): string {
  const header = [response.headers['set-cookie'] ?? []].flat().map(String).find((cookie) => cookie.startsWith(`${name}=`))
  if (!header) throw new Error(`No ${name} cookie was set`)
  return header
}

function cookieAttributes(header: string): string[] {
  return header
    .split(';')
    .slice(1)
    .map((attribute) => attribute.trim().toLowerCase())
}

function expectNoStackTrace(body: string) {
  expect(body).not.toContain(failureMessage)
  expect(body).not.toMatch(/\bat .+\.(ts|js):\d+:\d+/)
  expect(body).not.toMatch(/\/src\/|node_modules/)
}

describe('security of the platform shell', () => {
  let database: TestDatabase
  let app: FastifyInstance
  let secureApp: FastifyInstance

  beforeAll(async () => {
    database = await createTestDatabase()
    app = await buildSecurityTestApp(database)
    secureApp = await buildSecurityTestApp(database, { COOKIE_SECURE: 'true' })
  })
  afterAll(async () => {
    await app?.close()
    await secureApp?.close()
    await database?.destroy()
  })

  describe('headers', () => {
    it('sends a strict content security policy with a fresh nonce and no inline allowances', async () => {
      const first = await new Agent(app).get('/')
      const second = await new Agent(app).get('/')
      const policy = String(first.headers['content-security-policy'])
      const directives = Object.fromEntries(
        policy.split(';').map((directive) => {
          const [name, ...values] = directive.trim().split(/\s+/)
          return [name, values.join(' ')]
        }),
      )
      expect(directives['default-src']).toBe("'self'")
      expect(directives['script-src']).toMatch(/^'self' 'nonce-[0-9a-f]+'$/)
      expect(directives['style-src']).toMatch(/^'self'( 'nonce-[0-9a-f]+')?$/)
      expect(directives['frame-ancestors']).toBe("'none'")
      expect(directives['object-src']).toBe("'none'")
      expect(directives['form-action']).toBe("'self'")
      expect(policy).not.toContain('unsafe-inline')
      expect(policy).not.toContain('unsafe-eval')
      expect(String(second.headers['content-security-policy'])).not.toBe(policy)
    })

    it('forbids sniffing, framing and leaking the address to other sites, on pages and on errors alike', async () => {
      for (const url of ['/', '/no-such-page', '/test-only/failure', '/api/v1/no-such-thing']) {
        const response = await new Agent(app).get(url)
        expect(response.headers['x-content-type-options'], url).toBe('nosniff')
        expect(response.headers['referrer-policy'], url).toBe('same-origin')
        expect(String(response.headers['content-security-policy']), url).toContain("frame-ancestors 'none'")
        expect(response.headers['x-frame-options'], url).toBe('DENY')
        expect(response.headers['x-powered-by'], url).toBeUndefined()
      }
    })

    it('insists on HTTPS only when cookies are secure', async () => {
      const plain = await new Agent(app).get('/')
      expect(plain.headers['strict-transport-security']).toBeUndefined()
      const secure = await new Agent(secureApp).get('/')
      expect(String(secure.headers['strict-transport-security'])).toMatch(/max-age=31536000; includeSubDomains/)
      expect(String(secure.headers['content-security-policy'])).toContain('upgrade-insecure-requests')
    })
  })

  describe('CSRF protection on real forms', () => {
    for (const form of ['/sign-in', '/find-an-address/manual']) {
      it(`refuses ${form} without the token from its page`, async () => {
        const person = new Agent(app)
        await person.get(form)
        const response = await person.post(form, {}, { csrf: null })
        expect(response.status).toBe(403)
        expect(response.page('h1').text()).toBe('Your form could not be sent')
      })

      it(`refuses ${form} with a token taken from another visitor`, async () => {
        const attackerPage = await new Agent(app).get(form)
        const attackerToken = attackerPage.page('input[name="_csrf"]').first().attr('value')
        expect(attackerToken).toBeTruthy()
        const person = new Agent(app)
        await person.get(form)
        const response = await person.post(form, {}, { csrf: attackerToken })
        expect(response.status).toBe(403)
      })

      it(`accepts ${form} with the token from its page`, async () => {
        const person = new Agent(app)
        await person.get(form)
        const response = await person.post(form, {})
        expect(response.status).not.toBe(403)
        expect(response.page('h1').text()).not.toBe('Your form could not be sent')
      })
    }
  })

  describe('errors', () => {
    it('answers a missing page with the GOV.UK page-not-found pattern inside the council layout', async () => {
      const response = await new Agent(app).get('/no-such-page')
      expect(response.status).toBe(404)
      expect(String(response.headers['content-type'])).toMatch(/^text\/html/)
      expect(response.page('title').text()).toMatch(/^Page not found – /)
      expect(response.page('h1').text()).toBe('Page not found')
      expect(response.page('.govuk-footer a[href="/accessibility"]')).toHaveLength(1)
    })

    it('answers a form sent to an address with no page as not found, not as an expired form', async () => {
      const response = await app.inject({ method: 'POST', url: '/no-such-page', payload: { anything: 'at all' } })
      expect(response.statusCode).toBe(404)
      expect(response.body).toContain('Page not found')
    })

    it('answers a failure with the GOV.UK problem-with-the-service page and no stack trace', async () => {
      const response = await new Agent(app).get('/test-only/failure')
      expect(response.status).toBe(500)
      expect(String(response.headers['content-type'])).toMatch(/^text\/html/)
      expect(response.page('h1').text()).toBe('Sorry, there is a problem with the service')
      expectNoStackTrace(response.body)
    })

    it('answers a missing API address with application/problem+json', async () => {
      const response = await app.inject({ url: '/api/v1/no-such-thing' })
      expect(response.statusCode).toBe(404)
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
      expect(response.json()).toMatchObject({ status: 404, title: 'Not found' })
    })

    it('answers an API failure with application/problem+json and no stack trace', async () => {
      const response = await app.inject({ url: '/api/v1/test-only/failure' })
      expect(response.statusCode).toBe(500)
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
      expect(response.json()).toMatchObject({ status: 500 })
      expectNoStackTrace(response.body)
    })
  })

  describe('cookies', () => {
    it('keeps the session cookie from scripts and other sites', async () => {
      const response = await new Agent(app).get('/test-only/remember-me')
      const attributes = cookieAttributes(setCookieHeader(response, 'guildhall_session'))
      expect(attributes).toContain('httponly')
      expect(attributes).toContain('samesite=lax')
      expect(attributes).toContain('path=/')
      expect(attributes).not.toContain('secure')
    })

    it('marks the session and CSRF cookies Secure when COOKIE_SECURE is true', async () => {
      const person = new Agent(secureApp)
      const session = await person.get('/test-only/remember-me')
      expect(cookieAttributes(setCookieHeader(session, 'guildhall_session'))).toEqual(
        expect.arrayContaining(['httponly', 'samesite=lax', 'secure']),
      )
      const form = await person.get('/sign-in')
      expect(cookieAttributes(setCookieHeader(form, 'guildhall_csrf'))).toEqual(expect.arrayContaining(['httponly', 'samesite=lax', 'secure']))
    })

    it('keeps the CSRF cookie HttpOnly and SameSite=Lax', async () => {
      const form = await new Agent(app).get('/sign-in')
      const attributes = cookieAttributes(setCookieHeader(form, 'guildhall_csrf'))
      expect(attributes).toEqual(expect.arrayContaining(['httponly', 'samesite=lax']))
      expect(attributes).not.toContain('secure')
    })

    it('stores only a hash of the session token, so a stolen database copy cannot be replayed', async () => {
      const person = new Agent(app)
      await person.get('/test-only/remember-me')
      const token = person.cookie('guildhall_session')!
      const rows = await database.db.selectFrom('sessions').select('id').execute()
      expect(rows.length).toBeGreaterThan(0)
      expect(rows.map((row) => row.id)).not.toContain(token)
    })
  })
})
