import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  // One row per service the council offers; which version is current is the only thing that changes.
  await db.schema
    .createTable('services')
    .addColumn('code', 'text', (column) => column.primaryKey())
    .addColumn('current_version_id', 'uuid')
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute()

  // Every published definition, numbered 1, 2, 3… per service. Requests point at the version they
  // were made with, so a version is never edited: a change is a new version.
  await db.schema
    .createTable('service_definition_versions')
    .addColumn('id', 'uuid', (column) => column.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('service_code', 'text', (column) => column.notNull().references('services.code'))
    .addColumn('version', 'integer', (column) => column.notNull().check(sql`version > 0`))
    .addColumn('definition', 'jsonb', (column) => column.notNull())
    .addColumn('published_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('published_by', 'uuid', (column) => column.references('staff_members.id'))
    .addUniqueConstraint('service_definition_versions_service_code_version', ['service_code', 'version'])
    .execute()

  // Added after both tables exist: a version is stored first, then made current.
  await db.schema
    .alterTable('services')
    .addForeignKeyConstraint('services_current_version_id', ['current_version_id'], 'service_definition_versions', ['id'])
    .execute()

  await sql`
    create function refuse_service_definition_version_change() returns trigger language plpgsql as $$
    begin
      raise exception 'service definition version % cannot be changed; publish a new version instead', old.id;
    end
    $$
  `.execute(db)
  await sql`
    create trigger service_definition_versions_never_change
    before update on service_definition_versions
    for each row execute function refuse_service_definition_version_change()
  `.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('services').dropConstraint('services_current_version_id').execute()
  await db.schema.dropTable('service_definition_versions').execute()
  await sql`drop function refuse_service_definition_version_change()`.execute(db)
  await db.schema.dropTable('services').execute()
}
