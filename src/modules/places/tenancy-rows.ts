import type { Translate } from '../../lib/i18n/index.ts'
import { readIdentifier, type RowCheck } from './address-rows.ts'
import { parseCalendarDate } from './dates.ts'

/** The housing management system's export: one row per tenant, so a joint tenancy has two rows. */
export const requiredTenancyColumns = ['tenancy_reference', 'uprn', 'given_name', 'family_name', 'date_of_birth', 'start_date'] as const
export const optionalTenancyColumns = ['end_date'] as const
export type TenancyColumn = (typeof requiredTenancyColumns)[number] | (typeof optionalTenancyColumns)[number]

export interface TenancyRow {
  reference: string
  uprn: number
  givenName: string
  familyName: string
  dateOfBirth: string
  startDate: string
  endDate: string | null
}

const maximumNameLength = 100

/** Tenancy references are compared in capitals, as people read them out over the phone. */
export function normaliseTenancyReference(text: string): string {
  return text.trim().toUpperCase()
}

export function checkTenancyRow(values: Partial<Record<TenancyColumn, string>>, today: string, t: Translate): RowCheck<TenancyRow> {
  const reasons: string[] = []
  const text = (column: TenancyColumn) => (values[column] ?? '').trim()
  const name = (column: 'given_name' | 'family_name') => {
    const value = text(column)
    if (value === '') reasons.push(t('places.import.problems.missing', { column }))
    else if (value.length > maximumNameLength) reasons.push(t('places.import.problems.tooLong', { column, maximum: maximumNameLength }))
    return value
  }
  const date = (column: 'date_of_birth' | 'start_date' | 'end_date', required: boolean) => {
    const value = text(column)
    if (value === '') {
      if (required) reasons.push(t('places.import.problems.missing', { column }))
      return null
    }
    const parsed = parseCalendarDate(value)
    if (!parsed) reasons.push(t('places.import.problems.notDate', { column, value }))
    return parsed ?? null
  }

  const reference = normaliseTenancyReference(text('tenancy_reference'))
  if (reference === '') reasons.push(t('places.import.problems.missing', { column: 'tenancy_reference' }))
  else if (!/^[A-Z0-9/-]{1,30}$/.test(reference)) reasons.push(t('places.import.problems.notReference', { value: reference }))

  let uprn = 0
  const uprnText = text('uprn')
  if (uprnText === '') reasons.push(t('places.import.problems.missing', { column: 'uprn' }))
  else {
    const parsed = readIdentifier(uprnText, 12)
    if (parsed === undefined) reasons.push(t('places.import.problems.notIdentifier', { column: 'uprn', value: uprnText, digits: 12 }))
    uprn = parsed ?? 0
  }
  const givenName = name('given_name')
  const familyName = name('family_name')
  const dateOfBirth = date('date_of_birth', true)
  if (dateOfBirth && (dateOfBirth >= today || dateOfBirth < '1900-01-01')) reasons.push(t('places.import.problems.unlikelyBirth', { value: text('date_of_birth') }))
  const startDate = date('start_date', true)
  const endDate = date('end_date', false)
  if (startDate && endDate && endDate < startDate) reasons.push(t('places.import.problems.endsBeforeStart'))

  if (reasons.length > 0 || !dateOfBirth || !startDate) return { row: undefined, reasons }
  return { row: { reference, uprn, givenName, familyName, dateOfBirth, startDate, endDate }, reasons: [] }
}

/**
 * A tenancy spans several rows (one per tenant), which must agree on its property and dates; the
 * same tenant may appear on it once.
 */
export class TenancyFileConsistency {
  private tenancies = new Map<string, { row: TenancyRow; line: number; tenants: Map<string, number> }>()

  constructor(private t: Translate) {}

  check(row: TenancyRow, line: number): string[] {
    const tenantKey = `${row.givenName}\u0000${row.familyName}\u0000${row.dateOfBirth}`
    const first = this.tenancies.get(row.reference)
    if (!first) {
      this.tenancies.set(row.reference, { row, line, tenants: new Map([[tenantKey, line]]) })
      return []
    }
    const reasons: string[] = []
    const values = { reference: row.reference, line: first.line }
    if (first.row.uprn !== row.uprn) reasons.push(this.t('places.import.problems.tenancyUprnDiffers', { ...values, uprn: first.row.uprn }))
    if (first.row.startDate !== row.startDate || first.row.endDate !== row.endDate) {
      reasons.push(this.t('places.import.problems.tenancyDatesDiffer', values))
    }
    const earlier = first.tenants.get(tenantKey)
    if (earlier !== undefined) reasons.push(this.t('places.import.problems.repeatedTenant', { reference: row.reference, line: earlier }))
    else first.tenants.set(tenantKey, line)
    return reasons
  }
}
