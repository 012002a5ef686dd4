import { sql, type Kysely } from 'kysely'

/**
 * Gives the council's starting roles the warning permissions: those who work requests record and
 * end warnings, and the contact centre sees them so it knows who it is talking to. A council
 * that has deleted one of these roles simply gets no grant for it.
 */
const grants: { roleCode: string; permissions: string[] }[] = [
  { roleCode: 'administrator', permissions: ['warnings.view', 'warnings.manage'] },
  { roleCode: 'team-lead', permissions: ['warnings.view', 'warnings.manage'] },
  { roleCode: 'officer', permissions: ['warnings.view', 'warnings.manage'] },
  { roleCode: 'contact-centre-agent', permissions: ['warnings.view'] },
]

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const grant of grants) {
    for (const permission of grant.permissions) {
      await sql`
        insert into role_permissions (role_id, permission)
        select id, ${permission} from roles where code = ${grant.roleCode}
        on conflict do nothing`.execute(db)
    }
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from role_permissions where permission in ('warnings.view', 'warnings.manage')`.execute(db)
}
