import autocannon from 'autocannon'
import { CompiledQuery, Kysely, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import { buildApp } from '../src/app.ts'
import { createServices } from '../src/container.ts'
import type { Database } from '../src/database.ts'
import { demoStaff, demoStaffPassword, loadDemoAccounts } from '../src/demo/accounts.ts'
import { generateDemoPlaces } from '../src/demo/places.ts'
import { SeededRandom } from '../src/demo/random.ts'
import { sessionCookieName } from '../src/lib/http/sessions.ts'
import { createLogger } from '../src/lib/log.ts'
import type { Job } from '../src/modules/catalogue/index.ts'
import { generateReference, type Priority, type RequestStatus } from '../src/modules/requests/index.ts'
import { readQueueFilters, staffRequestQueries } from '../src/modules/requests/queue.ts'
import { Agent } from '../test/support/agent.ts'
import { benchmarkConfig, benchmarkDatabase } from './places-database.ts'

/**
 * The staff queue with 100,000 requests in the database: a team lead's GET /staff/requests over
 * real HTTP, with the default filters (open work, soonest target first) and with the filters
 * officers use most. The requests are spread over 120 days, as a large council's repairs and
 * missed bins would be: mostly finished, with this month's work still open. They are written
 * straight into the tables in a few statements (the queue only reads them), then analysed.
 * Also prints the query plans of the default view, and the queue's database time on its own.
 */
const requestCount = 100_000
const propertyCount = 20_000
const peopleCount = 60_000
const officersPerTeam = { 'housing-repairs': 24, waste: 8 }
const durationSeconds = 10
const connectionCounts = [1, 10]
const views = [
  { name: 'default: open work by target', path: '/staff/requests' },
  { name: 'overdue', path: '/staff/requests?overdue=yes' },
  { name: 'my team', path: '/staff/requests?owner=my-team' },
  { name: 'one ward', path: '/staff/requests?ward=LWW05' },
  { name: 'by priority', path: '/staff/requests?sort=priority' },
]

const hour = 3_600_000
const day = 24 * hour
const targetHours: Record<Priority, number> = { immediate: 2, emergency: 24, urgent: 7 * 24, routine: 28 * 24 }
const binTargetHours: Record<Priority, number> = { immediate: 2, emergency: 24, urgent: 24, routine: 3 * 24 }
const holdReasons = ['awaiting-resident', 'resident-asked-to-wait', 'awaiting-materials', 'awaiting-specialist', 'awaiting-other-work']
const closureReasons = ['completed', 'completed', 'completed', 'completed', 'completed', 'completed', 'duplicate', 'no-further-action', 'withdrawn', 'not-councils-responsibility']

/** Where requests end up by their age in days: a day's reports are nearly all open, last quarter's nearly all closed. */
const statusWeights: { olderThanDays: number; weights: Record<RequestStatus, number> }[] = [
  { olderThanDays: 30, weights: { reported: 0.5, triaged: 1, scheduled: 1.5, 'in-progress': 1, 'no-access': 0.5, 'on-hold': 1.5, completed: 4, cancelled: 5, closed: 85 } },
  { olderThanDays: 3, weights: { reported: 3, triaged: 7, scheduled: 15, 'in-progress': 8, 'no-access': 3, 'on-hold': 6, completed: 15, cancelled: 5, closed: 38 } },
  { olderThanDays: 0, weights: { reported: 30, triaged: 25, scheduled: 25, 'in-progress': 10, 'no-access': 0, 'on-hold': 0, completed: 5, cancelled: 2, closed: 3 } },
]
const priorityWeights: Record<Priority, number> = { immediate: 1, emergency: 9, urgent: 30, routine: 60 }

function weighted<T extends string>(random: SeededRandom, weights: Record<T, number>): T {
  const entries = Object.entries(weights) as [T, number][]
  let roll = random.next() * entries.reduce((sum, [, weight]) => sum + weight, 0)
  for (const [value, weight] of entries) {
    roll -= weight
    if (roll < 0) return value
  }
  return entries.at(-1)![0]
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? 0
}

const milliseconds = (value: number) => `${value.toFixed(1)} ms`

const database = await benchmarkDatabase()
try {
  const { db } = database
  const config = benchmarkConfig(database.connectionString)
  const logger = createLogger('silent')
  const services = createServices({ config, db, logger })
  const places = generateDemoPlaces({ properties: propertyCount })
  await services.places.importAddresses([places.addressesCsv])
  await services.catalogue.seedDefinitions()
  await loadDemoAccounts(services)

  const fillStarted = performance.now()
  const teams = new Map((await services.identity.staff.teams()).map((team) => [team.code, team.id]))
  const contractorId = (await services.identity.staff.contractors())[0]!.id
  const officers: Record<string, string[]> = {}
  for (const [team, count] of Object.entries(officersPerTeam)) {
    const made = await sql<{ id: string }>`
      with officer as (
        insert into staff_members (name, email)
        select ${team} || ' officer ' || n, ${team} || '.officer.' || n || '@lowerwendle.example' from generate_series(1, ${count}::int) as n
        returning id
      )
      insert into team_memberships (staff_member_id, team_id) select id, ${teams.get(team)!}::uuid from officer returning staff_member_id as id`.execute(db)
    officers[team] = made.rows.map((row) => row.id)
  }
  const lead = await db.selectFrom('staff_members').select('id').where('email', '=', demoStaff[1].email).executeTakeFirstOrThrow()
  officers['housing-repairs']!.push(lead.id)

  const people = await sql<{ id: string }>`
    insert into people (given_name, family_name) select 'Resident', 'Number ' || n from generate_series(1, ${peopleCount}::int) as n returning id`.execute(db)
  const personIds = people.rows.map((row) => row.id)
  const homes = (await db.selectFrom('properties').select('uprn').where('is_council_housing', '=', true).execute()).map((row) => Number(row.uprn))

  const versions = new Map((await services.catalogue.listServices()).map((service) => [service.code, service.versionId]))
  const repairDefinition = (await services.catalogue.currentDefinition('housing-repair'))!.definition
  const jobs: Job[] = repairDefinition.questions.flatMap((question) => ('options' in question ? question.options.flatMap((option) => (option.job ? [option.job] : [])) : []))

  const random = new SeededRandom(100_000)
  const now = Date.now()
  const columns = {
    reference: [] as string[],
    service_code: [] as string[],
    definition_version_id: [] as string[],
    person_id: [] as string[],
    property_uprn: [] as (number | null)[],
    channel: [] as string[],
    status: [] as string[],
    resume_to: [] as (string | null)[],
    hold_reason: [] as (string | null)[],
    closure_reason: [] as (string | null)[],
    closed_at: [] as (Date | null)[],
    priority: [] as string[],
    job_code: [] as (string | null)[],
    trade: [] as (string | null)[],
    target_at: [] as (Date | null)[],
    assigned_team_id: [] as string[],
    assigned_staff_id: [] as (string | null)[],
    assigned_contractor_id: [] as (string | null)[],
    created_at: [] as Date[],
  }
  const references = new Set<string>()
  while (references.size < requestCount) references.add(generateReference())
  // Oldest first, as a live table fills, so this month's mostly open work lies together on disk.
  const createdTimes = Array.from({ length: requestCount }, () => now - 120 * day * random.next() ** 1.15).sort((a, b) => a - b)
  for (const [index, reference] of [...references].entries()) {
    const isRepair = random.chance(0.8)
    const createdAt = createdTimes[index]!
    const ageDays = (now - createdAt) / day
    const status = weighted(random, statusWeights.find((band) => ageDays > band.olderThanDays)!.weights)
    const job = isRepair ? random.pick(jobs) : null
    const priority: Priority = job ? (random.chance(0.15) ? weighted(random, priorityWeights) : job.priority) : random.chance(0.08) ? 'urgent' : 'routine'
    const team = isRepair ? 'housing-repairs' : 'waste'
    const onHold = status === 'on-hold'
    const closed = status === 'closed'
    const worked = status !== 'reported'
    columns.reference.push(reference)
    columns.service_code.push(isRepair ? 'housing-repair' : 'missed-bin')
    columns.definition_version_id.push(versions.get(isRepair ? 'housing-repair' : 'missed-bin')!)
    columns.person_id.push(random.pick(personIds))
    // As the web form makes them: a repair is at the tenant's home, a missed bin is a point on the map.
    columns.property_uprn.push(isRepair ? random.pick(homes) : null)
    columns.channel.push(random.chance(0.25) ? 'phone' : 'web')
    columns.status.push(status)
    columns.resume_to.push(onHold ? random.pick(['triaged', 'scheduled', 'in-progress']) : null)
    const holdReason = onHold ? random.pick(holdReasons) : null
    columns.hold_reason.push(holdReason)
    columns.closure_reason.push(closed ? random.pick(closureReasons) : null)
    columns.closed_at.push(closed ? new Date(Math.min(now, createdAt + random.integer(1, 30) * day)) : null)
    columns.priority.push(priority)
    columns.job_code.push(job?.code ?? null)
    columns.trade.push(job?.trade ?? null)
    const clockStopped = holdReason === 'awaiting-resident' || holdReason === 'resident-asked-to-wait'
    columns.target_at.push(clockStopped ? null : new Date(createdAt + (isRepair ? targetHours : binTargetHours)[priority] * hour))
    columns.assigned_team_id.push(teams.get(team)!)
    columns.assigned_staff_id.push(worked && random.chance(0.8) ? random.pick(officers[team]!) : null)
    columns.assigned_contractor_id.push(isRepair && worked && random.chance(0.4) ? contractorId : null)
    columns.created_at.push(new Date(createdAt))
  }

  const batch = 20_000
  for (let start = 0; start < requestCount; start += batch) {
    const slice = <T>(values: T[]) => values.slice(start, start + batch)
    await sql`
      insert into requests (reference, service_code, definition_version_id, person_id, property_uprn, channel, status, resume_to, hold_reason,
        closure_reason, closed_at, priority, job_code, trade, target_at, regimes, assigned_team_id, assigned_staff_id, assigned_contractor_id,
        created_at, updated_at)
      select reference, service_code, definition_version_id, person_id, property_uprn, channel, status, resume_to, hold_reason,
        closure_reason, closed_at, priority, job_code, trade, target_at,
        case when trade = 'damp-and-mould' then array['awaabs-law'] else array[]::text[] end,
        assigned_team_id, assigned_staff_id, assigned_contractor_id, created_at, coalesce(closed_at, created_at)
      from unnest(
        ${slice(columns.reference)}::text[], ${slice(columns.service_code)}::text[], ${slice(columns.definition_version_id)}::uuid[],
        ${slice(columns.person_id)}::uuid[], ${slice(columns.property_uprn)}::bigint[], ${slice(columns.channel)}::text[],
        ${slice(columns.status)}::text[], ${slice(columns.resume_to)}::text[], ${slice(columns.hold_reason)}::text[],
        ${slice(columns.closure_reason)}::text[], ${slice(columns.closed_at)}::timestamptz[], ${slice(columns.priority)}::text[],
        ${slice(columns.job_code)}::text[], ${slice(columns.trade)}::text[], ${slice(columns.target_at)}::timestamptz[],
        ${slice(columns.assigned_team_id)}::uuid[], ${slice(columns.assigned_staff_id)}::uuid[], ${slice(columns.assigned_contractor_id)}::uuid[],
        ${slice(columns.created_at)}::timestamptz[]
      ) as row(reference, service_code, definition_version_id, person_id, property_uprn, channel, status, resume_to, hold_reason,
        closure_reason, closed_at, priority, job_code, trade, target_at, assigned_team_id, assigned_staff_id, assigned_contractor_id, created_at)`.execute(db)
  }
  // A live database has been vacuumed by autovacuum, which lets counts read the indexes alone.
  await sql`vacuum analyze`.execute(db)
  const shape = await sql<{ open: string; overdue: string }>`
    select count(*) filter (where status not in ('completed', 'cancelled', 'closed')) as open,
           count(*) filter (where status not in ('completed', 'cancelled', 'closed') and target_at < now()) as overdue
    from requests`.execute(db)
  console.log(
    `Filled in ${((performance.now() - fillStarted) / 1000).toFixed(1)} s: ${requestCount.toLocaleString('en-GB')} requests over 120 days ` +
      `(${Number(shape.rows[0]!.open).toLocaleString('en-GB')} open, ${Number(shape.rows[0]!.overdue).toLocaleString('en-GB')} of them overdue), ` +
      `${homes.length.toLocaleString('en-GB')} council homes in 12 wards, ${officers['housing-repairs']!.length + officers.waste!.length} officers`,
  )

  // The plans of the default view's queries (the count by priority, the page, the filters' choices), captured as the queue runs them.
  const captured: CompiledQuery[] = []
  const capturingPool = new pg.Pool({ connectionString: database.connectionString, max: 1 })
  const capturing = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: capturingPool }),
    log: (event) => {
      if (event.level === 'query') captured.push(event.query)
    },
  })
  await staffRequestQueries(capturing).queue(readQueueFilters({}), { staffId: lead.id, now: new Date() })
  await staffRequestQueries(capturing).filterChoices()
  await capturing.destroy()
  for (const query of captured) {
    const plan = await db.executeQuery<Record<string, string>>(CompiledQuery.raw(`explain (analyze, buffers) ${query.sql}`, [...query.parameters]))
    console.log(`\nEXPLAIN ANALYZE, default view: ${query.sql.slice(0, 60).replace(/\s+/g, ' ')}…`)
    for (const row of plan.rows) console.log(`  ${Object.values(row)[0]}`)
  }

  const app = await buildApp({ config, db, logger, services, cookieSecret: config.sessionSecret! })
  await app.ready()
  const teamLead = new Agent(app)
  const signedIn = await teamLead.submit('/staff/sign-in', { email: demoStaff[1].email, password: demoStaffPassword })
  if (signedIn.location !== '/staff') throw new Error(`The team lead could not sign in (${signedIn.status})`)
  const headers = { cookie: `${sessionCookieName}=${teamLead.cookie(sessionCookieName)}` }
  for (const view of views) {
    const page = await teamLead.get(view.path)
    if (page.status !== 200) throw new Error(`${view.path} gave ${page.status}`)
    console.log(`\n${view.name} (${view.path}): ${page.page('table.app-queue tbody tr').length} rows on the first page`)
  }
  const url = await app.listen({ port: 0, host: '127.0.0.1' })

  console.log(`\nGET /staff/requests over HTTP as a team lead, ${durationSeconds} s per view and connection count`)
  for (const view of views) {
    for (const connections of connectionCounts) {
      const latencies: number[] = []
      const instance = autocannon({ url, connections, duration: durationSeconds, requests: [{ method: 'GET', path: view.path, headers }] })
      instance.on('response', (_client, statusCode, _bytes, responseTime) => {
        if (statusCode === 200) latencies.push(responseTime)
      })
      const result = await instance
      latencies.sort((a, b) => a - b)
      console.log(
        `  ${view.name}, ${connections} connection${connections === 1 ? '' : 's'}: ${Math.round(result.requests.average)}/s, ` +
          `p50 ${milliseconds(percentile(latencies, 0.5))}, p95 ${milliseconds(percentile(latencies, 0.95))}, p99 ${milliseconds(percentile(latencies, 0.99))}` +
          `${result.non2xx || result.errors ? `, non-2xx ${result.non2xx}, errors ${result.errors}` : ''}`,
      )
    }
  }
  await app.close()

  const queries = staffRequestQueries(db)
  const single: number[] = []
  for (let index = 0; index < 200; index += 1) {
    const started = performance.now()
    await Promise.all([queries.queue(readQueueFilters({}), { staffId: lead.id, now: new Date() }), queries.filterChoices()])
    single.push(performance.now() - started)
  }
  single.sort((a, b) => a - b)
  console.log(`\nThe default view's queries alone, one at a time (no HTTP, no page): p50 ${milliseconds(percentile(single, 0.5))}, p95 ${milliseconds(percentile(single, 0.95))}`)
} finally {
  await database.close()
}
