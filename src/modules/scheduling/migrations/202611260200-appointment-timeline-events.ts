import { sql, type Kysely } from 'kysely'

/** Booking, moving and cancelling an appointment appear on the request's timeline. */
const eventKinds = `'status-change', 'note', 'public-update', 'assignment', 'triage', 'information-added', 'milestone'`

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table request_events drop constraint request_events_kind_check`.execute(db)
  await sql.raw(`alter table request_events add constraint request_events_kind_check check (kind in (${eventKinds}, 'appointment'))`).execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from request_events where kind = 'appointment'`.execute(db)
  await sql`alter table request_events drop constraint request_events_kind_check`.execute(db)
  await sql.raw(`alter table request_events add constraint request_events_kind_check check (kind in (${eventKinds}))`).execute(db)
}
