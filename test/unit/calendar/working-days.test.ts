import { describe, expect, it } from 'vitest'
import {
  addWorkingDays,
  createCalendar,
  defaultCalendar,
  endOfWorkingDay,
  holidayFeedByRule,
  isWorkingDay,
  type HolidayFeed,
} from '../../../src/lib/calendar/index.ts'

describe('working days', () => {
  it('are Monday to Friday, less bank holidays', () => {
    expect(isWorkingDay('2025-06-06', 'england-and-wales')).toBe(true)
    expect(isWorkingDay('2025-06-07', 'england-and-wales')).toBe(false)
    expect(isWorkingDay('2025-06-08', 'england-and-wales')).toBe(false)
    expect(isWorkingDay('2025-04-18', 'england-and-wales')).toBe(false)
  })

  it('differ by region', () => {
    expect(isWorkingDay('2025-01-02', 'england-and-wales')).toBe(true)
    expect(isWorkingDay('2025-01-02', 'scotland')).toBe(false)
    expect(isWorkingDay('2025-04-21', 'scotland')).toBe(true)
    expect(isWorkingDay('2025-04-21', 'northern-ireland')).toBe(false)
    expect(isWorkingDay('2025-03-17', 'northern-ireland')).toBe(false)
    expect(isWorkingDay('2025-08-04', 'scotland')).toBe(false)
    expect(isWorkingDay('2025-08-25', 'scotland')).toBe(true)
  })

  it('read an instant as the UK day it falls on, not the day in UTC or the server’s zone', () => {
    expect(isWorkingDay(new Date('2025-04-20T23:30:00Z'), 'england-and-wales')).toBe(false)
    expect(isWorkingDay(new Date('2025-04-21T23:30:00Z'), 'england-and-wales')).toBe(true)
    expect(isWorkingDay(new Date('2025-12-24T23:30:00Z'), 'england-and-wales')).toBe(true)
  })

  it('are counted past Good Friday and Easter Monday', () => {
    expect(addWorkingDays('2025-04-17', 1, 'england-and-wales')).toBe('2025-04-22')
    expect(addWorkingDays('2025-04-17', 1, 'scotland')).toBe('2025-04-21')
  })

  it('are counted past Christmas and the new year', () => {
    expect(addWorkingDays('2026-12-23', 5, 'england-and-wales')).toBe('2027-01-04')
    expect(addWorkingDays('2026-12-23', 5, 'scotland')).toBe('2027-01-05')
  })

  it('count from a non-working day to the next working days', () => {
    expect(addWorkingDays('2025-06-07', 1, 'england-and-wales')).toBe('2025-06-09')
    expect(addWorkingDays('2025-06-07', 0, 'england-and-wales')).toBe('2025-06-07')
    expect(() => addWorkingDays('2025-06-07', -1, 'england-and-wales')).toThrow(RangeError)
  })

  it('close at 17:00 UK time, which is 17:00 UTC in winter and 16:00 UTC in summer', () => {
    expect(endOfWorkingDay('2026-03-27', 'england-and-wales')).toEqual(new Date('2026-03-27T17:00:00Z'))
    expect(endOfWorkingDay('2026-03-30', 'england-and-wales')).toEqual(new Date('2026-03-30T16:00:00Z'))
    expect(endOfWorkingDay('2026-10-26', 'england-and-wales')).toEqual(new Date('2026-10-26T17:00:00Z'))
    expect(() => endOfWorkingDay('2026-03-28', 'england-and-wales')).toThrow('2026-03-28 is not a working day in england-and-wales')
  })

  it('follow the council’s own working hours', () => {
    const calendar = createCalendar(holidayFeedByRule(2026, 2026), { workingHours: { opens: '08:30', closes: '16:30' } })
    expect(calendar.startOfWorkingDay('2026-07-01', 'scotland')).toEqual(new Date('2026-07-01T07:30:00Z'))
    expect(calendar.endOfWorkingDay('2026-07-01', 'scotland')).toEqual(new Date('2026-07-01T15:30:00Z'))
    expect(() => createCalendar(holidayFeedByRule(2026, 2026), { workingHours: { opens: '17:00', closes: '09:00' } })).toThrow(
      'Working hours must close after they open',
    )
    expect(() => createCalendar(holidayFeedByRule(2026, 2026), { workingHours: { opens: '01:30', closes: '09:00' } })).toThrow(
      'cannot open before 02:00',
    )
  })

  it('can be bound to the council’s region', () => {
    const scotland = defaultCalendar.forRegion('scotland')
    expect(scotland.region).toBe('scotland')
    expect(scotland.isWorkingDay('2025-01-02')).toBe(false)
    expect(scotland.nextWorkingDay('2024-12-31')).toBe('2025-01-03')
    expect(scotland.bankHoliday('2025-12-01')?.title).toBe('St Andrew’s Day')
  })
})

describe('a calendar built from a council’s own list', () => {
  /** 2020 as GOV.UK published it: the early May holiday moved to Friday 8 May for VE Day. */
  function feedFor2020(): HolidayFeed {
    const feed = holidayFeedByRule(2020, 2020)
    const moved = feed['england-and-wales'].events.map((holiday) =>
      holiday.date === '2020-05-04' ? { ...holiday, title: 'Early May bank holiday (VE day)', date: '2020-05-08' } : holiday,
    )
    return { ...feed, 'england-and-wales': { ...feed['england-and-wales'], events: moved } }
  }

  it('takes one-off holidays from the list for the years it covers', () => {
    const calendar = createCalendar(feedFor2020())
    expect(calendar.isWorkingDay('2020-05-08', 'england-and-wales')).toBe(false)
    expect(calendar.isWorkingDay('2020-05-04', 'england-and-wales')).toBe(true)
  })

  it('falls back to the standing rules for years the list does not reach', () => {
    const calendar = createCalendar(feedFor2020())
    expect(calendar.isWorkingDay('2030-12-25', 'england-and-wales')).toBe(false)
    expect(calendar.isWorkingDay('2030-04-22', 'england-and-wales')).toBe(false)
    expect(calendar.bankHoliday('2030-04-22', 'england-and-wales')?.title).toBe('Easter Monday')
    expect(defaultCalendar.isWorkingDay('2029-12-25', 'northern-ireland')).toBe(false)
  })
})
