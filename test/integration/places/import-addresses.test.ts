import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { createTestApp, type TestApp } from '../../support/app.ts'
import { ImportRejected } from '../../../src/modules/places/index.ts'
import { generateDemoPlaces } from '../../../src/demo/places.ts'
import { address, addressCsv } from '../../support/places.ts'

const run = promisify(execFile)

async function rejection(promise: Promise<unknown>): Promise<ImportRejected> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  if (!(error instanceof ImportRejected)) throw new Error(`Expected the file to be refused, got ${String(error)}`)
  return error
}

describe('importing an address file', () => {
  let test: TestApp
  const folder = mkdtempSync(path.join(tmpdir(), 'guildhall-addresses-'))
  beforeAll(async () => {
    test = await createTestApp()
  })
  afterAll(async () => {
    await test?.close()
  })
  beforeEach(async () => {
    await sql`truncate tenants, tenancies, properties, streets, wards cascade`.execute(test.database.db)
  })

  const places = () => test.services.places
  const count = async (table: 'properties' | 'streets' | 'wards') =>
    Number((await test.database.db.selectFrom(table).select((select) => select.fn.countAll().as('count')).executeTakeFirstOrThrow()).count)

  it('imports a good file with its wards, streets, flats and positions', async () => {
    const report = await places().importAddresses([
      addressCsv([
        address(1001),
        address(1002, { address_line_1: 'Heron Court', address_line_2: '2 Mill Lane', is_council_housing: 'yes' }),
        address(1003, { parent_uprn: 1002, address_line_1: 'Flat 1, Heron Court', address_line_2: '2 Mill Lane' }),
        address(2001, { postcode: 'lw2 1ab', usrn: 48100002, street_name: 'Church Road', ward_code: 'LWW02', ward_name: 'Castle Hill', is_council_housing: '' }),
      ]),
    ])
    expect(report).toMatchObject({ rows: 4, added: 4, updated: 0, unchanged: 0, wards: 2, streets: 2 })
    const flat = await test.database.db.selectFrom('properties').selectAll().where('uprn', '=', 1003).executeTakeFirstOrThrow()
    expect(flat).toMatchObject({ parent_uprn: 1002, address_line_1: 'Flat 1, Heron Court', postcode: 'LW1 5UP', ward_code: 'LWW01', usrn: 48100001 })
    expect(flat.grid_position).toEqual({ x: 447467.2, y: 204298 })
    expect(flat.latitude).toBeCloseTo(51.73, 1)
    const other = await test.database.db.selectFrom('properties').selectAll().where('uprn', '=', 2001).executeTakeFirstOrThrow()
    expect(other).toMatchObject({ postcode: 'LW2 1AB', is_council_housing: false })
  })

  it('reports every bad row with its line number and imports nothing', async () => {
    await places().importAddresses([addressCsv([address(5000)])])
    const csv = addressCsv([
      address(1001),
      address(1002, { postcode: 'NOT A POSTCODE' }),
      address(1003),
      address(1001, { address_line_1: '' }),
      address(1004, { easting: 'east' }),
      address(1005),
    ])
    const error = await rejection(places().importAddresses([csv]))
    expect(error.problems).toEqual([
      { line: 3, reasons: ['postcode "NOT A POSTCODE" is not a real UK postcode'] },
      { line: 5, reasons: ['address_line_1 is empty'] },
      { line: 6, reasons: ['easting "east" is not a British National Grid value in metres from 0 to 700000'] },
    ])
    expect(error.rows).toBe(6)
    expect(await count('properties')).toBe(1)
    expect(await count('streets')).toBe(1)
  })

  it('refuses a flat whose block is neither in the file nor the register', async () => {
    const error = await rejection(places().importAddresses([addressCsv([address(1001), address(1002, { parent_uprn: 999 })])]))
    expect(error.problems).toEqual([{ line: 3, reasons: ['parent_uprn 999 is not in this file or the property register'] }])
    expect(await count('properties')).toBe(0)
  })

  it('refuses a file whose header lacks columns, or whose rows are the wrong width, or a quote is left open', async () => {
    const missing = await rejection(places().importAddresses(['uprn,town\n1,Lower Wendle\n']))
    expect(missing.problems).toEqual([
      { line: 1, reasons: ['The header is missing these columns: address_line_1, postcode, easting, northing, usrn, street_name, ward_code, ward_name'] },
    ])
    const [header, row] = addressCsv([address(1001)]).split('\n')
    const broken = await rejection(places().importAddresses([`${header}\n${row},extra\n${row!.replace(',Lower Wendle,', ',"Lower Wendle,')}\n`]))
    expect(broken.problems.map((problem) => problem.line)).toEqual([2, 3])
    expect(broken.problems[0]!.reasons[0]).toBe('The row has 15 values but the header has 14 columns')
    expect(await count('properties')).toBe(0)
  })

  it('updates by UPRN on re-import instead of duplicating, and renames streets and wards', async () => {
    await places().importAddresses([addressCsv([address(1001), address(1002), address(1003, { parent_uprn: 1002 })])])
    const before = await test.database.db.selectFrom('properties').select(['uprn', 'updated_at']).where('uprn', '=', 1001).executeTakeFirstOrThrow()
    const renamed = { street_name: 'Mill Lane North', ward_name: 'Abbey and Priory' }
    const report = await places().importAddresses([
      addressCsv([
        address(1001, renamed),
        address(1002, { ...renamed, address_line_1: '2 Mill Lane (rebuilt)' }),
        address(1003, { ...renamed, parent_uprn: 1002 }),
        address(1004, renamed),
      ]),
    ])
    expect(report).toMatchObject({ rows: 4, added: 1, updated: 1, unchanged: 2, wards: 1, streets: 1 })
    expect(await count('properties')).toBe(4)
    const after = await test.database.db.selectFrom('properties').select(['uprn', 'updated_at']).where('uprn', '=', 1001).executeTakeFirstOrThrow()
    expect(after.updated_at).toEqual(before.updated_at)
    const street = await test.database.db.selectFrom('streets').selectAll().executeTakeFirstOrThrow()
    expect(street.name).toBe('Mill Lane North')
    const ward = await test.database.db.selectFrom('wards').selectAll().executeTakeFirstOrThrow()
    expect(ward.name).toBe('Abbey and Priory')
  })

  it('keeps parents and council housing when a later file does not say', async () => {
    await places().importAddresses([addressCsv([address(1001, { is_council_housing: 'true' }), address(1002, { parent_uprn: 1001 })])])
    const withoutParents = 'uprn,address_line_1,town,postcode,easting,northing,usrn,street_name,ward_code,ward_name\n' +
      '1002,Flat 1,Lower Wendle,LW1 5UP,447467.2,204298,48100001,Mill Lane,LWW01,Abbey\n'
    await places().importAddresses([withoutParents])
    const flat = await test.database.db.selectFrom('properties').selectAll().where('uprn', '=', 1002).executeTakeFirstOrThrow()
    expect(flat).toMatchObject({ parent_uprn: 1001, address_line_1: 'Flat 1', is_council_housing: true })
  })

  it('loads a large file into an empty register with every index built again afterwards', async () => {
    const indexes = () =>
      sql<{ indexname: string }>`select indexname from pg_indexes where tablename = 'properties' order by indexname`.execute(test.database.db)
    const before = (await indexes()).rows
    const report = await places().importAddresses([generateDemoPlaces({ properties: 12_000 }).addressesCsv])
    expect(report.added).toBe(12_000)
    expect((await indexes()).rows).toEqual(before)
    expect(before.map((row) => row.indexname)).toContain('properties_grid_position')
  })

  it('runs from the command line: a bad file exits 1 listing every bad row, a good one imports', async () => {
    const bad = path.join(folder, 'bad.csv')
    writeFileSync(bad, addressCsv([address(1001), address(1002, { uprn: 'x' }), address(1003, { northing: '' })]))
    // Only what the tool needs: the test runner's own variables (BASE_URL among them) are not the app's.
    const environment = { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: test.database.connectionString, DEMO_DATA: 'false' }
    const failed = await run('node_modules/.bin/tsx', ['src/modules/places/cli/import-addresses.ts', bad], { env: environment }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    )
    expect(failed?.code).toBe(1)
    expect(failed?.stderr).toContain('2 rows cannot be imported, so nothing was imported')
    expect(failed?.stderr).toContain('Line 3: uprn "x" is not a number of 1 to 12 digits')
    expect(failed?.stderr).toContain('Line 4: northing is empty')
    expect(await count('properties')).toBe(0)

    const good = path.join(folder, 'good.csv')
    writeFileSync(good, addressCsv([address(1001), address(1002)]))
    const { stdout } = await run('node_modules/.bin/tsx', ['src/modules/places/cli/import-addresses.ts', good], { env: environment })
    expect(stdout).toContain('Imported 2 rows')
    expect(await count('properties')).toBe(2)
  })
})
