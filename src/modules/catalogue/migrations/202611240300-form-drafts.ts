import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  // A signed-in resident's unfinished form, one per service, so they can come back to it. The
  // draft keeps the definition version it was started with, so a new version never changes the
  // questions under someone halfway through.
  await db.schema
    .createTable('form_drafts')
    .addColumn('person_id', 'uuid', (column) => column.notNull().references('people.id').onDelete('cascade'))
    .addColumn('service_code', 'text', (column) => column.notNull().references('services.code'))
    .addColumn('definition_version_id', 'uuid', (column) => column.notNull().references('service_definition_versions.id'))
    .addColumn('answers', 'jsonb', (column) => column.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('form_drafts_person_id_service_code', ['person_id', 'service_code'])
    .execute()

  // Each time a page that ends a journey (a smell of gas, an emergency to phone in) was shown, so
  // the council can show that the advice was given even though no request was made.
  await db.schema
    .createTable('form_interruptions_shown')
    .addColumn('id', 'uuid', (column) => column.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('person_id', 'uuid', (column) => column.references('people.id').onDelete('set null'))
    .addColumn('service_code', 'text', (column) => column.notNull().references('services.code'))
    .addColumn('definition_version_id', 'uuid', (column) => column.notNull().references('service_definition_versions.id'))
    .addColumn('outcome', 'text', (column) => column.notNull())
    .addColumn('shown_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('form_interruptions_shown_service_code_shown_at').on('form_interruptions_shown').columns(['service_code', 'shown_at']).execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('form_interruptions_shown').execute()
  await db.schema.dropTable('form_drafts').execute()
}
