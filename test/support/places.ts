import { randomBytes } from 'node:crypto'
import { sessionFor } from './sessions.ts'
import type { DatabaseHandle } from '../../src/lib/database/connection.ts'
import { csvLine } from '../../src/demo/places.ts'

const addressHeader = [
  'uprn', 'parent_uprn', 'address_line_1', 'address_line_2', 'address_line_3', 'town', 'postcode',
  'easting', 'northing', 'usrn', 'street_name', 'ward_code', 'ward_name', 'is_council_housing',
] as const
type AddressFields = Partial<Record<(typeof addressHeader)[number], string | number | null>>

/** An address row with sensible values for whatever a test does not care about. */
export function address(uprn: number, fields: AddressFields = {}): AddressFields {
  return {
    uprn,
    parent_uprn: null,
    address_line_1: `${uprn % 1000} Mill Lane`,
    address_line_2: '',
    address_line_3: '',
    town: 'Lower Wendle',
    postcode: 'LW1 5UP',
    easting: 447_467.2,
    northing: 204_298,
    usrn: 48_100_001,
    street_name: 'Mill Lane',
    ward_code: 'LWW01',
    ward_name: 'Abbey',
    is_council_housing: 'true',
    ...fields,
  }
}

export function addressCsv(rows: AddressFields[]): string {
  return [csvLine(addressHeader), ...rows.map((row) => csvLine(addressHeader.map((column) => row[column] ?? null)))].join('\n') + '\n'
}

const tenancyHeader = ['tenancy_reference', 'uprn', 'given_name', 'family_name', 'date_of_birth', 'start_date', 'end_date'] as const
type TenancyFields = Partial<Record<(typeof tenancyHeader)[number], string | number | null>>

export function tenant(reference: string, uprn: number, fields: TenancyFields = {}): TenancyFields {
  return {
    tenancy_reference: reference,
    uprn,
    given_name: 'Alex',
    family_name: 'Morgan',
    date_of_birth: '1985-03-14',
    start_date: '2015-04-01',
    end_date: null,
    ...fields,
  }
}

export function tenancyCsv(rows: TenancyFields[]): string {
  return [csvLine(tenancyHeader), ...rows.map((row) => csvLine(tenancyHeader.map((column) => row[column] ?? null)))].join('\n') + '\n'
}

/**
 * A resident with an online account and a signed-in session, made directly in the database so
 * these tests do not depend on the sign-in journey. Returns the session cookie's token.
 */
export async function signedInResident(db: DatabaseHandle, name: { givenName: string; familyName: string }) {
  const person = await db
    .insertInto('people')
    .values({ given_name: name.givenName, family_name: name.familyName, email: `${randomBytes(6).toString('hex')}@example.com` })
    .returning('id')
    .executeTakeFirstOrThrow()
  await db.insertInto('resident_accounts').values({ person_id: person.id, password_hash: null, one_login_subject: null }).execute()
  const token = await sessionFor(db, { kind: 'resident', id: person.id })
  return { personId: person.id, sessionToken: token }
}

export { sessionCookie } from './sessions.ts'
