import { describe, expect, it } from 'vitest'
import { defaultCalendar } from '../../../src/lib/calendar/index.ts'
import { checkWindows, defaultWindows, slotsBetween, type CapacityCount } from '../../../src/modules/scheduling/windows.ts'

const calendar = defaultCalendar.forRegion('england-and-wales')

/** Two places in every default window on each of the dates. */
function capacityOn(dates: string[], places = 2, booked = 0): CapacityCount[] {
  return dates.flatMap((date) => defaultWindows.map((window) => ({ date, window: window.code, places, booked })))
}

describe('appointment windows', () => {
  it('offers morning, afternoon and all day by default', () => {
    expect(defaultWindows).toEqual([
      { code: 'morning', starts: '08:00', ends: '12:00' },
      { code: 'afternoon', starts: '12:00', ends: '18:00' },
      { code: 'all-day', starts: '08:00', ends: '18:00' },
    ])
    expect(() => checkWindows(defaultWindows)).not.toThrow()
  })

  it('refuses windows that end before they start, have bad times or share a code', () => {
    expect(() => checkWindows([{ code: 'late', starts: '18:00', ends: '08:00' }])).toThrow(/must end after it starts/)
    expect(() => checkWindows([{ code: 'early', starts: '7:00', ends: '09:00' }])).toThrow(/HH:MM/)
    expect(() => checkWindows([...defaultWindows, { code: 'morning', starts: '09:00', ends: '10:00' }])).toThrow(/Two appointment windows/)
  })
})

describe('slotsBetween', () => {
  it('offers working days from tomorrow to the target date, grouped by day, in window order', () => {
    // Thursday 4 June 2026 to Tuesday 9 June: the weekend of 6–7 June is skipped.
    const days = slotsBetween({
      today: '2026-06-03',
      lastDay: '2026-06-09',
      calendar,
      capacity: capacityOn(['2026-06-03', '2026-06-04', '2026-06-05', '2026-06-06', '2026-06-07', '2026-06-08', '2026-06-09', '2026-06-10']),
      closures: [],
    })
    expect(days.map((day) => day.date)).toEqual(['2026-06-04', '2026-06-05', '2026-06-08', '2026-06-09'])
    expect(days[0]!.slots).toEqual([
      { date: '2026-06-04', window: 'morning', free: 2 },
      { date: '2026-06-04', window: 'afternoon', free: 2 },
      { date: '2026-06-04', window: 'all-day', free: 2 },
    ])
  })

  it('skips bank holidays and closures', () => {
    // Monday 31 August 2026 is the summer bank holiday; Wednesday 2 September is a training day.
    const days = slotsBetween({
      today: '2026-08-28',
      lastDay: '2026-09-03',
      calendar,
      capacity: capacityOn(['2026-08-31', '2026-09-01', '2026-09-02', '2026-09-03']),
      closures: ['2026-09-02'],
    })
    expect(days.map((day) => day.date)).toEqual(['2026-09-01', '2026-09-03'])
  })

  it('offers only windows with a free place, and no day or window without capacity', () => {
    const days = slotsBetween({
      today: '2026-06-03',
      lastDay: '2026-06-05',
      calendar,
      capacity: [
        { date: '2026-06-04', window: 'morning', places: 3, booked: 3 },
        { date: '2026-06-04', window: 'afternoon', places: 3, booked: 1 },
        { date: '2026-06-05', window: 'morning', places: 0, booked: 0 },
      ],
      closures: [],
    })
    expect(days).toEqual([{ date: '2026-06-04', slots: [{ date: '2026-06-04', window: 'afternoon', free: 2 }] }])
  })

  it('offers nothing when the target date is today or has passed', () => {
    const search = { calendar, capacity: capacityOn(['2026-06-03', '2026-06-04']), closures: [] }
    expect(slotsBetween({ ...search, today: '2026-06-03', lastDay: '2026-06-03' })).toEqual([])
    expect(slotsBetween({ ...search, today: '2026-06-04', lastDay: '2026-06-03' })).toEqual([])
  })

  it('uses a council’s own windows', () => {
    const windows = [{ code: 'school-hours', starts: '09:30', ends: '14:30' }]
    const days = slotsBetween({
      today: '2026-06-03',
      lastDay: '2026-06-04',
      calendar,
      windows,
      capacity: [...capacityOn(['2026-06-04']), { date: '2026-06-04', window: 'school-hours', places: 1, booked: 0 }],
      closures: [],
    })
    expect(days).toEqual([{ date: '2026-06-04', slots: [{ date: '2026-06-04', window: 'school-hours', free: 1 }] }])
  })
})
