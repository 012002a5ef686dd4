import { describe, expect, it } from 'vitest'
import { endOfUkDay, ukDateOf, ukInstant, ukOffsetMinutes, ukWallClock } from '../../../src/lib/calendar/index.ts'

describe('UK time', () => {
  it('is GMT in winter and BST in summer, whatever zone the server is in', () => {
    expect(ukInstant('2026-01-15', '09:00')).toEqual(new Date('2026-01-15T09:00:00Z'))
    expect(ukInstant('2026-07-15', '09:00')).toEqual(new Date('2026-07-15T08:00:00Z'))
    expect(ukOffsetMinutes(new Date('2026-01-15T12:00:00Z'))).toBe(0)
    expect(ukOffsetMinutes(new Date('2026-07-15T12:00:00Z'))).toBe(60)
  })

  it('changes at 01:00 UTC on the last Sundays of March and October', () => {
    expect(ukWallClock(new Date('2026-03-29T00:59:00Z'))).toEqual({ date: '2026-03-29', minutes: 59 })
    expect(ukWallClock(new Date('2026-03-29T01:00:00Z'))).toEqual({ date: '2026-03-29', minutes: 120 })
    expect(ukWallClock(new Date('2026-10-25T00:59:00Z'))).toEqual({ date: '2026-10-25', minutes: 119 })
    expect(ukWallClock(new Date('2026-10-25T01:00:00Z'))).toEqual({ date: '2026-10-25', minutes: 60 })
  })

  it('reads the hour that happens twice as its first, summer-time, occurrence', () => {
    expect(ukInstant('2026-10-25', '01:30')).toEqual(new Date('2026-10-25T00:30:00Z'))
  })

  it('reads a skipped time as GMT, which the clock shows an hour later', () => {
    expect(ukInstant('2026-03-29', '01:30')).toEqual(new Date('2026-03-29T01:30:00Z'))
  })

  it('puts a late evening in summer on the UK date, not the UTC one', () => {
    expect(ukDateOf(new Date('2026-06-30T23:30:00Z'))).toBe('2026-07-01')
    expect(ukDateOf(new Date('2026-12-31T23:30:00Z'))).toBe('2026-12-31')
  })

  it('ends a day at the following midnight, 23 or 25 hours long on the change days', () => {
    expect(endOfUkDay('2026-03-29').getTime() - ukInstant('2026-03-29').getTime()).toBe(23 * 3_600_000)
    expect(endOfUkDay('2026-10-25').getTime() - ukInstant('2026-10-25').getTime()).toBe(25 * 3_600_000)
  })
})
