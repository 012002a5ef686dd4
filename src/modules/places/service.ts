import type { Kysely } from 'kysely'
import type { ServiceDependencies } from '../../container.ts'
import type { Database } from '../../database.ts'
import { Conflict, InvalidInput, NotFound, TooManyAttempts, type FieldErrors } from '../../lib/errors.ts'
import { countHit, limitReached, resetCounter } from '../../lib/http/rate-limits.ts'
import { formatDateTime } from '../../lib/http/views.ts'
import { translator, type Translate } from '../../lib/i18n/index.ts'
import { recordAudit } from '../identity/audit.ts'
import { parsePostcode } from './postcodes.ts'
import { dateFromParts, todayInLondon } from './dates.ts'
import { createLocations } from './locations.ts'
import { placesRepository, type PropertyRecord } from './repository.ts'
import { decideLink, lockSeconds, wrongTriesBeforeLock } from './tenancy-linking.ts'
import { importAddresses, importTenancies, type CsvSource, type ImportOptions } from './importer.ts'
import { normaliseTenancyReference } from './tenancy-rows.ts'

export interface Address {
  uprn: number
  parentUprn: number | null
  /** The address as it is written on an envelope, without empty lines. */
  lines: string[]
  singleLine: string
  town: string
  postcode: string
  ward: { code: string; name: string } | null
  usrn: number | null
  easting: number
  northing: number
  latitude: number
  longitude: number
}

export interface LinkedTenancy {
  id: string
  reference: string
  startDate: string
  endDate: string | null
  linkedAt: Date | null
  address: Address
  tenants: { givenName: string; familyName: string }[]
}

export interface TenancyLinkForm {
  reference?: string
  postcode?: string
  day?: string
  month?: string
  year?: string
}

const english = translator('en')
const addressOrder = new Intl.Collator('en-GB', { numeric: true, sensitivity: 'base' })

export function toAddress(record: PropertyRecord): Address {
  const lines = [record.address_line_1, record.address_line_2, record.address_line_3, record.town, record.postcode].filter(
    (line) => line.trim() !== '',
  )
  return {
    uprn: record.uprn,
    parentUprn: record.parent_uprn,
    lines,
    singleLine: lines.join(', '),
    town: record.town,
    postcode: record.postcode,
    ward: record.ward_code ? { code: record.ward_code, name: record.ward_name ?? '' } : null,
    usrn: record.usrn,
    easting: record.easting,
    northing: record.northing,
    latitude: record.latitude,
    longitude: record.longitude,
  }
}

/** The postcode as typed, checked and normalised, or the GOV.UK message for the postcode field. */
export function checkPostcode(input: string | undefined, t: Translate = english): string {
  const result = parsePostcode(input)
  if (!result.valid) throw new InvalidInput({ postcode: t(`places.postcode.${result.problem}`) })
  return result.postcode
}

export function createPlacesServices({ db, config }: ServiceDependencies) {
  const repository = placesRepository(db)
  const lockKey = (personId: string) => `tenancy-link:person:${personId}`
  const lockRule = (personId: string) => ({ key: lockKey(personId), limit: wrongTriesBeforeLock, windowSeconds: lockSeconds })
  const lockedError = (retryAt: Date, t: Translate) => new TooManyAttempts(retryAt, t('places.tenancy.locked', { time: formatDateTime(retryAt) }))

  async function tenancyOf(personId: string): Promise<LinkedTenancy | undefined> {
    const found = await repository.currentTenancyOf(personId, todayInLondon())
    if (!found) return undefined
    return {
      id: found.tenancy.id,
      reference: found.tenancy.reference,
      startDate: found.tenancy.start_date,
      endDate: found.tenancy.end_date,
      linkedAt: found.tenancy.linked_at,
      address: toAddress(found.property),
      tenants: found.tenants.map((tenant) => ({ givenName: tenant.given_name, familyName: tenant.family_name })),
    }
  }

  return {
    /** Where a point is, whether it is the council's, and finding streets and addresses to report a problem at. */
    ...createLocations(db, config.boundaryFile),

    /** Every address at a postcode, in the order people expect (Flat 2 before Flat 10). */
    async findAddresses(postcodeInput: string | undefined, t: Translate = english): Promise<{ postcode: string; addresses: Address[] }> {
      const postcode = checkPostcode(postcodeInput, t)
      const records = await repository.propertiesAtPostcode(postcode)
      const addresses = records.map(toAddress).sort((a, b) => addressOrder.compare(a.singleLine, b.singleLine))
      return { postcode, addresses }
    },

    async addressByUprn(uprn: number): Promise<Address> {
      const record = Number.isSafeInteger(uprn) && uprn > 0 ? await repository.propertyByUprn(uprn) : undefined
      if (!record) throw new NotFound('address')
      return toAddress(record)
    },

    hasProperties: () => repository.hasProperties(),

    /** Every ward of the council, by name. */
    wards: () => db.selectFrom('wards').select(['code', 'name']).orderBy('name').execute(),

    importAddresses: (source: CsvSource, options?: ImportOptions) => importAddresses(db, source, options),
    importTenancies: (source: CsvSource, options?: ImportOptions) => importTenancies(db, source, options),

    /** The tenancy a person has linked, with its property's address, for their account page. */
    tenancyOf,

    /** Whether linking is paused for this person after too many wrong tries, and until when. */
    async tenancyLinkingLock(personId: string, t: Translate = english): Promise<{ retryAt: Date; message: string } | undefined> {
      const state = await limitReached(db, lockRule(personId))
      return state.allowed ? undefined : { retryAt: state.retryAt, message: lockedError(state.retryAt, t).message }
    },

    /**
     * Links the signed-in person to their tenancy when the reference, the home's postcode and
     * their date of birth match a tenant on a current tenancy. Wrong details count towards a
     * pause; mistyped fields (an unreal date) do not, since they could never have matched.
     */
    async linkTenancy(personId: string, form: TenancyLinkForm, context: { ipAddress?: string; t?: Translate } = {}): Promise<LinkedTenancy> {
      const t = context.t ?? english
      const lock = await limitReached(db, lockRule(personId))
      if (!lock.allowed) throw lockedError(lock.retryAt, t)

      const today = todayInLondon()
      const errors: FieldErrors = {}
      const reference = normaliseTenancyReference(form.reference ?? '')
      if (reference === '') errors.reference = t('places.tenancy.referenceMissing')
      const postcode = parsePostcode(form.postcode)
      if (!postcode.valid) errors.postcode = t(`places.postcode.${postcode.problem}`)
      const dateOfBirth = dateFromParts({ day: form.day, month: form.month, year: form.year }, today)
      if (!dateOfBirth.valid) {
        const parts = dateOfBirth.problem === 'incomplete' ? dateOfBirth.missing.map((part) => t(`places.tenancy.${part}`).toLowerCase()) : []
        const partsText = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} ${t('places.tenancy.and')} ${parts.at(-1)}` : (parts[0] ?? '')
        errors['dateOfBirth-day'] = t(`places.tenancy.dateOfBirth.${dateOfBirth.problem}`, { parts: partsText })
      }
      if (!postcode.valid || !dateOfBirth.valid || reference === '') throw new InvalidInput(errors)

      const [matches, person] = await Promise.all([
        repository.linkCandidates({ reference, postcode: postcode.postcode, dateOfBirth: dateOfBirth.date, today }),
        repository.personName(personId),
      ])
      if (!person) throw new NotFound('person')
      const decision = decideLink(
        matches.map((match) => match.candidate),
        { id: personId, givenName: person.given_name, familyName: person.family_name },
      )
      const tenancyId = matches[0]?.tenancyId

      if (decision.outcome === 'noMatch') {
        const hit = await countHit(db, lockRule(personId))
        if (hit.hits >= wrongTriesBeforeLock) throw lockedError(hit.retryAt, t)
        const remaining = wrongTriesBeforeLock - hit.hits
        throw new InvalidInput({ reference: remaining === 1 ? t('places.tenancy.noMatchLastTry') : t('places.tenancy.noMatch', { remaining }) })
      }
      if (decision.outcome === 'linkedToSomeoneElse') {
        await recordAudit(db, {
          actor: { kind: 'resident', id: personId },
          action: 'tenancy.link-refused',
          subject: { type: 'tenancy', id: tenancyId! },
          details: { reason: 'tenant already linked to another person' },
          ipAddress: context.ipAddress,
        })
        throw new Conflict(t('places.tenancy.linkedToSomeoneElse', { phone: config.council.phone }))
      }
      if (decision.outcome === 'link') {
        await db.transaction().execute(async (trx) => {
          const linked = await placesRepository(trx).linkTenant(decision.tenantId, personId)
          if (!linked) throw new Conflict(t('places.tenancy.linkedToSomeoneElse', { phone: config.council.phone }))
          await recordAudit(trx, {
            actor: { kind: 'resident', id: personId },
            action: 'tenancy.link',
            subject: { type: 'tenancy', id: tenancyId! },
            details: { tenantId: decision.tenantId },
            ipAddress: context.ipAddress,
          })
        })
      }
      await resetCounter(db, lockKey(personId))
      const tenancy = await tenancyOf(personId)
      if (!tenancy) throw new NotFound('tenancy')
      return tenancy
    },
  }
}

export type PlacesServices = ReturnType<typeof createPlacesServices>

export type StaffTenancyLink =
  | { outcome: 'linked' | 'already-linked'; tenancyId: string; reference: string }
  | { outcome: 'linked-to-someone-else' | 'not-found' }

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * Links a person to a named tenant on a current tenancy for a member of staff who has checked who
 * they are on the phone or at the counter, so no date of birth is asked for; the audit entry says
 * staff verified them. It runs in the caller's transaction, so a person recorded in order to be
 * linked is kept only if the link is made.
 */
export async function linkTenantVerifiedByStaff(
  executor: Kysely<Database>,
  link: { tenantId: string; personId: string; staff: { id: string; ipAddress?: string } },
): Promise<StaffTenancyLink> {
  if (!uuidPattern.test(link.tenantId)) return { outcome: 'not-found' }
  const today = todayInLondon()
  const tenant = await executor
    .selectFrom('tenants')
    .innerJoin('tenancies', 'tenancies.id', 'tenants.tenancy_id')
    .select(['tenants.person_id', 'tenancies.id as tenancy_id', 'tenancies.reference'])
    .where('tenants.id', '=', link.tenantId)
    .where('tenancies.start_date', '<=', today)
    .where((where) => where.or([where('tenancies.end_date', 'is', null), where('tenancies.end_date', '>=', today)]))
    .executeTakeFirst()
  if (!tenant) return { outcome: 'not-found' }
  const linked = { tenancyId: tenant.tenancy_id, reference: tenant.reference }
  if (tenant.person_id === link.personId) return { outcome: 'already-linked', ...linked }
  if (!(await placesRepository(executor).linkTenant(link.tenantId, link.personId))) return { outcome: 'linked-to-someone-else' }
  await recordAudit(executor, {
    actor: { kind: 'staff', id: link.staff.id },
    action: 'tenancy.link',
    subject: { type: 'tenancy', id: tenant.tenancy_id },
    details: { tenantId: link.tenantId, personId: link.personId, verifiedBy: 'staff' },
    ipAddress: link.staff.ipAddress,
  })
  return { outcome: 'linked', ...linked }
}
