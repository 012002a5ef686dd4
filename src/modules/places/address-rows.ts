import type { Translate } from '../../lib/i18n/index.ts'
import { gridToLatitudeLongitude } from './national-grid.ts'
import { parsePostcode } from './postcodes.ts'

/** The address file's columns, as councils hold them in their gazetteer extracts. */
export const requiredAddressColumns = [
  'uprn',
  'address_line_1',
  'town',
  'postcode',
  'easting',
  'northing',
  'usrn',
  'street_name',
  'ward_code',
  'ward_name',
] as const
export const optionalAddressColumns = ['parent_uprn', 'address_line_2', 'address_line_3', 'is_council_housing'] as const
export type AddressColumn = (typeof requiredAddressColumns)[number] | (typeof optionalAddressColumns)[number]

export interface AddressRow {
  uprn: number
  parentUprn: number | null
  addressLine1: string
  addressLine2: string
  addressLine3: string
  town: string
  postcode: string
  easting: number
  northing: number
  latitude: number
  longitude: number
  usrn: number
  streetName: string
  wardCode: string
  wardName: string
  /** null when the file does not say, so an update keeps what the register already holds. */
  isCouncilHousing: boolean | null
}

export type RowCheck<Row> = { row: Row; reasons: [] } | { row: undefined; reasons: string[] }

const maximumTextLength = 200
/** The National Grid's extent in metres, with room for the Isles of Scilly and Shetland. */
export const gridExtent = { easting: 700_000, northing: 1_300_000 }

const digitsOnly = /^\d+$/

export function readIdentifier(text: string, maximumDigits: number): number | undefined {
  const value = text.trim()
  if (value.length > maximumDigits || !digitsOnly.test(value)) return undefined
  const number = Number(value)
  return number > 0 ? number : undefined
}

function readMetres(text: string, maximum: number): number | undefined {
  const value = text.trim()
  if (!/^\d+(\.\d+)?$/.test(value)) return undefined
  const number = Number(value)
  return number <= maximum ? number : undefined
}

const yes = new Set(['true', 'yes', 'y', '1'])
const no = new Set(['false', 'no', 'n', '0'])

/** Checks one row of an address file on its own, returning every reason it cannot be imported. */
export function checkAddressRow(values: Partial<Record<AddressColumn, string>>, t: Translate): RowCheck<AddressRow> {
  const reasons: string[] = []
  const text = (column: AddressColumn) => (values[column] ?? '').trim()
  const required = (column: AddressColumn) => {
    const value = text(column)
    if (value === '') reasons.push(t('places.import.problems.missing', { column }))
    else if (value.length > maximumTextLength) reasons.push(t('places.import.problems.tooLong', { column, maximum: maximumTextLength }))
    return value
  }
  const optionalText = (column: AddressColumn) => {
    const value = text(column)
    if (value.length > maximumTextLength) reasons.push(t('places.import.problems.tooLong', { column, maximum: maximumTextLength }))
    return value
  }
  const identifier = (column: AddressColumn, digits: number) => {
    const value = text(column)
    if (value === '') {
      reasons.push(t('places.import.problems.missing', { column }))
      return 0
    }
    const number = readIdentifier(value, digits)
    if (number === undefined) reasons.push(t('places.import.problems.notIdentifier', { column, value, digits }))
    return number ?? 0
  }
  const metres = (column: 'easting' | 'northing') => {
    const value = text(column)
    if (value === '') {
      reasons.push(t('places.import.problems.missing', { column }))
      return 0
    }
    const number = readMetres(value, gridExtent[column])
    if (number === undefined) reasons.push(t('places.import.problems.notGrid', { column, value, maximum: gridExtent[column] }))
    return number ?? 0
  }

  const uprn = identifier('uprn', 12)
  let parentUprn: number | null = null
  const parentText = text('parent_uprn')
  if (parentText !== '') {
    const parent = readIdentifier(parentText, 12)
    if (parent === undefined) reasons.push(t('places.import.problems.notIdentifier', { column: 'parent_uprn', value: parentText, digits: 12 }))
    else if (parent === uprn) reasons.push(t('places.import.problems.ownParent'))
    else parentUprn = parent
  }
  const addressLine1 = required('address_line_1')
  const addressLine2 = optionalText('address_line_2')
  const addressLine3 = optionalText('address_line_3')
  const town = required('town')

  let postcode = ''
  const postcodeResult = parsePostcode(values.postcode)
  if (postcodeResult.valid) postcode = postcodeResult.postcode
  else if (postcodeResult.problem === 'missing') reasons.push(t('places.import.problems.missing', { column: 'postcode' }))
  else reasons.push(t('places.import.problems.notPostcode', { value: text('postcode') }))

  const easting = metres('easting')
  const northing = metres('northing')
  const usrn = identifier('usrn', 8)
  const streetName = required('street_name')
  const wardCode = required('ward_code')
  if (wardCode !== '' && !/^[A-Za-z0-9_-]{1,20}$/.test(wardCode)) reasons.push(t('places.import.problems.notWardCode', { value: wardCode }))
  const wardName = required('ward_name')

  let isCouncilHousing: boolean | null = null
  const councilHousing = text('is_council_housing').toLowerCase()
  if (yes.has(councilHousing)) isCouncilHousing = true
  else if (no.has(councilHousing)) isCouncilHousing = false
  else if (councilHousing !== '') reasons.push(t('places.import.problems.notYesNo', { column: 'is_council_housing', value: text('is_council_housing') }))

  if (reasons.length > 0) return { row: undefined, reasons }
  const { latitude, longitude } = gridToLatitudeLongitude(easting, northing)
  return {
    row: {
      uprn,
      parentUprn,
      addressLine1,
      addressLine2,
      addressLine3,
      town,
      postcode,
      easting,
      northing,
      latitude,
      longitude,
      usrn,
      streetName,
      wardCode,
      wardName,
      isCouncilHousing,
    },
    reasons: [],
  }
}

/**
 * The checks that need the rows before this one: a UPRN may appear once, and a ward code or USRN
 * must carry the same name throughout, so the register never flips between two spellings.
 */
export class AddressFileConsistency {
  private uprns = new Map<number, number>()
  private wards = new Map<string, { name: string; line: number }>()
  private streets = new Map<number, { name: string; line: number }>()

  constructor(private t: Translate) {}

  check(row: AddressRow, line: number): string[] {
    const reasons: string[] = []
    const earlier = this.uprns.get(row.uprn)
    if (earlier !== undefined) reasons.push(this.t('places.import.problems.repeatedUprn', { uprn: row.uprn, line: earlier }))
    else this.uprns.set(row.uprn, line)

    const ward = this.wards.get(row.wardCode)
    if (!ward) this.wards.set(row.wardCode, { name: row.wardName, line })
    else if (ward.name !== row.wardName) {
      reasons.push(this.t('places.import.problems.wardRenamed', { code: row.wardCode, name: ward.name, line: ward.line }))
    }
    const street = this.streets.get(row.usrn)
    if (!street) this.streets.set(row.usrn, { name: row.streetName, line })
    else if (street.name !== row.streetName) {
      reasons.push(this.t('places.import.problems.streetRenamed', { usrn: row.usrn, name: street.name, line: street.line }))
    }
    return reasons
  }
}
