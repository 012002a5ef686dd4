import autocannon from 'autocannon'
import { buildApp } from '../src/app.ts'
import { createServices } from '../src/container.ts'
import { generateDemoPlaces } from '../src/demo/places.ts'
import { csrfCookieName } from '../src/lib/http/security.ts'
import { createLogger } from '../src/lib/log.ts'
import { formDrafts } from '../src/modules/catalogue/form-drafts.ts'
import { Agent } from '../test/support/agent.ts'
import { sessionCookie, signedInResident } from '../test/support/places.ts'
import { benchmarkConfig, benchmarkDatabase } from './places-database.ts'

/**
 * Repair submissions per second: the last step of reporting a housing repair, the POST of "Check
 * your answers", which claims the tenant's draft and makes the request (priority, job, target and
 * its first timeline event) in one transaction. Every tenant is signed in, linked to their tenancy
 * and has a finished draft, and each submits once with their own session and CSRF token, as a
 * browser would. One tenant answers every page over HTTP first; the others' drafts are that same
 * draft, saved through the form drafts the pages use, so only the final POST is measured.
 */
const tenantsWanted = 1_500
/** A fifth of the tenants submit one at a time, then the rest ten at once. */
const phases = [
  { connections: 1, share: 0.2 },
  { connections: 10, share: 0.8 },
]
const service = 'housing-repair'
const base = `/services/${service}`

/** The answers a tenant gives, page by page: a dripping kitchen tap, updates by email. */
const journeyAnswers: Record<string, Record<string, string>> = {
  gas: { gas: 'no' },
  emergency: { emergency: 'none' },
  where: { where: 'own-home' },
  area: { area: 'kitchen' },
  'kitchen-problem': { 'kitchen-problem': 'taps' },
  'kitchen-tap': { 'kitchen-tap': 'dripping' },
  description: { description: 'The cold tap in the kitchen drips all night and has got worse this week.' },
  photos: {},
  access: { access: 'Please knock loudly: the doorbell does not work.' },
  'contact-method': { 'contact-method': 'email' },
  email: { email: 'tenant@example.com' },
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? 0
}

async function inTurns<T, R>(items: readonly T[], workers: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = []
  let next = 0
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < items.length) {
        const index = next++
        results[index] = await work(items[index]!)
      }
    }),
  )
  return results
}

const database = await benchmarkDatabase()
try {
  const { db } = database
  const config = benchmarkConfig(database.connectionString)
  const logger = createLogger('silent')
  const services = createServices({ config, db, logger })
  const places = generateDemoPlaces()
  await services.places.importAddresses([places.addressesCsv])
  await services.places.importTenancies([places.tenanciesCsv])
  await services.catalogue.seedDefinitions()
  await services.identity.staff.ensureTeam('housing-repairs', 'Housing repairs')

  const app = await buildApp({ config, db, logger, services, cookieSecret: config.sessionSecret! })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })

  const tenancies = await db
    .selectFrom('tenancies')
    .innerJoin('tenants', 'tenants.tenancy_id', 'tenancies.id')
    .innerJoin('properties', 'properties.uprn', 'tenancies.uprn')
    .distinctOn('tenancies.reference')
    .select(['tenancies.reference', 'properties.postcode', 'tenants.given_name', 'tenants.family_name', 'tenants.date_of_birth'])
    .where('tenancies.end_date', 'is', null)
    .orderBy('tenancies.reference')
    .limit(tenantsWanted)
    .execute()
  const tenants = await inTurns(tenancies, 10, async (tenancy) => {
    const resident = await signedInResident(db, { givenName: tenancy.given_name, familyName: tenancy.family_name })
    const [year, month, day] = tenancy.date_of_birth.split('-')
    await services.places.linkTenancy(resident.personId, { reference: tenancy.reference, postcode: tenancy.postcode, day, month, year })
    return resident
  })

  // The first tenant answers every page over HTTP, as a person does.
  const first = new Agent(app)
  first.setCookie(sessionCookie, tenants[0]!.sessionToken)
  let page = `${base}/gas`
  while (!page.endsWith('/check-answers')) {
    const pageId = page.slice(base.length + 1)
    const fields = journeyAnswers[pageId]
    if (!fields) throw new Error(`The journey asked a page this benchmark does not answer: ${page}`)
    const answered = await first.submit(page, fields)
    if (answered.status !== 303 || !answered.location) throw new Error(`Answering ${page} gave ${answered.status}`)
    page = answered.location
  }
  const drafts = formDrafts(db)
  const ownForm = (personId: string) => ({ personId, serviceCode: service, assistedByStaffId: null })
  const draft = await drafts.find(ownForm(tenants[0]!.personId))
  if (!draft) throw new Error('The journey left no draft')
  await inTurns(tenants.slice(1), 10, (tenant) => drafts.save(ownForm(tenant.personId), draft))

  // Each tenant opens "Check your answers", which gives them the CSRF cookie and token to send with it.
  const submissions = await inTurns(tenants, 10, async (tenant) => {
    const agent = new Agent(app)
    agent.setCookie(sessionCookie, tenant.sessionToken)
    const check = await agent.get(`${base}/check-answers`)
    const token = check.page('input[name="_csrf"]').attr('value')
    if (check.status !== 200 || !token) throw new Error(`Check your answers gave ${check.status}`)
    return {
      cookie: `${sessionCookie}=${tenant.sessionToken}; ${csrfCookieName}=${agent.cookie(csrfCookieName)}`,
      body: new URLSearchParams({ _csrf: token }).toString(),
    }
  })

  // One tenant at a time gives the latency of a submission; ten at once, the rate the server keeps up.
  console.log(`POST ${base}/check-answers over HTTP: ${submissions.length.toLocaleString('en-GB')} tenants, each submitting once`)
  const milliseconds = (value: number) => `${value.toFixed(1)} ms`
  let firstOfPhase = 0
  for (const { connections, share } of phases) {
    const amount = Math.round(submissions.length * share)
    const phase = submissions.slice(firstOfPhase, firstOfPhase + amount)
    firstOfPhase += amount
    let next = 0
    const latencies: number[] = []
    const statuses = new Map<number, number>()
    const started = performance.now()
    const instance = autocannon({
      url,
      connections,
      amount: phase.length,
      requests: [
        {
          method: 'POST',
          path: `${base}/check-answers`,
          setupRequest: (request) => {
            const submission = phase[next++ % phase.length]!
            return { ...request, headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: submission.cookie }, body: submission.body }
          },
        },
      ],
    })
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      statuses.set(statusCode, (statuses.get(statusCode) ?? 0) + 1)
      latencies.push(responseTime)
    })
    const result = await instance
    const seconds = (performance.now() - started) / 1000
    latencies.sort((a, b) => a - b)
    const sent = [...statuses.values()].reduce((sum, count) => sum + count, 0)
    const succeeded = [...statuses].filter(([status]) => status >= 200 && status < 400).reduce((sum, [, count]) => sum + count, 0)
    console.log(`  ${connections} connection${connections === 1 ? '' : 's'}: ${(sent / seconds).toFixed(0)} submissions per second (${sent.toLocaleString('en-GB')} in ${seconds.toFixed(2)} s)`)
    console.log(`    latency p50 ${milliseconds(percentile(latencies, 0.5))}, p95 ${milliseconds(percentile(latencies, 0.95))}, p99 ${milliseconds(percentile(latencies, 0.99))}, max ${milliseconds(latencies.at(-1) ?? 0)}`)
    console.log(`    responses: ${[...statuses].map(([status, count]) => `${status} × ${count}`).join(', ')}; not 2xx or 3xx: ${sent - succeeded}; errors ${result.errors}`)
  }
  await app.close()

  const made = await db
    .selectFrom('requests')
    .select(['person_id', (count) => count.fn.countAll<string>().as('requests')])
    .where('service_code', '=', service)
    .groupBy('person_id')
    .execute()
  const exactlyOne = made.filter((row) => Number(row.requests) === 1).length
  const leftOver = await db.selectFrom('form_drafts').select('person_id').where('service_code', '=', service).execute()

  console.log(`Requests made: ${made.reduce((sum, row) => sum + Number(row.requests), 0)} by ${made.length} tenants; exactly one each: ${exactlyOne} of ${submissions.length}; drafts left: ${leftOver.length}`)
} finally {
  await database.close()
}
