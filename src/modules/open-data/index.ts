/**
 * Open data: the council's information for anyone to use, and the open standards other systems
 * reach it by. Open311 GeoReport v2 is here; datasets and transparency data will join it.
 */
import type { Kysely } from 'kysely'
import type { Config } from '../../config.ts'
import type { Database } from '../../database.ts'
import { LocalFileStorage } from '../../lib/files/local-storage.ts'
import type { CatalogueServices } from '../catalogue/index.ts'
import type { ResidentAccounts } from '../identity/index.ts'
import type { PlacesServices } from '../places/index.ts'
import { createRequestListings, type RequestServices } from '../requests/index.ts'
import { createOpen311 } from './open311/service.ts'

export { open311Routes } from './open311/routes.ts'
export { extendedStatuses, extendedStatusOf, planStatusChange, type ExtendedStatus } from './open311/statuses.ts'
export type { Open311, Open311Caller } from './open311/service.ts'

export interface OpenDataDependencies {
  config: Config
  db: Kysely<Database>
  catalogue: CatalogueServices
  requests: RequestServices
  places: PlacesServices
  people: ResidentAccounts
}

export function createOpenDataServices(dependencies: OpenDataDependencies) {
  const { config, db } = dependencies
  return {
    open311: createOpen311({
      ...dependencies,
      storage: new LocalFileStorage(config.uploadsDirectory),
      listings: createRequestListings({ db }),
    }),
  }
}

export type OpenDataServices = ReturnType<typeof createOpenDataServices>
