import { describe, expect, it } from 'vitest'
import {
  checkNewStaffAccount,
  checkPasswordChange,
  checkStaffAccessChange,
  checkTeamName,
  codeFromName,
  passwordProblem,
  shortestStaffPassword,
  type StaffAccountForm,
} from '../../../src/modules/identity/staff/rules.ts'
import { auditPageLink, dateFromParts, readAuditFilters } from '../../../src/modules/identity/staff/audit-filters.ts'
import { allPermissions, isPermission, permissionAreas, permissionSet } from '../../../src/modules/identity/staff/permissions.ts'
import { translator } from '../../../src/lib/i18n/index.ts'

const form = (changes: Partial<StaffAccountForm> = {}): StaffAccountForm => ({
  name: 'Priya Patel',
  email: 'Priya.Patel@lowerwendle.example.gov.uk ',
  signInMethod: 'password',
  password: 'a long enough password',
  roles: ['officer'],
  teams: [],
  contractor: '',
  ...changes,
})

describe('checking a new staff account', () => {
  it('accepts a complete form, tidying the email and dropping repeated choices', () => {
    const result = checkNewStaffAccount(form({ roles: ['officer', 'officer', 'team-lead'], teams: ['waste', ''] }))
    expect(result).toEqual({
      changes: {
        name: 'Priya Patel',
        email: 'priya.patel@lowerwendle.example.gov.uk',
        signInMethod: 'password',
        password: 'a long enough password',
        roleCodes: ['officer', 'team-lead'],
        teamCodes: ['waste'],
        contractorCode: null,
      },
    })
  })

  it('reports every missing answer at once, in the order of the form', () => {
    const result = checkNewStaffAccount({ name: ' ', email: '', signInMethod: '', password: '', roles: [], teams: [], contractor: '' })
    expect(result).toEqual({
      errors: {
        name: 'errors.nameRequired',
        email: 'errors.emailRequired',
        signInMethod: 'errors.signInMethodRequired',
        roles: 'errors.rolesRequired',
      },
    })
  })

  it('needs a password of at least 12 characters only for password sign-in', () => {
    expect(checkNewStaffAccount(form({ password: 'short' }))).toEqual({ errors: { password: 'errors.passwordTooShort' } })
    const directory = checkNewStaffAccount(form({ signInMethod: 'directory', password: 'short' }))
    expect('changes' in directory && directory.changes.password).toBe(null)
  })

  it('refuses an email address that is not one', () => {
    expect(checkNewStaffAccount(form({ email: 'priya at council' }))).toEqual({ errors: { email: 'errors.emailInvalid' } })
  })

  it('needs at least one role when access changes', () => {
    expect(checkStaffAccessChange({ roles: [], teams: ['waste'], contractor: '' })).toEqual({ errors: { roles: 'errors.rolesRequired' } })
    expect(checkStaffAccessChange({ roles: ['moderator'], teams: [], contractor: 'fixit' })).toEqual({
      changes: { roleCodes: ['moderator'], teamCodes: [], contractorCode: 'fixit' },
    })
  })
})

describe('staff passwords', () => {
  it('takes a password of the shortest allowed length, and nothing shorter or far too long', () => {
    expect(passwordProblem('x'.repeat(shortestStaffPassword), 'errors.newPasswordRequired')).toBeUndefined()
    expect(passwordProblem('x'.repeat(shortestStaffPassword - 1), 'errors.newPasswordRequired')).toBe('errors.passwordTooShort')
    expect(passwordProblem('x'.repeat(257), 'errors.newPasswordRequired')).toBe('errors.passwordTooLong')
    expect(passwordProblem('', 'errors.newPasswordRequired')).toBe('errors.newPasswordRequired')
  })

  it('asks for the current password and a good new one when staff change their own', () => {
    expect(checkPasswordChange({ currentPassword: '', newPassword: 'short' })).toEqual({
      currentPassword: 'errors.currentPasswordRequired',
      newPassword: 'errors.passwordTooShort',
    })
    expect(checkPasswordChange({ currentPassword: 'anything', newPassword: 'a long enough password' })).toEqual({})
  })
})

describe('teams and contractors', () => {
  it('makes a code from a name', () => {
    expect(codeFromName('Housing Repairs')).toBe('housing-repairs')
    expect(codeFromName('  Parks & Open   Spaces ')).toBe('parks-open-spaces')
  })

  it('needs a name with letters or numbers in it', () => {
    expect(checkTeamName('')).toEqual({ name: 'errors.teamNameRequired' })
    expect(checkTeamName('&&&')).toEqual({ name: 'errors.teamNameInvalid' })
    expect(checkTeamName('Waste')).toEqual({})
  })
})

describe('audit log filters', () => {
  it('reads a date from the three boxes of a date input', () => {
    expect(dateFromParts({ day: '3', month: '11', year: '2026' })).toEqual({ date: '2026-11-03' })
    expect(dateFromParts({ day: '', month: '', year: '' })).toBeUndefined()
    expect(dateFromParts({ day: '31', month: '2', year: '2026' })).toEqual({ error: 'errors.dateInvalid' })
    expect(dateFromParts({ day: '1', month: '', year: '2026' })).toEqual({ error: 'errors.dateInvalid' })
  })

  it('reads the filters and page from the query string', () => {
    const { filters, errors } = readAuditFilters({
      actor: ' priya ',
      action: 'staff.sign-in',
      'from-day': '1',
      'from-month': '11',
      'from-year': '2026',
      'to-day': '30',
      'to-month': '11',
      'to-year': '2026',
      page: '3',
    })
    expect(errors).toEqual({})
    expect(filters).toEqual({ actor: 'priya', action: 'staff.sign-in', from: '2026-11-01', to: '2026-11-30', page: 3 })
  })

  it('says when the range runs backwards and ignores a nonsense page', () => {
    const { filters, errors } = readAuditFilters({
      'from-day': '2', 'from-month': '11', 'from-year': '2026',
      'to-day': '1', 'to-month': '11', 'to-year': '2026',
      page: '-4',
    })
    expect(errors).toEqual({ 'to-day': 'errors.dateRangeBackwards' })
    expect(filters.to).toBeNull()
    expect(filters.page).toBe(1)
  })

  it('keeps the filters when linking to another page', () => {
    expect(auditPageLink({ actor: 'priya', action: '', page: '1' }, 2)).toBe('?actor=priya&page=2')
  })
})

describe('the permission catalogue', () => {
  const t = translator('en')

  it('describes every permission and names every area in English', () => {
    for (const permission of allPermissions) expect(t(`identity.staff.permissions.${permission}`)).not.toBe('')
    for (const area of Object.keys(permissionAreas)) expect(t(`identity.staff.areas.${area}`)).not.toBe('')
  })

  it('has no permission in two areas', () => {
    expect(new Set(allPermissions).size).toBe(allPermissions.length)
  })

  it('ignores permission names the code no longer knows', () => {
    expect(isPermission('requests.view')).toBe(true)
    expect([...permissionSet(['requests.view', 'time-travel'])]).toEqual(['requests.view'])
  })
})
