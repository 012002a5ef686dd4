import { sql, type Kysely } from 'kysely'

/** A request's page lists the messages sent about it, found by the reference they carry. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index outbox_messages_reference on outbox_messages ((personalisation ->> 'reference'))`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index outbox_messages_reference`.execute(db)
}
