import type { Kysely } from 'kysely'

/** The message to send instead if this one fails for good, such as the email for a dead mobile number. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('outbox_messages').addColumn('fallback', 'jsonb').execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('outbox_messages').dropColumn('fallback').execute()
}
