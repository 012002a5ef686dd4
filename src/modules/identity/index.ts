import type { FastifyInstance } from 'fastify'
import type { Config } from '../../config.ts'
import type { Services, ServiceDependencies } from '../../container.ts'

export { recordAudit, type Actor, type AuditEntry } from './audit.ts'

export function createIdentityServices(_dependencies: ServiceDependencies) {
  return {}
}

export async function identityRoutes(_app: FastifyInstance, _options: { config: Config; services: Services }) {}
