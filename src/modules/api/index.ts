/**
 * The JSON API at /api/v1, for the council's own app, partners and contractors: the same
 * services the web pages use, answered in JSON and described by an OpenAPI document.
 */
import type { TaskList } from 'graphile-worker'
import type { Config } from '../../config.ts'
import type { DatabaseHandle } from '../../lib/database/connection.ts'
import type { CatalogueServices } from '../catalogue/index.ts'
import type { ResidentAccounts } from '../identity/index.ts'
import type { PlacesServices } from '../places/index.ts'
import { createRequestListings, type RequestServices } from '../requests/index.ts'
import type { SchedulingServices } from '../scheduling/index.ts'
import { createAppointmentApi } from './appointments.ts'
import { removeExpiredIdempotencyKeys } from './idempotency.ts'
import { createJsonApi } from './service.ts'

export { jsonApiRoutes } from './routes.ts'
export { openApiDocument } from './openapi.ts'
export type { ApiCaller } from './callers.ts'

export interface JsonApiServiceDependencies {
  config: Config
  db: DatabaseHandle
  catalogue: CatalogueServices
  requests: RequestServices
  places: PlacesServices
  people: ResidentAccounts
  scheduling: SchedulingServices
}

export function createJsonApiServices(dependencies: JsonApiServiceDependencies) {
  const { db } = dependencies
  const api = createJsonApi({ ...dependencies, listings: createRequestListings({ db }) })
  const tasks: TaskList = { 'remove-expired-idempotency-keys': async () => removeExpiredIdempotencyKeys(db) }
  return {
    db,
    api,
    appointments: createAppointmentApi({ api, scheduling: dependencies.scheduling }),
    tasks,
    schedule: '41 * * * * remove-expired-idempotency-keys',
  }
}

export type JsonApiServices = ReturnType<typeof createJsonApiServices>
