import { describe, expect, it } from 'vitest'
import { normalisePostcode, parsePostcode } from '../../../src/modules/places/postcodes.ts'

describe('postcodes', () => {
  it.each([
    ['LW1 4QT', 'LW1 4QT'],
    ['lw14qt', 'LW1 4QT'],
    ['  Lw1   4qT ', 'LW1 4QT'],
    ['SW1A 1AA', 'SW1A 1AA'],
    ['EC1A1BB', 'EC1A 1BB'],
    ['M1 1AE', 'M1 1AE'],
    ['B33 8TH', 'B33 8TH'],
    ['CR2 6XH', 'CR2 6XH'],
    ['DN55 1PT', 'DN55 1PT'],
    ['W1A 0AX', 'W1A 0AX'],
    ['GIR 0AA', 'GIR 0AA'],
  ])('reads %j as %s', (input, expected) => {
    expect(parsePostcode(input)).toEqual({ valid: true, postcode: expected })
  })

  it.each(['', '   ', undefined, null])('says %j is missing', (input) => {
    expect(parsePostcode(input)).toEqual({ valid: false, problem: 'missing' })
  })

  it.each(['LW1', 'LW1 4Q', '12345', 'LW1 4QTT', 'QW1 4QT', 'LW1 4CI', 'LW1-4QT', 'not a postcode', 'AAA1 1AA'])(
    'refuses %j as not a real postcode',
    (input) => {
      expect(parsePostcode(input)).toEqual({ valid: false, problem: 'invalid' })
    },
  )

  it('normalises or gives undefined', () => {
    expect(normalisePostcode('lw15up')).toBe('LW1 5UP')
    expect(normalisePostcode('nonsense')).toBeUndefined()
  })
})
