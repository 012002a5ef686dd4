import { sql, type Kysely } from 'kysely'

/**
 * Gives staff who may book, move and cancel a visit for a tenant that permission: every role that
 * may update requests or raise them for a resident on the phone (in the starting roles:
 * administrators, team leads, officers and contact-centre agents), read from the roles as the
 * council has them now, not from the starting list. Setting capacity is the existing
 * scheduling.manage permission.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    insert into role_permissions (role_id, permission)
    select role_id, 'appointments.book' from role_permissions where permission in ('requests.update', 'requests.raise-for-resident')
    union
    select id, 'appointments.book' from roles where code = 'administrator'
    on conflict do nothing`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from role_permissions where permission = 'appointments.book'`.execute(db)
}
