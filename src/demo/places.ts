import { SeededRandom } from './random.ts'

/**
 * The places of the fictional Borough of Lower Wendle: wards, streets, houses, blocks of flats and
 * council tenancies, generated from a seed so every start produces the same borough. Postcodes use
 * the LW area, which Royal Mail does not use, and the people are made up.
 */

export interface DemoPlacesOptions {
  seed?: number
  /** How many properties to make, counting each block of flats as one as well as its flats. */
  properties?: number
}

export interface DemoPlaces {
  addressesCsv: string
  tenanciesCsv: string
  properties: number
  councilHomes: number
  tenancies: number
}

/**
 * Tenancies a tester can link an account to (reference, postcode of the home, a tenant's date of
 * birth). A unit test checks the generator still produces exactly these.
 */
export const demoTenancies = [
  { reference: 'LW-T-000001', postcode: 'LW1 5UP', givenName: 'Alex', familyName: 'Morgan', dateOfBirth: '1985-03-14' },
  { reference: 'LW-T-000002', postcode: 'LW1 5UP', givenName: 'Priya', familyName: 'Shah', dateOfBirth: '1979-11-02' },
  { reference: 'LW-T-000003', postcode: 'LW1 5UP', givenName: 'Chris', familyName: 'Evans', dateOfBirth: '1962-07-30' },
] as const

/** The joint tenant who shares LW-T-000002, so a tester can try linking as a second named tenant. */
export const demoJointTenant = { reference: 'LW-T-000002', givenName: 'Daniel', familyName: 'Shah', dateOfBirth: '1977-06-21' } as const

const wardNames = [
  'Abbey', 'Castle Hill', 'Eastgate', 'Fairfield', 'Harbour', 'Kingsmead',
  'Marsh', 'Northfield', 'Priory', 'Riverside', "St Anne's", 'Westbrook',
]
const townsByDistrict = ['Lower Wendle', 'Lower Wendle', 'Lower Wendle', 'Wendlebury', 'Ashcombe', 'Marsh Wendle', 'Wendle Cross']
const streetStems = [
  'Mill', 'Church', 'Station', 'Orchard', 'Wendle', 'Bridge', 'Meadow', 'Chapel', 'Victoria', 'Albert', 'Park', 'Green',
  'Willow', 'Ash', 'Elm', 'Oak', 'Beech', 'Holly', 'Rowan', 'Cedar', 'Priory', 'Abbey', 'Castle', 'Market', 'Kings',
  'Queens', 'Harbour', 'Mulberry', 'Foxglove', 'Heron', 'Kestrel', 'Lark', 'Linden', 'Maple', 'Osier', 'Reed', 'Sedge',
  'Tanners', 'Weavers', 'Coopers', 'Ropewalk', 'Ferry', 'Lock', 'Wharf', 'Barley', 'Hop', 'Cherry', 'Hazel', 'Juniper',
  'Laurel', 'Poplar', 'Sycamore', 'Thorn', 'Alder', 'Bramble', 'Clover', 'Daisy', 'Fern', 'Heather', 'Ivy',
]
const streetKinds = ['Street', 'Road', 'Lane', 'Avenue', 'Close', 'Crescent', 'Drive', 'Way', 'Gardens', 'Grove', 'Terrace', 'Walk', 'Rise', 'Place']
const blockNames = ['Court', 'House', 'Heights', 'Lodge', 'Point', 'Mansions']
const givenNames = [
  'Olivia', 'Amelia', 'Isla', 'Ava', 'Mia', 'Grace', 'Freya', 'Aisha', 'Zara', 'Megan', 'Sian', 'Chloe', 'Fatima', 'Nia', 'Ruth',
  'Oliver', 'George', 'Noah', 'Arthur', 'Leo', 'Harry', 'Mohammed', 'Jack', 'Rhys', 'Tomasz', 'Kwame', 'Callum', 'David', 'Imran', 'Owen',
]
const familyNames = [
  'Smith', 'Jones', 'Williams', 'Taylor', 'Brown', 'Davies', 'Evans', 'Wilson', 'Thomas', 'Johnson', 'Roberts', 'Robinson',
  'Thompson', 'Wright', 'Walker', 'White', 'Edwards', 'Hughes', 'Green', 'Hall', 'Khan', 'Patel', 'Ali', 'Begum', 'Nowak',
  'Okafor', 'Mensah', "O'Brien", 'Campbell', 'Kaur',
]
const inwardLetters = 'ABDEFGHJLNPQRSTUWXYZ'

const borough = { easting: 447_000, northing: 203_000, wardSize: 1_800, columns: 4 }
const firstUprn = 990_000_000_001
const firstUsrn = 48_100_001

const houseSpacing = 9
const houseSetBack = 12
/** Further from the ward's edge than a house's set-back, so no house crosses into the next ward. */
const streetEndMargin = 30

/** How far along its street a house stands; a street's length is that of its last house. */
function streetLength(houses: number): number {
  return Math.ceil(houses / 2) * houseSpacing
}

/**
 * The street's direction as east and north parts, mirrored on each axis where the street would
 * otherwise end near or past its ward's edge. Mirroring rather than drawing a new angle keeps the
 * sequence of random numbers, so every other detail of the borough stays as it was.
 */
function streetDirection(
  cell: { easting: number; northing: number },
  start: { easting: number; northing: number },
  angle: number,
  length: number,
): { east: number; north: number } {
  const staysInside = (from: number, cellStart: number, step: number) => {
    const end = from + length * step
    return end >= cellStart + streetEndMargin && end <= cellStart + borough.wardSize - streetEndMargin
  }
  const east = Math.cos(angle)
  const north = Math.sin(angle)
  return {
    east: staysInside(start.easting, cell.easting, east) ? east : -east,
    north: staysInside(start.northing, cell.northing, north) ? north : -north,
  }
}

interface Dwelling {
  uprn: number
  councilHome: boolean
}

function isoDate(year: number, dayOfYear: number): string {
  return new Date(Date.UTC(year, 0, dayOfYear)).toISOString().slice(0, 10)
}

/** One CSV line, quoting values that hold commas, quotes or line breaks (RFC 4180). */
export function csvLine(values: readonly (string | number | boolean | null)[]): string {
  return values
    .map((value) => {
      const text = value === null ? '' : String(value)
      return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
    })
    .join(',')
}

export function generateDemoPlaces({ seed = 20_261_123, properties = 5_000 }: DemoPlacesOptions = {}): DemoPlaces {
  const random = new SeededRandom(seed)
  const addressLines = [
    csvLine(['uprn', 'parent_uprn', 'address_line_1', 'address_line_2', 'address_line_3', 'town', 'postcode', 'easting', 'northing', 'usrn', 'street_name', 'ward_code', 'ward_name', 'is_council_housing']),
  ]
  const dwellings: Dwelling[] = []
  let nextUprn = firstUprn
  let nextUsrn = firstUsrn
  let made = 0

  const streetNames = random.shuffled(streetStems.flatMap((stem) => streetKinds.map((kind) => `${stem} ${kind}`)))
  let streetIndex = 0

  // Each postal district covers two wards; its postcode units are handed out in a shuffled order.
  const districtUnits = townsByDistrict.map(() =>
    random.shuffled(
      Array.from({ length: 9 }, (_, sector) => [...inwardLetters].flatMap((first) => [...inwardLetters].map((second) => `${sector + 1}${first}${second}`))).flat(),
    ),
  )
  const districtNext = townsByDistrict.map(() => 0)
  const nextPostcode = (district: number) => {
    const units = districtUnits[district]!
    const unit = units[districtNext[district]! % units.length]!
    districtNext[district]! += 1
    return `LW${district + 1} ${unit}`
  }

  wardNames.forEach((wardName, wardIndex) => {
    const wardCode = `LWW${String(wardIndex + 1).padStart(2, '0')}`
    const district = Math.floor(wardIndex / 2)
    const town = townsByDistrict[district]!
    const quota = Math.floor((properties * (wardIndex + 1)) / wardNames.length) - Math.floor((properties * wardIndex) / wardNames.length)
    const cell = {
      easting: borough.easting + (wardIndex % borough.columns) * borough.wardSize,
      northing: borough.northing + Math.floor(wardIndex / borough.columns) * borough.wardSize,
    }
    let wardMade = 0

    while (wardMade < quota) {
      const streetName = streetNames[streetIndex % streetNames.length]!
      streetIndex += 1
      const usrn = nextUsrn
      nextUsrn += 1
      const estate = random.chance(0.2)
      const houses = random.integer(10, 60)
      const startEasting = cell.easting + random.integer(150, borough.wardSize - 150)
      const startNorthing = cell.northing + random.integer(150, borough.wardSize - 150)
      const angle = random.next() * Math.PI
      const direction = streetDirection(cell, { easting: startEasting, northing: startNorthing }, angle, streetLength(houses))
      let postcode = nextPostcode(district)
      let inPostcode = 0
      const postcodeSize = random.integer(12, 20)

      for (let number = 1; number <= houses && wardMade < quota; number += 1) {
        if (inPostcode >= postcodeSize) {
          postcode = nextPostcode(district)
          inPostcode = 0
        }
        const along = streetLength(number)
        const side = number % 2 === 0 ? houseSetBack : -houseSetBack
        const easting = Math.round((startEasting + along * direction.east - side * direction.north) * 10) / 10
        const northing = Math.round((startNorthing + along * direction.north + side * direction.east) * 10) / 10
        const flats = random.chance(0.025) ? random.integer(6, 36) : 0

        if (flats > 0 && wardMade + flats + 1 <= quota) {
          const blockUprn = nextUprn
          nextUprn += 1
          const blockName = `${random.pick(streetStems)} ${random.pick(blockNames)}`
          const councilBlock = random.chance(0.6)
          addressLines.push(csvLine([blockUprn, null, blockName, `${number} ${streetName}`, '', town, postcode, easting, northing, usrn, streetName, wardCode, wardName, councilBlock]))
          wardMade += 1
          for (let flat = 1; flat <= flats; flat += 1) {
            const uprn = nextUprn
            nextUprn += 1
            addressLines.push(csvLine([uprn, blockUprn, `Flat ${flat}, ${blockName}`, `${number} ${streetName}`, '', town, postcode, easting, northing, usrn, streetName, wardCode, wardName, councilBlock]))
            dwellings.push({ uprn, councilHome: councilBlock })
            wardMade += 1
          }
          inPostcode += flats + 1
          continue
        }
        const uprn = nextUprn
        nextUprn += 1
        const councilHome = random.chance(estate ? 0.85 : 0.08)
        addressLines.push(csvLine([uprn, null, `${number} ${streetName}`, '', '', town, postcode, easting, northing, usrn, streetName, wardCode, wardName, councilHome]))
        dwellings.push({ uprn, councilHome })
        wardMade += 1
        inPostcode += 1
      }
    }
    made += wardMade
  })

  const tenancyLines = [csvLine(['tenancy_reference', 'uprn', 'given_name', 'family_name', 'date_of_birth', 'start_date', 'end_date'])]
  let tenancyNumber = 0
  const reference = () => {
    tenancyNumber += 1
    return `LW-T-${String(tenancyNumber).padStart(6, '0')}`
  }
  const fixed: { givenName: string; familyName: string; dateOfBirth: string }[][] = [
    [demoTenancies[0]],
    [demoTenancies[1], demoJointTenant],
    [demoTenancies[2]],
  ]
  const councilHomes = dwellings.filter((dwelling) => dwelling.councilHome)
  for (const home of councilHomes) {
    const startYear = random.integer(1995, 2025)
    const startDate = isoDate(startYear, random.integer(1, 360))
    const tenants =
      fixed[tenancyNumber] ??
      Array.from({ length: random.chance(0.25) ? 2 : 1 }, () => ({
        givenName: random.pick(givenNames),
        familyName: random.pick(familyNames),
        dateOfBirth: isoDate(Math.min(2006, Math.max(1935, startYear - random.integer(18, 70))), random.integer(1, 365)),
      }))
    const tenancyReference = reference()
    for (const tenant of tenants) {
      tenancyLines.push(csvLine([tenancyReference, home.uprn, tenant.givenName, tenant.familyName, tenant.dateOfBirth, startDate, null]))
    }
    // Some homes also have the tenancy before this one, ended, so the history looks lived in.
    if (tenancyNumber > fixed.length && random.chance(0.08) && startYear > 1996) {
      const previousReference = reference()
      const previousStart = isoDate(random.integer(1985, startYear - 1), random.integer(1, 300))
      const previousEnd = isoDate(startYear, 0)
      const birthYear = Math.max(1935, Number(previousStart.slice(0, 4)) - random.integer(20, 70))
      tenancyLines.push(
        csvLine([previousReference, home.uprn, random.pick(givenNames), random.pick(familyNames), isoDate(birthYear, random.integer(1, 365)), previousStart, previousEnd]),
      )
    }
  }

  return {
    addressesCsv: `${addressLines.join('\n')}\n`,
    tenanciesCsv: `${tenancyLines.join('\n')}\n`,
    properties: made,
    councilHomes: councilHomes.length,
    tenancies: tenancyNumber,
  }
}
