import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  // How many visits a team or contractor can make in a window on a day, and how many are booked.
  // The check is what makes overbooking impossible: booking adds one only while a place is free.
  await db.schema
    .createTable('capacity')
    .addColumn('id', 'uuid', (column) => column.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('team_id', 'uuid', (column) => column.references('teams.id'))
    .addColumn('contractor_id', 'uuid', (column) => column.references('contractors.id'))
    .addColumn('date', 'date', (column) => column.notNull())
    .addColumn('window_code', 'text', (column) => column.notNull())
    .addColumn('places', 'integer', (column) => column.notNull())
    .addColumn('booked', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('capacity_one_owner', sql`num_nonnulls(team_id, contractor_id) = 1`)
    .addCheckConstraint('capacity_booked_within_places', sql`booked >= 0 and booked <= places`)
    .execute()
  // One row per owner, day and window; two partial indexes, because a unique index treats the
  // owner column left empty as different every time.
  await sql`create unique index capacity_team_slot on capacity (team_id, date, window_code) where team_id is not null`.execute(db)
  await sql`create unique index capacity_contractor_slot on capacity (contractor_id, date, window_code) where contractor_id is not null`.execute(db)

  // Days with no appointments: an owner's training day, or a council-wide closure when no owner is named.
  await db.schema
    .createTable('closures')
    .addColumn('id', 'uuid', (column) => column.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('team_id', 'uuid', (column) => column.references('teams.id'))
    .addColumn('contractor_id', 'uuid', (column) => column.references('contractors.id'))
    .addColumn('date', 'date', (column) => column.notNull())
    .addColumn('reason', 'text', (column) => column.notNull())
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('closures_at_most_one_owner', sql`num_nonnulls(team_id, contractor_id) <= 1`)
    .execute()
  await db.schema.createIndex('closures_by_date').on('closures').column('date').execute()

  await db.schema
    .createTable('appointments')
    .addColumn('id', 'uuid', (column) => column.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('request_id', 'uuid', (column) => column.notNull().references('requests.id').onDelete('cascade'))
    .addColumn('team_id', 'uuid', (column) => column.references('teams.id'))
    .addColumn('contractor_id', 'uuid', (column) => column.references('contractors.id'))
    .addColumn('date', 'date', (column) => column.notNull())
    .addColumn('window_code', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull().check(sql`status in ('booked', 'cancelled', 'moved', 'completed', 'no-access')`))
    // Moves on with every change, so a change link or an open page from before it is refused.
    .addColumn('version', 'integer', (column) => column.notNull().defaultTo(1))
    .addColumn('booked_by_kind', 'text', (column) => column.notNull())
    .addColumn('booked_by_id', 'uuid')
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('appointments_one_owner', sql`num_nonnulls(team_id, contractor_id) = 1`)
    .execute()
  // A request has at most one visit booked at a time: another is a move, not a second booking.
  await sql`create unique index appointments_one_booked_per_request on appointments (request_id) where status = 'booked'`.execute(db)
  // The reminder sender's question: which booked visits are on a given day.
  await sql`create index appointments_booked_on_day on appointments (date) where status = 'booked'`.execute(db)
  await db.schema.createIndex('appointments_of_request').on('appointments').columns(['request_id', 'created_at']).execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('appointments').execute()
  await db.schema.dropTable('closures').execute()
  await db.schema.dropTable('capacity').execute()
}
