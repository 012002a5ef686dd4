import type { IdentityDependencies } from '../index.ts'

export function createResidentAccounts(_dependencies: IdentityDependencies) {
  return {}
}
