import { sql, type Kysely } from 'kysely'

/**
 * The roles a council starts with. They are data from here on: administrators change what each
 * role may do at /staff/roles. The lists are written out in full, not imported, so this migration
 * seeds the same roles however the permission catalogue grows later.
 */
const defaultRoles: { code: string; name: string; description: string; permissions: string[] }[] = [
  {
    code: 'administrator',
    name: 'Administrator',
    description: 'Manages staff accounts, roles and the audit log, and can do everything else.',
    permissions: [
      'staff.manage', 'roles.manage', 'audit.view', 'api-keys.manage',
      'people.view', 'people.edit',
      'requests.view', 'requests.raise-for-resident', 'requests.triage', 'requests.assign', 'requests.update',
      'reports.moderate', 'engagement.moderate',
      'catalogue.edit', 'scheduling.manage', 'messages.edit-templates', 'engagement.manage',
      'payments.view', 'payments.refund',
      'work.view-assigned', 'work.record-outcome',
      'insight.view', 'open-data.publish',
      'ict.register.edit', 'ict.requests.review',
    ],
  },
  {
    code: 'team-lead',
    name: 'Team lead',
    description: "Runs a team's queue: triages, assigns and follows up requests, and watches targets.",
    permissions: [
      'people.view', 'people.edit',
      'requests.view', 'requests.raise-for-resident', 'requests.triage', 'requests.assign', 'requests.update',
      'reports.moderate', 'scheduling.manage', 'payments.view', 'payments.refund', 'insight.view',
    ],
  },
  {
    code: 'officer',
    name: 'Officer',
    description: 'Works requests: updates, schedules and closes them.',
    permissions: ['people.view', 'people.edit', 'requests.view', 'requests.raise-for-resident', 'requests.update', 'payments.view'],
  },
  {
    code: 'contact-centre-agent',
    name: 'Contact centre agent',
    description: 'Raises and updates requests for people who phone or visit.',
    permissions: ['people.view', 'people.edit', 'requests.view', 'requests.raise-for-resident', 'payments.view'],
  },
  {
    code: 'moderator',
    name: 'Moderator',
    description: 'Checks public reports, photos and comments before others see them.',
    permissions: ['requests.view', 'reports.moderate', 'engagement.moderate'],
  },
  {
    code: 'catalogue-editor',
    name: 'Catalogue editor',
    description: 'Describes the services the council offers, their appointments and their messages.',
    permissions: ['catalogue.edit', 'scheduling.manage', 'messages.edit-templates', 'engagement.manage'],
  },
  {
    code: 'service-manager',
    name: 'Service manager',
    description: 'Sees dashboards and costs, publishes open data and looks after the application register.',
    permissions: ['requests.view', 'insight.view', 'open-data.publish', 'ict.register.edit', 'ict.requests.review'],
  },
  {
    code: 'contractor-operative',
    name: 'Contractor operative',
    description: 'Sees only the work assigned to them and records what happened.',
    permissions: ['work.view-assigned', 'work.record-outcome'],
  },
]

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const role of defaultRoles) {
    await sql`
      insert into roles (code, name, description) values (${role.code}, ${role.name}, ${role.description})
      on conflict (code) do nothing`.execute(db)
    for (const permission of role.permissions) {
      await sql`
        insert into role_permissions (role_id, permission)
        select id, ${permission} from roles where code = ${role.code}
        on conflict do nothing`.execute(db)
    }
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const codes = defaultRoles.map((role) => role.code)
  await sql`delete from roles where code in (${sql.join(codes)})`.execute(db)
}
