import { sql, type Kysely } from 'kysely'

/**
 * A form sent by someone without an account waits here until they confirm it with the link or
 * code sent to their email address or mobile: only then is it made into a request the team sees.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('guest_submissions')
    .addColumn('id', 'uuid', (column) => column.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('token', 'text', (column) => column.notNull().unique().defaultTo(sql`(replace(gen_random_uuid()::text, '-', '') || replace(gen_random_uuid()::text, '-', ''))`))
    .addColumn('person_id', 'uuid', (column) => column.notNull().references('people.id').onDelete('cascade'))
    .addColumn('service_code', 'text', (column) => column.notNull())
    .addColumn('definition_version_id', 'uuid', (column) => column.notNull().references('service_definition_versions.id'))
    .addColumn('answers', 'jsonb', (column) => column.notNull())
    .addColumn('channel', 'text', (column) => column.notNull().check(sql`channel in ('email', 'sms')`))
    // A text carries a six-digit code, kept only as its hash with the submission's own token.
    .addColumn('code_hash', 'text')
    .addColumn('code_attempts', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (column) => column.notNull())
    .addColumn('confirmed_at', 'timestamptz')
    .addColumn('request_reference', 'text')
    .execute()
  await db.schema.createIndex('guest_submissions_person').on('guest_submissions').column('person_id').execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('guest_submissions').execute()
}
