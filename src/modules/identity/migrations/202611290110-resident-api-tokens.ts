import { sql, type Kysely } from 'kysely'

/**
 * Tokens a resident's app signs in with through the JSON API. Only a hash is kept, and each has
 * the name of the app or device, so the resident can see on their account page what is signed in
 * and sign any of it out.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('resident_api_tokens')
    .addColumn('id', 'uuid', (column) => column.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('person_id', 'uuid', (column) => column.notNull().references('people.id').onDelete('cascade'))
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('secret_hash', 'text', (column) => column.notNull().unique())
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('last_used_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .execute()
  await db.schema.createIndex('resident_api_tokens_person').on('resident_api_tokens').columns(['person_id', 'created_at']).execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('resident_api_tokens').execute()
}
