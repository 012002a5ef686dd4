/**
 * Everything a member of staff may be allowed to do, as named abilities. Roles group them and
 * the council adjusts the roles; code and templates only ever ask about a permission, never a role.
 * Each permission's description is in the locale file under identity.staff.permissions.
 */
export const permissionAreas = {
  administration: ['staff.manage', 'roles.manage', 'audit.view', 'api-keys.manage', 'notifications.manage'],
  people: ['people.view', 'people.edit', 'warnings.view', 'warnings.manage'],
  requests: [
    'requests.view',
    'requests.raise-for-resident',
    'requests.triage',
    'requests.assign',
    'requests.update',
    'appointments.book',
  ],
  moderation: ['reports.moderate', 'engagement.moderate'],
  services: ['catalogue.edit', 'scheduling.manage', 'messages.edit-templates', 'engagement.manage'],
  payments: ['payments.view', 'payments.refund'],
  contractors: ['work.view-assigned', 'work.record-outcome'],
  insight: ['insight.view', 'open-data.publish'],
  technology: ['ict.register.edit', 'ict.requests.review'],
} as const

export type PermissionArea = keyof typeof permissionAreas
export type Permission = (typeof permissionAreas)[PermissionArea][number]

export const allPermissions: readonly Permission[] = Object.values(permissionAreas).flat()

const known = new Set<string>(allPermissions)

export function isPermission(value: string): value is Permission {
  return known.has(value)
}

/** The permissions a set of granted names adds up to, ignoring names the code no longer knows. */
export function permissionSet(granted: Iterable<string>): ReadonlySet<Permission> {
  return new Set([...granted].filter(isPermission))
}
