import { createReadStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { generateDemoPlaces } from '../src/demo/places.ts'
import { importAddresses, importTenancies } from '../src/modules/places/importer.ts'
import { benchmarkDatabase } from './places-database.ts'

/**
 * How fast the address importer is: 100,000 generated addresses read from a file on disk, checked,
 * staged and upserted in one transaction (the same code `npm run import:addresses` runs), then the
 * same file again (every row compared, none changed), then the tenancies of those homes.
 */
const rows = 100_000
const folder = mkdtempSync(path.join(tmpdir(), 'guildhall-bench-files-'))
const places = generateDemoPlaces({ properties: rows })
const addressFile = path.join(folder, 'addresses.csv')
const tenancyFile = path.join(folder, 'tenancies.csv')
writeFileSync(addressFile, places.addressesCsv)
writeFileSync(tenancyFile, places.tenanciesCsv)
const tenancyRows = places.tenanciesCsv.trimEnd().split('\n').length - 1

const database = await benchmarkDatabase()
try {
  const timed = async <T>(work: () => Promise<T>) => {
    const started = performance.now()
    const result = await work()
    return { result, seconds: (performance.now() - started) / 1000 }
  }
  const megabytes = (file: string) => (statSync(file).size / 1_048_576).toFixed(1)

  const first = await timed(() => importAddresses(database.db, createReadStream(addressFile, { highWaterMark: 1 << 20 })))
  const again = await timed(() => importAddresses(database.db, createReadStream(addressFile, { highWaterMark: 1 << 20 })))
  const tenancies = await timed(() => importTenancies(database.db, createReadStream(tenancyFile, { highWaterMark: 1 << 20 })))

  const rate = (count: number, seconds: number) => Math.round(count / seconds).toLocaleString('en-GB')
  console.log(`Address import, ${rows.toLocaleString('en-GB')} rows (${megabytes(addressFile)} MB):`)
  console.log(`  first import:   ${first.seconds.toFixed(2)} s  ${rate(rows, first.seconds)} rows/s  (added ${first.result.added})`)
  console.log(`  re-import:      ${again.seconds.toFixed(2)} s  ${rate(rows, again.seconds)} rows/s  (unchanged ${again.result.unchanged})`)
  console.log(`Tenancy import, ${tenancyRows.toLocaleString('en-GB')} rows (${megabytes(tenancyFile)} MB):`)
  console.log(`  first import:   ${tenancies.seconds.toFixed(2)} s  ${rate(tenancyRows, tenancies.seconds)} rows/s  (tenancies ${tenancies.result.tenanciesAdded})`)
} finally {
  await database.close()
  rmSync(folder, { recursive: true, force: true })
}
