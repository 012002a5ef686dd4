import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('request_satisfaction')
    // One answer per request: the key is what makes the survey "once only", even for two tabs.
    .addColumn('request_id', 'uuid', (column) => column.primaryKey().references('requests.id'))
    .addColumn('person_id', 'uuid', (column) => column.notNull().references('people.id'))
    .addColumn('rating', 'text', (column) =>
      column.notNull().check(sql`rating in ('very-satisfied', 'satisfied', 'neither', 'dissatisfied', 'very-dissatisfied')`),
    )
    .addColumn('comment', 'text')
    .addColumn('answered_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('request_satisfaction').execute()
}
