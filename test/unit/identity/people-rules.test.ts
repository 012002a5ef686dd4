import { describe, expect, it } from 'vitest'
import { translator } from '../../../src/lib/i18n/index.ts'
import { checkNewPerson, containsPattern, readPeopleSearch, type NewPersonForm } from '../../../src/modules/identity/people/rules.ts'

const english = translator('en')
const form = (changes: Partial<NewPersonForm> = {}): NewPersonForm => ({
  givenName: 'Sam',
  familyName: 'Okoro',
  contactPreference: 'email',
  email: 'sam@example.com',
  mobile: '',
  ...changes,
})

describe('reading what staff type to find a person', () => {
  it('reads one search every way it could be meant', () => {
    expect(readPeopleSearch('  Alex   Morgan ')).toEqual({
      search: {
        text: 'Alex Morgan',
        nameWords: ['alex', 'morgan'],
        tenancyReference: 'ALEX MORGAN',
        postcode: undefined,
        addressPhrase: 'alex morgan',
        email: undefined,
      },
    })
  })

  it('knows a postcode typed without its space, a tenancy reference in small letters and an email address', () => {
    expect(readPeopleSearch('lw15up')).toMatchObject({ search: { postcode: 'LW1 5UP' } })
    expect(readPeopleSearch('lw-t-000001')).toMatchObject({ search: { tenancyReference: 'LW-T-000001', postcode: undefined } })
    expect(readPeopleSearch('Alex.Morgan@Example.com')).toMatchObject({ search: { email: 'alex.morgan@example.com' } })
  })

  it('leaves out an address phrase too short for the index, and commas between parts of a name or address', () => {
    expect(readPeopleSearch('Jo')).toMatchObject({ search: { nameWords: ['jo'], addressPhrase: undefined } })
    expect(readPeopleSearch('Morgan, Alex')).toMatchObject({ search: { nameWords: ['morgan', 'alex'], addressPhrase: 'morgan alex' } })
  })

  it('asks for a search that is there, and not too short or long', () => {
    expect(readPeopleSearch('   ')).toEqual({ error: 'errors.search.missing' })
    expect(readPeopleSearch('a')).toEqual({ error: 'errors.search.tooShort' })
    expect(readPeopleSearch('a'.repeat(101))).toEqual({ error: 'errors.search.tooLong' })
  })

  it('takes the wildcards of LIKE in a search literally', () => {
    expect(containsPattern('100%_sure\\')).toBe('%100\\%\\_sure\\\\%')
  })
})

describe('checking a person staff record for a caller', () => {
  it('accepts a name with the contact details their choice needs, tidied', () => {
    expect(checkNewPerson(form({ givenName: ' Sam ', mobile: '07700 900 982' }))).toEqual({
      person: { givenName: 'Sam', familyName: 'Okoro', contactPreference: 'email', email: 'sam@example.com', mobile: '07700900982' },
    })
    expect(checkNewPerson(form({ contactPreference: 'text', email: '', mobile: '+44 7700 900982' }))).toEqual({
      person: { givenName: 'Sam', familyName: 'Okoro', contactPreference: 'text', email: null, mobile: '07700900982' },
    })
  })

  it('needs the email address for updates by email and the mobile number for texts', () => {
    expect(checkNewPerson(form({ email: '' }))).toEqual({ errors: { email: 'errors.email.missing' } })
    expect(checkNewPerson(form({ contactPreference: 'text', email: '' }))).toEqual({ errors: { mobile: 'errors.mobile.missing' } })
  })

  it('checks the other contact detail too when it is given', () => {
    expect(checkNewPerson(form({ mobile: '01632 960000' }))).toEqual({ errors: { mobile: 'errors.mobile.format' } })
  })

  it('gives every problem at once, in the order of the form', () => {
    const checked = checkNewPerson({ givenName: '', familyName: 'x'.repeat(101), contactPreference: 'post', email: 'not an email', mobile: '123' })
    expect(checked).toEqual({
      errors: {
        givenName: 'errors.givenName.missing',
        familyName: 'errors.familyName.tooLong',
        contactPreference: 'errors.contactPreference.missing',
        email: 'errors.email.format',
        mobile: 'errors.mobile.format',
      },
    })
  })

  it('has words for staff for every problem it finds', () => {
    const checked = checkNewPerson({ givenName: '', familyName: '', contactPreference: '', email: 'x', mobile: 'y' })
    const keys = 'errors' in checked ? Object.values(checked.errors) : []
    expect(keys.map((key) => english(`identity.people.${key}`))).toEqual([
      'Enter their first name',
      'Enter their last name',
      'Select how they want us to send updates',
      'Enter an email address in the correct format, like name@example.com',
      'Enter a UK mobile phone number, like 07700 900 982, or an international number starting with +',
    ])
  })
})
