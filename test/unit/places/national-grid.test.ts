import { describe, expect, it } from 'vitest'
import { gridToLatitudeLongitude, gridToOsgb36, latitudeLongitudeToGrid, osgb36ToGrid } from '../../../src/modules/places/national-grid.ts'

const fromDegreesMinutesSeconds = (degrees: number, minutes: number, seconds: number) => degrees + minutes / 60 + seconds / 3600
/** Metres between two nearby points, near enough for checking a few metres. */
function metresBetween(a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }) {
  const radius = 6_371_000
  const latitude = ((a.latitude - b.latitude) * Math.PI) / 180
  const longitude = (((a.longitude - b.longitude) * Math.PI) / 180) * Math.cos((a.latitude * Math.PI) / 180)
  return radius * Math.hypot(latitude, longitude)
}

describe('British National Grid to latitude and longitude', () => {
  it('matches Ordnance Survey’s worked example of the inverse projection (Caister water tower) to a millimetre', () => {
    // "A guide to coordinate systems in Great Britain", annex C: E 651409.903, N 313177.270
    // is 52°39′27.2531″N 1°43′4.5177″E on OSGB36.
    const osgb36 = gridToOsgb36(651_409.903, 313_177.27)
    const expected = { latitude: fromDegreesMinutesSeconds(52, 39, 27.2531), longitude: fromDegreesMinutesSeconds(1, 43, 4.5177) }
    expect(metresBetween(osgb36, expected)).toBeLessThan(0.001)
  })

  it('puts the true origin of the grid at 49°N 2°W', () => {
    const origin = gridToOsgb36(400_000, -100_000)
    expect(origin.latitude).toBeCloseTo(49, 9)
    expect(origin.longitude).toBeCloseTo(-2, 9)
  })

  it('gives WGS84 within a few metres of the published Helmert result for the same point', () => {
    // The Helmert transformation of that point gives 52°39′28.72″N 1°42′57.79″E (WGS84).
    const wgs84 = gridToLatitudeLongitude(651_409.903, 313_177.27)
    const expected = { latitude: fromDegreesMinutesSeconds(52, 39, 28.72), longitude: fromDegreesMinutesSeconds(1, 42, 57.79) }
    expect(metresBetween(wgs84, expected)).toBeLessThan(1)
  })

  it('moves a point by the roughly 100 metres that separates OSGB36 from WGS84 in the south of England', () => {
    const osgb36 = gridToOsgb36(530_000, 180_000)
    const wgs84 = gridToLatitudeLongitude(530_000, 180_000)
    expect(metresBetween(osgb36, wgs84)).toBeGreaterThan(80)
    expect(metresBetween(osgb36, wgs84)).toBeLessThan(150)
    expect(wgs84.latitude).toBeCloseTo(51.5, 0)
    expect(wgs84.longitude).toBeCloseTo(-0.13, 1)
  })
})

describe('latitude and longitude to British National Grid', () => {
  it('matches Ordnance Survey’s worked example of the projection (Caister water tower) to a millimetre', () => {
    // "A guide to coordinate systems in Great Britain", annex C: 52°39′27.2531″N 1°43′4.5177″E on
    // OSGB36 is E 651409.903, N 313177.270.
    const grid = osgb36ToGrid(fromDegreesMinutesSeconds(52, 39, 27.2531), fromDegreesMinutesSeconds(1, 43, 4.5177))
    expect(grid.easting).toBeCloseTo(651_409.903, 3)
    expect(grid.northing).toBeCloseTo(313_177.27, 3)
  })

  it.each([
    ['Lower Wendle', 447_000, 203_000],
    ['Caister water tower', 651_409.903, 313_177.27],
    ['Westminster', 530_000, 180_000],
    ['Land’s End', 134_000, 25_000],
    ['Snowdon', 260_900, 354_300],
    ['Glasgow', 259_000, 665_000],
    ['the Outer Hebrides', 90_000, 900_000],
    ['Shetland', 447_000, 1_141_000],
  ])('comes back to within 5 millimetres of the grid reference it started from at %s', (_place, easting, northing) => {
    const { latitude, longitude } = gridToLatitudeLongitude(easting, northing)
    const grid = latitudeLongitudeToGrid(latitude, longitude)
    expect(Math.hypot(grid.easting - easting, grid.northing - northing)).toBeLessThan(0.005)
  })

  it('refuses coordinates that are not finite numbers', () => {
    expect(() => latitudeLongitudeToGrid(Number.NaN, -1)).toThrow(RangeError)
    expect(() => latitudeLongitudeToGrid(52, Number.POSITIVE_INFINITY)).toThrow('Latitude and longitude must be finite numbers, not 52 and Infinity')
  })
})
