import type { FastifyInstance } from 'fastify'
import type { Config } from '../../config.ts'
import type { Services, ServiceDependencies } from '../../container.ts'
import type { NotificationServices } from '../notifications/index.ts'
import { createResidentAccounts } from './residents/service.ts'
import { residentRoutes } from './residents/routes.ts'
import { createStaffDirectory } from './staff/service.ts'
import { staffRoutes } from './staff/routes.ts'
import { singleSignOnRoutes } from './sign-on/routes.ts'

export { recordAudit, type Actor, type AuditEntry } from './audit.ts'
export { requireResident } from './guards.ts'

export interface IdentityDependencies extends ServiceDependencies {
  notifications: NotificationServices
}

export function createIdentityServices(dependencies: IdentityDependencies) {
  return {
    residents: createResidentAccounts(dependencies),
    staff: createStaffDirectory(dependencies),
  }
}

export type IdentityServices = ReturnType<typeof createIdentityServices>

export async function identityRoutes(app: FastifyInstance, options: { config: Config; services: Services }) {
  await app.register(residentRoutes, options)
  await app.register(staffRoutes, options)
  await app.register(singleSignOnRoutes, options)
}
