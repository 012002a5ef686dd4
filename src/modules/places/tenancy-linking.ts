/**
 * Who may link to a tenancy. Each tenant named on a tenancy links to at most one person, so joint
 * tenants each link their own account, and nobody can take over a tenant that is already linked.
 */

export interface LinkCandidate {
  tenantId: string
  personId: string | null
  givenName: string
  familyName: string
}

export type LinkDecision =
  | { outcome: 'noMatch' }
  | { outcome: 'alreadyLinked'; tenantId: string }
  | { outcome: 'link'; tenantId: string }
  | { outcome: 'linkedToSomeoneElse' }

export const wrongTriesBeforeLock = 3
export const lockSeconds = 3600

const sameName = (a: string, b: string) => a.localeCompare(b, 'en-GB', { sensitivity: 'base' }) === 0

/**
 * Decides between the tenants on a current tenancy whose reference, postcode and date of birth
 * all matched. Two tenants can share a date of birth (twins), so an unlinked one whose name
 * matches the person is preferred.
 */
export function decideLink(candidates: LinkCandidate[], person: { id: string; givenName: string; familyName: string }): LinkDecision {
  if (candidates.length === 0) return { outcome: 'noMatch' }
  const mine = candidates.find((candidate) => candidate.personId === person.id)
  if (mine) return { outcome: 'alreadyLinked', tenantId: mine.tenantId }
  const unlinked = candidates.filter((candidate) => candidate.personId === null)
  const chosen =
    unlinked.find((candidate) => sameName(candidate.givenName, person.givenName) && sameName(candidate.familyName, person.familyName)) ??
    unlinked[0]
  if (chosen) return { outcome: 'link', tenantId: chosen.tenantId }
  return { outcome: 'linkedToSomeoneElse' }
}

/** A tenancy is current from its start date until the end of its end date, if it has one. */
export function isCurrentTenancy(tenancy: { startDate: string; endDate: string | null }, today: string): boolean {
  return tenancy.startDate <= today && (tenancy.endDate === null || tenancy.endDate >= today)
}
