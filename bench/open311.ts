import autocannon from 'autocannon'
import Fastify from 'fastify'
import { CompiledQuery, Kysely, PostgresDialect, sql, type RawBuilder } from 'kysely'
import { readFileSync } from 'node:fs'
import pg from 'pg'
import { buildApp } from '../src/app.ts'
import { createServices } from '../src/container.ts'
import type { Database } from '../src/database.ts'
import { generateDemoPlaces } from '../src/demo/places.ts'
import { SeededRandom } from '../src/demo/random.ts'
import { createLogger } from '../src/lib/log.ts'
import type { ServiceDefinition } from '../src/modules/catalogue/index.ts'
import { descriptionQuestionOf } from '../src/modules/open-data/open311/answers.ts'
import { render } from '../src/modules/open-data/open311/documents.ts'
import { mostRows, windowDays } from '../src/modules/open-data/open311/parameters.ts'
import { gridToLatitudeLongitude } from '../src/modules/places/index.ts'
import { createRequestListings, defaultPriorityPolicy, type Priority, type RequestStatus, type TargetTime } from '../src/modules/requests/index.ts'
import { referenceAlphabet, referenceLength, referencePrefix } from '../src/modules/requests/references.ts'
import { benchmarkConfig, benchmarkDatabase } from './places-database.ts'

/**
 * Open311 with a million public street reports over two years (BENCH_REQUESTS for fewer): the
 * window listing reporting apps poll (GET requests.json for one service over the last 90 days,
 * which returns its newest thousand), the same listing's SQL behind a bare Fastify route with no
 * plugins for comparison, and POST requests.xml as a reporting app sends a new report with its key.
 * The reports are written set-based, oldest first as a live table fills, with the columns
 * createRequest fills (the answers with their location, street, ward, target, moderation) and a
 * photo on some; only those of the last 90 days get their status-change events, since those are
 * all the feed of updates reads and the listing reads none. autocannon runs in this process, as
 * in the other benchmarks, so the app and the bare route share their event loop with the load
 * alike; each latency is autocannon's own for that response, and p95 is taken from all of them.
 */
const requestCount = countOf(process.env.BENCH_REQUESTS, 1_000_000)
const propertyCount = 20_000
const peopleCount = 50_000
const spanDays = 730
const durationSeconds = 10
const warmUpSeconds = 3
const connectionCounts = [1, 10]
const listingTargetMs = 15
const listedService = 'pothole'
const postedService = 'pothole'

/** The public street services and their shares of reports, roughly as a district council receives them. */
const serviceShares: Record<string, number> = {
  pothole: 25,
  'fly-tipping': 22,
  'street-light': 12,
  graffiti: 10,
  'blocked-drain': 10,
  'dog-fouling': 8,
  'dead-animal': 7,
  'abandoned-vehicle': 6,
}
/** Where reports end up by their age in days: street work is quick, so last quarter's is nearly all closed. */
const statusWeights: { olderThanDays: number; weights: Partial<Record<RequestStatus, number>> }[] = [
  { olderThanDays: 30, weights: { reported: 0.3, triaged: 0.5, scheduled: 1, 'in-progress': 0.5, 'on-hold': 0.7, completed: 2, cancelled: 3, closed: 92 } },
  { olderThanDays: 3, weights: { reported: 4, triaged: 10, scheduled: 14, 'in-progress': 8, 'on-hold': 4, completed: 15, cancelled: 5, closed: 40 } },
  { olderThanDays: 0, weights: { reported: 45, triaged: 25, scheduled: 12, 'in-progress': 6, 'on-hold': 2, completed: 5, cancelled: 2, closed: 3 } },
]
const closureWeights = { completed: 80, duplicate: 8, 'not-councils-responsibility': 5, 'no-further-action': 7 }
const priorityWeights: Partial<Record<Priority, number>> = { urgent: 15, routine: 85 }
/** Shares of reports with the reporter's own words, and with a photo. */
const withWords = 0.55
const withPhoto = 0.3
const ownWords = [
  'It has been like this for over a week and is getting worse.',
  'Right outside the school gates, so lots of children walk past it every day.',
  'Next to the bus stop on the corner, opposite the parade of shops.',
  'I reported this before but nothing seems to have happened yet.',
  'Please could someone come and look at this soon, it is dangerous after dark.',
  'By the post box at the end of the road.',
]

function countOf(text: string | undefined, otherwise: number): number {
  if (text === undefined || text.trim() === '') return otherwise
  const count = Number(text.replace(/_/g, ''))
  if (!Number.isInteger(count) || count < 1_000) throw new Error(`BENCH_REQUESTS must be a whole number of at least 1000, not "${text}"`)
  return count
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? 0
}

const milliseconds = (value: number) => `${value.toFixed(1)} ms`
const count = (value: number) => value.toLocaleString('en-GB')

/** A CASE that chooses a value for a uniform draw from 0 to 1, each as likely as its weight. */
function weightedCase(draw: RawBuilder<unknown>, weights: Record<string, number | undefined>): RawBuilder<string> {
  const entries = Object.entries(weights).filter((entry): entry is [string, number] => (entry[1] ?? 0) > 0)
  const total = entries.reduce((sum, [, weight]) => sum + weight, 0)
  let reached = 0
  const branches = entries.slice(0, -1).map(([value, weight]) => {
    reached += weight
    return sql`when ${draw} < ${sql.lit(reached / total)} then ${sql.lit(value)}`
  })
  return sql<string>`case ${sql.join(branches, sql` `)} else ${sql.lit(entries.at(-1)![0])} end`
}

/** Hours a target allows, with a working day as 7/5 of a calendar day: near enough for where reports stand. */
function targetHours(target: TargetTime): number {
  return 'hours' in target ? target.hours : (target.workingDays * 7 * 24) / 5
}

/** The answers every report of a service shares here: the first choice of each question that offers choices. */
function typicalAnswers(definition: ServiceDefinition): Record<string, string | string[]> {
  const answers: Record<string, string | string[]> = {}
  for (const question of definition.questions) {
    if (!('options' in question) || question.options.length === 0) continue
    answers[question.id] = question.kind === 'checkboxes' ? [question.options[0]!.value] : question.options[0]!.value
  }
  return answers
}

/**
 * "GH-7K3M-9PQX" from a row's number: the number scrambled by a multiplier with no factor in
 * common with 30⁸, so every row has its own reference and neighbours do not look alike.
 */
function referenceOf(n: RawBuilder<unknown>): RawBuilder<string> {
  const scrambled = sql`((${n}::bigint * 2654435761 + 104729) % ${sql.lit(referenceAlphabet.length ** referenceLength)})`
  const character = (position: number) =>
    sql`substr(${sql.lit(referenceAlphabet)}, (${scrambled} / ${sql.lit(referenceAlphabet.length ** position)} % ${sql.lit(referenceAlphabet.length)})::int + 1, 1)`
  const characters = Array.from({ length: referenceLength }, (_, position) => character(position))
  return sql<string>`${sql.lit(`${referencePrefix}-`)} || ${sql.join(characters.slice(0, referenceLength / 2), sql` || `)} || '-' || ${sql.join(characters.slice(referenceLength / 2), sql` || `)}`
}

interface Measured {
  rate: number
  p50: number
  p95: number
  p99: number
  responses: number
  notSucceeded: number
  errors: number
  statuses: string
}

type Call = NonNullable<Parameters<typeof autocannon>[0]['requests']>[number]

/** A run of autocannon for a fixed time; every response's status and latency is kept. */
async function run(url: string, call: Call, connections: number, duration: number): Promise<Measured> {
  const latencies: number[] = []
  const statuses = new Map<number, number>()
  const started = performance.now()
  const instance = autocannon({ url, connections, duration, requests: [call] })
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    statuses.set(statusCode, (statuses.get(statusCode) ?? 0) + 1)
    latencies.push(responseTime)
  })
  const result = await instance
  const seconds = (performance.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  const succeeded = [...statuses].filter(([status]) => status >= 200 && status < 300).reduce((sum, [, total]) => sum + total, 0)
  return {
    rate: latencies.length / seconds,
    p50: percentile(latencies, 0.5),
    p95: percentile(latencies, 0.95),
    p99: percentile(latencies, 0.99),
    responses: latencies.length,
    notSucceeded: latencies.length - succeeded,
    errors: result.errors,
    statuses: [...statuses].map(([status, total]) => `${status} × ${count(total)}`).join(', '),
  }
}

/** A short run first, so connections, plans and caches are warm, then the run that counts, at each connection count. */
async function measure(title: string, url: string, call: Call): Promise<Map<number, Measured>> {
  console.log(`\n${title}, ${durationSeconds} s per connection count after ${warmUpSeconds} s of warm-up`)
  const results = new Map<number, Measured>()
  for (const connections of connectionCounts) {
    await run(url, call, connections, warmUpSeconds)
    const measured = await run(url, call, connections, durationSeconds)
    results.set(connections, measured)
    console.log(
      `  ${connections} connection${connections === 1 ? '' : 's'}: ${measured.rate.toFixed(0)}/s, p50 ${milliseconds(measured.p50)}, ` +
        `p95 ${milliseconds(measured.p95)}, p99 ${milliseconds(measured.p99)}; ${measured.statuses || 'no responses'}; ` +
        `not 2xx ${measured.notSucceeded}, errors ${measured.errors}`,
    )
  }
  return results
}

const database = await benchmarkDatabase()
try {
  const { db } = database
  const config = benchmarkConfig(database.connectionString)
  const logger = createLogger('silent')
  const services = createServices({ config, db, logger })
  await services.places.importAddresses([generateDemoPlaces({ properties: propertyCount }).addressesCsv])
  await services.catalogue.seedDefinitions()

  const seedStarted = performance.now()
  const codes = Object.keys(serviceShares)
  const totalShare = Object.values(serviceShares).reduce((sum, share) => sum + share, 0)
  let shareReached = 0
  const catalogueRows: Record<string, unknown>[] = []
  for (const [index, code] of codes.entries()) {
    const current = await services.catalogue.currentDefinition(code)
    if (!current) throw new Error(`The catalogue has no current version of ${code}`)
    const { definition } = current
    if (definition.recordVisibility !== 'public') throw new Error(`${code} is not a public service`)
    const team = definition.owningTeam
    const teamName = team.charAt(0).toUpperCase() + team.slice(1).replace(/-/g, ' ')
    const policy = { ...defaultPriorityPolicy, ...definition.targets }
    shareReached += serviceShares[code]!
    catalogueRows.push({
      service: index + 1,
      share_upto: shareReached / totalShare,
      code,
      version_id: current.id,
      team_id: await services.identity.staff.ensureTeam(team, teamName),
      answers: typicalAnswers(definition),
      words_question: descriptionQuestionOf(definition)?.id ?? 'details',
      urgent_hours: targetHours(policy.urgent),
      routine_hours: targetHours(policy.routine),
    })
  }
  await sql`insert into people (given_name, family_name) select 'Resident', 'Number ' || n from generate_series(1, ${peopleCount}::int) as n`.execute(db)

  // Metres to degrees near the borough's middle, for points a few metres from a property.
  const middle = await sql<{ easting: number; northing: number }>`select avg(easting) as easting, avg(northing) as northing from properties`.execute(db)
  const { easting: middleEasting, northing: middleNorthing } = middle.rows[0]!
  const here = gridToLatitudeLongitude(middleEasting, middleNorthing)
  const north = gridToLatitudeLongitude(middleEasting, middleNorthing + 1_000)
  const east = gridToLatitudeLongitude(middleEasting + 1_000, middleNorthing)
  const latitudePerMetre = (north.latitude - here.latitude) / 1_000
  const longitudePerMetre = (east.longitude - here.longitude) / 1_000

  // The newest band is the one left when no older band matched.
  const statusDraw = sql.ref('status_draw')
  const olderBands = statusWeights.slice(0, -1).map(({ olderThanDays, weights }) => sql`when created_at < now() - ${sql.lit(`${olderThanDays} days`)}::interval then ${weightedCase(statusDraw, weights)}`)
  const statusOf = sql`case ${sql.join(olderBands, sql` `)} else ${weightedCase(statusDraw, statusWeights.at(-1)!.weights)} end`
  const timings: string[] = []
  const step = async (name: string, work: () => Promise<unknown>) => {
    const started = performance.now()
    await work()
    timings.push(`${name} ${((performance.now() - started) / 1000).toFixed(1)} s`)
  }
  await db.transaction().execute(async (transaction) => {
    await sql`select setseed(0.311)`.execute(transaction)
    await sql`
      create temporary table seed_services on commit drop as
      select * from jsonb_to_recordset(${JSON.stringify(catalogueRows)}::jsonb) as service(
        service int, share_upto float8, code text, version_id uuid, team_id uuid, answers jsonb, words_question text, urgent_hours float8, routine_hours float8)`.execute(transaction)
    await sql`
      create temporary table seed_places on commit drop as
      select row_number() over (order by uprn)::int as place, easting, northing, latitude, longitude, usrn, ward_code,
        'Near ' || coalesce(nullif(address_line_2, ''), address_line_1) || ', ' || town as description
      from properties where usrn is not null and ward_code is not null`.execute(transaction)
    await sql`create temporary table seed_people on commit drop as select row_number() over (order by id)::int as person, id from people`.execute(transaction)
    const places = await sql<{ places: number }>`select count(*)::int as places from seed_places`.execute(transaction)

    // Each row's draws, kept so the photos can follow the same reports; created_at rises with n.
    await step('drawn', () =>
      sql`
        create temporary table seed_reports on commit drop as
        select n, ${referenceOf(sql.ref('n'))} as reference, service, place, person, created_at, east_offset, north_offset,
          ${weightedCase(sql.ref('priority_draw'), priorityWeights)} as priority,
          ${statusOf} as status,
          ${weightedCase(sql.ref('close_draw'), closureWeights)} as closure_reason,
          least(now(), created_at + interval '1 hour' * (2 + close_draw * 14 * 24)) as finished_at,
          words_draw < ${withWords} as has_words, photo_draw < ${withPhoto} as has_photo,
          case
            when words_draw >= ${withWords} and photo_draw >= ${withPhoto} then 'none'
            when created_at < now() - interval '2 days' then case when moderation_draw < 0.92 then 'approved' else 'hidden' end
            when moderation_draw < 0.6 then 'pending'
            else 'approved'
          end as moderation
        from (
          select n,
            (select seed_services.service from seed_services where seed_services.share_upto >= service_draw order by seed_services.share_upto limit 1) as service,
            1 + floor(random() * ${places.rows[0]!.places}::int)::int as place,
            1 + floor(random() * ${peopleCount}::int)::int as person,
            now() - interval '1 day' * ${spanDays}::int * (1 - (n - random()) / ${requestCount}::float8) as created_at,
            (random() - 0.5) * 40 as east_offset, (random() - 0.5) * 40 as north_offset,
            random() as priority_draw, random() as status_draw, random() as close_draw,
            random() as words_draw, random() as photo_draw, random() as moderation_draw
          from (select n, random() as service_draw from generate_series(1, ${requestCount}::int) as n) as numbered
        ) as draws`.execute(transaction),
    )

    // The map's cells are counted once, set-based, exactly as their migration counts existing
    // reports, instead of by the trigger a million times over.
    await sql`alter table requests disable trigger report_map_cells_follow`.execute(transaction)
    await step('requests', () =>
      sql`
        insert into requests (
          reference, service_code, definition_version_id, person_id, answers, channel, status, resume_to, hold_reason, closure_reason, closed_at,
          priority, target_at, assigned_team_id, created_at, updated_at, location, easting, northing, latitude, longitude, usrn, ward_code,
          is_public, public_text, moderation, moderated_at, alerts_sent_at
        )
        select
          report.reference, service.code, service.version_id, person.id,
          service.answers
            || jsonb_build_object('location', jsonb_build_object(
                 'latitude', point.latitude, 'longitude', point.longitude, 'easting', point.easting, 'northing', point.northing,
                 'usrn', place.usrn::text, 'wardCode', place.ward_code, 'description', place.description))
            || case when report.has_words then jsonb_build_object(service.words_question, words.text) else '{}'::jsonb end,
          'web', report.status,
          case when report.status = 'on-hold' then 'scheduled' end,
          case when report.status = 'on-hold' then 'awaiting-other-work' end,
          case when report.status = 'closed' then report.closure_reason end,
          case when report.status = 'closed' then report.finished_at end,
          report.priority,
          report.created_at + interval '1 hour' * case when report.priority = 'urgent' then service.urgent_hours else service.routine_hours end,
          service.team_id, report.created_at,
          case when report.status = 'reported' then report.created_at else report.finished_at end,
          point(point.easting, point.northing), point.easting, point.northing, point.latitude, point.longitude, place.usrn, place.ward_code,
          true,
          case when report.moderation = 'approved' and report.has_words then words.text end,
          report.moderation,
          case when report.moderation in ('approved', 'hidden') then report.created_at + interval '3 hours' end,
          report.created_at
        from seed_reports as report
        join seed_services as service on service.service = report.service
        join seed_places as place on place.place = report.place
        join seed_people as person on person.person = report.person
        cross join lateral (
          select round((place.easting + report.east_offset)::numeric, 1)::float8 as easting,
            round((place.northing + report.north_offset)::numeric, 1)::float8 as northing,
            round((place.latitude + report.north_offset * ${latitudePerMetre}::float8)::numeric, 6)::float8 as latitude,
            round((place.longitude + report.east_offset * ${longitudePerMetre}::float8)::numeric, 6)::float8 as longitude
        ) as point
        cross join lateral (select (${ownWords}::text[])[1 + report.n % ${ownWords.length}] as text) as words
        order by report.n`.execute(transaction),
    )
    await sql`alter table requests enable trigger report_map_cells_follow`.execute(transaction)
    await step('map cells', () =>
      sql`
        insert into report_map_cells (cell_x, cell_y, service_code, ward_code, is_open, reports, latitude_sum, longitude_sum)
        select floor(easting / 100)::integer, floor(northing / 100)::integer, service_code, coalesce(ward_code, ''),
               status not in ('completed', 'cancelled', 'closed'), count(*), sum(latitude), sum(longitude)
        from requests where is_public and location is not null and duplicate_of is null
        group by 1, 2, 3, 4, 5`.execute(transaction),
    )
    await step('photos', () =>
      sql`
        insert into request_photos (request_id, file_key, thumbnail_key, visibility, actor_kind, actor_id, added_at)
        select requests.id, 'requests/' || requests.id || '.jpg', 'requests/thumbnails/' || requests.id || '.jpg', 'public', 'resident', requests.person_id, requests.created_at
        from seed_reports as report join requests on requests.reference = report.reference
        where report.has_photo
        order by report.n`.execute(transaction),
    )
    // Being reported, then the status each has now, for the reports the feed of updates can reach;
    // both already told to the reporter and to followers, as a running council's would be.
    await step('events', () =>
      sql`
        insert into request_events (request_id, occurred_at, kind, visibility, actor_kind, actor_id, from_status, to_status, details, notify_resident, resident_notified_at, followers_told_at)
        select request_id, occurred_at, 'status-change', 'public', actor_kind, actor_id, from_status, to_status, details, notify_resident, notified_at, occurred_at
        from (
          select id as request_id, created_at as occurred_at, 'resident' as actor_kind, person_id as actor_id, null as from_status, 'reported' as to_status,
            jsonb_build_object('channel', channel, 'priority', priority, 'priorityReason', 'default', 'jobCode', null, 'regimes', '[]'::jsonb) as details,
            true as notify_resident, created_at as notified_at
          from requests where created_at >= now() - ${sql.lit(`${windowDays} days`)}::interval
          union all
          select id, updated_at, 'staff', null, 'reported', status,
            case when status = 'closed' then jsonb_build_object('closureReason', closure_reason) else '{}'::jsonb end, false, null
          from requests where created_at >= now() - ${sql.lit(`${windowDays} days`)}::interval and status <> 'reported'
        ) as event
        order by occurred_at`.execute(transaction),
    )
  })
  // A live database has been vacuumed by autovacuum, which also sets the hint bits a fresh bulk load lacks.
  await step('vacuum analyze', () => sql`vacuum analyze`.execute(db))
  const seedSeconds = (performance.now() - seedStarted) / 1000

  const shape = await sql<{ open: string; listed: string; photos: string; events: string }>`
    select
      (select count(*) from requests where status not in ('completed', 'cancelled', 'closed')) as open,
      (select count(*) from requests where service_code = ${listedService} and created_at >= now() - ${sql.lit(`${windowDays} days`)}::interval) as listed,
      (select count(*) from request_photos) as photos,
      (select count(*) from request_events) as events`.execute(db)
  const { open, listed, photos, events } = shape.rows[0]!
  console.log(
    `Seeded in ${seedSeconds.toFixed(1)} s (${timings.join(', ')}): ${count(requestCount)} public street reports of ${codes.length} services over ${spanDays} days, ` +
      `${count(Number(open))} open, ${count(Number(photos))} photos, ${count(Number(events))} status-change events; ` +
      `${count(Number(listed))} ${listedService} reports in the last ${windowDays} days`,
  )

  // The listing as Open311 asks for it: anonymous, one service, a 90-day window, the newest thousand.
  const to = new Date(Math.floor(Date.now() / 1000) * 1000)
  const from = new Date(to.getTime() - windowDays * 86_400_000)
  const w3c = (instant: Date) => instant.toISOString().replace(/\.\d{3}Z$/, 'Z')
  const listingQuery = { service_code: listedService, start_date: w3c(from), end_date: w3c(to) }
  const listingPath = `/open311/v2/requests.json?${new URLSearchParams(listingQuery)}`
  // The SQL as the listings compile it for this call, and for the same window without service_code, which apps also poll.
  const captured: CompiledQuery[] = []
  const capturingPool = new pg.Pool({ connectionString: database.connectionString, max: 1 })
  const capturingDb = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: capturingPool }),
    log: (event) => {
      if (event.level === 'query') captured.push(event.query)
    },
  })
  const capturingListings = createRequestListings({ db: capturingDb })
  for (const serviceCodes of [[listedService], undefined]) {
    await capturingListings.requests({ serviceCodes, open: undefined, from, to }, { privateServices: [] }, { limit: mostRows, withAnswers: false })
  }
  await capturingDb.destroy()
  const [listing, everyService] = captured as [CompiledQuery, CompiledQuery]
  console.log(`\nThe listing's SQL: ${listing.sql.replace(/\s+/g, ' ')}`)
  for (const [title, query] of [[`service_code=${listedService}`, listing], ['no service_code, every service', everyService]] as const) {
    const plan = await db.executeQuery<Record<string, string>>(CompiledQuery.raw(`explain (analyze, buffers, serialize) ${query.sql}`, [...query.parameters]))
    console.log(`\nEXPLAIN (ANALYZE, BUFFERS, SERIALIZE), ${title}; parameters ${JSON.stringify(query.parameters)}`)
    for (const row of plan.rows) console.log(`  ${Object.values(row)[0]}`)
  }

  // Where a call's time goes without HTTP: the SQL with pg reading its rows, then Open311's document, then its JSON.
  const timeAlone = async (title: string, call: () => unknown) => {
    const latencies: number[] = []
    for (let index = 0; index < 220; index += 1) {
      const started = performance.now()
      await call()
      if (index >= 20) latencies.push(performance.now() - started)
    }
    latencies.sort((a, b) => a - b)
    console.log(`  ${title}: p50 ${milliseconds(percentile(latencies, 0.5))}, p95 ${milliseconds(percentile(latencies, 0.95))}`)
  }
  console.log('\nThe listing one call at a time, 200 calls each after 20 to warm up, without HTTP')
  const textPool = new pg.Pool({ connectionString: database.connectionString, max: 1 })
  const asText = { getTypeParser: () => (value: string) => value }
  await timeAlone('its SQL, rows left as text (the server and the wire)', () => textPool.query({ text: listing.sql, values: [...listing.parameters], types: asText }))
  await textPool.end()
  await timeAlone('its SQL through the pool, rows read into values as the app reads them', () => db.executeQuery(listing))
  await timeAlone('open311.requests(query), the whole document (SQL, service check, fields of each row)', () => services.openData.open311.requests(listingQuery, undefined))
  const document = await services.openData.open311.requests(listingQuery, undefined)
  await timeAlone('render(document, json)', () => render(document, 'json'))
  const bareRows = (await db.executeQuery(listing)).rows
  await timeAlone('JSON.stringify of the bare rows', () => JSON.stringify(bareRows))

  const { key } = await services.identity.apiKeys.issue({ name: 'Benchmark reporting app', services: 'all', write: true, changeStatus: false, ratePerMinute: 100_000 }, { kind: 'system' })
  const app = await buildApp({ config, db, logger, services, cookieSecret: config.sessionSecret! })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  const bare = Fastify()
  bare.get('/requests', async () => (await db.executeQuery(listing)).rows)
  const bareUrl = await bare.listen({ port: 0, host: '127.0.0.1' })

  const ours = await fetch(`${url}${listingPath}`)
  const oursText = await ours.text()
  const bareResponse = await fetch(`${bareUrl}/requests`)
  const bareText = await bareResponse.text()
  if (ours.status !== 200 || bareResponse.status !== 200) throw new Error(`The listing gave ${ours.status} and the bare route ${bareResponse.status}: ${oursText.slice(0, 300)}`)
  console.log(
    `\nGET ${listingPath} gives ${count((JSON.parse(oursText) as unknown[]).length)} requests in ${count(Buffer.byteLength(oursText))} bytes; ` +
      `the bare route ${count((JSON.parse(bareText) as unknown[]).length)} rows in ${count(Buffer.byteLength(bareText))} bytes`,
  )
  console.log(`Load average before the runs: ${readFileSync('/proc/loadavg', 'utf8').trim()}`)

  // A report as a reporting app sends it: at a point in the borough, by its own reporter, with every attribute answered.
  const postedDefinition = (await services.catalogue.currentDefinition(postedService))!.definition
  const attributes = Object.fromEntries(Object.entries(typicalAnswers(postedDefinition)).map(([id, value]) => [`attribute[${id}]`, Array.isArray(value) ? value[0]! : value]))
  const random = new SeededRandom(311)
  let sent = 0
  const report = () => {
    const point = gridToLatitudeLongitude(447_000 + 100 + random.next() * 7_000, 203_000 + 100 + random.next() * 5_200)
    sent += 1
    return new URLSearchParams({
      api_key: key,
      service_code: postedService,
      lat: point.latitude.toFixed(6),
      long: point.longitude.toFixed(6),
      email: `reporter.${sent}@example.com`,
      first_name: 'Sam',
      last_name: 'Reporter',
      description: ownWords[sent % ownWords.length]!,
      ...attributes,
    }).toString()
  }
  const form = { 'content-type': 'application/x-www-form-urlencoded' }
  const first = await fetch(`${url}/open311/v2/requests.xml`, { method: 'POST', headers: form, body: report() })
  const firstText = await first.text()
  if (first.status !== 200 || !firstText.includes('<token>')) throw new Error(`POST requests.xml gave ${first.status}: ${firstText.slice(0, 300)}`)

  const listingResults = await measure(`a. GET ${listingPath} (target p95 under ${listingTargetMs} ms)`, url, { method: 'GET', path: listingPath })
  const bareResults = await measure('c. The same SQL behind a bare Fastify route, GET /requests', bareUrl, { method: 'GET', path: '/requests' })
  const postResults = await measure(`b. POST /open311/v2/requests.xml, a new ${postedService} report each, form-encoded with an api_key`, url, {
    method: 'POST',
    path: '/open311/v2/requests.xml',
    setupRequest: (request) => ({ ...request, headers: form, body: report() }),
  })
  await app.close()
  await bare.close()

  const made = await db.selectFrom('open311_submissions').select((select) => select.fn.countAll<string>().as('made')).executeTakeFirstOrThrow()
  const posted = [...postResults.values()].reduce((sum, result) => sum + result.responses, 0)
  console.log(`  Open311 submissions recorded: ${count(Number(made.made))} (the first check, the warm-ups and ${count(posted)} measured)`)

  const rows: [string, Map<number, Measured>][] = [
    [`a. GET requests.json, ${listedService}, ${windowDays} days`, listingResults],
    [`b. POST requests.xml, ${postedService}`, postResults],
    ['c. bare Fastify, same SQL', bareResults],
  ]
  const header = ['', 'connections', 'requests/s', 'p50', 'p95', 'p99', 'not 2xx', 'errors']
  const table = rows.flatMap(([name, results]) =>
    [...results].map(([connections, result]) => [
      name,
      String(connections),
      result.rate.toFixed(0),
      milliseconds(result.p50),
      milliseconds(result.p95),
      milliseconds(result.p99),
      String(result.notSucceeded),
      String(result.errors),
    ]),
  )
  const widths = header.map((title, column) => Math.max(title.length, ...table.map((line) => line[column]!.length)))
  const line = (cells: string[]) => `  ${cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ')}`
  console.log(`\nSummary: ${count(requestCount)} requests, ${durationSeconds} s per run, autocannon in this process`)
  console.log(line(header))
  for (const cells of table) console.log(line(cells))
  for (const connections of connectionCounts) {
    const ourRun = listingResults.get(connections)!
    const bareRun = bareResults.get(connections)!
    console.log(
      `  ${connections} connection${connections === 1 ? '' : 's'}: ours/bare requests/s ${(ourRun.rate / bareRun.rate).toFixed(2)}; ` +
        `listing p95 ${milliseconds(ourRun.p95)} ${ourRun.p95 < listingTargetMs ? 'meets' : 'misses'} the ${listingTargetMs} ms target`,
    )
  }
  console.log(`\nLoad average after the runs: ${readFileSync('/proc/loadavg', 'utf8').trim()}`)
} finally {
  await database.close()
}
