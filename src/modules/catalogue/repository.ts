import { sql, type Kysely } from 'kysely'
import type { Database } from '../../database.ts'
import type { Audience, CatalogueEntry, LinkEntry, LocalisedText, RecordVisibility, ServiceDefinition } from './definition.ts'

/** A form's version, read as the definition it holds: every lookup of one filters on kind = 'form'. */
const formVersionColumns = [
  'service_definition_versions.id',
  'service_definition_versions.service_code as code',
  'service_definition_versions.version',
  sql<ServiceDefinition>`service_definition_versions.definition`.as('definition'),
] as const

/** What the front door shows of an entry; a form's questions and rules stay in the database. */
export type FrontDoorFields = Omit<LinkEntry, 'link'> & { link?: string; audience?: Audience; recordVisibility?: RecordVisibility }

/** Works on the database handle or on a transaction, so publishing can run every step in one. */
export function catalogueRepository(db: Kysely<Database>) {
  return {
    /** Makes the service's row if it is new; waits for, then skips, a row another publish is adding. */
    async ensureService(code: string): Promise<void> {
      await db.insertInto('services').values({ code }).onConflict((conflict) => conflict.column('code').doNothing()).execute()
    },

    /**
     * Locks the service's row until the transaction ends, so publishes of one service take turns
     * and each sees the versions the one before it added.
     */
    lockService(code: string) {
      return db.selectFrom('services').select(['code', 'current_version_id']).where('code', '=', code).forUpdate().executeTakeFirstOrThrow()
    },

    /** The version if it holds exactly this definition; jsonb equality ignores the order of keys. */
    versionHolding(id: string, definitionJson: string) {
      return db
        .selectFrom('service_definition_versions')
        .select(['id', 'version'])
        .where('id', '=', id)
        .where(sql<boolean>`definition = cast(${definitionJson} as jsonb)`)
        .executeTakeFirst()
    },

    /** The service's latest version published by nobody, which is one seeded from a file, if it holds exactly this definition. */
    lastSeededVersionHolding(code: string, definitionJson: string) {
      const lastSeeded = db
        .selectFrom('service_definition_versions')
        .select('id')
        .where('service_code', '=', code)
        .where('published_by', 'is', null)
        .orderBy('version', 'desc')
        .limit(1)
      return db
        .selectFrom('service_definition_versions')
        .select(['id', 'version'])
        .where('id', '=', lastSeeded)
        .where(sql<boolean>`definition = cast(${definitionJson} as jsonb)`)
        .executeTakeFirst()
    },

    async nextVersionNumber(code: string): Promise<number> {
      const row = await db
        .selectFrom('service_definition_versions')
        .select(sql<number>`coalesce(max(version), 0) + 1`.as('next'))
        .where('service_code', '=', code)
        .executeTakeFirstOrThrow()
      return row.next
    },

    insertVersion(version: { code: string; version: number; definitionJson: string; publishedBy: string | null }) {
      return db
        .insertInto('service_definition_versions')
        .values({ service_code: version.code, version: version.version, definition: version.definitionJson, published_by: version.publishedBy })
        .returning(['id', 'version'])
        .executeTakeFirstOrThrow()
    },

    async makeCurrent(code: string, versionId: string): Promise<void> {
      await db.updateTable('services').set({ current_version_id: versionId }).where('code', '=', code).execute()
    },

    currentVersion(code: string) {
      return db
        .selectFrom('services')
        .innerJoin('service_definition_versions', 'service_definition_versions.id', 'services.current_version_id')
        .select(formVersionColumns)
        .where('services.code', '=', code)
        .where('service_definition_versions.kind', '=', 'form')
        .executeTakeFirst()
    },

    /** The service's current version whatever its kind, for seeding and publishing rather than for running a form. */
    currentVersionNumber(code: string) {
      return db
        .selectFrom('services')
        .innerJoin('service_definition_versions', 'service_definition_versions.id', 'services.current_version_id')
        .select(['service_definition_versions.id', 'service_definition_versions.version'])
        .where('services.code', '=', code)
        .executeTakeFirst()
    },

    versionById(id: string) {
      return db
        .selectFrom('service_definition_versions')
        .select(formVersionColumns)
        .where('id', '=', id)
        .where('kind', '=', 'form')
        .executeTakeFirst()
    },

    /** Every current entry, forms and links, as the front door shows them. */
    currentFrontDoorEntries() {
      return db
        .selectFrom('services')
        .innerJoin('service_definition_versions', 'service_definition_versions.id', 'services.current_version_id')
        .select(
          sql<FrontDoorFields>`service_definition_versions.definition - 'questions' - 'priority' - 'routing' - 'targets' - 'statusLabels' - 'owningTeam'`.as(
            'entry',
          ),
        )
        .execute()
    },

    /** Changes whenever anything is published, so a cache of the front door knows when to read it again. */
    async catalogueStamp(): Promise<string> {
      const row = await db
        .selectFrom('services')
        .select(sql<string>`count(*) || ':' || coalesce(md5(string_agg(current_version_id::text, ',' order by code)), '')`.as('stamp'))
        .executeTakeFirstOrThrow()
      return row.stamp
    },

    async recordStart(code: string, day: string): Promise<void> {
      await db
        .insertInto('service_starts')
        .values({ service_code: code, day, starts: 1 })
        .onConflict((conflict) => conflict.columns(['service_code', 'day']).doUpdateSet({ starts: sql`service_starts.starts + 1` }))
        .execute()
    },

    /** Services by how often they were started since the day given, most first. */
    startsSince(day: string) {
      return db
        .selectFrom('service_starts')
        .select(['service_code as code', sql<number>`sum(starts)::integer`.as('starts')])
        .where('day', '>=', day)
        .groupBy('service_code')
        .orderBy('starts', 'desc')
        .orderBy('service_code')
        .execute()
    },

    /** What a list of services needs, taken from inside each current definition rather than the whole of it. */
    currentSummaries() {
      return db
        .selectFrom('services')
        .innerJoin('service_definition_versions', 'service_definition_versions.id', 'services.current_version_id')
        .where('service_definition_versions.kind', '=', 'form')
        .select([
          'services.code',
          'service_definition_versions.id',
          'service_definition_versions.version',
          sql<LocalisedText>`service_definition_versions.definition -> 'name'`.as('name'),
          sql<Audience>`service_definition_versions.definition ->> 'audience'`.as('audience'),
          sql<RecordVisibility>`service_definition_versions.definition ->> 'recordVisibility'`.as('record_visibility'),
        ])
        .orderBy(sql`service_definition_versions.definition -> 'name' ->> 'en'`)
        .orderBy('services.code')
        .execute()
    },

    versionsOf(code: string) {
      return db
        .selectFrom('service_definition_versions')
        .innerJoin('services', 'services.code', 'service_definition_versions.service_code')
        .select([
          'service_definition_versions.id',
          'service_definition_versions.service_code as code',
          'service_definition_versions.version',
          'service_definition_versions.published_at',
          'service_definition_versions.published_by',
          sql<boolean>`services.current_version_id is not distinct from service_definition_versions.id`.as('current'),
        ])
        .where('service_definition_versions.service_code', '=', code)
        .orderBy('service_definition_versions.version')
        .execute()
    },

    /** For the catalogue editor: every service with its current version, whatever its kind or audience, in order of English name. */
    services() {
      return db
        .selectFrom('services')
        .innerJoin('service_definition_versions as version', 'version.id', 'services.current_version_id')
        .leftJoin('staff_members', 'staff_members.id', 'version.published_by')
        .select([
          'services.code',
          'version.kind',
          'version.version',
          'version.published_at',
          'version.published_by',
          'staff_members.name as publisher_name',
          sql<LocalisedText>`version.definition -> 'name'`.as('name'),
          sql<Audience | null>`version.definition ->> 'audience'`.as('audience'),
        ])
        .orderBy(sql`version.definition -> 'name' ->> 'en'`)
        .orderBy('services.code')
        .execute()
    },

    /** The service's entry at a version, or at its current one when no version is given. */
    entryAt(code: string, version?: number) {
      const query = db
        .selectFrom('service_definition_versions')
        .select(['version', sql<CatalogueEntry>`definition`.as('entry')])
        .where('service_code', '=', code)
      const chosen =
        version === undefined
          ? query.where('id', '=', db.selectFrom('services').select('current_version_id').where('code', '=', code))
          : query.where('version', '=', version)
      return chosen.executeTakeFirst()
    },

    async staffNames(ids: string[]): Promise<Map<string, string>> {
      if (ids.length === 0) return new Map()
      const rows = await db.selectFrom('staff_members').select(['id', 'name']).where('id', 'in', ids).execute()
      return new Map(rows.map((row) => [row.id, row.name]))
    },
  }
}
