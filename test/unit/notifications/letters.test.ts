import { describe, expect, it } from 'vitest'
import { addressLines, addressProblem, notifyAddressPersonalisation } from '../../../src/modules/notifications/letters.ts'
import { letterPersonalisation } from '../../../src/modules/notifications/notify-provider.ts'
import { PermanentDeliveryFailure } from '../../../src/modules/notifications/provider.ts'
import { maskedRecipient } from '../../../src/modules/notifications/sending-status.ts'

const address = 'Alex Morgan\n1 Wendle Court\nLower Wendle\nLW1 5UP'

describe('a letter’s address', () => {
  it('is one line to a line, with stray spaces and blank lines left out', () => {
    expect(addressLines('  Alex Morgan \n\n1 Wendle Court\r\n  \nLW1 5UP\n')).toEqual(['Alex Morgan', '1 Wendle Court', 'LW1 5UP'])
  })

  it('has from 3 to 7 lines, as GOV.UK Notify prints them', () => {
    expect(addressProblem('1 Wendle Court\nLW1 5UP')).toBe("A letter's address needs at least 3 lines, postcode last; this one has 2")
    expect(addressProblem('Flat 1\n\n\nLW1 5UP')).toBe("A letter's address needs at least 3 lines, postcode last; this one has 2")
    expect(addressProblem(['1', '2', '3', '4', '5', '6', '7', 'LW1 5UP'].join('\n'))).toBe("A letter's address can have at most 7 lines; this one has 8")
    expect(addressProblem(['1', '2', '3', '4', '5', '6', 'LW1 5UP'].join('\n'))).toBeUndefined()
    expect(addressProblem(address)).toBeUndefined()
  })

  it('goes to Notify as address_line_1 onwards, the postcode in the last', () => {
    expect(notifyAddressPersonalisation(address)).toEqual({
      address_line_1: 'Alex Morgan',
      address_line_2: '1 Wendle Court',
      address_line_3: 'Lower Wendle',
      address_line_4: 'LW1 5UP',
    })
  })

  it('travels with the letter’s own personalisation, which cannot overwrite it', () => {
    const personalisation = letterPersonalisation({ recipient: address, personalisation: { name: 'Alex Morgan', reference: 'HR-1', address_line_1: 'Somewhere else' } })
    expect(personalisation).toMatchObject({ name: 'Alex Morgan', reference: 'HR-1', address_line_1: 'Alex Morgan', address_line_4: 'LW1 5UP' })
    expect(personalisation).not.toHaveProperty('address_line_5')
  })

  it('is refused for good, before Notify is asked, when Notify could not print it', () => {
    const tooShort = () => letterPersonalisation({ recipient: '1 Wendle Court\nLW1 5UP', personalisation: {} })
    expect(tooShort).toThrow(PermanentDeliveryFailure)
    expect(tooShort).toThrow('at least 3 lines')
  })
})

describe('a recipient shown to staff', () => {
  it('keeps only the last 3 characters, behind a mask of the same length for everyone', () => {
    expect(maskedRecipient('07700900123')).toBe('•••••123')
    expect(maskedRecipient('alexandra.morgan-smith@example.com')).toBe('•••••com')
    expect(maskedRecipient(address)).toBe('•••••5UP')
  })

  it('shows nothing of a recipient too short to hide', () => {
    expect(maskedRecipient('a@b.c')).toBe('•••••')
  })
})
