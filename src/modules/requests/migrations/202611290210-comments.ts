import { sql, type Kysely } from 'kysely'

/**
 * Comments on a request that reporting apps (Open311's servicerequestupdates) send from their
 * users. They are a member of the public's own words, so, like a public report's description, the
 * public sees them only once a moderator approves them, as the moderator may have edited them.
 * Staff always see the words as sent in body; public_body is what the public sees.
 */
const eventKinds = `'status-change', 'note', 'public-update', 'assignment', 'triage', 'information-added', 'milestone', 'appointment'`

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table request_events drop constraint request_events_kind_check`.execute(db)
  await sql.raw(`alter table request_events add constraint request_events_kind_check check (kind in (${eventKinds}, 'comment'))`).execute(db)
  await db.schema
    .alterTable('request_events')
    .addColumn('moderation', 'text', (column) => column.notNull().defaultTo('none').check(sql`moderation in ('none', 'pending', 'approved', 'hidden')`))
    .addColumn('moderated_at', 'timestamptz')
    .addColumn('moderated_by', 'uuid', (column) => column.references('staff_members.id'))
    .addColumn('public_body', 'text')
    .execute()
  await sql`create index request_events_awaiting_moderation on request_events (occurred_at, id) where moderation = 'pending'`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index request_events_awaiting_moderation`.execute(db)
  for (const column of ['public_body', 'moderated_by', 'moderated_at', 'moderation']) {
    await db.schema.alterTable('request_events').dropColumn(column).execute()
  }
  await sql`delete from request_events where kind = 'comment'`.execute(db)
  await sql`alter table request_events drop constraint request_events_kind_check`.execute(db)
  await sql.raw(`alter table request_events add constraint request_events_kind_check check (kind in (${eventKinds}))`).execute(db)
}
