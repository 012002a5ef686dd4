import type { IdentityDependencies } from '../index.ts'

export function createStaffDirectory(_dependencies: IdentityDependencies) {
  return {}
}
