import type { FieldErrors } from '../../../lib/errors.ts'
import type { ContactPreference } from '../tables.ts'

/**
 * Checks on what residents type. Messages are keys into the residents' locale text, so the rules
 * stay free of any one language; handlers translate them.
 */
const key = (name: string) => `identity.residents.errors.${name}`

const emailPattern = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/

const easilyGuessed = new Set([
  'password', 'password1', 'password123', '12345678', '123456789', '1234567890', '11111111', 'qwertyui',
  'qwerty123', 'iloveyou', 'letmein1', 'welcome1', 'football', 'abc12345', 'passw0rd', 'baseball',
])

export const limits = { name: 100, email: 254, passwordShortest: 8, passwordLongest: 256 }

export function normaliseEmail(value: string): string {
  return value.trim()
}

/**
 * A UK mobile number in its national form (07700 900982 → 07700900982), or an international
 * number kept with its +; undefined when it is neither.
 */
export function normaliseMobile(value: string): string | undefined {
  const compact = value.replace(/[\s()-]/g, '')
  const uk = compact.replace(/^(\+44|0044|44)(?=7)/, '0')
  if (/^07\d{9}$/.test(uk)) return uk
  if (/^\+(?!44)[1-9]\d{7,14}$/.test(compact)) return compact
  return undefined
}

export function nameErrors(input: { givenName: string; familyName: string }): FieldErrors {
  const errors: FieldErrors = {}
  if (input.givenName.trim() === '') errors.givenName = key('givenName.missing')
  else if (input.givenName.trim().length > limits.name) errors.givenName = key('givenName.tooLong')
  if (input.familyName.trim() === '') errors.familyName = key('familyName.missing')
  else if (input.familyName.trim().length > limits.name) errors.familyName = key('familyName.tooLong')
  return errors
}

export function emailError(email: string): string | undefined {
  const value = normaliseEmail(email)
  if (value === '') return key('email.missing')
  if (value.length > limits.email || !emailPattern.test(value)) return key('email.format')
  return undefined
}

export function passwordError(password: string, email = ''): string | undefined {
  if (password === '') return key('password.missing')
  if (password.length < limits.passwordShortest) return key('password.tooShort')
  if (password.length > limits.passwordLongest) return key('password.tooLong')
  if (easilyGuessed.has(password.toLowerCase()) || password.toLowerCase() === normaliseEmail(email).toLowerCase()) {
    return key('password.easilyGuessed')
  }
  return undefined
}

export function mobileError(mobile: string): string | undefined {
  if (mobile.trim() === '') return key('mobile.missing')
  return normaliseMobile(mobile) === undefined ? key('mobile.format') : undefined
}

export interface RegistrationInput {
  givenName: string
  familyName: string
  email: string
  password: string
  mobile: string
}

export function registrationErrors(input: RegistrationInput): FieldErrors {
  const errors: FieldErrors = nameErrors(input)
  const email = emailError(input.email)
  if (email) errors.email = email
  const password = passwordError(input.password, input.email)
  if (password) errors.password = password
  if (input.mobile.trim() !== '') {
    const mobile = mobileError(input.mobile)
    if (mobile) errors.mobile = mobile
  }
  return errors
}

export function codeError(code: string): string | undefined {
  const compact = code.replace(/\s/g, '')
  if (compact === '') return key('code.missing')
  if (!/^\d{6}$/.test(compact)) return key('code.format')
  return undefined
}

export function isContactPreference(value: string): value is ContactPreference {
  return value === 'email' || value === 'text'
}

