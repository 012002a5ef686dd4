import { sql, type Kysely } from 'kysely'

/**
 * Photos that other systems hold, sent as addresses (Open311's media_url). They are kept as links
 * for staff to open and never fetched by the server, so a request cannot make it reach elsewhere.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('requests')
    .addColumn('media_urls', sql`text[]`, (column) => column.notNull().defaultTo(sql`'{}'`))
    .execute()
  // Public updates by time, for the feed of updates that reporting apps read to keep in step.
  await sql`create index request_events_public_by_time on request_events (occurred_at, id) where visibility = 'public'`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index request_events_public_by_time`.execute(db)
  await db.schema.alterTable('requests').dropColumn('media_urls').execute()
}
