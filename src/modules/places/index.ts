import type { FastifyInstance } from 'fastify'
import type { Config } from '../../config.ts'
import type { Services } from '../../container.ts'
import { placesRoutes as routes } from './routes.ts'

export {
  createPlacesServices,
  linkTenantVerifiedByStaff,
  type Address,
  type LinkedTenancy,
  type PlacesServices,
  type StaffTenancyLink,
} from './service.ts'
export { parsePostcode, normalisePostcode } from './postcodes.ts'
export { gridToLatitudeLongitude, latitudeLongitudeToGrid } from './national-grid.ts'
export { PlaceChoiceNotFound, type LocatedPlace, type Location, type PlaceFound } from './locations.ts'
export type { BoundingBox } from './boundary.ts'
export { ImportRejected, type AddressImportReport, type TenancyImportReport, type RowProblem, type CsvSource } from './importer.ts'

export async function placesRoutes(app: FastifyInstance, options: { config: Config; services: Services }) {
  await app.register(routes, options)
}
