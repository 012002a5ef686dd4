import type { FieldErrors } from '../../../lib/errors.ts'

/**
 * What a staff account form must say before anything is saved. Messages are locale keys under
 * identity.staff.errors, turned into words where the page is drawn.
 */
export type SignInMethod = 'password' | 'directory'

export interface StaffAccountForm {
  name: string
  email: string
  signInMethod: string
  password: string
  roles: string[]
  teams: string[]
  contractor: string
}

export interface StaffAccountChanges {
  name: string
  email: string
  signInMethod: SignInMethod
  password: string | null
  roleCodes: string[]
  teamCodes: string[]
  contractorCode: string | null
}

export const shortestStaffPassword = 12
const longestPassword = 256
const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

const unique = (values: string[]) => [...new Set(values.map((value) => value.trim()).filter(Boolean))]

/** What is wrong with a password a member of staff is given, if anything; `missing` is the message for none at all. */
export function passwordProblem(password: string, missing: string): string | undefined {
  if (!password) return missing
  if (password.length < shortestStaffPassword) return 'errors.passwordTooShort'
  if (password.length > longestPassword) return 'errors.passwordTooLong'
  return undefined
}

export interface PasswordChangeForm {
  currentPassword: string
  newPassword: string
}

/** Checks a member of staff's change of their own password, before the current one is tried. */
export function checkPasswordChange(form: PasswordChangeForm): FieldErrors {
  const errors: FieldErrors = {}
  if (!form.currentPassword) errors.currentPassword = 'errors.currentPasswordRequired'
  const problem = passwordProblem(form.newPassword, 'errors.newPasswordRequired')
  if (problem) errors.newPassword = problem
  return errors
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase()
}

/** Checks a new account: who it is, how they sign in and what they may do. */
export function checkNewStaffAccount(form: StaffAccountForm): { changes: StaffAccountChanges } | { errors: FieldErrors } {
  const errors: FieldErrors = {}
  const name = form.name.trim()
  const email = normaliseEmail(form.email)
  if (!name) errors.name = 'errors.nameRequired'
  else if (name.length > 200) errors.name = 'errors.nameTooLong'
  if (!email) errors.email = 'errors.emailRequired'
  else if (!emailPattern.test(email) || email.length > 254) errors.email = 'errors.emailInvalid'
  const signInMethod = form.signInMethod === 'password' || form.signInMethod === 'directory' ? form.signInMethod : null
  if (!signInMethod) errors.signInMethod = 'errors.signInMethodRequired'
  if (signInMethod === 'password') {
    const problem = passwordProblem(form.password, 'errors.passwordRequired')
    if (problem) errors.password = problem
  }
  const roleCodes = unique(form.roles)
  if (roleCodes.length === 0) errors.roles = 'errors.rolesRequired'
  if (Object.keys(errors).length > 0) return { errors }
  return {
    changes: {
      name,
      email,
      signInMethod: signInMethod!,
      password: signInMethod === 'password' ? form.password : null,
      roleCodes,
      teamCodes: unique(form.teams),
      contractorCode: form.contractor.trim() || null,
    },
  }
}

export interface StaffAccessForm {
  roles: string[]
  teams: string[]
  contractor: string
}

/** Checks a change to what an existing member of staff may do and where they belong. */
export function checkStaffAccessChange(form: StaffAccessForm): { changes: Pick<StaffAccountChanges, 'roleCodes' | 'teamCodes' | 'contractorCode'> } | { errors: FieldErrors } {
  const roleCodes = unique(form.roles)
  if (roleCodes.length === 0) return { errors: { roles: 'errors.rolesRequired' } }
  return { changes: { roleCodes, teamCodes: unique(form.teams), contractorCode: form.contractor.trim() || null } }
}

/** A team or contractor code made from its name: "Housing repairs" becomes "housing-repairs". */
export function codeFromName(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .replace(/[\s_-]+/g, '-')
    .slice(0, 60)
}

export function checkTeamName(name: string): FieldErrors {
  const trimmed = name.trim()
  if (!trimmed) return { name: 'errors.teamNameRequired' }
  if (trimmed.length > 120 || !codeFromName(trimmed)) return { name: 'errors.teamNameInvalid' }
  return {}
}
