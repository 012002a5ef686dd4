import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('audit_events')
    .addColumn('id', 'bigserial', (column) => column.primaryKey())
    .addColumn('occurred_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('actor_kind', 'text', (column) =>
      column.notNull().check(sql`actor_kind in ('staff', 'resident', 'system', 'anonymous')`),
    )
    .addColumn('actor_id', 'uuid')
    .addColumn('action', 'text', (column) => column.notNull())
    .addColumn('subject_type', 'text')
    .addColumn('subject_id', 'text')
    .addColumn('details', 'jsonb', (column) => column.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('ip_address', 'text')
    .execute()
  await db.schema.createIndex('audit_events_occurred_at').on('audit_events').column('occurred_at').execute()
  await db.schema.createIndex('audit_events_actor').on('audit_events').columns(['actor_kind', 'actor_id']).execute()
  await db.schema.createIndex('audit_events_subject').on('audit_events').columns(['subject_type', 'subject_id']).execute()

  // Append-only: the database itself refuses to change or remove an entry.
  await sql`
    create function audit_events_are_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_events is append-only';
    end;
    $$`.execute(db)
  await sql`
    create trigger audit_events_append_only before update or delete on audit_events
    for each row execute function audit_events_are_append_only()`.execute(db)
  await sql`
    create trigger audit_events_no_truncate before truncate on audit_events
    for each statement execute function audit_events_are_append_only()`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('audit_events').execute()
  await sql`drop function audit_events_are_append_only`.execute(db)
}
