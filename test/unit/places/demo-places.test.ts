import { describe, expect, it } from 'vitest'
import { csvLine, demoJointTenant, demoTenancies, generateDemoPlaces } from '../../../src/demo/places.ts'
import { readCsv } from '../../../src/modules/places/csv.ts'
import { parsePostcode } from '../../../src/modules/places/postcodes.ts'

async function rows(text: string) {
  const records: string[][] = []
  for await (const record of readCsv([text])) records.push(record.fields)
  const [header, ...body] = records
  return body.map((fields) => Object.fromEntries(header!.map((name, index) => [name, fields[index]!])))
}

describe('the demo council’s places', () => {
  const places = generateDemoPlaces()

  it('comes out the same every time', () => {
    expect(generateDemoPlaces().addressesCsv).toBe(places.addressesCsv)
    expect(generateDemoPlaces().tenanciesCsv).toBe(places.tenanciesCsv)
  })

  it('has about 5,000 properties over 12 wards, about a third of them council homes, in the fictional LW area', async () => {
    const addresses = await rows(places.addressesCsv)
    expect(addresses).toHaveLength(5000)
    expect(new Set(addresses.map((address) => address.ward_code)).size).toBe(12)
    expect(places.councilHomes / places.properties).toBeGreaterThan(0.28)
    expect(places.councilHomes / places.properties).toBeLessThan(0.4)
    expect(addresses.every((address) => address.postcode!.startsWith('LW') && parsePostcode(address.postcode).valid)).toBe(true)
    const flats = addresses.filter((address) => address.parent_uprn !== '')
    expect(flats.length).toBeGreaterThan(100)
    const uprns = new Set(addresses.map((address) => address.uprn))
    expect(flats.every((flat) => uprns.has(flat.parent_uprn))).toBe(true)
  })

  it('contains the documented demo tenancies a tester can link to', async () => {
    const addresses = new Map((await rows(places.addressesCsv)).map((address) => [address.uprn, address]))
    const tenancies = await rows(places.tenanciesCsv)
    for (const demo of [...demoTenancies, demoJointTenant]) {
      const row = tenancies.find((tenancy) => tenancy.tenancy_reference === demo.reference && tenancy.given_name === demo.givenName)
      expect(row, demo.reference).toMatchObject({ family_name: demo.familyName, date_of_birth: demo.dateOfBirth, end_date: '' })
      if ('postcode' in demo) expect(addresses.get(row!.uprn!)?.postcode).toBe(demo.postcode)
    }
  })

  it('quotes CSV values that need it', () => {
    expect(csvLine(['Flat 1, Mill Court', 'say "hi"', null, 3, true])).toBe('"Flat 1, Mill Court","say ""hi""",,3,true')
  })
})
