import { sql, type Kysely } from 'kysely'

/**
 * Forms a member of staff fills in for someone who phoned or called in. The agent's unfinished form
 * is kept as a draft of its own, keyed by the person, the service and the agent: it neither
 * overwrites nor is mistaken for the person's own unfinished form online, a second agent helping
 * the same person does not pick up answers someone else was given, and sending it still takes the
 * draft in one statement, so a double click makes one request.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('form_drafts')
    .addColumn('assisted_by_staff_id', 'uuid', (column) => column.references('staff_members.id').onDelete('cascade'))
    .execute()
  await db.schema.alterTable('form_drafts').dropConstraint('form_drafts_person_id_service_code').execute()
  await sql`create unique index form_drafts_own on form_drafts (person_id, service_code) where assisted_by_staff_id is null`.execute(db)
  await sql`
    create unique index form_drafts_assisted on form_drafts (person_id, service_code, assisted_by_staff_id)
    where assisted_by_staff_id is not null`.execute(db)

  // An emergency page shown during a call was read out by the agent, so the record says who.
  await db.schema
    .alterTable('form_interruptions_shown')
    .addColumn('assisted_by_staff_id', 'uuid', (column) => column.references('staff_members.id').onDelete('set null'))
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('form_interruptions_shown').dropColumn('assisted_by_staff_id').execute()
  await sql`delete from form_drafts where assisted_by_staff_id is not null`.execute(db)
  await sql`drop index form_drafts_assisted`.execute(db)
  await sql`drop index form_drafts_own`.execute(db)
  await db.schema.alterTable('form_drafts').dropColumn('assisted_by_staff_id').execute()
  await db.schema.alterTable('form_drafts').addUniqueConstraint('form_drafts_person_id_service_code', ['person_id', 'service_code']).execute()
}
