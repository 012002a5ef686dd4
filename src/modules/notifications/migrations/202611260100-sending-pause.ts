import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  // At most one row: while it holds a time still to come, no message is handed to the provider.
  await db.schema
    .createTable('notification_sending_pause')
    .addColumn('only_row', 'boolean', (column) => column.primaryKey().defaultTo(true).check(sql`only_row`))
    .addColumn('paused_until', 'timestamptz', (column) => column.notNull())
    .addColumn('reason', 'text', (column) => column.notNull())
    .addColumn('paused_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('notification_sending_pause').execute()
}
