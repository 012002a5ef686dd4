import { readFile } from 'node:fs/promises'
import { sql, type Kysely } from 'kysely'
import type { Database } from '../../database.ts'
import { boundaryBox, parseBoundary, wardAt, type Boundary, type BoundingBox } from './boundary.ts'
import { gridToLatitudeLongitude, latitudeLongitudeToGrid } from './national-grid.ts'
import { parsePostcode } from './postcodes.ts'

/** A place somewhere in the council's area, with everything a report of a problem there records. */
export interface LocatedPlace {
  latitude: number
  longitude: number
  easting: number
  northing: number
  wardCode: string
  /** The street nearest the point, when one is close enough to say the point is on it. */
  usrn: string | undefined
  /** How people would describe the place: "Near 14 Mill Road, Lower Wendle". */
  description: string
}

export type Location = { inside: true; place: LocatedPlace } | { inside: false }

/** A street or an address found by a search, which a person chooses to say where something is. */
export interface PlaceFound {
  /** "street:48100001" or "property:990000000001": what the choice posts back. */
  id: string
  kind: 'street' | 'property'
  label: string
  latitude: number
  longitude: number
}

/** A street's own name is said only when one of its properties is this near the point. */
const onStreetMetres = 150
const mostFound = 30

export class PlaceChoiceNotFound extends Error {}

/** Places for reporting problems: where a point is, whether it is the council's, and finding streets and addresses. */
export function createLocations(db: Kysely<Database>, boundaryFile: string) {
  let boundary: Promise<Boundary> | undefined
  const loadBoundary = () => (boundary ??= readFile(boundaryFile, 'utf8').then((text) => parseBoundary(JSON.parse(text))))

  /** The nearest property to a grid point, found through the GiST index by distance. */
  function nearestProperty(easting: number, northing: number) {
    const point = `(${easting},${northing})`
    return db
      .selectFrom('properties')
      .leftJoin('streets', 'streets.usrn', 'properties.usrn')
      .select([
        'properties.usrn',
        'properties.address_line_1',
        'properties.address_line_2',
        'properties.town',
        'streets.name as street_name',
        sql<number>`properties.grid_position <-> ${point}::point`.as('metres'),
      ])
      .orderBy(sql`properties.grid_position <-> ${point}::point`)
      .limit(1)
      .executeTakeFirst()
  }

  async function locate(point: { latitude: number; longitude: number }): Promise<Location> {
    const ward = wardAt(await loadBoundary(), point)
    if (!ward) return { inside: false }
    const { easting, northing } = latitudeLongitudeToGrid(point.latitude, point.longitude)
    const nearest = await nearestProperty(easting, northing)
    const close = nearest !== undefined && nearest.metres <= onStreetMetres
    const building = close ? (nearest.address_line_2 || nearest.address_line_1) : undefined
    return {
      inside: true,
      place: {
        latitude: round(point.latitude, 6),
        longitude: round(point.longitude, 6),
        easting: round(easting, 1),
        northing: round(northing, 1),
        wardCode: ward.code,
        usrn: close && nearest.usrn !== null ? String(nearest.usrn) : undefined,
        description: building ? `Near ${building}, ${nearest!.town}` : `A place in ${ward.name} ward`,
      },
    }
  }

  /** Streets whose name holds the words, or the streets and addresses at a postcode. */
  async function findPlaces(query: string): Promise<PlaceFound[]> {
    const postcode = parsePostcode(query)
    if (postcode.valid) {
      const rows = await db
        .selectFrom('properties')
        .select(['uprn', 'address_line_1', 'address_line_2', 'town', 'latitude', 'longitude'])
        .where('postcode', '=', postcode.postcode)
        .execute()
      const streets = await streetsWhere((where) => where('streets.usrn', 'in', db.selectFrom('properties').select('usrn').where('postcode', '=', postcode.postcode).where('usrn', 'is not', null).$narrowType<{ usrn: number }>()))
      return [
        ...streets,
        ...rows
          .map((row) => ({
            id: `property:${row.uprn}`,
            kind: 'property' as const,
            label: [row.address_line_1, row.address_line_2, row.town].filter(Boolean).join(', '),
            latitude: row.latitude,
            longitude: row.longitude,
          }))
          .sort((first, second) => first.label.localeCompare(second.label, 'en-GB', { numeric: true })),
      ]
    }
    const words = query.trim().replace(/[%_\\]/g, '').split(/\s+/).filter(Boolean)
    if (words.length === 0) return []
    return streetsWhere((where) => where.and(words.map((word) => where('streets.name', 'ilike', `%${word}%`))))
  }

  type StreetFilter = Parameters<ReturnType<typeof streetsQuery>['where']>[0]

  function streetsQuery() {
    return db
      .selectFrom('streets')
      .innerJoin('properties', 'properties.usrn', 'streets.usrn')
      .select(['streets.usrn', 'streets.name', 'streets.town', sql<number>`avg(properties.easting)`.as('easting'), sql<number>`avg(properties.northing)`.as('northing')])
      .groupBy(['streets.usrn', 'streets.name', 'streets.town'])
  }

  /** Each street is placed at the middle of its properties: where its name belongs on a map. */
  async function streetsWhere(filter: StreetFilter): Promise<PlaceFound[]> {
    const rows = await streetsQuery().where(filter).orderBy('streets.name').orderBy('streets.town').limit(mostFound).execute()
    return rows.map((row) => ({
      id: `street:${row.usrn}`,
      kind: 'street' as const,
      label: row.town ? `${row.name}, ${row.town}` : row.name,
      ...gridToLatitudeLongitude(Number(row.easting), Number(row.northing)),
    }))
  }

  /** Where a choice from findPlaces stands; PlaceChoiceNotFound for anything else. */
  async function placeOfChoice(id: string): Promise<{ latitude: number; longitude: number }> {
    const [kind, number] = id.split(':')
    const key = Number(number)
    if (!Number.isSafeInteger(key) || key <= 0) throw new PlaceChoiceNotFound(id)
    if (kind === 'property') {
      const row = await db.selectFrom('properties').select(['latitude', 'longitude']).where('uprn', '=', key).executeTakeFirst()
      if (row) return row
    }
    if (kind === 'street') {
      const row = await streetsQuery().where('streets.usrn', '=', key).executeTakeFirst()
      if (row) return gridToLatitudeLongitude(Number(row.easting), Number(row.northing))
    }
    throw new PlaceChoiceNotFound(id)
  }

  return {
    locate,
    findPlaces,
    placeOfChoice,
    /** The box around the council's wards, which a map opens on. */
    async area(): Promise<BoundingBox> {
      return boundaryBox(await loadBoundary())
    },
  }
}

function round(value: number, places: number): number {
  const factor = 10 ** places
  return Math.round(value * factor) / factor
}
