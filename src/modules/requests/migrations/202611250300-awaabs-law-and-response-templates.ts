import { sql, type Kysely } from 'kysely'

const eventKinds = `'status-change', 'note', 'public-update', 'assignment', 'triage', 'information-added', 'milestone'`

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table request_events drop constraint request_events_kind_check`.execute(db)
  await sql.raw(`alter table request_events add constraint request_events_kind_check check (kind in (${eventKinds}))`).execute(db)

  // What the landlord has done about a hazard under Awaab's Law, from which each clock is worked
  // out afresh whenever it is shown, so a changed calendar never leaves a stale due date behind.
  await db.schema
    .createTable('request_awaabs_law')
    .addColumn('request_id', 'uuid', (column) => column.primaryKey().references('requests.id').onDelete('cascade'))
    .addColumn('reported_hazard', 'text', (column) => column.notNull().check(sql`reported_hazard in ('emergency', 'significant')`))
    .addColumn('became_aware_at', 'timestamptz', (column) => column.notNull())
    .addColumn('investigation_concluded_at', 'timestamptz')
    .addColumn('hazard_found', 'text', (column) => column.check(sql`hazard_found in ('emergency', 'significant', 'none')`))
    .addColumn('written_summary_given_at', 'timestamptz')
    .addColumn('safety_work_done_at', 'timestamptz')
    .addColumn('further_work_needed', 'boolean', (column) => column.notNull().defaultTo(false))
    .addColumn('further_work_steps_taken_at', 'timestamptz')
    .addColumn('further_work_started_at', 'timestamptz')
    .addCheckConstraint(
      'request_awaabs_law_findings_with_conclusion',
      sql`(investigation_concluded_at is null) = (hazard_found is null)`,
    )
    .execute()

  // Wording officers reuse for public updates, so residents get clear, consistent news.
  await db.schema
    .createTable('response_templates')
    .addColumn('id', 'uuid', (column) => column.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('title', 'text', (column) => column.notNull())
    .addColumn('body', 'text', (column) => column.notNull())
    // Null for wording that suits any service.
    .addColumn('service_code', 'text')
    .addColumn('updated_by', 'uuid', (column) => column.references('staff_members.id'))
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('archived_at', 'timestamptz')
    .execute()
  await sql`create unique index response_templates_title on response_templates (lower(title)) where archived_at is null`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('response_templates').execute()
  await db.schema.dropTable('request_awaabs_law').execute()
  await sql`delete from request_events where kind = 'milestone'`.execute(db)
  await sql`alter table request_events drop constraint request_events_kind_check`.execute(db)
  await sql
    .raw(`alter table request_events add constraint request_events_kind_check check (kind in (${eventKinds.replace(", 'milestone'", '')}))`)
    .execute(db)
}
