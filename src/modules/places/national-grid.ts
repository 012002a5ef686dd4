/**
 * British National Grid (OSGB36 Transverse Mercator) to WGS84 latitude and longitude and back,
 * following Ordnance Survey's "A guide to coordinate systems in Great Britain": the projection on
 * the Airy 1830 ellipsoid, and a seven-parameter Helmert transformation to and from GRS80, which
 * WGS84 matches to well under a metre. The Helmert step is good to a few metres across Great
 * Britain, enough for maps and "what is near me"; OSTN15 would be needed for survey accuracy.
 */

export interface Ellipsoid {
  a: number
  b: number
}

export interface LatitudeLongitude {
  latitude: number
  longitude: number
}

export interface GridReference {
  easting: number
  northing: number
}

export const airy1830: Ellipsoid = { a: 6_377_563.396, b: 6_356_256.909 }
export const grs80: Ellipsoid = { a: 6_378_137, b: 6_356_752.3141 }

const degrees = Math.PI / 180
const arcSeconds = degrees / 3600

const nationalGrid = {
  scaleOnCentralMeridian: 0.9996012717,
  trueOriginLatitude: 49 * degrees,
  trueOriginLongitude: -2 * degrees,
  falseEasting: 400_000,
  falseNorthing: -100_000,
}

/** OSGB36 to WGS84, the signs of Ordnance Survey's published WGS84 → OSGB36 parameters reversed. */
const osgb36ToWgs84 = {
  translation: { x: 446.448, y: -125.157, z: 542.06 },
  scalePartsPerMillion: -20.4894,
  rotation: { x: 0.1502 * arcSeconds, y: 0.247 * arcSeconds, z: 0.8421 * arcSeconds },
}

/** Distance along the central meridian from the true origin's latitude to `latitude`. */
function meridionalArc(latitude: number, { a, b }: Ellipsoid, scale: number): number {
  const n = (a - b) / (a + b)
  const n2 = n * n
  const n3 = n2 * n
  const difference = latitude - nationalGrid.trueOriginLatitude
  const sum = latitude + nationalGrid.trueOriginLatitude
  return (
    b *
    scale *
    ((1 + n + (5 / 4) * n2 + (5 / 4) * n3) * difference -
      (3 * n + 3 * n2 + (21 / 8) * n3) * Math.sin(difference) * Math.cos(sum) +
      ((15 / 8) * n2 + (15 / 8) * n3) * Math.sin(2 * difference) * Math.cos(2 * sum) -
      (35 / 24) * n3 * Math.sin(3 * difference) * Math.cos(3 * sum))
  )
}

/**
 * The Airy 1830 ellipsoid's radii of curvature at `latitude` (radians), scaled to the grid: across
 * the meridian (nu) and along it (rho), and eta squared, which measures how they differ.
 */
function radiiOfCurvature(latitude: number): { nu: number; rho: number; etaSquared: number } {
  const { a, b } = airy1830
  const scale = nationalGrid.scaleOnCentralMeridian
  const eccentricitySquared = 1 - (b * b) / (a * a)
  const denominator = 1 - eccentricitySquared * Math.sin(latitude) ** 2
  const nu = (a * scale) / Math.sqrt(denominator)
  const rho = (a * scale * (1 - eccentricitySquared)) / Math.pow(denominator, 1.5)
  return { nu, rho, etaSquared: nu / rho - 1 }
}

/** Easting and northing to latitude and longitude on the Airy 1830 ellipsoid (OSGB36), in degrees. */
export function gridToOsgb36(easting: number, northing: number): LatitudeLongitude {
  const { a } = airy1830
  const scale = nationalGrid.scaleOnCentralMeridian
  const northFromOrigin = northing - nationalGrid.falseNorthing

  let latitude = nationalGrid.trueOriginLatitude
  let arc = 0
  do {
    latitude += (northFromOrigin - arc) / (a * scale)
    arc = meridionalArc(latitude, airy1830, scale)
  } while (Math.abs(northFromOrigin - arc) >= 0.00001)

  const cosine = Math.cos(latitude)
  const tangent = Math.tan(latitude)
  const { nu, rho, etaSquared } = radiiOfCurvature(latitude)
  const tangent2 = tangent * tangent
  const tangent4 = tangent2 * tangent2
  const tangent6 = tangent4 * tangent2
  const secant = 1 / cosine

  const VII = tangent / (2 * rho * nu)
  const VIII = (tangent / (24 * rho * nu ** 3)) * (5 + 3 * tangent2 + etaSquared - 9 * tangent2 * etaSquared)
  const IX = (tangent / (720 * rho * nu ** 5)) * (61 + 90 * tangent2 + 45 * tangent4)
  const X = secant / nu
  const XI = (secant / (6 * nu ** 3)) * (nu / rho + 2 * tangent2)
  const XII = (secant / (120 * nu ** 5)) * (5 + 28 * tangent2 + 24 * tangent4)
  const XIIA = (secant / (5040 * nu ** 7)) * (61 + 662 * tangent2 + 1320 * tangent4 + 720 * tangent6)

  const east = easting - nationalGrid.falseEasting
  const latitudeRadians = latitude - VII * east ** 2 + VIII * east ** 4 - IX * east ** 6
  const longitudeRadians = nationalGrid.trueOriginLongitude + X * east - XI * east ** 3 + XII * east ** 5 - XIIA * east ** 7
  return { latitude: latitudeRadians / degrees, longitude: longitudeRadians / degrees }
}

/** Latitude and longitude in degrees on the Airy 1830 ellipsoid (OSGB36) to easting and northing. */
export function osgb36ToGrid(latitude: number, longitude: number): GridReference {
  const phi = latitude * degrees
  const sine = Math.sin(phi)
  const cosine = Math.cos(phi)
  const tangent2 = Math.tan(phi) ** 2
  const tangent4 = tangent2 * tangent2
  const { nu, rho, etaSquared } = radiiOfCurvature(phi)

  const I = meridionalArc(phi, airy1830, nationalGrid.scaleOnCentralMeridian) + nationalGrid.falseNorthing
  const II = (nu / 2) * sine * cosine
  const III = (nu / 24) * sine * cosine ** 3 * (5 - tangent2 + 9 * etaSquared)
  const IIIA = (nu / 720) * sine * cosine ** 5 * (61 - 58 * tangent2 + tangent4)
  const IV = nu * cosine
  const V = (nu / 6) * cosine ** 3 * (nu / rho - tangent2)
  const VI = (nu / 120) * cosine ** 5 * (5 - 18 * tangent2 + tangent4 + 14 * etaSquared - 58 * tangent2 * etaSquared)

  const east = longitude * degrees - nationalGrid.trueOriginLongitude
  return {
    easting: nationalGrid.falseEasting + IV * east + V * east ** 3 + VI * east ** 5,
    northing: I + II * east ** 2 + III * east ** 4 + IIIA * east ** 6,
  }
}

interface Cartesian {
  x: number
  y: number
  z: number
}

function toCartesian({ latitude, longitude }: LatitudeLongitude, { a, b }: Ellipsoid): Cartesian {
  const phi = latitude * degrees
  const lambda = longitude * degrees
  const eccentricitySquared = 1 - (b * b) / (a * a)
  const nu = a / Math.sqrt(1 - eccentricitySquared * Math.sin(phi) ** 2)
  return {
    x: nu * Math.cos(phi) * Math.cos(lambda),
    y: nu * Math.cos(phi) * Math.sin(lambda),
    z: nu * (1 - eccentricitySquared) * Math.sin(phi),
  }
}

function fromCartesian({ x, y, z }: Cartesian, { a, b }: Ellipsoid): LatitudeLongitude {
  const eccentricitySquared = 1 - (b * b) / (a * a)
  const distanceFromAxis = Math.hypot(x, y)
  let phi = Math.atan2(z, distanceFromAxis * (1 - eccentricitySquared))
  for (let step = 0; step < 10; step += 1) {
    const nu = a / Math.sqrt(1 - eccentricitySquared * Math.sin(phi) ** 2)
    const next = Math.atan2(z + eccentricitySquared * nu * Math.sin(phi), distanceFromAxis)
    if (Math.abs(next - phi) < 1e-12) {
      phi = next
      break
    }
    phi = next
  }
  return { latitude: phi / degrees, longitude: Math.atan2(y, x) / degrees }
}

/**
 * The Helmert transformation from OSGB36 to WGS84, or back with every parameter negated: Ordnance
 * Survey's guide allows that approximation of the exact inverse, which is off by about a centimetre.
 */
function helmert({ x, y, z }: Cartesian, direction: 'toWgs84' | 'toOsgb36'): Cartesian {
  const sign = direction === 'toWgs84' ? 1 : -1
  const { translation, rotation } = osgb36ToWgs84
  const scale = 1 + (sign * osgb36ToWgs84.scalePartsPerMillion) / 1e6
  const [rx, ry, rz] = [sign * rotation.x, sign * rotation.y, sign * rotation.z]
  return {
    x: sign * translation.x + scale * x - rz * y + ry * z,
    y: sign * translation.y + rz * x + scale * y - rx * z,
    z: sign * translation.z - ry * x + rx * y + scale * z,
  }
}

/** Easting and northing in metres to WGS84 latitude and longitude in degrees. */
export function gridToLatitudeLongitude(easting: number, northing: number): LatitudeLongitude {
  const osgb36 = gridToOsgb36(easting, northing)
  return fromCartesian(helmert(toCartesian(osgb36, airy1830), 'toWgs84'), grs80)
}

/** WGS84 latitude and longitude in degrees to easting and northing in metres. */
export function latitudeLongitudeToGrid(latitude: number, longitude: number): GridReference {
  if (!Number.isFinite(latitude) || !Number.isFinite(longitude)) {
    throw new RangeError(`Latitude and longitude must be finite numbers, not ${String(latitude)} and ${String(longitude)}`)
  }
  const osgb36 = fromCartesian(helmert(toCartesian({ latitude, longitude }, grs80), 'toOsgb36'), airy1830)
  return osgb36ToGrid(osgb36.latitude, osgb36.longitude)
}
