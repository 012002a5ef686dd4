/**
 * A council's wards as GeoJSON (RFC 7946): a FeatureCollection of Polygon and MultiPolygon
 * features with WGS84 [longitude, latitude] positions, each a ward with its code and name. The
 * council's own boundary is the union of its wards, so "inside the council" means inside a ward.
 * Positions are treated as flat x and y, which is fine at ward scale and for a council that does
 * not straddle the antimeridian.
 */
import { z } from 'zod'

const longitudeSchema = z
  .number({ error: 'longitude must be a number' })
  .min(-180, { error: 'longitude must be between -180 and 180' })
  .max(180, { error: 'longitude must be between -180 and 180' })
const latitudeSchema = z
  .number({ error: 'latitude must be a number' })
  .min(-90, { error: 'latitude must be between -90 and 90' })
  .max(90, { error: 'latitude must be between -90 and 90' })
// A third number is an altitude, which RFC 7946 allows and a boundary has no use for.
const positionSchema = z.tuple([longitudeSchema, latitudeSchema], z.number({ error: 'altitude must be a number' }), {
  error: 'position must be [longitude, latitude]',
})

const ringSchema = z
  .array(positionSchema, { error: 'ring must be a list of positions' })
  .min(4, { error: 'ring must have at least 4 positions' })
  .refine(
    (ring) => {
      const first = ring[0]!
      const last = ring[ring.length - 1]!
      return first[0] === last[0] && first[1] === last[1]
    },
    { error: 'ring must be closed: its last position must repeat its first' },
  )
const polygonSchema = z
  .array(ringSchema, { error: 'polygon must be a list of rings' })
  .min(1, { error: 'polygon must have an exterior ring' })

const geometrySchema = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('Polygon'), coordinates: polygonSchema }),
    z.object({
      type: z.literal('MultiPolygon'),
      coordinates: z.array(polygonSchema, { error: 'must be a list of polygons' }).min(1, { error: 'must have at least one polygon' }),
    }),
  ],
  { error: 'must be Polygon or MultiPolygon' },
)

const wardTextSchema = z.string({ error: 'must be text' }).trim().min(1, { error: 'must not be empty' })

const wardFeatureSchema = z.object(
  {
    type: z.literal('Feature', { error: "must be 'Feature'" }),
    geometry: geometrySchema,
    properties: z.object({ code: wardTextSchema, name: wardTextSchema }, { error: 'must have a ward code and name' }),
  },
  { error: 'must be a GeoJSON Feature' },
)

const wardCollectionSchema = z
  .object(
    {
      type: z.literal('FeatureCollection', { error: "must be 'FeatureCollection'" }),
      features: z.array(wardFeatureSchema, { error: 'must be a list' }).min(1, { error: 'must have at least one ward' }),
    },
    { error: 'must be a GeoJSON FeatureCollection' },
  )
  .superRefine((collection, context) => {
    const seen = new Set<string>()
    collection.features.forEach((feature, index) => {
      const { code } = feature.properties
      if (seen.has(code)) context.addIssue({ code: 'custom', path: ['features', index, 'properties', 'code'], message: `ward code ${code} is used twice` })
      seen.add(code)
    })
  })

export type Position = z.output<typeof positionSchema>
export type Ring = Position[]
/** An exterior ring followed by any holes in it. */
export type Polygon = Ring[]
export type WardFeature = z.output<typeof wardFeatureSchema>
export type WardFeatureCollection = z.output<typeof wardCollectionSchema>

export interface Ward {
  code: string
  name: string
}

export interface BoundingBox {
  west: number
  south: number
  east: number
  north: number
}

export interface BoundaryWard extends Ward {
  polygons: Polygon[]
  /** Worked out once, so looking up a point skips the wards nowhere near it. */
  box: BoundingBox
}

export interface Boundary {
  wards: BoundaryWard[]
  box: BoundingBox
}

export class InvalidBoundary extends Error {
  override name = 'InvalidBoundary'
}

/** "feature 2: geometry.coordinates[0][3]" for a problem in a feature, the plain path for one elsewhere. */
function describePath(path: readonly PropertyKey[]): string {
  const [first, index, ...rest] = path
  const detail = (parts: readonly PropertyKey[]) =>
    parts.map((part, position) => (typeof part === 'number' ? `[${part}]` : `${position === 0 ? '' : '.'}${String(part)}`)).join('')
  if (first === 'features' && typeof index === 'number') return rest.length === 0 ? `feature ${index}` : `feature ${index}: ${detail(rest)}`
  return detail(path)
}

function boxAround(positions: Iterable<Position>): BoundingBox {
  const box = { west: Infinity, south: Infinity, east: -Infinity, north: -Infinity }
  for (const [longitude, latitude] of positions) {
    box.west = Math.min(box.west, longitude)
    box.south = Math.min(box.south, latitude)
    box.east = Math.max(box.east, longitude)
    box.north = Math.max(box.north, latitude)
  }
  return box
}

/** Checks a GeoJSON boundary and prepares it for point lookups; throws InvalidBoundary naming each problem. */
export function parseBoundary(json: unknown): Boundary {
  const result = wardCollectionSchema.safeParse(json)
  if (!result.success) {
    const problems = result.error.issues.map((issue) => (issue.path.length === 0 ? issue.message : `${describePath(issue.path)}: ${issue.message}`))
    throw new InvalidBoundary(`Invalid boundary: ${problems.join('; ')}`)
  }
  const wards = result.data.features.map(({ geometry, properties }): BoundaryWard => {
    const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates
    const exteriors = polygons.map((polygon) => polygon[0]!)
    return { code: properties.code, name: properties.name, polygons, box: boxAround(exteriors.flat()) }
  })
  const corners = wards.flatMap(({ box }): Position[] => [
    [box.west, box.south],
    [box.east, box.north],
  ])
  return { wards, box: boxAround(corners) }
}

function inBox(box: BoundingBox, longitude: number, latitude: number): boolean {
  return longitude >= box.west && longitude <= box.east && latitude >= box.south && latitude <= box.north
}

/**
 * Even-odd ray casting eastwards over every ring, so holes fall out. A point on an edge belongs to
 * the side east of it (north of it on an east-west edge): each edge counts as half-open, and each
 * edge's crossing is worked out from its southern end whichever way the ring runs, so neighbouring
 * wards that share vertices give every point to exactly one of them.
 */
function polygonContains(polygon: Polygon, longitude: number, latitude: number): boolean {
  let inside = false
  for (const ring of polygon) {
    for (let index = 1; index < ring.length; index += 1) {
      const previous = ring[index - 1]!
      const current = ring[index]!
      const [southern, northern] = previous[1] <= current[1] ? [previous, current] : [current, previous]
      if (latitude < southern[1] || latitude >= northern[1]) continue
      const crossing = southern[0] + ((latitude - southern[1]) * (northern[0] - southern[0])) / (northern[1] - southern[1])
      if (longitude < crossing) inside = !inside
    }
  }
  return inside
}

function wardContains(ward: BoundaryWard, longitude: number, latitude: number): boolean {
  return inBox(ward.box, longitude, latitude) && ward.polygons.some((polygon) => polygonContains(polygon, longitude, latitude))
}

/** The ward a point lies in, or undefined outside the council. */
export function wardAt(boundary: Boundary, { latitude, longitude }: { latitude: number; longitude: number }): Ward | undefined {
  const ward = boundary.wards.find((candidate) => wardContains(candidate, longitude, latitude))
  return ward && { code: ward.code, name: ward.name }
}

export function isInside(boundary: Boundary, point: { latitude: number; longitude: number }): boolean {
  return wardAt(boundary, point) !== undefined
}

/** The smallest box holding every ward, for fitting a map to the council. */
export function boundaryBox(boundary: Boundary): BoundingBox {
  return { ...boundary.box }
}
