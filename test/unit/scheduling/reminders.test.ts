import { describe, expect, it } from 'vitest'
import { reminderDecision, reminderSendAt } from '../../../src/modules/scheduling/reminders.ts'

const longBefore = new Date('2026-01-01T00:00:00Z')
const morning = { now: longBefore }

describe('reminderSendAt', () => {
  it('sends at 18:00 UK time the day before: 17:00 UTC in summer, 18:00 UTC in winter', () => {
    expect(reminderSendAt('2026-07-15', morning)).toEqual(new Date('2026-07-14T17:00:00Z'))
    expect(reminderSendAt('2026-12-02', morning)).toEqual(new Date('2026-12-01T18:00:00Z'))
  })

  // The clocks go forward on the last Sunday of March (29 March 2026, 28 March 2027) and back on
  // the last Sunday of October (25 October 2026, 31 October 2027).
  it.each([
    ['the Monday after the clocks go forward in 2026', '2026-03-30', '2026-03-29T17:00:00Z'],
    ['the Sunday the clocks go forward in 2026', '2026-03-29', '2026-03-28T18:00:00Z'],
    ['the Monday after the clocks go back in 2026', '2026-10-26', '2026-10-25T18:00:00Z'],
    ['the Sunday the clocks go back in 2026', '2026-10-25', '2026-10-24T17:00:00Z'],
    ['the Monday after the clocks go forward in 2027', '2027-03-29', '2027-03-28T17:00:00Z'],
    ['the Sunday the clocks go forward in 2027', '2027-03-28', '2027-03-27T18:00:00Z'],
    ['the Monday after the clocks go back in 2027', '2027-11-01', '2027-10-31T18:00:00Z'],
    ['the Sunday the clocks go back in 2027', '2027-10-31', '2027-10-30T17:00:00Z'],
  ])('reminds at 18:00 on the UK clock for an appointment on %s', (_, date, expected) => {
    expect(reminderSendAt(date, morning)).toEqual(new Date(expected))
  })

  it('keeps a council’s own time on the UK clock across a clock change, even in the hour that is skipped', () => {
    expect(reminderSendAt('2026-10-26', { ...morning, sendAt: '12:30' })).toEqual(new Date('2026-10-25T12:30:00Z'))
    expect(reminderSendAt('2026-03-30', { ...morning, sendAt: '12:30' })).toEqual(new Date('2026-03-29T11:30:00Z'))
    // 01:30 on 29 March 2026 never happens in the UK; it is read as 01:30 GMT, which the clock shows as 02:30 BST.
    expect(reminderSendAt('2026-03-30', { ...morning, sendAt: '01:30', quietHours: null })).toEqual(new Date('2026-03-29T01:30:00Z'))
  })

  it('moves a time inside quiet hours to when they end on the day before', () => {
    // 22:00 is quiet (21:00–08:00), so the reminder goes at 08:00 that day instead of overnight.
    expect(reminderSendAt('2026-07-15', { ...morning, sendAt: '22:00' })).toEqual(new Date('2026-07-14T07:00:00Z'))
    expect(reminderSendAt('2026-07-15', { ...morning, sendAt: '06:30' })).toEqual(new Date('2026-07-14T07:00:00Z'))
    // Quiet hours that do not cross midnight work the same way.
    expect(reminderSendAt('2026-12-02', { ...morning, sendAt: '13:15', quietHours: { from: '13:00', until: '14:00' } })).toEqual(
      new Date('2026-12-01T14:00:00Z'),
    )
    // The boundaries: quiet hours start at `from` and are over at `until`.
    expect(reminderSendAt('2026-12-02', { ...morning, sendAt: '21:00' })).toEqual(new Date('2026-12-01T08:00:00Z'))
    expect(reminderSendAt('2026-12-02', { ...morning, sendAt: '20:59' })).toEqual(new Date('2026-12-01T20:59:00Z'))
    expect(reminderSendAt('2026-12-02', { ...morning, sendAt: '08:00' })).toEqual(new Date('2026-12-01T08:00:00Z'))
  })

  it('sends at any hour when the council sets no quiet hours', () => {
    expect(reminderSendAt('2026-12-02', { ...morning, sendAt: '22:00', quietHours: null })).toEqual(new Date('2026-12-01T22:00:00Z'))
  })

  it('gives no time when the appointment is too soon to remind', () => {
    // Booked at 19:00 for tomorrow morning: the 18:00 reminder has passed.
    expect(reminderSendAt('2026-07-15', { ...morning, now: new Date('2026-07-14T18:00:00Z') })).toBeUndefined()
    // Exactly at the send time is too late: it would already have gone.
    expect(reminderSendAt('2026-07-15', { ...morning, now: new Date('2026-07-14T17:00:00Z') })).toBeUndefined()
    expect(reminderSendAt('2026-07-15', { ...morning, now: new Date('2026-07-14T16:59:00Z') })).toEqual(new Date('2026-07-14T17:00:00Z'))
  })

  it('sends before the earliest possible visit, even when the council sends late at night', () => {
    expect(reminderSendAt('2026-12-02', { ...morning, sendAt: '23:59', quietHours: null })).toEqual(new Date('2026-12-01T23:59:00Z'))
    expect(reminderSendAt('2026-07-15', { ...morning, sendAt: '23:59', quietHours: null })).toEqual(new Date('2026-07-14T22:59:00Z'))
  })

  it('refuses times that are not HH:MM, and quiet hours with no length', () => {
    expect(() => reminderSendAt('2026-12-02', { ...morning, sendAt: '6pm' })).toThrow(/HH:MM/)
    expect(() => reminderSendAt('2026-12-02', { ...morning, quietHours: { from: '21:00', until: '21:00' } })).toThrow(/different times/)
  })
})

describe('reminderDecision', () => {
  const monday = '2026-10-26'

  it('sends a reminder that has come due on the day before, outside quiet hours', () => {
    expect(reminderDecision(monday, new Date('2026-10-25T18:00:00Z'))).toBe('send')
    expect(reminderDecision(monday, new Date('2026-10-25T08:00:00Z'))).toBe('send')
  })

  it('waits through quiet hours on the UK clock, whichever side of a clock change', () => {
    // 20:30 UTC on Saturday 24 October is 21:30 in British Summer Time: quiet.
    expect(reminderDecision(monday, new Date('2026-10-24T20:30:00Z'))).toBe('wait')
    // 20:30 UTC on Sunday 25 October is 20:30 in Greenwich Mean Time: not quiet yet.
    expect(reminderDecision(monday, new Date('2026-10-25T20:30:00Z'))).toBe('send')
    expect(reminderDecision(monday, new Date('2026-10-25T21:00:00Z'))).toBe('wait')
  })

  it('drops a reminder once the day of the visit has come on the UK clock', () => {
    expect(reminderDecision(monday, new Date('2026-10-25T23:59:00Z'))).toBe('wait')
    expect(reminderDecision(monday, new Date('2026-10-26T00:00:00Z'))).toBe('too-late')
    // 23:30 UTC on 29 June is already 30 June in the UK.
    expect(reminderDecision('2026-06-30', new Date('2026-06-29T23:30:00Z'))).toBe('too-late')
  })

  it('sends at any hour of the day before when the council sets no quiet hours', () => {
    expect(reminderDecision(monday, new Date('2026-10-25T23:30:00Z'), null)).toBe('send')
  })
})
