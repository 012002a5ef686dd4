import { describe, expect, it } from 'vitest'
import { channelFor, messageFor, type ResidentContact } from '../../../src/modules/requests/resident-messages.ts'
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
