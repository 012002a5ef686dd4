import { describe, expect, it } from 'vitest'
import { contactFromAnswers } from '../../../src/modules/catalogue/contact.ts'
import { definition, seed } from './factory.ts'

describe('the contact a request’s own answers give', () => {
  const repair = seed('housing-repair')
  const reported = { gas: 'no', emergency: ['none'], where: 'own-home', area: 'kitchen', 'kitchen-problem': 'taps', 'kitchen-tap': 'dripping', description: 'Drips' }

  it('is the mobile number for texts, or the email address, as the resident chose', () => {
    expect(contactFromAnswers(repair, { ...reported, 'contact-method': 'text', mobile: '07700900982' })).toEqual({ channel: 'sms', recipient: '07700900982' })
    expect(contactFromAnswers(repair, { ...reported, 'contact-method': 'email', email: 'alex@example.com' })).toEqual({ channel: 'email', recipient: 'alex@example.com' })
  })

  it('ignores an answer left behind on a branch the resident then turned away from', () => {
    expect(contactFromAnswers(repair, { ...reported, 'contact-method': 'email', email: 'alex@example.com', mobile: '07700900982' })).toEqual({ channel: 'email', recipient: 'alex@example.com' })
  })

  it('gives nothing for a service that asks for neither, or a phone number that may not take texts', () => {
    expect(contactFromAnswers(definition(), { surface: 'road', depth: 'deep', description: 'Deep' })).toBeUndefined()
    const landline = definition({ questions: [{ id: 'phone', kind: 'phone', label: 'Phone number' }], priority: { default: 'routine' } })
    expect(contactFromAnswers(landline, { phone: '01632960000' })).toBeUndefined()
  })
})
