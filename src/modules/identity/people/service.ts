import { sql, type Expression, type QueryCreator, type SqlBool } from 'kysely'
import type { Database } from '../../../database.ts'
import { Forbidden, InvalidInput, NotFound, type FieldErrors } from '../../../lib/errors.ts'
import { linkTenantVerifiedByStaff, type StaffTenancyLink } from '../../places/index.ts'
import { recordAudit } from '../audit.ts'
import type { IdentityDependencies } from '../index.ts'
import type { Person, ResidentAccounts } from '../residents/service.ts'
import type { Permission } from '../staff/permissions.ts'
import type { StaffAccess, StaffActor } from '../staff/service.ts'
import { checkNewPerson, containsPattern, peoplePageSize, type NewPersonForm, type PeopleSearch } from './rules.ts'

/** One line of the search results: a person the council knows, or a tenant named on a tenancy who has no person record yet. */
export interface PeopleSearchRow {
  kind: 'person' | 'tenant'
  /** The person's id, or the named tenant's. */
  id: string
  givenName: string
  familyName: string
  email: string | null
  tenancyReference: string | null
  address: string | null
}

export interface PeopleSearchResults {
  rows: PeopleSearchRow[]
  total: number
  page: number
  pages: number
}

/** A tenant named on a current tenancy, as staff see them before linking them to a person. */
export interface NamedTenant {
  id: string
  givenName: string
  familyName: string
  tenancyReference: string
  address: string
  personId: string | null
  /** People the council already knows by the same name, any of whom may be this tenant. */
  sameName: { id: string; givenName: string; familyName: string; email: string | null; hasAccount: boolean; tenancyReference: string | null }[]
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

// The searched expressions are the ones the migration 202611250300-people-search indexes, word for word.
const personName = sql<string>`lower(people.given_name || ' ' || people.family_name)`
const tenantName = sql<string>`lower(tenants.given_name || ' ' || tenants.family_name)`
const addressText = sql<string>`lower(properties.address_line_1 || ' ' || properties.address_line_2 || ' ' || properties.address_line_3 || ' ' || properties.town)`

/** The address on one line, as on an envelope without its empty lines. */
const singleLineAddress = sql<string>`concat_ws(', ', nullif(properties.address_line_1, ''), nullif(properties.address_line_2, ''),
  nullif(properties.address_line_3, ''), nullif(properties.town, ''), nullif(properties.postcode, ''))`

/** A tenancy is current from its start date until the end of its end date, if it has one, counted in UK days. */
const londonToday = sql<string>`(now() at time zone 'Europe/London')::date`
const isCurrentTenancy = sql<SqlBool>`tenancies.start_date <= ${londonToday} and (tenancies.end_date is null or tenancies.end_date >= ${londonToday})`

const containsEvery = (expression: Expression<string>, words: string[]) =>
  sql<SqlBool>`${sql.join(words.map((word) => sql`${expression} like ${containsPattern(word)}`), sql` and `)}`

function assertCan(actor: StaffAccess, permission: Permission) {
  if (!actor.permissions.has(permission)) throw new Forbidden()
}

function invalid(fields: FieldErrors): never {
  throw new InvalidInput(Object.fromEntries(Object.entries(fields).map(([field, key]) => [field, `identity.people.${key}`])))
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string }).code === '23505'
}

const linkProblems: Record<Exclude<StaffTenancyLink['outcome'], 'linked' | 'already-linked'>, string> = {
  'linked-to-someone-else': 'errors.tenant.linkedToSomeoneElse',
  'not-found': 'errors.tenant.notFound',
}

/**
 * People for staff: finding the person who has phoned or called in, seeing what the council holds
 * about them, and recording someone it has never heard of. Each function checks the actor may do it.
 */
export function createPeopleDirectory({ db, residents }: IdentityDependencies & { residents: Pick<ResidentAccounts, 'findPersonById'> }) {
  /** The ids of tenants on current tenancies that the search finds by their name, the tenancy's reference or its address. */
  function matchingTenants(executor: QueryCreator<Database>, search: PeopleSearch) {
    const onCurrentTenancies = () =>
      executor.selectFrom('tenants').innerJoin('tenancies', 'tenancies.id', 'tenants.tenancy_id').select('tenants.id').where(isCurrentTenancy)
    const atProperties = () => onCurrentTenancies().innerJoin('properties', 'properties.uprn', 'tenancies.uprn')
    // Each way of matching has its own index, so they are asked separately and put together.
    let matches = onCurrentTenancies().where('tenancies.reference', '=', search.tenancyReference)
    if (search.nameWords.length > 0) matches = matches.union(onCurrentTenancies().where(containsEvery(tenantName, search.nameWords)))
    if (search.postcode) matches = matches.union(atProperties().where('properties.postcode', '=', search.postcode))
    if (search.addressPhrase) matches = matches.union(atProperties().where(addressText, 'like', containsPattern(search.addressPhrase)))
    return matches
  }

  function matchesQuery(search: PeopleSearch) {
    return db.with('tenant_matches', (executor) => matchingTenants(executor, search)).selectFrom((query) => {
      let personIds = query
        .selectFrom('tenants')
        .innerJoin('tenant_matches', 'tenant_matches.id', 'tenants.id')
        .select('tenants.person_id as id')
        .where('tenants.person_id', 'is not', null)
        .$narrowType<{ id: string }>()
      if (search.nameWords.length > 0) personIds = personIds.union(query.selectFrom('people').select('people.id').where(containsEvery(personName, search.nameWords)))
      if (search.email) personIds = personIds.union(query.selectFrom('people').select('people.id').where(sql<string>`lower(people.email)`, '=', search.email))

      const people = query
        .selectFrom('people')
        .leftJoinLateral(
          (lateral) =>
            lateral
              .selectFrom('tenants')
              .innerJoin('tenancies', 'tenancies.id', 'tenants.tenancy_id')
              .innerJoin('properties', 'properties.uprn', 'tenancies.uprn')
              .select(['tenancies.reference', singleLineAddress.as('address')])
              .whereRef('tenants.person_id', '=', 'people.id')
              .where(isCurrentTenancy)
              .orderBy('tenants.linked_at', 'desc')
              .limit(1)
              .as('home'),
          (join) => join.onTrue(),
        )
        .select([
          sql<'person' | 'tenant'>`'person'`.as('kind'),
          'people.id',
          'people.given_name',
          'people.family_name',
          'people.email',
          'home.reference as tenancy_reference',
          'home.address',
        ])
        .where('people.id', 'in', personIds)
      const unlinkedTenants = query
        .selectFrom('tenants')
        .innerJoin('tenant_matches', 'tenant_matches.id', 'tenants.id')
        .innerJoin('tenancies', 'tenancies.id', 'tenants.tenancy_id')
        .innerJoin('properties', 'properties.uprn', 'tenancies.uprn')
        .select([
          sql<'person' | 'tenant'>`'tenant'`.as('kind'),
          'tenants.id',
          'tenants.given_name',
          'tenants.family_name',
          sql<string | null>`null`.as('email'),
          'tenancies.reference as tenancy_reference',
          singleLineAddress.as('address'),
        ])
        .where('tenants.person_id', 'is', null)
      return people.unionAll(unlinkedTenants).as('matches')
    })
  }

  async function person(actor: StaffAccess, personId: string): Promise<Person> {
    assertCan(actor, 'people.view')
    const found = uuidPattern.test(personId) ? await residents.findPersonById(personId) : undefined
    if (!found) throw new NotFound('person')
    return found
  }

  function linkOrRefuse(link: StaffTenancyLink): { tenancyReference: string } {
    if (link.outcome === 'linked' || link.outcome === 'already-linked') return { tenancyReference: link.reference }
    invalid({ tenant: linkProblems[link.outcome] })
  }

  return {
    /** One page of the people and unlinked named tenants a search finds, ordered by family name. */
    async search(actor: StaffAccess, search: PeopleSearch, requestedPage: number): Promise<PeopleSearchResults> {
      assertCan(actor, 'people.view')
      const { total } = await matchesQuery(search).select(sql<number>`count(*)::int`.as('total')).executeTakeFirstOrThrow()
      const pages = Math.max(1, Math.ceil(total / peoplePageSize))
      const page = Math.min(Math.max(1, requestedPage), pages)
      const rows = await matchesQuery(search)
        .selectAll()
        .orderBy('family_name')
        .orderBy('given_name')
        .orderBy('id')
        .limit(peoplePageSize)
        .offset((page - 1) * peoplePageSize)
        .execute()
      return {
        rows: rows.map((row) => ({
          kind: row.kind,
          id: row.id,
          givenName: row.given_name,
          familyName: row.family_name,
          email: row.email,
          tenancyReference: row.tenancy_reference,
          address: row.address,
        })),
        total,
        page,
        pages,
      }
    },

    /** A person's record, for staff who may see people. */
    person,

    /** A person's record for their page; opening it is access to personal data, so it is audited. */
    async viewPerson(actor: StaffActor, personId: string): Promise<Person> {
      const found = await person(actor, personId)
      await recordAudit(db, { actor: { kind: 'staff', id: actor.id }, action: 'person.view', subject: { type: 'person', id: found.id }, ipAddress: actor.ipAddress })
      return found
    },

    /** A tenant named on a current tenancy, with the people already known by their name. */
    async namedTenant(actor: StaffAccess, tenantId: string): Promise<NamedTenant> {
      assertCan(actor, 'people.view')
      const tenant = uuidPattern.test(tenantId)
        ? await db
            .selectFrom('tenants')
            .innerJoin('tenancies', 'tenancies.id', 'tenants.tenancy_id')
            .innerJoin('properties', 'properties.uprn', 'tenancies.uprn')
            .select(['tenants.id', 'tenants.given_name', 'tenants.family_name', 'tenants.person_id', 'tenancies.reference', singleLineAddress.as('address')])
            .where('tenants.id', '=', tenantId)
            .where(isCurrentTenancy)
            .executeTakeFirst()
        : undefined
      if (!tenant) throw new NotFound('tenant')
      const fullName = `${tenant.given_name} ${tenant.family_name}`.toLowerCase()
      const sameName = await db
        .selectFrom('people')
        .leftJoin('resident_accounts', 'resident_accounts.person_id', 'people.id')
        .select([
          'people.id',
          'people.given_name',
          'people.family_name',
          'people.email',
          sql<boolean>`resident_accounts.person_id is not null`.as('has_account'),
          sql<string | null>`(select tenancies.reference from tenants join tenancies on tenancies.id = tenants.tenancy_id
            where tenants.person_id = people.id and ${isCurrentTenancy} order by tenants.linked_at desc limit 1)`.as('tenancy_reference'),
        ])
        // The LIKE lets the trigram index find the few candidates; the equality keeps only the same name.
        .where(personName, 'like', containsPattern(fullName))
        .where(personName, '=', fullName)
        .orderBy('people.created_at')
        .limit(10)
        .execute()
      return {
        id: tenant.id,
        givenName: tenant.given_name,
        familyName: tenant.family_name,
        tenancyReference: tenant.reference,
        address: tenant.address,
        personId: tenant.person_id,
        sameName: sameName.map((row) => ({
          id: row.id,
          givenName: row.given_name,
          familyName: row.family_name,
          email: row.email,
          hasAccount: row.has_account,
          tenancyReference: row.tenancy_reference,
        })),
      }
    },

    /**
     * Records someone who phoned or called in and is not yet known, and, when they are a tenant
     * named on a tenancy, links them to it: the member of staff has checked who they are, so no
     * date of birth is asked for. Either both happen or neither does. Contact details are what the
     * person said; a mobile number still has to be confirmed before texts go to it.
     */
    async recordPerson(actor: StaffActor, form: NewPersonForm, options: { tenantId?: string } = {}): Promise<{ personId: string; tenancyReference?: string }> {
      assertCan(actor, 'people.edit')
      const checked = checkNewPerson(form)
      if ('errors' in checked) invalid(checked.errors)
      const { person: newPerson } = checked
      try {
        return await db.transaction().execute(async (transaction) => {
          const { id } = await transaction
            .insertInto('people')
            .values({
              given_name: newPerson.givenName,
              family_name: newPerson.familyName,
              email: newPerson.email,
              mobile: newPerson.mobile,
              contact_preference: newPerson.contactPreference,
            })
            .returning('id')
            .executeTakeFirstOrThrow()
          await recordAudit(transaction, {
            actor: { kind: 'staff', id: actor.id },
            action: 'person.create',
            subject: { type: 'person', id },
            details: { contactPreference: newPerson.contactPreference, tenantId: options.tenantId ?? null },
            ipAddress: actor.ipAddress,
          })
          if (options.tenantId === undefined) return { personId: id }
          const link = await linkTenantVerifiedByStaff(transaction, { tenantId: options.tenantId, personId: id, staff: actor })
          return { personId: id, ...linkOrRefuse(link) }
        })
      } catch (error) {
        if (isUniqueViolation(error)) invalid({ email: 'errors.email.taken' })
        throw error
      }
    },

    /** Links a person the council already knows to a named tenant, after staff have checked who they are. */
    async linkToTenant(actor: StaffActor, personId: string, tenantId: string): Promise<{ tenancyReference: string }> {
      assertCan(actor, 'people.edit')
      const found = await person(actor, personId)
      return db.transaction().execute(async (transaction) =>
        linkOrRefuse(await linkTenantVerifiedByStaff(transaction, { tenantId, personId: found.id, staff: actor })),
      )
    },
  }
}

export type PeopleDirectory = ReturnType<typeof createPeopleDirectory>
