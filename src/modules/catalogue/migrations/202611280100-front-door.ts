import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  // An entry with a link is a service in another system; derived from the definition itself so the
  // two can never disagree, and stored so the form engine's lookups can filter on it.
  await sql`
    alter table service_definition_versions
    add column kind text not null generated always as (case when definition ? 'link' then 'link' else 'form' end) stored
  `.execute(db)

  // How often each service is started, a day at a time, so the home page can put the most-used first.
  await db.schema
    .createTable('service_starts')
    .addColumn('service_code', 'text', (column) => column.notNull().references('services.code'))
    .addColumn('day', 'date', (column) => column.notNull())
    .addColumn('starts', 'integer', (column) => column.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('service_starts_pkey', ['service_code', 'day'])
    .execute()
  await db.schema.createIndex('service_starts_day').on('service_starts').column('day').execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('service_starts').execute()
  await db.schema.alterTable('service_definition_versions').dropColumn('kind').execute()
}
