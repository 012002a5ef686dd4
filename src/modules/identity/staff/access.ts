import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fastifyPlugin from 'fastify-plugin'
import type { Services } from '../../../container.ts'
import { Forbidden } from '../../../lib/errors.ts'
import type { Permission } from './permissions.ts'
import type { StaffAccess, StaffActor } from './service.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in member of staff and what they may do, or undefined for anyone else. */
    staff: StaffAccess | undefined
  }
}

/** Staff pages in the service navigation, each shown only to those who may use it. */
const staffPages: { href: string; textKey: string; permission?: Permission }[] = [
  { href: '/staff', textKey: 'identity.staff.navigation.home' },
  { href: '/staff/requests', textKey: 'requests.staff.navigation', permission: 'requests.view' },
  { href: '/staff/people', textKey: 'identity.people.navigation', permission: 'people.view' },
  { href: '/staff/work', textKey: 'requests.work.navigation', permission: 'work.view-assigned' },
  { href: '/staff/response-templates', textKey: 'requests.templates.navigation', permission: 'messages.edit-templates' },
  { href: '/staff/catalogue', textKey: 'catalogue.editor.navigation', permission: 'catalogue.edit' },
  { href: '/staff/moderation', textKey: 'requests.moderation.navigation', permission: 'reports.moderate' },
  { href: '/staff/appointments/capacity', textKey: 'scheduling.staff.navigation', permission: 'scheduling.manage' },
  { href: '/staff/accounts', textKey: 'identity.staff.navigation.accounts', permission: 'staff.manage' },
  { href: '/staff/roles', textKey: 'identity.staff.navigation.roles', permission: 'roles.manage' },
  { href: '/staff/audit', textKey: 'identity.staff.navigation.audit', permission: 'audit.view' },
  { href: '/staff/api-keys', textKey: 'identity.apiKeys.navigation', permission: 'api-keys.manage' },
  { href: '/staff/notifications', textKey: 'notifications.staff.navigation', permission: 'notifications.manage' },
]

export function isStaffPath(path: string): boolean {
  return path === '/staff' || path.startsWith('/staff/')
}

/**
 * Works out, once per request, which member of staff is signed in and what they may do right now:
 * a role change applies on their next click, and a disabled account is signed out at once.
 */
async function staffAccess(app: FastifyInstance, { services }: { services: Services }) {
  app.decorateRequest('staff', undefined)

  app.addHook('onRequest', async (request, reply) => {
    const principal = request.session.principal
    if (principal?.kind === 'staff') {
      request.staff = await services.identity.staff.accessFor(principal.id)
      if (!request.staff) request.session.signOut()
    }
    const permissions = request.staff?.permissions
    reply.locals.can = (permission: Permission) => permissions?.has(permission) ?? false

    if (!isStaffPath(reply.locals.currentPath)) return
    reply.locals.serviceName = request.t('identity.staff.serviceName')
    reply.locals.serviceUrl = '/staff'
    if (!request.staff) return
    reply.locals.serviceNavigation = staffPages
      .filter((page) => !page.permission || permissions?.has(page.permission))
      .map((page) => ({ href: page.href, text: request.t(page.textKey) }))
    reply.locals.signOut = { action: '/staff/sign-out', text: request.t('identity.staff.navigation.signOut') }
  })
}

export const staffAccessPlugin = fastifyPlugin(staffAccess, { name: 'staff-access', dependencies: ['sessions', 'views'] })

function signInRedirect(request: FastifyRequest, reply: FastifyReply) {
  const returnTo = request.method === 'GET' ? request.url : '/staff'
  return reply.redirect(`/staff/sign-in?returnTo=${encodeURIComponent(returnTo)}`)
}

/** A route guard for any staff page: anyone not signed in as staff is sent to sign in first. */
export async function requireStaff(request: FastifyRequest, reply: FastifyReply) {
  if (!request.staff) return signInRedirect(request, reply)
}

/**
 * A route guard for staff pages that need a permission: people not signed in are sent to sign in,
 * and staff without the permission see a "you do not have permission" page.
 */
export function requireStaffPermission(permission: Permission) {
  return async function staffPermissionGuard(request: FastifyRequest, reply: FastifyReply) {
    if (!request.staff) return signInRedirect(request, reply)
    if (!request.staff.permissions.has(permission)) throw new Forbidden(request.t('identity.staff.errors.forbidden'))
  }
}

/** The signed-in member of staff as the actor of what they do; only call behind a staff guard. */
export function staffActor(request: FastifyRequest): StaffActor {
  if (!request.staff) throw new Error('staffActor called without a staff guard')
  return { ...request.staff, ipAddress: request.ip }
}
