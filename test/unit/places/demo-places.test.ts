import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { csvLine, demoJointTenant, demoTenancies, generateDemoPlaces } from '../../../src/demo/places.ts'
import { isInside, parseBoundary, wardAt } from '../../../src/modules/places/boundary.ts'
import { readCsv } from '../../../src/modules/places/csv.ts'
import { gridToLatitudeLongitude } from '../../../src/modules/places/national-grid.ts'
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

  describe('ward boundaries', () => {
    const boundary = parseBoundary(JSON.parse(readFileSync(new URL('../../../src/demo/lower-wendle-wards.geojson', import.meta.url), 'utf8')))

    // Even unmirrored, the default borough's streets stayed in their wards; this seed's put 142 houses outside theirs.
    it.each([
      ['the demo borough', places],
      ['a larger borough from another seed', generateDemoPlaces({ seed: 6, properties: 20_000 })],
    ])('put every property in %s in the ward the addresses give it', async (_borough, generated) => {
      const addresses = await rows(generated.addressesCsv)
      const misplaced = addresses.filter((address) => {
        const ward = wardAt(boundary, gridToLatitudeLongitude(Number(address.easting), Number(address.northing)))
        return ward?.code !== address.ward_code || ward?.name !== address.ward_name
      })
      expect(misplaced.map((address) => `${address.uprn} ${address.ward_code}`)).toEqual([])
    })

    it('leave no gaps between neighbouring wards', () => {
      const gaps: string[] = []
      for (let easting = 447_010; easting < 454_200; easting += 50) {
        for (let northing = 203_010; northing < 208_400; northing += 50) {
          if (!isInside(boundary, gridToLatitudeLongitude(easting, northing))) gaps.push(`${easting} ${northing}`)
        }
      }
      expect(gaps).toEqual([])
    })

    it('run their outer rings anticlockwise, as RFC 7946 asks', () => {
      for (const ward of boundary.wards) {
        const ring = ward.polygons[0]![0]!
        const twiceArea = ring.slice(1).reduce((sum, [longitude, latitude], index) => sum + ring[index]![0] * latitude - longitude * ring[index]![1], 0)
        expect(twiceArea, ward.code).toBeGreaterThan(0)
      }
    })
  })
})
