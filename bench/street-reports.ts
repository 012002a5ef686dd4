import { CompiledQuery, Kysely, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import { createServices } from '../src/container.ts'
import type { Database } from '../src/database.ts'
import { createLogger } from '../src/lib/log.ts'
import { gridToLatitudeLongitude } from '../src/modules/places/index.ts'
import { createPublicReports, type MapBox } from '../src/modules/requests/index.ts'
import { benchmarkConfig, benchmarkDatabase } from './places-database.ts'

/**
 * The public street reports as residents see them: a million reports of the eight public street
 * services spread evenly over the demo borough of Lower Wendle (12 wards of 1,800 m squares, 4
 * columns by 3 rows), about 30% open, written in one statement and analysed. Times "is it one of
 * these?" (services.publicReports.nearby within 50 m), the map of a ward-sized view
 * (services.publicReports.mapData) and the front door's search, each one call at a time and then
 * ten at once, and prints the plans of the nearby and map queries.
 */
const reportCount = 1_000_000
const callsPerRun = 2_000
/** Fewer map calls: a crowded view is aggregated from tens of thousands of reports. */
const mapCallsPerRun = 200
const concurrencies = [1, 10]
const nearbyMetres = 50
const mapSide = 1_800
const largestMapResponse = 100_000

const borough = { easting: 447_000, northing: 203_000, width: 7_200, height: 5_400, wardSize: 1_800, columns: 4 }
const publicStreetServices = ['pothole', 'fly-tipping', 'graffiti', 'street-light', 'abandoned-vehicle', 'dog-fouling', 'blocked-drain', 'dead-animal']
const frontDoorQueries = [
  'flytip',
  'pot hole',
  'councl tax',
  'street lamp',
  'dead fox',
  'bins',
  'graffitti',
  'parking permit',
  'missed bin',
  'housing repair',
  'damp and mould',
  'dog poo',
  'blocked drain',
  'abandoned car',
  'planning application',
  'register a death',
  'library card',
  'garden waste',
  'council tax discount',
  'pay parking fine',
]

// A linear approximation of latitude and longitude around the borough's centre, good to a few tens
// of metres across the borough, with its two scale factors taken from the real conversion at the
// borough's corners so that map boxes line up with the data.
const centre = { easting: borough.easting + borough.width / 2, northing: borough.northing + borough.height / 2 }
const centreDegrees = gridToLatitudeLongitude(centre.easting, centre.northing)
const southWest = gridToLatitudeLongitude(borough.easting, borough.northing)
const southEast = gridToLatitudeLongitude(borough.easting + borough.width, borough.northing)
const northWest = gridToLatitudeLongitude(borough.easting, borough.northing + borough.height)
const northEast = gridToLatitudeLongitude(borough.easting + borough.width, borough.northing + borough.height)
const latitudePerMetre = (northWest.latitude + northEast.latitude - southWest.latitude - southEast.latitude) / 2 / borough.height
const longitudePerMetre = (southEast.longitude + northEast.longitude - southWest.longitude - northWest.longitude) / 2 / borough.width

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? 0
}

const milliseconds = (value: number) => `${value.toFixed(2)} ms`

/** A small seeded generator, so every run asks about the same points. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

/** Times callsPerRun calls one at a time and then ten at once, and prints the rate and percentiles. */
async function timeCalls(title: string, call: (index: number) => Promise<unknown>, describe?: () => string, calls = callsPerRun): Promise<void> {
  console.log(`\n${title}, ${calls.toLocaleString('en-GB')} calls`)
  for (const concurrency of concurrencies) {
    const latencies: number[] = []
    let next = 0
    const started = performance.now()
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < calls) {
          const index = next
          next += 1
          const callStarted = performance.now()
          await call(index)
          latencies.push(performance.now() - callStarted)
        }
      }),
    )
    const seconds = (performance.now() - started) / 1000
    latencies.sort((a, b) => a - b)
    console.log(
      `  ${concurrency} at a time: ${Math.round(calls / seconds)}/s, p50 ${milliseconds(percentile(latencies, 0.5))}, ` +
        `p95 ${milliseconds(percentile(latencies, 0.95))}, p99 ${milliseconds(percentile(latencies, 0.99))}${describe ? `, ${describe()}` : ''}`,
    )
  }
}

const database = await benchmarkDatabase()
try {
  const { db } = database
  const config = benchmarkConfig(database.connectionString)
  const logger = createLogger('silent')
  const services = createServices({ config, db, logger })
  await services.catalogue.seedDefinitions()

  const versions = await db.selectFrom('services').select(['code', 'current_version_id']).where('code', 'in', publicStreetServices).execute()
  const versionOf = new Map(versions.map((row) => [row.code, row.current_version_id]))
  const missing = publicStreetServices.filter((code) => !versionOf.get(code))
  if (missing.length > 0) throw new Error(`The catalogue has no current version of ${missing.join(', ')}`)
  const person = await sql<{ id: string }>`insert into people (given_name, family_name) values ('Resident', 'Benchmark') returning id`.execute(db)
  await sql`
    insert into wards (code, name) values
      ('LWW01', 'Abbey'), ('LWW02', 'Castle Hill'), ('LWW03', 'Eastgate'), ('LWW04', 'Fairfield'), ('LWW05', 'Harbour'), ('LWW06', 'Kingsmead'),
      ('LWW07', 'Marsh'), ('LWW08', 'Northfield'), ('LWW09', 'Priory'), ('LWW10', 'Riverside'), ('LWW11', 'St Anne''s'), ('LWW12', 'Westbrook')`.execute(db)

  const fillStarted = performance.now()
  await db.transaction().execute(async (transaction) => {
    await sql`select setseed(0.42)`.execute(transaction)
    await sql`
      insert into requests (
        reference, service_code, definition_version_id, person_id, answers, channel, status, closure_reason, closed_at, priority, created_at, updated_at,
        location, easting, northing, latitude, longitude, ward_code, is_public, moderation
      )
      select
        'GH' || upper(lpad(to_hex(n), 8, '0')),
        (${publicStreetServices}::text[])[service],
        (${publicStreetServices.map((code) => versionOf.get(code)!)}::uuid[])[service],
        ${person.rows[0]!.id}::uuid, '{}'::jsonb, 'web', status,
        case when status = 'closed' then 'completed' end,
        case when status = 'closed' then least(now(), created_at + interval '1 day' * (1 + status_draw * 30)) end,
        'routine', created_at, created_at,
        point(easting, northing), easting, northing,
        ${centreDegrees.latitude}::float8 + (northing - ${centre.northing}::float8) * ${latitudePerMetre}::float8,
        ${centreDegrees.longitude}::float8 + (easting - ${centre.easting}::float8) * ${longitudePerMetre}::float8,
        'LWW' || lpad((least(${borough.columns - 1}, floor((easting - ${borough.easting}) / ${borough.wardSize})::int)
          + ${borough.columns} * least(2, floor((northing - ${borough.northing}) / ${borough.wardSize})::int) + 1)::text, 2, '0'),
        true,
        case when moderation_draw < 0.5 then 'approved' else 'pending' end
      from (
        select n, easting, northing, service, status_draw, moderation_draw, created_at,
          case
            when status_draw < 0.075 then 'reported'
            when status_draw < 0.15 then 'triaged'
            when status_draw < 0.225 then 'scheduled'
            when status_draw < 0.3 then 'in-progress'
            when status_draw < 0.65 then 'completed'
            else 'closed'
          end as status
        from (
          select n,
            ${borough.easting}::float8 + random() * ${borough.width} as easting,
            ${borough.northing}::float8 + random() * ${borough.height} as northing,
            1 + floor(random() * ${publicStreetServices.length})::int as service,
            random() as status_draw,
            random() as moderation_draw,
            now() - random() * interval '730 days' as created_at
          from generate_series(1, ${reportCount}::int) as n
        ) as drawn
      ) as reports`.execute(transaction)
  })
  const fillSeconds = (performance.now() - fillStarted) / 1000
  const analyseStarted = performance.now()
  await sql`analyze requests`.execute(db)
  const shape = await sql<{ rows: string; open: string; approved: string }>`
    select count(*) as rows, count(*) filter (where status not in ('completed', 'cancelled', 'closed')) as open, count(*) filter (where moderation = 'approved') as approved
    from requests`.execute(db)
  const { rows, open, approved } = shape.rows[0]!
  console.log(
    `Filled in ${fillSeconds.toFixed(1)} s (analysed in ${((performance.now() - analyseStarted) / 1000).toFixed(1)} s): ${Number(rows).toLocaleString('en-GB')} public street reports, ` +
      `${Number(open).toLocaleString('en-GB')} open, ${Number(approved).toLocaleString('en-GB')} approved, over ${borough.width / 1000} km × ${borough.height / 1000} km`,
  )

  const random = seededRandom(20_261_128)
  const points = Array.from({ length: callsPerRun }, () => ({
    serviceCode: publicStreetServices[Math.floor(random() * publicStreetServices.length)]!,
    easting: borough.easting + random() * borough.width,
    northing: borough.northing + random() * borough.height,
  }))
  // Ward-sized views anywhere wholly inside the borough.
  const boxes: MapBox[] = Array.from({ length: callsPerRun }, () => {
    const west = borough.easting + random() * (borough.width - mapSide)
    const south = borough.northing + random() * (borough.height - mapSide)
    const toLatitude = (northing: number) => centreDegrees.latitude + (northing - centre.northing) * latitudePerMetre
    const toLongitude = (easting: number) => centreDegrees.longitude + (easting - centre.easting) * longitudePerMetre
    return { west: toLongitude(west), south: toLatitude(south), east: toLongitude(west + mapSide), north: toLatitude(south + mapSide) }
  })

  // The queries as nearby and mapData run them, captured for their plans.
  const captured: { title: string; query: CompiledQuery }[] = []
  let capturing = 'nearby'
  const capturingPool = new pg.Pool({ connectionString: database.connectionString, max: 1 })
  const capturingDb = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: capturingPool }),
    log: (event) => {
      if (event.level === 'query') captured.push({ title: capturing, query: event.query })
    },
  })
  const capturingReports = createPublicReports({ config, db: capturingDb, logger, catalogue: services.catalogue })
  const sample = points[0]!
  const found = await capturingReports.nearby(sample.serviceCode, sample, nearbyMetres)
  capturing = 'mapData'
  const sampleMap = await capturingReports.mapData(boxes[0]!, {})
  await capturingDb.destroy()
  console.log(
    `\nSample: ${found.length} open ${sample.serviceCode} reports within ${nearbyMetres} m; the map of a ${mapSide} m view came back as ` +
      `${sampleMap.kind === 'clusters' ? `${sampleMap.clusters.length} clusters` : `${sampleMap.reports.length} reports`}`,
  )
  for (const { title, query } of captured) {
    const plan = await db.executeQuery<Record<string, string>>(CompiledQuery.raw(`explain (analyze, buffers) ${query.sql}`, [...query.parameters]))
    console.log(`\nEXPLAIN ANALYZE (${title}): ${query.sql.slice(0, 70).replace(/\s+/g, ' ')}…`)
    console.log(`  parameters: ${JSON.stringify(query.parameters)}`)
    for (const row of plan.rows) console.log(`  ${Object.values(row)[0]}`)
  }

  // A short warm-up, so the first runs do not pay for connections and compiled queries.
  for (const point of points.slice(0, 50)) await services.publicReports.nearby(point.serviceCode, point, nearbyMetres)
  for (const box of boxes.slice(0, 10)) await services.publicReports.mapData(box, {})

  let nearbyFound = 0
  let nearbyCalls = 0
  await timeCalls(
    `services.publicReports.nearby(serviceCode, point, ${nearbyMetres}) at random points (target p95 under 10 ms)`,
    async (index) => {
      const point = points[index]!
      const reports = await services.publicReports.nearby(point.serviceCode, point, nearbyMetres)
      nearbyFound += reports.length
      nearbyCalls += 1
    },
    () => {
      const average = `${(nearbyFound / nearbyCalls).toFixed(1)} reports found on average`
      nearbyFound = 0
      nearbyCalls = 0
      return average
    },
  )

  let clustered = 0
  let mapCalls = 0
  let largest = 0
  await timeCalls(
    `services.publicReports.mapData(box, {}) for ${mapSide} m views (target p95 under 50 ms, no response over about ${largestMapResponse / 1000} KB)`,
    async (index) => {
      const data = await services.publicReports.mapData(boxes[index]!, {})
      if (data.kind === 'clusters') clustered += 1
      mapCalls += 1
      largest = Math.max(largest, JSON.stringify(data).length)
    },
    () => {
      const summary = `${((100 * clustered) / mapCalls).toFixed(1)}% clusters, largest response ${largest.toLocaleString('en-GB')} bytes${largest > largestMapResponse ? ' (TOO LARGE)' : ''}`
      clustered = 0
      mapCalls = 0
      largest = 0
      return summary
    },
    mapCallsPerRun,
  )

  let matches = 0
  let searches = 0
  await timeCalls(
    `services.catalogue.frontDoor.search(query) over ${frontDoorQueries.length} queries`,
    async (index) => {
      const entries = await services.catalogue.frontDoor.search(frontDoorQueries[index % frontDoorQueries.length]!)
      matches += entries.length
      searches += 1
    },
    () => {
      const average = `${(matches / searches).toFixed(1)} matches on average`
      matches = 0
      searches = 0
      return average
    },
  )
  const firstMatches = await Promise.all(frontDoorQueries.slice(0, 8).map(async (query) => `${query} → ${(await services.catalogue.frontDoor.search(query, 3)).map((entry) => entry.code).join(', ') || 'nothing'}`))
  console.log(`  top matches: ${firstMatches.join('; ')}`)
  console.log(`\nLoad average: ${(await import('node:fs')).readFileSync('/proc/loadavg', 'utf8').trim()}`)
} finally {
  await database.close()
}
