import { sql, type Kysely } from 'kysely'

/**
 * Where a report of a problem in a street is: kept on the request itself, as well as in its
 * answers, so nearby reports and the map of reports are index searches. British National Grid
 * metres in a native point for distances; WGS84 for maps and APIs.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('requests')
    .addColumn('location', sql`point`)
    .addColumn('easting', 'double precision')
    .addColumn('northing', 'double precision')
    .addColumn('latitude', 'double precision')
    .addColumn('longitude', 'double precision')
    .addColumn('usrn', 'bigint')
    // The ward as the council's boundary file names it, which is the authority on where a point is.
    .addColumn('ward_code', 'text')
    .execute()
  await db.schema
    .alterTable('requests')
    .addCheckConstraint(
      'requests_location_whole',
      sql`(location is null) = (easting is null) and (location is null) = (northing is null) and (location is null) = (latitude is null) and (location is null) = (longitude is null)`,
    )
    .execute()
  await sql`create index requests_location on requests using gist (location) where location is not null`.execute(db)
  await sql`create index requests_open_location on requests using gist (location) where location is not null and status not in ('completed', 'cancelled', 'closed')`.execute(db)
  await db.schema.createIndex('requests_ward_created').on('requests').columns(['ward_code', 'created_at']).where(sql.ref('ward_code'), 'is not', null).execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('requests_ward_created').execute()
  await db.schema.dropIndex('requests_open_location').execute()
  await db.schema.dropIndex('requests_location').execute()
  await db.schema.alterTable('requests').dropConstraint('requests_location_whole').execute()
  await db.schema
    .alterTable('requests')
    .dropColumn('location')
    .dropColumn('easting')
    .dropColumn('northing')
    .dropColumn('latitude')
    .dropColumn('longitude')
    .dropColumn('usrn')
    .dropColumn('ward_code')
    .execute()
}
