/**
 * British National Grid (OSGB36 Transverse Mercator) to WGS84 latitude and longitude, following
 * Ordnance Survey's "A guide to coordinate systems in Great Britain": the inverse projection on
 * the Airy 1830 ellipsoid, then a seven-parameter Helmert transformation to GRS80, which WGS84
 * matches to well under a metre. The Helmert step is good to a few metres across Great Britain,
 * enough for maps and "what is near me"; OSTN15 would be needed for survey accuracy.
 */

export interface Ellipsoid {
  a: number
  b: number
}

export interface LatitudeLongitude {
  latitude: number
  longitude: number
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

/** Easting and northing to latitude and longitude on the Airy 1830 ellipsoid (OSGB36), in degrees. */
export function gridToOsgb36(easting: number, northing: number): LatitudeLongitude {
  const { a, b } = airy1830
  const scale = nationalGrid.scaleOnCentralMeridian
  const eccentricitySquared = 1 - (b * b) / (a * a)
  const northFromOrigin = northing - nationalGrid.falseNorthing

  let latitude = nationalGrid.trueOriginLatitude
  let arc = 0
  do {
    latitude += (northFromOrigin - arc) / (a * scale)
    arc = meridionalArc(latitude, airy1830, scale)
  } while (Math.abs(northFromOrigin - arc) >= 0.00001)

  const sine = Math.sin(latitude)
  const cosine = Math.cos(latitude)
  const tangent = Math.tan(latitude)
  const denominator = 1 - eccentricitySquared * sine * sine
  const nu = (a * scale) / Math.sqrt(denominator)
  const rho = (a * scale * (1 - eccentricitySquared)) / Math.pow(denominator, 1.5)
  const etaSquared = nu / rho - 1
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

function helmert({ x, y, z }: Cartesian): Cartesian {
  const { translation, rotation } = osgb36ToWgs84
  const scale = 1 + osgb36ToWgs84.scalePartsPerMillion / 1e6
  return {
    x: translation.x + scale * x - rotation.z * y + rotation.y * z,
    y: translation.y + rotation.z * x + scale * y - rotation.x * z,
    z: translation.z - rotation.y * x + rotation.x * y + scale * z,
  }
}

/** Easting and northing in metres to WGS84 latitude and longitude in degrees. */
export function gridToLatitudeLongitude(easting: number, northing: number): LatitudeLongitude {
  const osgb36 = gridToOsgb36(easting, northing)
  return fromCartesian(helmert(toCartesian(osgb36, airy1830)), grs80)
}
