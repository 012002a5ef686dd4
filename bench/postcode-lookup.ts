import autocannon from 'autocannon'
import { sql } from 'kysely'
import { buildApp } from '../src/app.ts'
import { createServices } from '../src/container.ts'
import { generateDemoPlaces } from '../src/demo/places.ts'
import { createLogger } from '../src/lib/log.ts'
import { importAddresses } from '../src/modules/places/importer.ts'
import { placesRepository } from '../src/modules/places/repository.ts'
import { benchmarkConfig, benchmarkDatabase } from './places-database.ts'

/**
 * Postcode lookup latency with 100,000 properties, measured over real HTTP against
 * GET /api/v1/addresses?postcode=… (the same service the "Find an address" page uses), cycling
 * through every postcode in the register. Also prints the query plan, to show the index is used.
 */
const properties = 100_000
/** One visitor at a time (the latency of a lookup), then ten at once (the latency under load). */
const connectionCounts = [1, 10]
const durationSeconds = 15

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!
}

const database = await benchmarkDatabase()
try {
  await importAddresses(database.db, [generateDemoPlaces({ properties }).addressesCsv])
  await sql`analyze properties`.execute(database.db)
  const postcodes = (await database.db.selectFrom('properties').select('postcode').distinct().execute()).map((row) => row.postcode)

  const plan = await placesRepository(database.db).propertiesAtPostcodeQuery(postcodes[0]!).explain('text', sql`analyze, buffers`)
  console.log(`Query plan for one postcode (${postcodes[0]}):`)
  for (const row of plan) console.log(`  ${String(Object.values(row)[0])}`)

  const config = benchmarkConfig(database.connectionString)
  const logger = createLogger('silent')
  const app = await buildApp({ config, db: database.db, logger, services: createServices({ config, db: database.db, logger }), cookieSecret: config.sessionSecret! })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })

  let next = 0
  const requests = [
    {
      method: 'GET',
      setupRequest: (request: { path?: string }) => {
        next = (next + 1) % postcodes.length
        return { ...request, path: `/api/v1/addresses?postcode=${encodeURIComponent(postcodes[next]!)}` }
      },
    },
  ]
  await autocannon({ url, connections: 10, duration: 3, requests })

  const milliseconds = (value: number) => `${value.toFixed(2)} ms`
  console.log(`\nGET /api/v1/addresses over HTTP: ${properties.toLocaleString('en-GB')} properties, ${postcodes.length.toLocaleString('en-GB')} postcodes, ${durationSeconds} s each`)
  for (const connections of connectionCounts) {
    const latencies: number[] = []
    const instance = autocannon({ url, connections, duration: durationSeconds, requests })
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode === 200) latencies.push(responseTime)
    })
    const result = await instance
    latencies.sort((a, b) => a - b)
    console.log(`  ${connections} connection${connections === 1 ? '' : 's'}: ${result.requests.total.toLocaleString('en-GB')} requests (${Math.round(result.requests.average).toLocaleString('en-GB')}/s), errors ${result.errors}, non-2xx ${result.non2xx}`)
    console.log(`    latency p50 ${milliseconds(percentile(latencies, 0.5))}, p95 ${milliseconds(percentile(latencies, 0.95))}, p99 ${milliseconds(percentile(latencies, 0.99))}, max ${milliseconds(latencies.at(-1) ?? 0)}`)
    console.log(`    (autocannon's own histogram: p90 ${result.latency.p90} ms, p97.5 ${result.latency.p97_5} ms, p99 ${result.latency.p99} ms)`)
  }
  await app.close()

  const single: number[] = []
  for (let index = 0; index < 2000; index += 1) {
    const started = performance.now()
    await placesRepository(database.db).propertiesAtPostcode(postcodes[(index * 7) % postcodes.length]!)
    single.push(performance.now() - started)
  }
  single.sort((a, b) => a - b)
  console.log(`One query at a time, database only (no HTTP): p50 ${milliseconds(percentile(single, 0.5))}, p95 ${milliseconds(percentile(single, 0.95))}`)
} finally {
  await database.close()
}
