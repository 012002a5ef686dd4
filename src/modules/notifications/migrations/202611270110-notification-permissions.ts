import { sql, type Kysely } from 'kysely'

/**
 * Gives administrators the screen that shows whether messages are being sent and resumes sending
 * once the GOV.UK Notify key has been put right. A council that has deleted the role gets no grant.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    insert into role_permissions (role_id, permission)
    select id, 'notifications.manage' from roles where code = 'administrator'
    on conflict do nothing`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from role_permissions where permission = 'notifications.manage'`.execute(db)
}
