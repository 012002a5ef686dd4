import { sql, type Kysely } from 'kysely'

const statuses = `'reported', 'triaged', 'scheduled', 'in-progress', 'completed', 'no-access', 'on-hold', 'cancelled', 'closed'`
const holdableStatuses = `'reported', 'triaged', 'scheduled', 'in-progress', 'no-access'`

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('requests')
    .addColumn('id', 'uuid', (column) => column.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('reference', 'text', (column) => column.notNull().unique())
    .addColumn('service_code', 'text', (column) => column.notNull())
    // Pinned to the definition the request was made with, so a changed service never breaks it.
    .addColumn('definition_version_id', 'uuid', (column) => column.notNull().references('service_definition_versions.id'))
    // A request belongs to the person who reported it, not to the property: a new tenant never
    // inherits the previous tenant's requests.
    .addColumn('person_id', 'uuid', (column) => column.notNull().references('people.id'))
    .addColumn('property_uprn', 'bigint', (column) => column.references('properties.uprn'))
    .addColumn('answers', 'jsonb', (column) => column.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('channel', 'text', (column) => column.notNull().check(sql`channel in ('web', 'phone', 'counter', 'api', 'open311')`))
    .addColumn('raised_by_staff_id', 'uuid', (column) => column.references('staff_members.id'))
    .addColumn('status', 'text', (column) => column.notNull().check(sql.raw(`status in (${statuses})`)))
    .addColumn('resume_to', 'text', (column) => column.check(sql.raw(`resume_to in (${holdableStatuses})`)))
    .addColumn('hold_reason', 'text')
    .addColumn('closure_reason', 'text', (column) =>
      column.check(sql`closure_reason in ('completed', 'duplicate', 'not-councils-responsibility', 'no-further-action', 'withdrawn')`),
    )
    .addColumn('closed_at', 'timestamptz')
    .addColumn('priority', 'text', (column) => column.notNull().check(sql`priority in ('immediate', 'emergency', 'urgent', 'routine')`))
    .addColumn('job_code', 'text')
    .addColumn('trade', 'text')
    // Null while a hold has stopped the clock short of the target.
    .addColumn('target_at', 'timestamptz')
    .addColumn('regimes', sql`text[]`, (column) => column.notNull().defaultTo(sql`'{}'`))
    .addColumn('assigned_team_id', 'uuid', (column) => column.references('teams.id'))
    .addColumn('assigned_staff_id', 'uuid', (column) => column.references('staff_members.id'))
    .addColumn('assigned_contractor_id', 'uuid', (column) => column.references('contractors.id'))
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    // Every change adds one, so an edit made from a stale page is detected instead of overwriting.
    .addColumn('row_version', 'integer', (column) => column.notNull().defaultTo(1))
    // The state's details travel with the status they belong to, as RequestState has them.
    .addCheckConstraint(
      'requests_hold_details',
      sql`(status = 'on-hold') = (resume_to is not null and hold_reason is not null)`,
    )
    .addCheckConstraint(
      'requests_closure_details',
      sql`(status = 'closed') = (closure_reason is not null and closed_at is not null)`,
    )
    .execute()

  // The staff queue filters by status and owner and sorts by priority and target; the partial
  // indexes leave finished requests out, since the queue is nearly all open work.
  const open = sql`where status not in ('completed', 'cancelled', 'closed')`
  await sql`create index requests_open_by_target on requests (target_at, priority) ${open}`.execute(db)
  await sql`create index requests_open_by_team on requests (assigned_team_id, target_at) ${open}`.execute(db)
  await sql`create index requests_open_by_officer on requests (assigned_staff_id, target_at) ${open}`.execute(db)
  await sql`create index requests_open_by_contractor on requests (assigned_contractor_id, target_at) ${open}`.execute(db)
  await db.schema.createIndex('requests_status_priority').on('requests').columns(['status', 'priority', 'target_at']).execute()
  await db.schema.createIndex('requests_property_history').on('requests').columns(['property_uprn', 'created_at']).execute()
  await db.schema.createIndex('requests_person').on('requests').columns(['person_id', 'created_at']).execute()
  await db.schema.createIndex('requests_service_code').on('requests').columns(['service_code', 'created_at']).execute()

  await db.schema
    .createTable('request_events')
    .addColumn('id', 'bigserial', (column) => column.primaryKey())
    .addColumn('request_id', 'uuid', (column) => column.notNull().references('requests.id').onDelete('cascade'))
    .addColumn('occurred_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('kind', 'text', (column) =>
      column.notNull().check(sql`kind in ('status-change', 'note', 'public-update', 'assignment', 'triage', 'information-added')`),
    )
    .addColumn('visibility', 'text', (column) => column.notNull().check(sql`visibility in ('public', 'internal')`))
    .addColumn('actor_kind', 'text', (column) => column.notNull().check(sql`actor_kind in ('staff', 'resident', 'system', 'anonymous')`))
    .addColumn('actor_id', 'uuid')
    .addColumn('from_status', 'text', (column) => column.check(sql.raw(`from_status in (${statuses})`)))
    .addColumn('to_status', 'text', (column) => column.check(sql.raw(`to_status in (${statuses})`)))
    .addColumn('body', 'text')
    .addColumn('details', 'jsonb', (column) => column.notNull().defaultTo(sql`'{}'::jsonb`))
    // A public change the resident is to be told about, and when the message for it was queued.
    .addColumn('notify_resident', 'boolean', (column) => column.notNull().defaultTo(false))
    .addColumn('resident_notified_at', 'timestamptz')
    .addCheckConstraint('request_events_notify_only_public', sql`not notify_resident or visibility = 'public'`)
    .execute()
  await db.schema.createIndex('request_events_timeline').on('request_events').columns(['request_id', 'occurred_at', 'id']).execute()
  await sql`
    create index request_events_awaiting_message on request_events (id)
    where notify_resident and resident_notified_at is null`.execute(db)

  // Each spell on hold, kept apart from the timeline so the target can be worked out again from
  // the spells that stopped the clock, whatever the reason's setting is later changed to.
  await db.schema
    .createTable('request_holds')
    .addColumn('id', 'bigserial', (column) => column.primaryKey())
    .addColumn('request_id', 'uuid', (column) => column.notNull().references('requests.id').onDelete('cascade'))
    .addColumn('reason', 'text', (column) => column.notNull())
    .addColumn('stops_clock', 'boolean', (column) => column.notNull())
    .addColumn('started_at', 'timestamptz', (column) => column.notNull())
    .addColumn('ended_at', 'timestamptz')
    .addCheckConstraint('request_holds_ends_after_start', sql`ended_at is null or ended_at >= started_at`)
    .execute()
  await db.schema.createIndex('request_holds_request').on('request_holds').columns(['request_id', 'started_at']).execute()
  await sql`create unique index request_holds_one_open on request_holds (request_id) where ended_at is null`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['request_holds', 'request_events', 'requests']) {
    await db.schema.dropTable(table).execute()
  }
}
