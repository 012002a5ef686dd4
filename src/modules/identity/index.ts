import type { FastifyInstance } from 'fastify'
import fastifyPlugin from 'fastify-plugin'
import type { Config } from '../../config.ts'
import type { Services, ServiceDependencies } from '../../container.ts'
import type { NotificationServices } from '../notifications/index.ts'
import { createPeopleDirectory } from './people/service.ts'
import { peopleRoutes } from './people/routes.ts'
import { apiKeyRoutes } from './api-keys/routes.ts'
import { createResidentAccounts } from './residents/service.ts'
import { residentApiTokens } from './residents/api-tokens.ts'
import { createApiKeys } from './api-keys/service.ts'
import { residentRoutes } from './residents/routes.ts'
import { residentNavigation } from './residents/navigation.ts'
import { createStaffDirectory } from './staff/service.ts'
import { staffRoutes } from './staff/routes.ts'
import { singleSignOnRoutes } from './sign-on/routes.ts'
import { createSingleSignOn } from './sign-on/service.ts'
import { staffAccessPlugin } from './staff/access.ts'

export { recordAudit, type Actor, type AuditEntry } from './audit.ts'
export { requireResident, residentId } from './guards.ts'
export { staffReturnPath } from './return-paths.ts'
export { requireStaff, requireStaffPermission, staffActor } from './staff/access.ts'
export { allPermissions, isPermission, type Permission } from './staff/permissions.ts'
export type { NewStaffMember, StaffAccess, StaffActor, StaffDirectory } from './staff/service.ts'
export type { Person, ResidentAccounts, NewVerifiedResident } from './residents/service.ts'
export { residentTokenPattern, type ResidentApiCaller, type ResidentApiToken, type ResidentApiTokens } from './residents/api-tokens.ts'
export { checkApiKeyForm, defaultRatePerMinute, grantsService, type ApiClient, type ApiKeyForm, type ApiKeyGrant } from './api-keys/rules.ts'
export type { ApiKeys, ApiKeySummary, IssuedApiKey } from './api-keys/service.ts'
export { emailError, mobileError, normaliseMobile } from './residents/validation.ts'
export type { NamedTenant, PeopleDirectory, PeopleSearchResults, PeopleSearchRow } from './people/service.ts'

export interface IdentityDependencies extends ServiceDependencies {
  notifications: NotificationServices
}

export function createIdentityServices(dependencies: IdentityDependencies) {
  const residents = createResidentAccounts(dependencies)
  return {
    residents,
    residentApiTokens: residentApiTokens(dependencies.db),
    apiKeys: createApiKeys(dependencies.db),
    staff: createStaffDirectory(dependencies),
    signOn: createSingleSignOn(dependencies),
    people: createPeopleDirectory({ ...dependencies, residents }),
  }
}

export type IdentityServices = ReturnType<typeof createIdentityServices>

/**
 * Wrapped with fastify-plugin so the resident navigation hook reaches every page of the site; each
 * part's routes below are still registered in a context of their own.
 */
export const identityRoutes = fastifyPlugin(
  async function identityRoutes(app: FastifyInstance, options: { config: Config; services: Services }) {
    await app.register(residentNavigation)
    await app.register(staffAccessPlugin, options)
    await app.register(residentRoutes, options)
    await app.register(staffRoutes, options)
    await app.register(peopleRoutes, options)
    await app.register(apiKeyRoutes, options)
    await app.register(singleSignOnRoutes, options)
  },
  { name: 'identity' },
)
