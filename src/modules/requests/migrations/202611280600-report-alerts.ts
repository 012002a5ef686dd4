import { sql, type Kysely } from 'kysely'

/** 128 bits and more from PostgreSQL's strong random source, as hex, for links that act without signing in. */
const randomToken = sql`(replace(gen_random_uuid()::text, '-', '') || replace(gen_random_uuid()::text, '-', ''))`

/**
 * Emails about public reports: following one report, and alerts of new reports in a ward or
 * within a distance of a place. Each has a token of its own for its confirmation and unsubscribe
 * links, so they work from the email alone.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('report_alerts')
    .addColumn('id', 'uuid', (column) => column.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('email', 'text', (column) => column.notNull())
    .addColumn('person_id', 'uuid', (column) => column.references('people.id').onDelete('cascade'))
    .addColumn('kind', 'text', (column) => column.notNull().check(sql`kind in ('report', 'ward', 'radius')`))
    .addColumn('request_id', 'uuid', (column) => column.references('requests.id').onDelete('cascade'))
    .addColumn('ward_code', 'text')
    .addColumn('centre', sql`point`)
    .addColumn('radius_metres', 'integer', (column) => column.check(sql`radius_metres between 50 and 5000`))
    // How the alert names its area in emails and on pages: "within 500 metres of LW1 5UP".
    .addColumn('area', 'text', (column) => column.notNull())
    .addColumn('token', 'text', (column) => column.notNull().unique().defaultTo(randomToken))
    .addColumn('confirmed_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addCheckConstraint(
      'report_alerts_kind_fields',
      sql`case kind
        when 'report' then request_id is not null and ward_code is null and centre is null
        when 'ward' then ward_code is not null and request_id is null and centre is null
        else centre is not null and radius_metres is not null and request_id is null and ward_code is null end`,
    )
    .execute()
  await sql`create index report_alerts_radius on report_alerts using gist (circle(centre, radius_metres)) where kind = 'radius' and confirmed_at is not null`.execute(db)
  await sql`create index report_alerts_ward on report_alerts (ward_code) where kind = 'ward' and confirmed_at is not null`.execute(db)
  await sql`create index report_alerts_request on report_alerts (request_id) where kind = 'report'`.execute(db)
  await db.schema.createIndex('report_alerts_email').on('report_alerts').column('email').execute()

  await db.schema
    .alterTable('request_followers')
    .addColumn('unsubscribe_token', 'text', (column) => column.notNull().unique().defaultTo(randomToken))
    // Someone who stops the emails still has the problem: their support keeps counting.
    .addColumn('emails_stopped_at', 'timestamptz')
    .execute()

  // New public reports wait here to be told to the alerts they match; those already made are not news.
  await db.schema.alterTable('requests').addColumn('alerts_sent_at', 'timestamptz').execute()
  await sql`update requests set alerts_sent_at = now()`.execute(db)
  await sql`create index requests_awaiting_alerts on requests (created_at) where is_public and alerts_sent_at is null`.execute(db)

  // Status changes wait here to be told to the people following the report.
  await db.schema.alterTable('request_events').addColumn('followers_told_at', 'timestamptz').execute()
  await sql`update request_events set followers_told_at = now()`.execute(db)
  await sql`create index request_events_awaiting_followers on request_events (id) where kind = 'status-change' and followers_told_at is null`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('request_events_awaiting_followers').execute()
  await db.schema.alterTable('request_events').dropColumn('followers_told_at').execute()
  await db.schema.dropIndex('requests_awaiting_alerts').execute()
  await db.schema.alterTable('requests').dropColumn('alerts_sent_at').execute()
  await db.schema.alterTable('request_followers').dropColumn('unsubscribe_token').dropColumn('emails_stopped_at').execute()
  await db.schema.dropTable('report_alerts').execute()
}
