import { sql, type Kysely } from 'kysely'

/**
 * Warnings about a person or a property, for whoever phones or visits. A warning is ended, never
 * deleted, so the record of what staff were told, and when, stays for audit. The category list is
 * written out here, not imported, so this migration stays as it was whatever the code says later.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('warnings')
    .addColumn('id', 'uuid', (column) => column.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('person_id', 'uuid', (column) => column.references('people.id'))
    .addColumn('property_uprn', 'bigint', (column) => column.references('properties.uprn'))
    .addColumn('category', 'text', (column) =>
      column.notNull().check(sql`category in ('risk-to-staff', 'vulnerable-person', 'health-condition', 'animal', 'other')`),
    )
    .addColumn('description', 'text', (column) => column.notNull().check(sql`char_length(description) between 1 and 1000`))
    .addColumn('recorded_by', 'uuid', (column) => column.notNull().references('staff_members.id'))
    .addColumn('recorded_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('review_on', 'date')
    .addColumn('ended_at', 'timestamptz')
    .addColumn('ended_by', 'uuid', (column) => column.references('staff_members.id'))
    .addColumn('end_reason', 'text')
    .addCheckConstraint('warnings_about_one_subject', sql`(person_id is null) <> (property_uprn is null)`)
    .addCheckConstraint(
      'warnings_ended_completely',
      sql`(ended_at is null and ended_by is null and end_reason is null) or (ended_at is not null and ended_by is not null and end_reason is not null)`,
    )
    .execute()
  await sql`create index warnings_current_for_person on warnings (person_id, recorded_at) where ended_at is null and person_id is not null`.execute(db)
  await sql`create index warnings_current_for_property on warnings (property_uprn, recorded_at) where ended_at is null and property_uprn is not null`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('warnings').execute()
}
