import type { FastifyInstance } from 'fastify'
import type { Config } from '../../config.ts'
import type { Services, ServiceDependencies } from '../../container.ts'

export function createPlacesServices(_dependencies: ServiceDependencies) {
  return {}
}

export async function placesRoutes(_app: FastifyInstance, _options: { config: Config; services: Services }) {}
