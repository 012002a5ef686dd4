import { sql, type Kysely } from 'kysely'

/**
 * Reports of services the council publishes (potholes, fly-tipping) are shown to everyone, but what
 * a person wrote is shown only once a moderator has approved it, and names never. People who have
 * the same problem add their support to a report and follow it instead of making another.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('requests')
    // Set from the service's definition when the request is made, so a later change of the service
    // never publishes what was sent in private.
    .addColumn('is_public', 'boolean', (column) => column.notNull().defaultTo(false))
    // What the public sees of the reporter's description: null until a moderator approves it.
    .addColumn('public_text', 'text')
    .addColumn('moderation', 'text', (column) => column.notNull().defaultTo('none').check(sql`moderation in ('none', 'pending', 'approved', 'hidden')`))
    .addColumn('moderated_at', 'timestamptz')
    .addColumn('moderated_by', 'uuid', (column) => column.references('staff_members.id'))
    .addColumn('duplicate_of', 'uuid', (column) => column.references('requests.id'))
    .execute()
  await sql`create index requests_awaiting_moderation on requests (created_at) where moderation = 'pending'`.execute(db)
  await sql`create index requests_public_by_ward on requests (ward_code, created_at desc) where is_public`.execute(db)
  await sql`create index requests_public_location on requests using gist (location) where is_public and location is not null`.execute(db)

  await db.schema
    .createTable('request_followers')
    .addColumn('request_id', 'uuid', (column) => column.notNull().references('requests.id').onDelete('cascade'))
    .addColumn('person_id', 'uuid', (column) => column.notNull().references('people.id').onDelete('cascade'))
    // Support is "I have this problem too", counted on the report; following alone is only wanting news of it.
    .addColumn('supports', 'boolean', (column) => column.notNull().defaultTo(false))
    .addColumn('followed_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('request_followers_pkey', ['request_id', 'person_id'])
    .execute()
  await db.schema.createIndex('request_followers_person').on('request_followers').column('person_id').execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('request_followers').execute()
  await db.schema.dropIndex('requests_public_location').execute()
  await db.schema.dropIndex('requests_public_by_ward').execute()
  await db.schema.dropIndex('requests_awaiting_moderation').execute()
  for (const column of ['duplicate_of', 'moderated_by', 'moderated_at', 'moderation', 'public_text', 'is_public']) {
    await db.schema.alterTable('requests').dropColumn(column).execute()
  }
}
