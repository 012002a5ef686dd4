import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  // When the day-before reminder is due, worked out when the visit is booked; empty when it is too
  // late for one. Queued once: the moment it is queued is written in the same transaction.
  await db.schema
    .alterTable('appointments')
    .addColumn('reminder_due_at', 'timestamptz')
    .addColumn('reminder_queued_at', 'timestamptz')
    .execute()
  // The reminder sender's question: which booked visits have a reminder due and not yet queued.
  await sql`create index appointments_reminders_due on appointments (reminder_due_at) where status = 'booked' and reminder_queued_at is null and reminder_due_at is not null`.execute(db)
  // A property's history of visits where nobody let the operative in.
  await sql`create index appointments_no_access on appointments (request_id) where status = 'no-access'`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index appointments_no_access`.execute(db)
  await sql`drop index appointments_reminders_due`.execute(db)
  await db.schema.alterTable('appointments').dropColumn('reminder_queued_at').dropColumn('reminder_due_at').execute()
}
