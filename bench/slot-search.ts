import { CompiledQuery, Kysely, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import { createServices } from '../src/container.ts'
import type { Database } from '../src/database.ts'
import { addDays } from '../src/lib/calendar/plain-date.ts'
import { ukDateOf } from '../src/lib/calendar/uk-time.ts'
import { createLogger } from '../src/lib/log.ts'
import { generateReference } from '../src/modules/requests/index.ts'
import { createSchedulingServices } from '../src/modules/scheduling/index.ts'
import { benchmarkConfig, benchmarkDatabase } from './places-database.ts'

/**
 * The free slots offered for a request's visit, as the booking page asks for them: 20 teams, each
 * with a year of capacity (every weekday, the morning, afternoon and all-day windows, one to four
 * places each, some of them booked already), a few closed days for each team and two for the whole
 * council, and 2,000 open requests assigned to those teams with targets spread over the next four
 * weeks (up to 20 working days). The capacity is written in one statement, then analysed. Times
 * services.scheduling.availableSlots one call at a time, then ten at once, and prints the plans of
 * its capacity and closures queries.
 */
const teamCount = 20
const requestCount = 2_000
const daysOfCapacity = 365
const targetDaysAhead = 28
const callsPerRun = 2_000
const concurrencies = [1, 10]

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? 0
}

const milliseconds = (value: number) => `${value.toFixed(2)} ms`

const database = await benchmarkDatabase()
try {
  const { db } = database
  const config = benchmarkConfig(database.connectionString)
  const logger = createLogger('silent')
  const services = createServices({ config, db, logger })
  await services.catalogue.seedDefinitions()

  const fillStarted = performance.now()
  const teams = await sql<{ id: string }>`
    insert into teams (code, name) select 'visits-' || n, 'Visits team ' || n from generate_series(1, ${teamCount}::int) as n returning id`.execute(db)
  const teamIds = teams.rows.map((row) => row.id)
  const today = ukDateOf(new Date())

  // A year of weekdays from tomorrow; bank holidays are left in, as slot search skips them itself.
  await db.transaction().execute(async (transaction) => {
    await sql`select setseed(0.42)`.execute(transaction)
    await sql`
      insert into capacity (team_id, date, window_code, places, booked)
      select team_id, day::date, window_code, places,
        case when random() < 0.4 then 0 else floor(random() * (places + 1))::int end
      from (
        select team.id as team_id, day, slot.window_code, 1 + floor(random() * 4)::int as places
        from unnest(${teamIds}::uuid[]) as team(id)
          cross join generate_series(${addDays(today, 1)}::date, ${addDays(today, daysOfCapacity)}::date, interval '1 day') as day
          cross join (values ('morning'), ('afternoon'), ('all-day')) as slot(window_code)
        where extract(isodow from day) < 6
      ) as slots`.execute(transaction)
    // Six closed days a year for each team (training, a stocktake), and two for everyone.
    await sql`
      insert into closures (team_id, date, reason)
      select team.id, ${today}::date + 1 + floor(random() * ${daysOfCapacity})::int, 'Team training day'
      from unnest(${teamIds}::uuid[]) as team(id) cross join generate_series(1, 6)`.execute(transaction)
    await sql`
      insert into closures (date, reason) values (${addDays(today, 9)}::date, 'Council systems upgrade'), (${addDays(today, 150)}::date, 'Staff conference')`.execute(
      transaction,
    )
  })

  const person = await sql<{ id: string }>`insert into people (given_name, family_name) values ('Resident', 'Benchmark') returning id`.execute(db)
  const version = (await services.catalogue.listServices()).find((service) => service.code === 'housing-repair')!.versionId
  const references = new Set<string>()
  while (references.size < requestCount) references.add(generateReference())
  const now = Date.now()
  const requests = await sql<{ id: string }>`
    insert into requests (reference, service_code, definition_version_id, person_id, channel, status, priority, target_at, assigned_team_id)
    select reference, 'housing-repair', ${version}::uuid, ${person.rows[0]!.id}::uuid, 'web', 'triaged', 'routine', target_at, team_id
    from unnest(${[...references]}::text[], ${Array.from({ length: requestCount }, (_, index) => new Date(now + (1 + (index % targetDaysAhead)) * 86_400_000))}::timestamptz[],
      ${Array.from({ length: requestCount }, (_, index) => teamIds[index % teamCount]!)}::uuid[]) as row(reference, target_at, team_id)
    returning id`.execute(db)
  const requestIds = requests.rows.map((row) => row.id)
  await sql`vacuum analyze`.execute(db)
  const shape = await sql<{ rows: string; places: string; booked: string; full: string }>`
    select count(*) as rows, sum(places) as places, sum(booked) as booked, count(*) filter (where booked = places) as full from capacity`.execute(db)
  const closures = await db.selectFrom('closures').select(sql<string>`count(*)`.as('count')).executeTakeFirstOrThrow()
  const { rows, places, booked, full } = shape.rows[0]!
  console.log(
    `Filled in ${((performance.now() - fillStarted) / 1000).toFixed(1)} s: ${teamCount} teams, ${Number(rows).toLocaleString('en-GB')} capacity rows ` +
      `(${Number(places).toLocaleString('en-GB')} places, ${Number(booked).toLocaleString('en-GB')} booked, ${Number(full).toLocaleString('en-GB')} slots full), ` +
      `${Number(closures.count)} closures, ${requestCount.toLocaleString('en-GB')} open requests with targets 1 to ${targetDaysAhead} days ahead`,
  )

  // The capacity and closures queries, captured as availableSlots runs them for the request with the furthest target.
  const captured: CompiledQuery[] = []
  const capturingPool = new pg.Pool({ connectionString: database.connectionString, max: 1 })
  const capturing = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: capturingPool }),
    log: (event) => {
      if (event.level === 'query') captured.push(event.query)
    },
  })
  const furthest = requestIds[targetDaysAhead - 1]!
  const offered = await createSchedulingServices({ config, db: capturing, logger, requests: services.requests, messages: services.residentMessages }).availableSlots(furthest)
  await capturing.destroy()
  console.log(`\nFor a target ${targetDaysAhead} days ahead: ${offered.length} days offered, ${offered.reduce((sum, day) => sum + day.slots.length, 0)} slots`)
  for (const query of captured) {
    const plan = await db.executeQuery<Record<string, string>>(CompiledQuery.raw(`explain (analyze, buffers) ${query.sql}`, [...query.parameters]))
    console.log(`\nEXPLAIN ANALYZE: ${query.sql.slice(0, 70).replace(/\s+/g, ' ')}…`)
    for (const row of plan.rows) console.log(`  ${Object.values(row)[0]}`)
  }

  // A short warm-up, so the first runs do not pay for connections and compiled queries.
  for (const id of requestIds.slice(0, 100)) await services.scheduling.availableSlots(id)

  console.log(`\nservices.scheduling.availableSlots(requestId), ${callsPerRun.toLocaleString('en-GB')} calls over ${requestCount.toLocaleString('en-GB')} requests`)
  for (const concurrency of concurrencies) {
    const latencies: number[] = []
    let slotDays = 0
    let next = 0
    const started = performance.now()
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < callsPerRun) {
          const id = requestIds[(next * 7) % requestIds.length]!
          next += 1
          const callStarted = performance.now()
          const days = await services.scheduling.availableSlots(id)
          latencies.push(performance.now() - callStarted)
          slotDays += days.length
        }
      }),
    )
    const seconds = (performance.now() - started) / 1000
    latencies.sort((a, b) => a - b)
    console.log(
      `  ${concurrency} at a time: ${Math.round(callsPerRun / seconds)}/s, p50 ${milliseconds(percentile(latencies, 0.5))}, ` +
        `p95 ${milliseconds(percentile(latencies, 0.95))}, p99 ${milliseconds(percentile(latencies, 0.99))}, ${(slotDays / callsPerRun).toFixed(1)} days offered on average`,
    )
  }
} finally {
  await database.close()
}
