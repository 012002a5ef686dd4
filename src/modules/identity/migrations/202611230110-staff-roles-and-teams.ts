import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('teams')
    .addColumn('id', 'uuid', (column) => column.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('code', 'text', (column) => column.notNull().unique())
    .addColumn('name', 'text', (column) => column.notNull())
    .execute()

  await db.schema
    .createTable('contractors')
    .addColumn('id', 'uuid', (column) => column.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('code', 'text', (column) => column.notNull().unique())
    .addColumn('name', 'text', (column) => column.notNull())
    .execute()

  await db.schema
    .createTable('staff_members')
    .addColumn('id', 'uuid', (column) => column.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('email', 'text', (column) => column.notNull())
    .addColumn('password_hash', 'text')
    .addColumn('directory_subject', 'text', (column) => column.unique())
    .addColumn('contractor_id', 'uuid', (column) => column.references('contractors.id'))
    .addColumn('disabled_at', 'timestamptz')
    .addColumn('failed_sign_ins', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('lockouts', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('locked_until', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('last_signed_in_at', 'timestamptz')
    .execute()
  await sql`create unique index staff_members_email on staff_members (lower(email))`.execute(db)

  await db.schema
    .createTable('team_memberships')
    .addColumn('staff_member_id', 'uuid', (column) => column.notNull().references('staff_members.id').onDelete('cascade'))
    .addColumn('team_id', 'uuid', (column) => column.notNull().references('teams.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('team_memberships_pkey', ['staff_member_id', 'team_id'])
    .execute()

  // Roles are named groups of permissions that administrators can adjust.
  await db.schema
    .createTable('roles')
    .addColumn('id', 'uuid', (column) => column.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('code', 'text', (column) => column.notNull().unique())
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('description', 'text', (column) => column.notNull().defaultTo(''))
    .execute()

  await db.schema
    .createTable('role_permissions')
    .addColumn('role_id', 'uuid', (column) => column.notNull().references('roles.id').onDelete('cascade'))
    .addColumn('permission', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('role_permissions_pkey', ['role_id', 'permission'])
    .execute()

  await db.schema
    .createTable('staff_roles')
    .addColumn('staff_member_id', 'uuid', (column) => column.notNull().references('staff_members.id').onDelete('cascade'))
    .addColumn('role_id', 'uuid', (column) => column.notNull().references('roles.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('staff_roles_pkey', ['staff_member_id', 'role_id'])
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['staff_roles', 'role_permissions', 'roles', 'team_memberships', 'staff_members', 'contractors', 'teams']) {
    await db.schema.dropTable(table).execute()
  }
}
