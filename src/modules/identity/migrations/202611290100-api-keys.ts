import { sql, type Kysely } from 'kysely'

/**
 * Keys that partners, contractors and reporting apps such as FixMyStreet call the APIs with. Only
 * a hash of each key is kept; the prefix lets an administrator tell keys apart without it. A key
 * reaches the services listed (null for all), may write only if allowed to, and may change a
 * request's status only if allowed to as well. Whatever a key does is recorded as an "api-client".
 */
const actorKinds = `'staff', 'resident', 'system', 'anonymous'`
const tablesWithActors = ['audit_events', 'request_events', 'request_photos']

async function allowActorKinds(db: Kysely<unknown>, kinds: string): Promise<void> {
  for (const table of tablesWithActors) {
    await sql.raw(`alter table ${table} drop constraint ${table}_actor_kind_check`).execute(db)
    await sql.raw(`alter table ${table} add constraint ${table}_actor_kind_check check (actor_kind in (${kinds}))`).execute(db)
  }
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'uuid', (column) => column.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('secret_hash', 'text', (column) => column.notNull().unique())
    .addColumn('key_prefix', 'text', (column) => column.notNull())
    .addColumn('services', sql`text[]`)
    .addColumn('can_write', 'boolean', (column) => column.notNull().defaultTo(false))
    .addColumn('can_change_status', 'boolean', (column) => column.notNull().defaultTo(false))
    .addColumn('rate_per_minute', 'integer', (column) => column.notNull().defaultTo(120).check(sql`rate_per_minute between 1 and 100000`))
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('created_by', 'uuid', (column) => column.references('staff_members.id'))
    .addColumn('last_used_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('revoked_by', 'uuid', (column) => column.references('staff_members.id'))
    .execute()
  await allowActorKinds(db, `${actorKinds}, 'api-client'`)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of tablesWithActors) await sql.raw(`delete from ${table} where actor_kind = 'api-client'`).execute(db)
  await allowActorKinds(db, actorKinds)
  await db.schema.dropTable('api_keys').execute()
}
