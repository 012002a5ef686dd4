import { sql, type Kysely } from 'kysely'
import type { Database } from '../../database.ts'
import type { DatabaseHandle } from '../../lib/database/connection.ts'
import { translator, type Translate } from '../../lib/i18n/index.ts'
import { readCsv, matchHeader, type CsvRecord } from './csv.ts'
import {
  AddressFileConsistency,
  checkAddressRow,
  optionalAddressColumns,
  requiredAddressColumns,
  type AddressRow,
  type RowCheck,
} from './address-rows.ts'
import { checkTenancyRow, optionalTenancyColumns, requiredTenancyColumns, TenancyFileConsistency, type TenancyRow } from './tenancy-rows.ts'
import { todayInLondon } from './dates.ts'

export type CsvSource = AsyncIterable<string | Uint8Array> | Iterable<string>

export interface RowProblem {
  /** The line of the file, counting the header as line 1. */
  line: number
  reasons: string[]
}

export type ImportProgress = { stage: 'checking'; rows: number } | { stage: 'saving'; rows: number }

export interface ImportOptions {
  t?: Translate
  onProgress?: (progress: ImportProgress) => void
}

/** The whole file was refused: nothing from it was saved. */
export class ImportRejected extends Error {
  constructor(
    readonly problems: RowProblem[],
    readonly rows: number,
  ) {
    super(`${problems.length} bad row${problems.length === 1 ? '' : 's'}; nothing was imported`)
  }
}

export interface AddressImportReport {
  rows: number
  added: number
  updated: number
  unchanged: number
  wards: number
  streets: number
  ignoredColumns: string[]
}

export interface TenancyImportReport {
  rows: number
  tenanciesAdded: number
  tenanciesUpdated: number
  tenantsAdded: number
  tenantsRemoved: number
  ignoredColumns: string[]
}

type Transaction = Kysely<Database>

/** Rows are written to the staging table this many at a time, one array parameter per column. */
const batchSize = 10_000

interface FileSpecification<Column extends string, Row> {
  required: readonly Column[]
  optional: readonly Column[]
  checkRow(values: Partial<Record<Column, string>>): RowCheck<Row>
  consistency: { check(row: Row, line: number): string[] }
  stage(trx: Transaction, batch: { line: number; row: Row }[]): Promise<void>
}

interface StagedFile<Column extends string> {
  rows: number
  problems: RowProblem[]
  present: Set<Column>
  ignoredColumns: string[]
}

/**
 * Reads the file once: checks every row, and writes the good ones to the staging table as it
 * goes. The caller looks at `problems` and rolls the transaction back if there are any, so a
 * file is imported whole or not at all.
 */
async function stageFile<Column extends string, Row>(
  trx: Transaction,
  source: CsvSource,
  specification: FileSpecification<Column, Row>,
  t: Translate,
  onProgress: ImportOptions['onProgress'],
): Promise<StagedFile<Column>> {
  const problems: RowProblem[] = []
  let header: ReturnType<typeof matchHeader<Column>> | undefined
  let width = 0
  let rows = 0
  let batch: { line: number; row: Row }[] = []
  // One batch is written while the next is read and checked, so the database and this process
  // work at the same time; the transaction's connection runs its queries in order.
  let writing: Promise<void> = Promise.resolve()
  let writeFailure: unknown
  const flush = async () => {
    await writing
    if (writeFailure) throw writeFailure
    if (batch.length === 0) return
    const written = rows
    writing = specification.stage(trx, batch).then(
      () => onProgress?.({ stage: 'checking', rows: written }),
      (error: unknown) => {
        writeFailure = error
      },
    )
    batch = []
  }

  for await (const record of readCsv(source)) {
    if (!header) {
      header = matchHeader(record.fields, specification.required, specification.optional)
      width = record.fields.length
      const reasons: string[] = []
      if (header.missing.length > 0) reasons.push(t('places.import.problems.missingColumns', { columns: header.missing.join(', ') }))
      if (header.duplicated.length > 0) reasons.push(t('places.import.problems.repeatedColumns', { columns: header.duplicated.join(', ') }))
      if (reasons.length > 0) return { rows: 0, problems: [{ line: record.line, reasons }], present: new Set(), ignoredColumns: header.ignored }
      continue
    }
    rows += 1
    const reasons = recordProblems(record, width, t)
    if (reasons.length === 0) {
      const values: Partial<Record<Column, string>> = {}
      for (const [column, position] of Object.entries(header.positions) as [Column, number][]) values[column] = record.fields[position]
      const checked = specification.checkRow(values)
      if (checked.row) {
        reasons.push(...specification.consistency.check(checked.row, record.line))
        if (reasons.length === 0 && problems.length === 0) batch.push({ line: record.line, row: checked.row })
      } else {
        reasons.push(...checked.reasons)
      }
    }
    if (reasons.length > 0) problems.push({ line: record.line, reasons })
    if (batch.length >= batchSize) await flush()
  }
  if (!header) return { rows: 0, problems: [{ line: 1, reasons: [t('places.import.problems.empty')] }], present: new Set(), ignoredColumns: [] }
  if (rows === 0) problems.push({ line: 2, reasons: [t('places.import.problems.noRows')] })
  // Once a bad row is found the import cannot succeed, so later good rows are checked but not staged.
  if (problems.length === 0) await flush()
  await writing
  if (writeFailure) throw writeFailure
  const present = new Set(Object.keys(header.positions) as Column[])
  return { rows, problems, present, ignoredColumns: header.ignored }
}

/**
 * PostgreSQL compiles queries it expects to be costly (JIT); the big set-based statements here
 * qualify, yet run faster than the compilation takes.
 */
async function withoutQueryCompilation(trx: Transaction) {
  await sql`set local jit = off`.execute(trx)
}

function recordProblems(record: CsvRecord, width: number, t: Translate): string[] {
  if (record.problem) return [t(`places.import.problems.${record.problem}`)]
  if (record.fields.length !== width) return [t('places.import.problems.wrongWidth', { count: record.fields.length, expected: width })]
  return []
}

function byLine(problems: RowProblem[]): RowProblem[] {
  const merged = new Map<number, string[]>()
  for (const problem of problems) merged.set(problem.line, [...(merged.get(problem.line) ?? []), ...problem.reasons])
  return [...merged].sort(([a], [b]) => a - b).map(([line, reasons]) => ({ line, reasons }))
}

function count(result: { numAffectedRows?: bigint }): number {
  return Number(result.numAffectedRows ?? 0)
}

/** Below this many rows, keeping the indexes up to date as rows go in costs too little to matter. */
const bulkLoadRows = 10_000

/**
 * A file that mostly adds to a small register (the first import, or a new council's gazetteer)
 * loads in about half the time if the secondary indexes are dropped and built again afterwards.
 * Dropping them locks the table until the import commits, which only holds up lookups in a
 * register that is nearly empty. Returns the definitions to build again, read from the database
 * so they always match the migrations.
 */
async function setSecondaryIndexesAside(trx: Transaction, incomingRows: number): Promise<string[]> {
  if (incomingRows < bulkLoadRows) return []
  const existing = await sql<{ count: string }>`
    select count(*) as count from (select 1 from properties limit ${Math.floor(incomingRows / 2)}) as sample`.execute(trx)
  if (Number(existing.rows[0]?.count) >= Math.floor(incomingRows / 2)) return []
  const indexes = await sql<{ name: string; definition: string }>`
    select indexname as name, indexdef as definition from pg_indexes
    where schemaname = current_schema() and tablename = 'properties'
      and not exists (select 1 from pg_constraint where pg_constraint.conname = pg_indexes.indexname)`.execute(trx)
  for (const index of indexes.rows) await sql`drop index ${sql.id(index.name)}`.execute(trx)
  return indexes.rows.map((index) => index.definition)
}

async function stageAddresses(trx: Transaction, batch: { line: number; row: AddressRow }[]) {
  const column = <Value>(pick: (row: AddressRow) => Value) => batch.map((item) => pick(item.row))
  await sql`
    insert into address_import
    select * from unnest(
      ${batch.map((item) => item.line)}::int[], ${column((row) => row.uprn)}::bigint[], ${column((row) => row.parentUprn)}::bigint[],
      ${column((row) => row.addressLine1)}::text[], ${column((row) => row.addressLine2)}::text[], ${column((row) => row.addressLine3)}::text[],
      ${column((row) => row.town)}::text[], ${column((row) => row.postcode)}::text[],
      ${column((row) => row.easting)}::float8[], ${column((row) => row.northing)}::float8[],
      ${column((row) => row.latitude)}::float8[], ${column((row) => row.longitude)}::float8[],
      ${column((row) => row.usrn)}::bigint[], ${column((row) => row.streetName)}::text[],
      ${column((row) => row.wardCode)}::text[], ${column((row) => row.wardName)}::text[],
      ${column((row) => row.isCouncilHousing)}::boolean[]
    )`.execute(trx)
}

/**
 * Imports an address file (see the README for its columns): every row is checked, and if any is
 * bad nothing is saved and every bad row is reported with its line. Otherwise wards, streets and
 * properties are added or updated by their codes, USRNs and UPRNs in one transaction.
 */
export async function importAddresses(db: DatabaseHandle, source: CsvSource, options: ImportOptions = {}): Promise<AddressImportReport> {
  const t = options.t ?? translator('en')
  return db.transaction().execute(async (trx) => {
    await withoutQueryCompilation(trx)
    await sql`
      create temporary table address_import (
        line int not null, uprn bigint not null, parent_uprn bigint,
        address_line_1 text not null, address_line_2 text not null, address_line_3 text not null,
        town text not null, postcode text not null,
        easting float8 not null, northing float8 not null, latitude float8 not null, longitude float8 not null,
        usrn bigint not null, street_name text not null, ward_code text not null, ward_name text not null,
        is_council_housing boolean
      ) on commit drop`.execute(trx)

    const staged = await stageFile(
      trx,
      source,
      {
        required: requiredAddressColumns,
        optional: optionalAddressColumns,
        checkRow: (values) => checkAddressRow(values, t),
        consistency: new AddressFileConsistency(t),
        stage: stageAddresses,
      },
      t,
      options.onProgress,
    )
    if (staged.problems.length > 0) throw new ImportRejected(byLine(staged.problems), staged.rows)

    await sql`create index on address_import (uprn)`.execute(trx)
    await sql`create index on address_import (parent_uprn)`.execute(trx)
    await sql`analyze address_import`.execute(trx)
    const orphans = await sql<{ line: number; parent_uprn: number }>`
      select line, parent_uprn from address_import staged
      where parent_uprn is not null
        and not exists (select 1 from address_import parent where parent.uprn = staged.parent_uprn)
        and not exists (select 1 from properties parent where parent.uprn = staged.parent_uprn)
      order by line`.execute(trx)
    if (orphans.rows.length > 0) {
      const problems = orphans.rows.map((row) => ({ line: row.line, reasons: [t('places.import.problems.unknownParent', { uprn: row.parent_uprn })] }))
      throw new ImportRejected(problems, staged.rows)
    }

    options.onProgress?.({ stage: 'saving', rows: staged.rows })
    const wards = await sql`
      insert into wards (code, name)
      select distinct on (ward_code) ward_code, ward_name from address_import order by ward_code, line
      on conflict (code) do update set name = excluded.name where wards.name is distinct from excluded.name`.execute(trx)
    const streets = await sql`
      insert into streets (usrn, name, town)
      select distinct on (usrn) usrn, street_name, town from address_import order by usrn, line
      on conflict (usrn) do update set name = excluded.name, town = excluded.town
      where (streets.name, streets.town) is distinct from (excluded.name, excluded.town)`.execute(trx)

    const rebuiltIndexes = await setSecondaryIndexesAside(trx, staged.rows)

    // Without a parent_uprn column the file says nothing about parents, so existing ones are kept;
    // an empty is_council_housing likewise keeps what the register holds.
    const parentKnown = sql.lit(staged.present.has('parent_uprn'))
    const newParent = sql`case when ${parentKnown} then staged.parent_uprn else properties.parent_uprn end`
    const newCouncilHousing = sql`coalesce(staged.is_council_housing, properties.is_council_housing)`
    const updated = await sql`
      update properties set
        parent_uprn = ${newParent},
        address_line_1 = staged.address_line_1, address_line_2 = staged.address_line_2, address_line_3 = staged.address_line_3,
        town = staged.town, postcode = staged.postcode, ward_code = staged.ward_code, usrn = staged.usrn,
        easting = staged.easting, northing = staged.northing, grid_position = point(staged.easting, staged.northing),
        latitude = staged.latitude, longitude = staged.longitude,
        is_council_housing = ${newCouncilHousing}, updated_at = now()
      from address_import staged
      where properties.uprn = staged.uprn
        and (properties.parent_uprn, properties.address_line_1, properties.address_line_2, properties.address_line_3,
             properties.town, properties.postcode, properties.ward_code, properties.usrn, properties.easting,
             properties.northing, properties.is_council_housing)
        is distinct from
            (${newParent}, staged.address_line_1, staged.address_line_2, staged.address_line_3,
             staged.town, staged.postcode, staged.ward_code, staged.usrn, staged.easting,
             staged.northing, ${newCouncilHousing})`.execute(trx)
    const added = await sql`
      insert into properties (uprn, parent_uprn, address_line_1, address_line_2, address_line_3, town, postcode, ward_code,
                              usrn, easting, northing, grid_position, latitude, longitude, is_council_housing)
      select uprn, parent_uprn, address_line_1, address_line_2, address_line_3, town, postcode, ward_code,
             usrn, easting, northing, point(easting, northing), latitude, longitude, coalesce(is_council_housing, false)
      from address_import staged
      where not exists (select 1 from properties where properties.uprn = staged.uprn)`.execute(trx)

    for (const definition of rebuiltIndexes) await sql.raw(definition).execute(trx)

    const report = {
      rows: staged.rows,
      added: count(added),
      updated: count(updated),
      wards: count(wards),
      streets: count(streets),
      ignoredColumns: staged.ignoredColumns,
    }
    return { ...report, unchanged: report.rows - report.added - report.updated }
  })
}

async function stageTenancies(trx: Transaction, batch: { line: number; row: TenancyRow }[]) {
  const column = <Value>(pick: (row: TenancyRow) => Value) => batch.map((item) => pick(item.row))
  await sql`
    insert into tenancy_import
    select * from unnest(
      ${batch.map((item) => item.line)}::int[], ${column((row) => row.reference)}::text[], ${column((row) => row.uprn)}::bigint[],
      ${column((row) => row.givenName)}::text[], ${column((row) => row.familyName)}::text[], ${column((row) => row.dateOfBirth)}::date[],
      ${column((row) => row.startDate)}::date[], ${column((row) => row.endDate)}::date[]
    )`.execute(trx)
}

/**
 * Imports the housing management system's tenancy export with the same guarantees as addresses.
 * The file is the truth for each tenancy it names: a tenant no longer listed on one is removed.
 */
export async function importTenancies(db: DatabaseHandle, source: CsvSource, options: ImportOptions = {}): Promise<TenancyImportReport> {
  const t = options.t ?? translator('en')
  const today = todayInLondon()
  return db.transaction().execute(async (trx) => {
    await withoutQueryCompilation(trx)
    await sql`
      create temporary table tenancy_import (
        line int not null, reference text not null, uprn bigint not null,
        given_name text not null, family_name text not null, date_of_birth date not null,
        start_date date not null, end_date date
      ) on commit drop`.execute(trx)

    const staged = await stageFile(
      trx,
      source,
      {
        required: requiredTenancyColumns,
        optional: optionalTenancyColumns,
        checkRow: (values) => checkTenancyRow(values, today, t),
        consistency: new TenancyFileConsistency(t),
        stage: stageTenancies,
      },
      t,
      options.onProgress,
    )
    if (staged.problems.length > 0) throw new ImportRejected(byLine(staged.problems), staged.rows)

    await sql`create index on tenancy_import (reference)`.execute(trx)
    await sql`analyze tenancy_import`.execute(trx)
    const unknown = await sql<{ line: number; uprn: number }>`
      select line, uprn from tenancy_import staged
      where not exists (select 1 from properties where properties.uprn = staged.uprn) order by line`.execute(trx)
    if (unknown.rows.length > 0) {
      const problems = unknown.rows.map((row) => ({ line: row.line, reasons: [t('places.import.problems.unknownUprn', { uprn: row.uprn })] }))
      throw new ImportRejected(problems, staged.rows)
    }

    options.onProgress?.({ stage: 'saving', rows: staged.rows })
    const updated = await sql`
      update tenancies set uprn = staged.uprn, start_date = staged.start_date, end_date = staged.end_date, updated_at = now()
      from (select distinct on (reference) reference, uprn, start_date, end_date from tenancy_import order by reference, line) staged
      where tenancies.reference = staged.reference
        and (tenancies.uprn, tenancies.start_date, tenancies.end_date) is distinct from (staged.uprn, staged.start_date, staged.end_date)`.execute(trx)
    const added = await sql`
      insert into tenancies (reference, uprn, start_date, end_date)
      select distinct on (reference) reference, uprn, start_date, end_date from tenancy_import staged
      where not exists (select 1 from tenancies where tenancies.reference = staged.reference)
      order by reference, line`.execute(trx)
    const removed = await sql`
      delete from tenants using tenancies
      where tenants.tenancy_id = tenancies.id
        and exists (select 1 from tenancy_import staged where staged.reference = tenancies.reference)
        and not exists (
          select 1 from tenancy_import staged
          where staged.reference = tenancies.reference and staged.given_name = tenants.given_name
            and staged.family_name = tenants.family_name and staged.date_of_birth = tenants.date_of_birth)`.execute(trx)
    const tenants = await sql`
      insert into tenants (tenancy_id, given_name, family_name, date_of_birth)
      select tenancies.id, staged.given_name, staged.family_name, staged.date_of_birth
      from tenancy_import staged join tenancies on tenancies.reference = staged.reference
      on conflict (tenancy_id, given_name, family_name, date_of_birth) do nothing`.execute(trx)

    return {
      rows: staged.rows,
      tenanciesAdded: count(added),
      tenanciesUpdated: count(updated),
      tenantsAdded: count(tenants),
      tenantsRemoved: count(removed),
      ignoredColumns: staged.ignoredColumns,
    }
  })
}
