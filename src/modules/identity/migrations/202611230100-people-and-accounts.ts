import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  // A person is a resident the council knows about, whether or not they ever sign in.
  await db.schema
    .createTable('people')
    .addColumn('id', 'uuid', (column) => column.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('given_name', 'text', (column) => column.notNull())
    .addColumn('family_name', 'text', (column) => column.notNull())
    .addColumn('email', 'text')
    .addColumn('email_verified_at', 'timestamptz')
    .addColumn('mobile', 'text')
    .addColumn('mobile_verified_at', 'timestamptz')
    .addColumn('contact_preference', 'text', (column) =>
      column.notNull().defaultTo('email').check(sql`contact_preference in ('email', 'text')`),
    )
    .addColumn('date_of_birth', 'date')
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute()
  await sql`create unique index people_email on people (lower(email)) where email is not null`.execute(db)

  // An online account is one way for a person to sign in.
  await db.schema
    .createTable('resident_accounts')
    .addColumn('person_id', 'uuid', (column) => column.primaryKey().references('people.id').onDelete('cascade'))
    .addColumn('password_hash', 'text')
    .addColumn('one_login_subject', 'text', (column) => column.unique())
    .addColumn('failed_sign_ins', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('lockouts', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('locked_until', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('last_signed_in_at', 'timestamptz')
    .execute()

  // Single-use secrets sent to a person: email verification links, password reset links, mobile codes.
  await db.schema
    .createTable('identity_tokens')
    .addColumn('id', 'uuid', (column) => column.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('person_id', 'uuid', (column) => column.notNull().references('people.id').onDelete('cascade'))
    .addColumn('purpose', 'text', (column) =>
      column.notNull().check(sql`purpose in ('verify-email', 'reset-password', 'confirm-mobile')`),
    )
    .addColumn('secret_hash', 'text', (column) => column.notNull())
    .addColumn('target', 'text', (column) => column.notNull())
    .addColumn('attempts', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('expires_at', 'timestamptz', (column) => column.notNull())
    .addColumn('used_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('identity_tokens_secret').on('identity_tokens').column('secret_hash').execute()
  await db.schema.createIndex('identity_tokens_person').on('identity_tokens').columns(['person_id', 'purpose']).execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('identity_tokens').execute()
  await db.schema.dropTable('resident_accounts').execute()
  await db.schema.dropTable('people').execute()
}
