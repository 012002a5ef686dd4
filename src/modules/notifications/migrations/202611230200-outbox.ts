import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  // The outbox row is the source of truth for a message; the job queue only wakes the sender.
  await db.schema
    .createTable('outbox_messages')
    .addColumn('id', 'uuid', (column) => column.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('person_id', 'uuid', (column) => column.references('people.id').onDelete('set null'))
    .addColumn('channel', 'text', (column) => column.notNull().check(sql`channel in ('email', 'sms', 'letter')`))
    .addColumn('recipient', 'text', (column) => column.notNull())
    .addColumn('message_type', 'text', (column) => column.notNull())
    .addColumn('personalisation', 'jsonb', (column) => column.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('status', 'text', (column) =>
      column
        .notNull()
        .defaultTo('queued')
        .check(sql`status in ('queued', 'sending', 'sent', 'delivered', 'temporary-failure', 'permanent-failure')`),
    )
    .addColumn('attempts', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('lease_expires_at', 'timestamptz')
    .addColumn('provider', 'text')
    .addColumn('provider_reference', 'text')
    .addColumn('failure_reason', 'text')
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('sent_at', 'timestamptz')
    .addColumn('status_updated_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('outbox_messages_status').on('outbox_messages').columns(['status', 'lease_expires_at']).execute()
  await db.schema.createIndex('outbox_messages_person').on('outbox_messages').columns(['person_id', 'created_at']).execute()
  await db.schema.createIndex('outbox_messages_created_at').on('outbox_messages').column('created_at').execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('outbox_messages').execute()
}
