import { describe, expect, it } from 'vitest'
import { ukTimeOfDayText } from '../../../src/lib/calendar/index.ts'
import { formatDateTime, formatDeadline } from '../../../src/lib/http/views.ts'

describe('times as GOV.UK style writes them, in UK time', () => {
  it('writes hours and minutes on a 12-hour clock, with midday and midnight in words', () => {
    expect(ukTimeOfDayText(new Date('2026-11-23T09:00:00Z'))).toBe('9am')
    expect(ukTimeOfDayText(new Date('2026-11-23T14:45:00Z'))).toBe('2:45pm')
    expect(ukTimeOfDayText(new Date('2026-11-23T12:00:00Z'))).toBe('midday')
    expect(ukTimeOfDayText(new Date('2026-11-23T00:00:00Z'))).toBe('midnight')
    expect(ukTimeOfDayText(new Date('2026-11-23T00:05:00Z'))).toBe('12:05am')
    expect(ukTimeOfDayText(new Date('2026-11-23T12:30:00Z'))).toBe('12:30pm')
  })

  it('reads the clock in London, in summer time too', () => {
    expect(formatDateTime(new Date('2026-07-01T11:00:00Z'))).toBe('1 July 2026 at midday')
    expect(formatDateTime(new Date('2026-11-22T12:00:00Z'))).toBe('22 November 2026 at midday')
  })

  it('writes a deadline at midnight as the end of the day before', () => {
    expect(formatDeadline(new Date('2026-12-05T00:00:00Z'))).toBe('End of 4 December 2026')
    expect(formatDeadline(new Date('2026-06-30T23:00:00Z'))).toBe('End of 30 June 2026')
    expect(formatDeadline(new Date('2026-12-05T14:00:00Z'))).toBe('5 December 2026 at 2pm')
  })
})
