import type { FastifyInstance } from 'fastify'
import type { Config } from '../../../config.ts'
import type { Services } from '../../../container.ts'

export async function residentRoutes(_app: FastifyInstance, _options: { config: Config; services: Services }) {}
