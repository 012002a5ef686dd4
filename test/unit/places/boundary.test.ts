import { describe, expect, it } from 'vitest'
import { boundaryBox, InvalidBoundary, isInside, parseBoundary, wardAt, type Position } from '../../../src/modules/places/boundary.ts'

type Ring = Position[]

/** A closed, anticlockwise square ring with its south-west corner at (west, south). */
const square = (west: number, south: number, size = 1): Ring => [
  [west, south],
  [west + size, south],
  [west + size, south + size],
  [west, south + size],
  [west, south],
]

const polygonWard = (code: string, rings: Ring[]) => ({
  type: 'Feature',
  geometry: { type: 'Polygon', coordinates: rings },
  properties: { code, name: `Ward ${code}` },
})

const collection = (...features: unknown[]) => ({ type: 'FeatureCollection', features })

const at = (longitude: number, latitude: number) => ({ longitude, latitude })

const codeAt = (boundary: ReturnType<typeof parseBoundary>, longitude: number, latitude: number) => wardAt(boundary, at(longitude, latitude))?.code

describe('a ward boundary', () => {
  const grid = parseBoundary(collection(polygonWard('SW', [square(0, 0)]), polygonWard('SE', [square(1, 0)]), polygonWard('NW', [square(0, 1)]), polygonWard('NE', [square(1, 1)])))

  it('finds the ward a point lies in, with its name', () => {
    expect(wardAt(grid, at(0.5, 0.5))).toEqual({ code: 'SW', name: 'Ward SW' })
    expect(codeAt(grid, 1.5, 0.5)).toBe('SE')
    expect(codeAt(grid, 0.5, 1.5)).toBe('NW')
    expect(codeAt(grid, 1.9, 1.9)).toBe('NE')
  })

  it('finds no ward for a point outside them all', () => {
    expect(wardAt(grid, at(2.5, 0.5))).toBeUndefined()
    expect(wardAt(grid, at(-0.1, 1))).toBeUndefined()
    expect(isInside(grid, at(1, 3))).toBe(false)
    expect(isInside(grid, at(1.2, 0.3))).toBe(true)
  })

  it('gives a point on the edge between two wards to the one east of it, or north of it', () => {
    expect(codeAt(grid, 1, 0.5)).toBe('SE')
    expect(codeAt(grid, 0.5, 1)).toBe('NW')
    expect(codeAt(grid, 1, 1)).toBe('NE')
    expect(codeAt(grid, 1, 0)).toBe('SE')
  })

  it('counts the western and southern edges of the council as inside and the eastern and northern ones as outside', () => {
    expect(codeAt(grid, 0, 0)).toBe('SW')
    expect(codeAt(grid, 0, 1.5)).toBe('NW')
    expect(codeAt(grid, 1.5, 0)).toBe('SE')
    expect(isInside(grid, at(2, 0.5))).toBe(false)
    expect(isInside(grid, at(0.5, 2))).toBe(false)
    expect(isInside(grid, at(2, 2))).toBe(false)
  })

  it('gives every point on a slanting shared edge to exactly one ward, whichever order the wards come in', () => {
    const lower: Ring = [[0, 0], [3, 0], [3, 7], [0, 0]]
    const upper: Ring = [[0, 0], [3, 7], [0, 7], [0, 0]]
    const lowerOnly = parseBoundary(collection(polygonWard('L', [lower])))
    const upperOnly = parseBoundary(collection(polygonWard('U', [upper])))
    const both = parseBoundary(collection(polygonWard('L', [lower]), polygonWard('U', [upper])))
    const bothReversed = parseBoundary(collection(polygonWard('U', [upper]), polygonWard('L', [lower])))
    for (let step = 1; step < 100; step += 1) {
      const point = at((3 * step) / 100, (7 * step) / 100)
      expect(Number(isInside(lowerOnly, point)) + Number(isInside(upperOnly, point))).toBe(1)
      expect(wardAt(both, point)).toEqual(wardAt(bothReversed, point))
    }
  })

  it('leaves out the hole in a ward', () => {
    const ringed = parseBoundary(collection(polygonWard('R', [square(0, 0, 10), square(4, 4, 2).reverse()])))
    expect(isInside(ringed, at(1, 1))).toBe(true)
    expect(isInside(ringed, at(5, 5))).toBe(false)
    expect(isInside(ringed, at(7, 5))).toBe(true)
  })

  it('finds a point in any part of a ward made of several polygons, and in a hole filled by another ward', () => {
    const islands = {
      type: 'Feature',
      geometry: { type: 'MultiPolygon', coordinates: [[square(0, 0, 4), square(1, 1, 2).reverse()], [square(10, 0)]] },
      properties: { code: 'I', name: 'Islands' },
    }
    const boundary = parseBoundary(collection(islands, polygonWard('H', [square(1, 1, 2)])))
    expect(codeAt(boundary, 0.5, 0.5)).toBe('I')
    expect(codeAt(boundary, 10.5, 0.5)).toBe('I')
    expect(codeAt(boundary, 2, 2)).toBe('H')
    expect(codeAt(boundary, 6, 0.5)).toBeUndefined()
  })

  it('follows a concave ward into its corners and not across its gap', () => {
    const horseshoe: Ring = [[0, 0], [3, 0], [3, 3], [2, 3], [2, 1], [1, 1], [1, 3], [0, 3], [0, 0]]
    const boundary = parseBoundary(collection(polygonWard('U', [horseshoe])))
    expect(isInside(boundary, at(0.5, 2.5))).toBe(true)
    expect(isInside(boundary, at(2.5, 2.5))).toBe(true)
    expect(isInside(boundary, at(1.5, 0.5))).toBe(true)
    expect(isInside(boundary, at(1.5, 2))).toBe(false)
    expect(isInside(boundary, at(1.5, 1))).toBe(false)
    expect(isInside(boundary, at(1, 2))).toBe(false)
    expect(isInside(boundary, at(2, 2))).toBe(true)
    expect(isInside(boundary, at(1.5, 3))).toBe(false)
  })

  it('gives the box around every ward, for fitting a map', () => {
    expect(boundaryBox(grid)).toEqual({ west: 0, south: 0, east: 2, north: 2 })
  })

  it('accepts an altitude after the longitude and latitude', () => {
    const boundary = parseBoundary(collection(polygonWard('A', [square(0, 0).map(([longitude, latitude]): Position => [longitude, latitude, 30])])))
    expect(codeAt(boundary, 0.5, 0.5)).toBe('A')
  })
})

describe('refusing a boundary that is not valid', () => {
  const refusal = (json: unknown) => {
    try {
      parseBoundary(json)
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidBoundary)
      return (error as Error).message
    }
    throw new Error('the boundary was accepted')
  }

  it('names the feature and ring of a ring that is not closed', () => {
    const open = square(0, 0).slice(0, 4)
    expect(refusal(collection(polygonWard('A', [square(0, 0)]), polygonWard('B', [open])))).toBe(
      'Invalid boundary: feature 1: geometry.coordinates[0]: ring must be closed: its last position must repeat its first',
    )
  })

  it('refuses a ring with fewer than four positions', () => {
    expect(refusal(collection(polygonWard('A', [[[0, 0], [1, 0], [0, 0]]])))).toBe(
      'Invalid boundary: feature 0: geometry.coordinates[0]: ring must have at least 4 positions',
    )
  })

  it('refuses anything but a FeatureCollection of Polygons and MultiPolygons', () => {
    expect(refusal([])).toBe('Invalid boundary: must be a GeoJSON FeatureCollection')
    expect(refusal({ type: 'Feature', features: [] })).toBe("Invalid boundary: type: must be 'FeatureCollection'; features: must have at least one ward")
    const point = { type: 'Feature', geometry: { type: 'Point', coordinates: [0, 0] }, properties: { code: 'P', name: 'Point' } }
    expect(refusal(collection(point))).toBe('Invalid boundary: feature 0: geometry.type: must be Polygon or MultiPolygon')
  })

  it('refuses longitudes and latitudes out of range, naming each position', () => {
    expect(refusal(collection(polygonWard('A', [[[0, 0], [181, 0], [1, 91], [0, 0]]])))).toBe(
      'Invalid boundary: feature 0: geometry.coordinates[0][1][0]: longitude must be between -180 and 180; ' +
        'feature 0: geometry.coordinates[0][2][1]: latitude must be between -90 and 90',
    )
  })

  it('refuses a ward without a code or name, or with a code another ward has', () => {
    const unnamed = { ...polygonWard('A', [square(0, 0)]), properties: { code: 'A' } }
    expect(refusal(collection(unnamed))).toBe('Invalid boundary: feature 0: properties.name: must be text')
    expect(refusal(collection(polygonWard('A', [square(0, 0)]), polygonWard('A', [square(1, 0)])))).toBe(
      'Invalid boundary: feature 1: properties.code: ward code A is used twice',
    )
  })
})
