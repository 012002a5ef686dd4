import { describe, expect, it } from 'vitest'
import { translator } from '../../../src/lib/i18n/index.ts'
import type { AnswerQuestion, DefinitionSource } from '../../../src/modules/catalogue/definition.ts'
import { answerErrorMessage, normaliseUkPhone, validateAnswer, type AnswerResult } from '../../../src/modules/catalogue/questions.ts'
import { definition } from './factory.ts'

/** One parsed question, with the format's defaults filled in, written as an author would write it. */
function question(source: DefinitionSource['questions'][number]): AnswerQuestion {
  return definition({ questions: [source], priority: { default: 'routine' } }).questions[0] as AnswerQuestion
}

const errorKey = (result: AnswerResult) => (result.valid ? undefined : result.error.key)
const english = translator('en')
const message = (result: AnswerResult) => (result.valid ? undefined : answerErrorMessage(result.error, english, 'en'))

const yesNo = question({
  id: 'gas',
  kind: 'radios',
  label: 'Can you smell gas?',
  requiredMessage: { en: 'Select yes if you can smell gas', cy: 'Dewiswch ie os gallwch arogli nwy' },
  options: [
    { value: 'yes', label: 'Yes' },
    { value: 'no', label: 'No' },
  ],
})

const emergencies = question({
  id: 'emergency',
  kind: 'checkboxes',
  label: 'Do you have any of these problems?',
  options: [
    { value: 'no-water', label: 'No water' },
    { value: 'no-electricity', label: 'No electricity' },
    { value: 'none', label: { en: 'None of these', cy: 'Dim un o’r rhain' }, exclusive: true },
  ],
})

describe('radios', () => {
  it('keeps a chosen option', () => {
    expect(validateAnswer(yesNo, 'no')).toEqual({ valid: true, value: 'no' })
  })

  it("asks again with the question's own message when nothing is chosen", () => {
    expect(message(validateAnswer(yesNo, undefined))).toBe('Select yes if you can smell gas')
    const result = validateAnswer(yesNo, '')
    expect(!result.valid && answerErrorMessage(result.error, english, 'cy')).toBe('Dewiswch ie os gallwch arogli nwy')
  })

  it('refuses a value that is not one of the options, as a tampered form would send', () => {
    expect(errorKey(validateAnswer(yesNo, 'maybe'))).toBe('catalogue.answers.notAnOption')
    expect(errorKey(validateAnswer(yesNo, ['yes', 'no']))).toBe('catalogue.answers.notAnOption')
  })

  it('falls back to a general message when the definition gives none', () => {
    const plain = question({ id: 'where', kind: 'radios', label: 'Where?', options: [{ value: 'a', label: 'A' }, { value: 'b', label: 'B' }] })
    expect(message(validateAnswer(plain, undefined))).toBe('Select an answer')
  })

  it('keeps an optional question left blank as null, meaning asked but not answered', () => {
    const optional = question({ id: 'where', kind: 'radios', label: 'Where?', required: false, options: [{ value: 'a', label: 'A' }, { value: 'b', label: 'B' }] })
    expect(validateAnswer(optional, '')).toEqual({ valid: true, value: null })
  })
})

describe('checkboxes', () => {
  it('reads one ticked box or several, in the order the options are listed', () => {
    expect(validateAnswer(emergencies, 'no-water')).toEqual({ valid: true, value: ['no-water'] })
    expect(validateAnswer(emergencies, ['no-electricity', 'no-water', 'no-water'])).toEqual({ valid: true, value: ['no-water', 'no-electricity'] })
  })

  it("refuses 'None of these' ticked with other boxes, as happens without JavaScript", () => {
    const result = validateAnswer(emergencies, ['no-water', 'none'])
    expect(errorKey(result)).toBe('catalogue.answers.exclusiveWithOthers')
    expect(message(result)).toBe('Select ‘None of these’ on its own, or untick it and select the answers that apply')
    expect(!result.valid && answerErrorMessage(result.error, english, 'cy')).toContain('Dim un o’r rhain')
  })

  it('refuses boxes that are not on the form', () => {
    expect(errorKey(validateAnswer(emergencies, ['no-water', 'free-money']))).toBe('catalogue.answers.notAnOption')
    expect(errorKey(validateAnswer(emergencies, { 0: 'no-water' }))).toBe('catalogue.answers.notAnOption')
  })

  it('asks for at least one box', () => {
    expect(message(validateAnswer(emergencies, []))).toBe('Select at least one option')
  })
})

describe('text and textarea', () => {
  const reference = question({
    id: 'column',
    kind: 'text',
    label: 'Column number',
    maxLength: 8,
    pattern: { regex: '[A-Z]{0,2}[0-9]{1,4}', message: 'Enter the number on the lamp post, like LW123' },
  })

  it('trims the answer and joins runs of spaces', () => {
    expect(validateAnswer(question({ id: 'what', kind: 'text', label: 'What?' }), '  a   broken   shelf ')).toEqual({ valid: true, value: 'a broken shelf' })
  })

  it('refuses an answer longer than allowed, saying how long it may be', () => {
    const result = validateAnswer(reference, 'LW123456789')
    expect(result).toMatchObject({ valid: false, error: { key: 'catalogue.answers.tooLong', values: { maximum: 8 } } })
    expect(message(result)).toBe('Your answer must be 8 characters or less')
  })

  it("refuses an answer that does not match the definition's pattern, in the definition's words", () => {
    expect(message(validateAnswer(reference, 'lamp'))).toBe('Enter the number on the lamp post, like LW123')
    expect(validateAnswer(reference, 'LW123')).toEqual({ valid: true, value: 'LW123' })
  })

  it('enforces a shortest answer', () => {
    const longer = question({ id: 'why', kind: 'textarea', label: 'Why?', minLength: 10 })
    expect(message(validateAnswer(longer, 'short'))).toBe('Your answer must be 10 characters or more')
  })

  it('checks a number where the question is sent to Open311 as a number', () => {
    const count = question({ id: 'bags', kind: 'text', label: 'How many bags?', open311: { datatype: 'number' } })
    expect(message(validateAnswer(count, 'lots'))).toBe('Enter a number')
    expect(validateAnswer(count, '12')).toEqual({ valid: true, value: '12' })
  })

  it('normalises line endings in a textarea before counting its length', () => {
    const notes = question({ id: 'notes', kind: 'textarea', label: 'Notes', maxLength: 7 })
    expect(validateAnswer(notes, 'a\r\nb\r\nc\rd')).toEqual({ valid: true, value: 'a\nb\nc\nd' })
  })

  it('refuses something that is not text at all', () => {
    expect(errorKey(validateAnswer(question({ id: 'what', kind: 'text', label: 'What?' }), ['a', 'b']))).toBe('catalogue.answers.notText')
  })
})

describe('dates', () => {
  const collection = question({ id: 'collection-date', kind: 'date', label: 'Collection day', mustBe: 'today-or-past' })
  const today = '2026-03-10'

  it('reads day, month and year into an ISO date, accepting month names', () => {
    expect(validateAnswer(collection, { day: '9', month: '3', year: '2026' }, { today })).toEqual({ valid: true, value: '2026-03-09' })
    expect(validateAnswer(collection, { day: '09', month: 'March', year: '2026' }, { today })).toEqual({ valid: true, value: '2026-03-09' })
    expect(validateAnswer(collection, { day: '9', month: 'mar', year: '2026' }, { today })).toEqual({ valid: true, value: '2026-03-09' })
  })

  it('accepts one ISO date, as the API sends', () => {
    expect(validateAnswer(collection, '2026-03-10', { today })).toEqual({ valid: true, value: '2026-03-10' })
  })

  it.each([
    [{ day: '', month: '3', year: '2026' }, 'The date must include a day', 'day'],
    [{ day: '9', month: '', year: '2026' }, 'The date must include a month', 'month'],
    [{ day: '9', month: '3', year: '' }, 'The date must include a year', 'year'],
    [{ day: '', month: '', year: '2026' }, 'The date must include a day and month', 'day'],
    [{ day: '30', month: '2', year: '2026' }, 'The date must be a real date', 'day'],
    [{ day: '9', month: '13', year: '2026' }, 'The date must be a real date', 'month'],
    [{ day: 'ninth', month: '3', year: '2026' }, 'The date must be a real date', 'day'],
    [{ day: '9', month: '3', year: '26' }, 'The year must include 4 numbers', 'year'],
    [{ day: '11', month: '3', year: '2026' }, 'The date must be today or in the past', 'day'],
  ])('refuses %j: "%s", highlighting the %s', (raw, text, part) => {
    const result = validateAnswer(collection, raw, { today })
    expect(message(result)).toBe(text)
    expect(!result.valid && result.error.part).toBe(part)
  })

  it('knows 29 February only in a leap year', () => {
    const any = question({ id: 'when', kind: 'date', label: 'When?' })
    expect(validateAnswer(any, { day: '29', month: '2', year: '2028' })).toEqual({ valid: true, value: '2028-02-29' })
    expect(errorKey(validateAnswer(any, { day: '29', month: '2', year: '2027' }))).toBe('catalogue.answers.date.notReal')
  })

  it('asks for a date when none is given', () => {
    expect(message(validateAnswer(collection, { day: '', month: '', year: '' }, { today }))).toBe('Enter a date')
  })

  it('checks future dates against today', () => {
    const visit = question({ id: 'visit', kind: 'date', label: 'Visit', mustBe: 'future' })
    expect(message(validateAnswer(visit, '2026-03-10', { today }))).toBe('The date must be in the future')
    expect(validateAnswer(visit, '2026-03-11', { today }).valid).toBe(true)
  })

  it('cannot judge past or future without being told the date today', () => {
    expect(() => validateAnswer(collection, '2026-03-09')).toThrow(/today/)
  })
})

describe('phone numbers', () => {
  it.each([
    ['01632 960 001', '01632960001'],
    ['(0161) 496-0000', '01614960000'],
    ['07700 900 982', '07700900982'],
    ['+44 7700 900982', '07700900982'],
    ['+44 (0)20 7946 0000', '02079460000'],
    ['0044 1632 960001', '01632960001'],
    ['0800 111 999', '0800111999'],
  ])('reads %s as the UK number %s', (typed, national) => {
    expect(normaliseUkPhone(typed)).toBe(national)
  })

  it.each(['999', '12345', '+1 202 555 0100', 'call me', '07700 90098'])('refuses %s as not a UK number', (typed) => {
    expect(normaliseUkPhone(typed)).toBeUndefined()
  })

  it('asks for a mobile where the council will send text messages', () => {
    const mobile = question({ id: 'mobile', kind: 'phone', label: 'Mobile', mobileOnly: true })
    expect(message(validateAnswer(mobile, '01632 960 001'))).toBe('Enter a UK mobile number, like 07700 900 982')
    expect(validateAnswer(mobile, '07700 900 982')).toEqual({ valid: true, value: '07700900982' })
  })

  it('gives an example when the number is not a phone number', () => {
    const phone = question({ id: 'phone', kind: 'phone', label: 'Phone' })
    expect(message(validateAnswer(phone, '12345'))).toBe('Enter a UK phone number, like 01632 960 001 or 07700 900 982')
  })
})

describe('email addresses', () => {
  const email = question({ id: 'email', kind: 'email', label: 'Email' })

  it('keeps an address, trimmed', () => {
    expect(validateAnswer(email, ' tenant@example.com ')).toEqual({ valid: true, value: 'tenant@example.com' })
  })

  it.each(['tenant', 'tenant@', 'tenant@example', 'ten ant@example.com'])('refuses %s', (typed) => {
    expect(message(validateAnswer(email, typed))).toBe('Enter an email address in the correct format, like name@example.com')
  })
})

describe('photos', () => {
  const photos = question({ id: 'photos', kind: 'photo', label: 'Photos', required: false, maxCount: 3 })

  it('keeps the stored upload ids, each once', () => {
    expect(validateAnswer(photos, ['a', 'b', 'a'])).toEqual({ valid: true, value: ['a', 'b'] })
    expect(validateAnswer(photos, [])).toEqual({ valid: true, value: null })
  })

  it('refuses more photos than the service allows', () => {
    expect(message(validateAnswer(photos, ['a', 'b', 'c', 'd']))).toBe('You can add up to 3 photos')
    const one = question({ id: 'photo', kind: 'photo', label: 'Photo', maxCount: 1 })
    expect(message(validateAnswer(one, ['a', 'b']))).toBe('You can add only 1 photo')
  })
})

describe('addresses and locations', () => {
  const address = question({ id: 'property', kind: 'address', label: 'Address' })
  const location = question({ id: 'location', kind: 'location', label: 'Location' })
  const point = { latitude: 52.2, longitude: -1.5, easting: 430000, northing: 260000, usrn: '1234', description: ' Mill Lane ' }

  it('keeps what the address finder resolved', () => {
    expect(validateAnswer(address, { uprn: '100012345678', address: '4 Mill Lane, Lower Wendle' })).toEqual({
      valid: true,
      value: { uprn: '100012345678', address: '4 Mill Lane, Lower Wendle' },
    })
  })

  it('keeps only the parts of a location the engine knows', () => {
    expect(validateAnswer(location, { ...point, extra: 'dropped' })).toEqual({ valid: true, value: { ...point, description: 'Mill Lane' } })
  })

  it('refuses shapes the finder never produces', () => {
    expect(errorKey(validateAnswer(address, { uprn: 'abc', address: 'x' }))).toBe('catalogue.answers.address.notFound')
    expect(errorKey(validateAnswer(location, { ...point, latitude: 123 }))).toBe('catalogue.answers.location.notFound')
    expect(message(validateAnswer(location, undefined))).toBe('Choose a place on the map or search for a street')
  })
})

describe('error text', () => {
  it('has English text for every message the rules can give', () => {
    const keyed = [
      validateAnswer(question({ id: 'a', kind: 'text', label: 'A' }), ''),
      validateAnswer(question({ id: 'a', kind: 'textarea', label: 'A' }), ''),
      validateAnswer(question({ id: 'a', kind: 'checkboxes', label: 'A', options: [{ value: 'x', label: 'X' }] }), []),
      validateAnswer(question({ id: 'a', kind: 'date', label: 'A' }), {}),
      validateAnswer(question({ id: 'a', kind: 'date', label: 'A' }), { day: '1', month: '', year: '' }),
      validateAnswer(question({ id: 'a', kind: 'date', label: 'A' }), { day: '', month: '1', year: '' }),
      validateAnswer(question({ id: 'a', kind: 'date', label: 'A', mustBe: 'past' }), '2030-01-01', { today: '2026-01-01' }),
      validateAnswer(question({ id: 'a', kind: 'date', label: 'A', mustBe: 'today-or-future' }), '2020-01-01', { today: '2026-01-01' }),
      validateAnswer(question({ id: 'a', kind: 'phone', label: 'A' }), ''),
      validateAnswer(question({ id: 'a', kind: 'email', label: 'A' }), ''),
      validateAnswer(question({ id: 'a', kind: 'photo', label: 'A' }), []),
      validateAnswer(question({ id: 'a', kind: 'photo', label: 'A' }), ['x'.repeat(101)]),
      validateAnswer(question({ id: 'a', kind: 'address', label: 'A' }), undefined),
      validateAnswer(question({ id: 'a', kind: 'address', label: 'A' }), { uprn: '' }),
    ]
    for (const result of keyed) {
      expect(result.valid).toBe(false)
      expect(() => message(result)).not.toThrow()
    }
  })
})

describe('months typed as words', () => {
  const when = question({ id: 'when', kind: 'date', label: 'When?' })

  it.each([
    ['Sept', '2026-09-01'],
    ['september', '2026-09-01'],
    ['JUN', '2026-06-01'],
  ])('reads %s', (month, expected) => {
    expect(validateAnswer(when, { day: '1', month, year: '2026' })).toEqual({ valid: true, value: expected })
  })

  it.each(['ju', 'marzipan', 'junk'])('refuses %s', (month) => {
    expect(errorKey(validateAnswer(when, { day: '1', month, year: '2026' }))).toBe('catalogue.answers.date.notReal')
  })
})
