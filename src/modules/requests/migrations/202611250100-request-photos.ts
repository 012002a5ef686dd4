import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('request_photos')
    // The photo's address in links, so the storage key never leaves the server.
    .addColumn('id', 'uuid', (column) => column.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('request_id', 'uuid', (column) => column.notNull().references('requests.id').onDelete('cascade'))
    // A stored file belongs to one request only, so nobody reaches a photo through another request.
    .addColumn('file_key', 'text', (column) => column.notNull().unique())
    .addColumn('thumbnail_key', 'text', (column) => column.notNull())
    // The timeline event the photo was sent with: the request's first event, or the note or change it came with.
    .addColumn('event_id', 'bigint', (column) => column.references('request_events.id').onDelete('set null'))
    .addColumn('visibility', 'text', (column) => column.notNull().check(sql`visibility in ('public', 'internal')`))
    .addColumn('actor_kind', 'text', (column) => column.notNull().check(sql`actor_kind in ('staff', 'resident', 'system', 'anonymous')`))
    .addColumn('actor_id', 'uuid')
    .addColumn('added_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    // Photos sent together share their moment; this keeps them in the order they were sent.
    .addColumn('position', 'integer', (column) => column.notNull().defaultTo(0))
    .execute()
  await db.schema.createIndex('request_photos_of_request').on('request_photos').columns(['request_id', 'added_at', 'position']).execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('request_photos').execute()
}
