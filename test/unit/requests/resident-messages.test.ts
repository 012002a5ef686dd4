import { describe, expect, it } from 'vitest'
import { channelFor, messageFor, messageRoutesFor, postalAddressOf, type ResidentContact } from '../../../src/modules/requests/resident-messages.ts'
import { isSurveyOpen } from '../../../src/modules/requests/satisfaction.ts'

const contact = (changes: Partial<ResidentContact>): ResidentContact => ({
  givenName: 'Alex',
  familyName: 'Morgan',
  email: 'alex@example.com',
  mobile: '07700900123',
  mobileVerified: true,
  contactPreference: 'email',
  ...changes,
})

describe('how a resident is told about their request', () => {
  it('uses the way they chose', () => {
    expect(channelFor(contact({ contactPreference: 'email' }))).toEqual({ channel: 'email', recipient: 'alex@example.com' })
    expect(channelFor(contact({ contactPreference: 'text' }))).toEqual({ channel: 'sms', recipient: '07700900123' })
  })

  it('texts only a confirmed mobile, and emails instead', () => {
    expect(channelFor(contact({ contactPreference: 'text', mobileVerified: false }))).toEqual({ channel: 'email', recipient: 'alex@example.com' })
  })

  it('texts a confirmed mobile when there is no email', () => {
    expect(channelFor(contact({ email: null }))).toEqual({ channel: 'sms', recipient: '07700900123' })
  })

  it('finds no way when there is neither an email nor a confirmed mobile', () => {
    expect(channelFor(contact({ email: null, mobileVerified: false }))).toBeUndefined()
    expect(channelFor(contact({ email: null, mobile: null }))).toBeUndefined()
  })

  it('names the message for each kind of event', () => {
    expect(messageFor({ kind: 'status-change', fromStatus: null, toStatus: 'reported' })).toBe('request-received')
    expect(messageFor({ kind: 'status-change', fromStatus: 'reported', toStatus: 'triaged' })).toBe('request-status-changed')
    expect(messageFor({ kind: 'public-update', fromStatus: null, toStatus: null })).toBe('request-update')
    expect(messageFor({ kind: 'information-added', fromStatus: null, toStatus: null })).toBeUndefined()
  })
})

describe('when the satisfaction survey is open', () => {
  it('is open for completed work, including once it is closed as completed', () => {
    expect(isSurveyOpen({ status: 'completed' })).toBe(true)
    expect(isSurveyOpen({ status: 'closed', closureReason: 'completed', closedAt: new Date() })).toBe(true)
  })

  it('is not open before completion or for a request that ended another way', () => {
    expect(isSurveyOpen({ status: 'in-progress' })).toBe(false)
    expect(isSurveyOpen({ status: 'cancelled' })).toBe(false)
    expect(isSurveyOpen({ status: 'closed', closureReason: 'duplicate', closedAt: new Date() })).toBe(false)
  })
})

describe('how a message about a request travels', () => {
  const address = 'Alex Morgan\nFlat 2\n10 Mill Lane\nLower Wendle\nLW1 2AB'

  it('goes by the route chosen, a text falling back to the email address when it fails for good', () => {
    const text = { channel: 'sms' as const, recipient: '07700900123' }
    expect(messageRoutesFor('appointment-booked', { route: text, email: 'alex@example.com', postalAddress: address })).toEqual({
      route: text,
      fallback: { channel: 'email', recipient: 'alex@example.com' },
    })
    expect(messageRoutesFor('appointment-booked', { route: text, email: null, postalAddress: address })).toEqual({ route: text })
    const email = { channel: 'email' as const, recipient: 'alex@example.com' }
    expect(messageRoutesFor('request-update', { route: email, email: 'alex@example.com', postalAddress: address })).toEqual({ route: email })
  })

  it('goes by letter to someone with neither, but only for messages that have a letter', () => {
    expect(messageRoutesFor('request-received', { route: undefined, email: null, postalAddress: address })).toEqual({ route: { channel: 'letter', recipient: address } })
    expect(messageRoutesFor('appointment-cancelled', { route: undefined, email: null, postalAddress: address })?.route.channel).toBe('letter')
    expect(messageRoutesFor('appointment-reminder', { route: undefined, email: null, postalAddress: address })).toBeUndefined()
    expect(messageRoutesFor('request-status-changed', { route: undefined, email: null, postalAddress: address })).toBeUndefined()
    expect(messageRoutesFor('request-received', { route: undefined, email: null, postalAddress: undefined })).toBeUndefined()
  })

  it('writes a postal address as the name and the address lines, leaving out blank ones', () => {
    expect(postalAddressOf('Alex Morgan', ['Flat 2', '', '10 Mill Lane ', null, 'Lower Wendle', 'LW1 2AB'])).toBe('Alex Morgan\nFlat 2\n10 Mill Lane\nLower Wendle\nLW1 2AB')
  })
})
