import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('wards')
    .addColumn('code', 'text', (column) => column.primaryKey())
    .addColumn('name', 'text', (column) => column.notNull())
    .execute()

  await db.schema
    .createTable('streets')
    .addColumn('usrn', 'bigint', (column) => column.primaryKey())
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('town', 'text', (column) => column.notNull().defaultTo(''))
    .execute()

  // Positions are British National Grid metres in a native point (x = easting, y = northing) with a
  // GiST index for nearby and bounding-box searches, plus WGS84 for maps and APIs.
  await db.schema
    .createTable('properties')
    .addColumn('uprn', 'bigint', (column) => column.primaryKey())
    .addColumn('parent_uprn', 'bigint')
    .addColumn('address_line_1', 'text', (column) => column.notNull())
    .addColumn('address_line_2', 'text', (column) => column.notNull().defaultTo(''))
    .addColumn('address_line_3', 'text', (column) => column.notNull().defaultTo(''))
    .addColumn('town', 'text', (column) => column.notNull())
    .addColumn('postcode', 'text', (column) => column.notNull())
    .addColumn('ward_code', 'text', (column) => column.references('wards.code'))
    .addColumn('usrn', 'bigint', (column) => column.references('streets.usrn'))
    .addColumn('easting', 'double precision', (column) => column.notNull())
    .addColumn('northing', 'double precision', (column) => column.notNull())
    .addColumn('grid_position', sql`point`, (column) => column.notNull())
    .addColumn('latitude', 'double precision', (column) => column.notNull())
    .addColumn('longitude', 'double precision', (column) => column.notNull())
    .addColumn('is_council_housing', 'boolean', (column) => column.notNull().defaultTo(false))
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute()
  // Postcodes are stored normalised ("LW1 2AB"), so the lookup is an exact index match.
  await db.schema.createIndex('properties_postcode').on('properties').column('postcode').execute()
  await db.schema.createIndex('properties_parent_uprn').on('properties').column('parent_uprn').execute()
  await db.schema.createIndex('properties_ward_code').on('properties').column('ward_code').execute()
  await db.schema.createIndex('properties_usrn').on('properties').column('usrn').execute()
  await sql`create index properties_grid_position on properties using gist (grid_position)`.execute(db)

  await db.schema
    .createTable('tenancies')
    .addColumn('id', 'uuid', (column) => column.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('reference', 'text', (column) => column.notNull().unique())
    .addColumn('uprn', 'bigint', (column) => column.notNull().references('properties.uprn'))
    .addColumn('start_date', 'date', (column) => column.notNull())
    .addColumn('end_date', 'date')
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('tenancies_uprn').on('tenancies').column('uprn').execute()

  // The tenants named on a tenancy, as the housing management system holds them. A tenant who
  // links their online account is joined to the person record.
  await db.schema
    .createTable('tenants')
    .addColumn('id', 'uuid', (column) => column.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('tenancy_id', 'uuid', (column) => column.notNull().references('tenancies.id').onDelete('cascade'))
    .addColumn('given_name', 'text', (column) => column.notNull())
    .addColumn('family_name', 'text', (column) => column.notNull())
    .addColumn('date_of_birth', 'date', (column) => column.notNull())
    .addColumn('person_id', 'uuid', (column) => column.references('people.id').onDelete('set null'))
    .addColumn('linked_at', 'timestamptz')
    .addUniqueConstraint('tenants_tenancy_name_birth', ['tenancy_id', 'given_name', 'family_name', 'date_of_birth'])
    .execute()
  await db.schema.createIndex('tenants_person_id').on('tenants').column('person_id').execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['tenants', 'tenancies', 'properties', 'streets', 'wards']) {
    await db.schema.dropTable(table).execute()
  }
}
