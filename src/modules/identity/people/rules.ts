import type { FieldErrors } from '../../../lib/errors.ts'
import { normalisePostcode } from '../../places/index.ts'
import type { ContactPreference } from '../tables.ts'
import { emailError, isContactPreference, mobileError, nameErrors, normaliseEmail, normaliseMobile } from '../residents/validation.ts'

/**
 * What staff type to find a person, and what they type to record a new one. Messages are locale
 * keys under identity.people, turned into words where the page is drawn.
 */

export const peoplePageSize = 20
const shortestSearch = 2
const longestSearch = 100
/** Trigram indexes only narrow a search of three letters or more, so shorter pieces of an address are not looked for. */
const shortestAddressPhrase = 3

/** One search, read every way it could be meant: a name, an address, a postcode, a tenancy reference or an email address. */
export interface PeopleSearch {
  /** The text as it will be shown back. */
  text: string
  /** Lower-case words, each of which a matching name contains. */
  nameWords: string[]
  /** Tenancy references are stored in capitals. */
  tenancyReference: string
  postcode: string | undefined
  /** Lower-case text an address contains, such as "12 mill lane". */
  addressPhrase: string | undefined
  email: string | undefined
}

export function readPeopleSearch(input: string): { search: PeopleSearch } | { error: string } {
  const text = input.replace(/\s+/g, ' ').trim()
  if (text === '') return { error: 'errors.search.missing' }
  if (text.length < shortestSearch) return { error: 'errors.search.tooShort' }
  if (text.length > longestSearch) return { error: 'errors.search.tooLong' }
  const lower = text.toLowerCase()
  return {
    search: {
      text,
      nameWords: lower.split(/[\s,]+/).filter((word) => word !== ''),
      tenancyReference: text.toUpperCase(),
      postcode: normalisePostcode(text),
      addressPhrase: lower.length >= shortestAddressPhrase ? lower.replace(/,/g, '') : undefined,
      email: text.includes('@') ? normaliseEmail(text).toLowerCase() : undefined,
    },
  }
}

/** A LIKE pattern that finds the text anywhere, with LIKE's own wildcards in it taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`
}

export interface NewPersonForm {
  givenName: string
  familyName: string
  contactPreference: string
  email: string
  mobile: string
}

export interface NewPerson {
  givenName: string
  familyName: string
  contactPreference: ContactPreference
  email: string | null
  mobile: string | null
}

/** The residents' own checks, worded for the member of staff who types for the person. */
const forStaff = (residentKey: string) => residentKey.replace(/^identity\.residents\.errors\./, 'errors.')

/**
 * Checks a person a member of staff records for someone who phoned or called in: their name, how
 * they want to hear from the council, and the email address or mobile number that way needs. The
 * other one is optional, but checked if given.
 */
export function checkNewPerson(form: NewPersonForm): { person: NewPerson } | { errors: FieldErrors } {
  const errors: FieldErrors = Object.fromEntries(Object.entries(nameErrors(form)).map(([field, key]) => [field, forStaff(key)]))
  const preference = isContactPreference(form.contactPreference) ? form.contactPreference : undefined
  if (!preference) errors.contactPreference = 'errors.contactPreference.missing'
  const email = form.email.trim()
  const emailProblem = email !== '' || preference === 'email' ? emailError(email) : undefined
  if (emailProblem) errors.email = forStaff(emailProblem)
  const mobile = form.mobile.trim()
  const mobileProblem = mobile !== '' || preference === 'text' ? mobileError(mobile) : undefined
  if (mobileProblem) errors.mobile = forStaff(mobileProblem)
  if (Object.keys(errors).length > 0 || !preference) return { errors }
  return {
    person: {
      givenName: form.givenName.trim(),
      familyName: form.familyName.trim(),
      contactPreference: preference,
      email: email === '' ? null : normaliseEmail(email),
      mobile: mobile === '' ? null : normaliseMobile(mobile)!,
    },
  }
}
