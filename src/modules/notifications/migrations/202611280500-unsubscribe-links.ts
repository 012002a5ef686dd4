import type { Kysely } from 'kysely'

/** Emails people can stop carry a one-click unsubscribe address, which Notify puts in the List-Unsubscribe header. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('outbox_messages').addColumn('unsubscribe_url', 'text').execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('outbox_messages').dropColumn('unsubscribe_url').execute()
}
