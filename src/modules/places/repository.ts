import type { Kysely } from 'kysely'
import type { Database } from '../../database.ts'
import type { LinkCandidate } from './tenancy-linking.ts'

const addressColumns = [
  'properties.uprn',
  'properties.parent_uprn',
  'properties.address_line_1',
  'properties.address_line_2',
  'properties.address_line_3',
  'properties.town',
  'properties.postcode',
  'properties.ward_code',
  'wards.name as ward_name',
  'properties.usrn',
  'properties.easting',
  'properties.northing',
  'properties.latitude',
  'properties.longitude',
] as const

export type PropertyRecord = Awaited<ReturnType<ReturnType<typeof placesRepository>['propertiesAtPostcode']>>[number]

export function placesRepository(db: Kysely<Database>) {
  const properties = () => db.selectFrom('properties').leftJoin('wards', 'wards.code', 'properties.ward_code')

  return {
    /** An exact match on the normalised postcode, which the properties_postcode index serves. */
    propertiesAtPostcodeQuery(postcode: string) {
      return properties().select(addressColumns).where('properties.postcode', '=', postcode)
    },

    propertiesAtPostcode(postcode: string) {
      return this.propertiesAtPostcodeQuery(postcode).execute()
    },

    propertyByUprn(uprn: number) {
      return properties().select(addressColumns).where('properties.uprn', '=', uprn).executeTakeFirst()
    },

    async hasProperties(): Promise<boolean> {
      const row = await db.selectFrom('properties').select('uprn').limit(1).executeTakeFirst()
      return row !== undefined
    },

    /** Tenants on current tenancies with this reference, at this postcode, born on this day. */
    async linkCandidates(match: { reference: string; postcode: string; dateOfBirth: string; today: string }) {
      const rows = await db
        .selectFrom('tenants')
        .innerJoin('tenancies', 'tenancies.id', 'tenants.tenancy_id')
        .innerJoin('properties', 'properties.uprn', 'tenancies.uprn')
        .select(['tenants.id', 'tenants.person_id', 'tenants.given_name', 'tenants.family_name', 'tenancies.id as tenancy_id'])
        .where('tenancies.reference', '=', match.reference)
        .where('properties.postcode', '=', match.postcode)
        .where('tenants.date_of_birth', '=', match.dateOfBirth)
        .where('tenancies.start_date', '<=', match.today)
        .where((where) => where.or([where('tenancies.end_date', 'is', null), where('tenancies.end_date', '>=', match.today)]))
        .execute()
      return rows.map((row) => ({
        tenancyId: row.tenancy_id,
        candidate: { tenantId: row.id, personId: row.person_id, givenName: row.given_name, familyName: row.family_name } satisfies LinkCandidate,
      }))
    },

    personName(personId: string) {
      return db.selectFrom('people').select(['given_name', 'family_name']).where('id', '=', personId).executeTakeFirst()
    },

    /** Links the tenant unless someone else got there first; says whether it did. */
    async linkTenant(tenantId: string, personId: string): Promise<boolean> {
      const result = await db
        .updateTable('tenants')
        .set({ person_id: personId, linked_at: new Date() })
        .where('id', '=', tenantId)
        .where('person_id', 'is', null)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) === 1
    },

    /** The most recently linked current tenancy of this person, with its property and tenants. */
    async currentTenancyOf(personId: string, today: string) {
      const tenancy = await db
        .selectFrom('tenants')
        .innerJoin('tenancies', 'tenancies.id', 'tenants.tenancy_id')
        .select(['tenancies.id', 'tenancies.reference', 'tenancies.uprn', 'tenancies.start_date', 'tenancies.end_date', 'tenants.linked_at'])
        .where('tenants.person_id', '=', personId)
        .where('tenancies.start_date', '<=', today)
        .where((where) => where.or([where('tenancies.end_date', 'is', null), where('tenancies.end_date', '>=', today)]))
        .orderBy('tenants.linked_at', 'desc')
        .limit(1)
        .executeTakeFirst()
      if (!tenancy) return undefined
      const [property, tenants] = await Promise.all([
        properties().select(addressColumns).where('properties.uprn', '=', tenancy.uprn).executeTakeFirstOrThrow(),
        db
          .selectFrom('tenants')
          .select(['given_name', 'family_name'])
          .where('tenancy_id', '=', tenancy.id)
          .orderBy('family_name')
          .orderBy('given_name')
          .execute(),
      ])
      return { tenancy, property, tenants }
    },
  }
}
