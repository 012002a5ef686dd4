import { sql, type Kysely } from 'kysely'

/**
 * What Open311 clients sent, beyond the requests themselves: the token each new request can be
 * looked up by, with the client's own ids for it, and a receipt for each update a client posted,
 * so an update sent twice (a client retrying after a timeout) is added once.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('open311_submissions')
    .addColumn('token', 'uuid', (column) => column.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('request_id', 'uuid', (column) => column.notNull().unique().references('requests.id').onDelete('cascade'))
    .addColumn('api_key_id', 'uuid', (column) => column.notNull().references('api_keys.id'))
    .addColumn('device_id', 'text')
    .addColumn('account_id', 'text')
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute()

  await db.schema
    .createTable('open311_update_receipts')
    .addColumn('id', 'bigserial', (column) => column.primaryKey())
    .addColumn('api_key_id', 'uuid', (column) => column.notNull().references('api_keys.id'))
    .addColumn('client_update_id', 'text', (column) => column.notNull())
    .addColumn('request_id', 'uuid', (column) => column.notNull().references('requests.id').onDelete('cascade'))
    .addColumn('received_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('open311_update_receipts_once', ['api_key_id', 'client_update_id'])
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('open311_update_receipts').execute()
  await db.schema.dropTable('open311_submissions').execute()
}
