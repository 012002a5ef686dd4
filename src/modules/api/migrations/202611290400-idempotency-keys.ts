import { sql, type Kysely } from 'kysely'

/**
 * What each POST sent with an Idempotency-Key answered, so a client that retries after losing the
 * answer (a dropped connection, a timeout) gets the same answer instead of a second request.
 * A row with no status yet is a POST still running.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('api_idempotency_keys')
    .addColumn('caller', 'text', (column) => column.notNull())
    .addColumn('key', 'text', (column) => column.notNull())
    .addColumn('fingerprint', 'text', (column) => column.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('response_body', 'text')
    .addColumn('location', 'text')
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('api_idempotency_keys_pkey', ['caller', 'key'])
    .execute()
  await db.schema.createIndex('api_idempotency_keys_created').on('api_idempotency_keys').column('created_at').execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('api_idempotency_keys').execute()
}
