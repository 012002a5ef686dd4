import { describe, expect, it } from 'vitest'
import { translator } from '../../../src/lib/i18n/index.ts'
import { AddressFileConsistency, checkAddressRow, type AddressColumn } from '../../../src/modules/places/address-rows.ts'
import { checkTenancyRow, TenancyFileConsistency, type TenancyColumn } from '../../../src/modules/places/tenancy-rows.ts'

const t = translator('en')

const goodAddress: Partial<Record<AddressColumn, string>> = {
  uprn: '990000000001',
  parent_uprn: '',
  address_line_1: '1 Mill Lane',
  address_line_2: '',
  town: 'Lower Wendle',
  postcode: 'lw1 5up',
  easting: '447467.2',
  northing: '204298',
  usrn: '48100001',
  street_name: 'Mill Lane',
  ward_code: 'LWW01',
  ward_name: 'Abbey',
  is_council_housing: 'yes',
}

describe('checking an address row', () => {
  it('accepts a good row, normalising the postcode and adding latitude and longitude', () => {
    const { row, reasons } = checkAddressRow(goodAddress, t)
    expect(reasons).toEqual([])
    expect(row).toMatchObject({ uprn: 990000000001, parentUprn: null, postcode: 'LW1 5UP', usrn: 48100001, isCouncilHousing: true })
    expect(row!.latitude).toBeGreaterThan(51)
    expect(row!.latitude).toBeLessThan(52.5)
    expect(row!.longitude).toBeGreaterThan(-1.5)
    expect(row!.longitude).toBeLessThan(-1)
  })

  it('gives every reason a row is bad, naming the column and value', () => {
    const { row, reasons } = checkAddressRow(
      { ...goodAddress, uprn: '12a', postcode: 'LW1', easting: '-5', northing: '', ward_code: 'bad code!', is_council_housing: 'maybe' },
      t,
    )
    expect(row).toBeUndefined()
    expect(reasons).toEqual([
      'uprn "12a" is not a number of 1 to 12 digits',
      'postcode "LW1" is not a real UK postcode',
      'easting "-5" is not a British National Grid value in metres from 0 to 700000',
      'northing is empty',
      'ward_code "bad code!" may only use letters, digits and hyphens (up to 20)',
      'is_council_housing "maybe" must be yes or no (or true or false)',
    ])
  })

  it('leaves council housing unstated when the value is empty, so an update keeps the register’s value', () => {
    expect(checkAddressRow({ ...goodAddress, is_council_housing: '' }, t).row?.isCouncilHousing).toBeNull()
  })

  it('refuses a property that is its own parent', () => {
    expect(checkAddressRow({ ...goodAddress, parent_uprn: '990000000001' }, t).reasons).toEqual(['parent_uprn is the same as uprn'])
  })

  it('spots a repeated UPRN and a ward or street spelt two ways across the file', () => {
    const consistency = new AddressFileConsistency(t)
    const first = checkAddressRow(goodAddress, t).row!
    expect(consistency.check(first, 2)).toEqual([])
    const second = checkAddressRow({ ...goodAddress, ward_name: 'Abbey Ward', street_name: 'Mill Road' }, t).row!
    expect(consistency.check(second, 3)).toEqual([
      'UPRN 990000000001 is already on line 2',
      'ward LWW01 is called "Abbey" on line 2; use one name for each ward',
      'USRN 48100001 is called "Mill Lane" on line 2; use one name for each street',
    ])
  })
})

const goodTenancy: Partial<Record<TenancyColumn, string>> = {
  tenancy_reference: 'lw-t-000001',
  uprn: '990000000005',
  given_name: 'Alex',
  family_name: 'Morgan',
  date_of_birth: '14/03/1985',
  start_date: '2008-03-13',
  end_date: '',
}

describe('checking a tenancy row', () => {
  it('accepts ISO and UK dates and normalises the reference', () => {
    const { row } = checkTenancyRow(goodTenancy, '2026-01-01', t)
    expect(row).toEqual({
      reference: 'LW-T-000001',
      uprn: 990000000005,
      givenName: 'Alex',
      familyName: 'Morgan',
      dateOfBirth: '1985-03-14',
      startDate: '2008-03-13',
      endDate: null,
    })
  })

  it('refuses unreal dates, births in the future and tenancies that end before they start', () => {
    expect(checkTenancyRow({ ...goodTenancy, date_of_birth: '31/02/1985' }, '2026-01-01', t).reasons).toEqual([
      'date_of_birth "31/02/1985" is not a real date; use YYYY-MM-DD or DD/MM/YYYY',
    ])
    expect(checkTenancyRow({ ...goodTenancy, date_of_birth: '2030-01-01', end_date: '2001-01-01' }, '2026-01-01', t).reasons).toEqual([
      'date_of_birth "2030-01-01" must be in the past and after 1900',
      'end_date is before start_date',
    ])
  })

  it('requires the rows of one tenancy to agree, and each tenant to appear once', () => {
    const consistency = new TenancyFileConsistency(t)
    const first = checkTenancyRow(goodTenancy, '2026-01-01', t).row!
    expect(consistency.check(first, 2)).toEqual([])
    expect(consistency.check({ ...first, givenName: 'Sam' }, 3)).toEqual([])
    expect(consistency.check({ ...first, uprn: 1, startDate: '2010-01-01' }, 4)).toEqual([
      'tenancy LW-T-000001 is at UPRN 990000000005 on line 2; every row of a tenancy must have the same UPRN',
      'tenancy LW-T-000001 has different start or end dates on line 2; every row of a tenancy must have the same dates',
      'this tenant is already on tenancy LW-T-000001 on line 2',
    ])
  })
})
