import { sql, type Kysely } from 'kysely'

/**
 * Finding a person for staff: names and addresses are matched anywhere in the text ("morgan",
 * "mill lane"), which only a trigram index can serve. The expressions here are the ones
 * identity/people/service.ts searches on, word for word, or PostgreSQL will not use the indexes.
 * Tenancy references, postcodes and email addresses already have indexes for their exact matches.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create extension if not exists pg_trgm`.execute(db)
  await sql`create index people_name_search on people using gin (lower(given_name || ' ' || family_name) gin_trgm_ops)`.execute(db)
  await sql`create index tenants_name_search on tenants using gin (lower(given_name || ' ' || family_name) gin_trgm_ops)`.execute(db)
  await sql`
    create index properties_address_search on properties
    using gin (lower(address_line_1 || ' ' || address_line_2 || ' ' || address_line_3 || ' ' || town) gin_trgm_ops)`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index properties_address_search`.execute(db)
  await sql`drop index tenants_name_search`.execute(db)
  await sql`drop index people_name_search`.execute(db)
}
