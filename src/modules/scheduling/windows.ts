import type { RegionalCalendar } from '../../lib/calendar/calendar.ts'
import { addDays, daysBetween, type PlainDate } from '../../lib/calendar/plain-date.ts'
import { isTimeOfDay, minutesSinceMidnight, type TimeOfDay } from '../../lib/calendar/uk-time.ts'

/**
 * Appointment windows: the parts of a day an operative promises to arrive in, on the UK clock.
 * They are data, so a council can offer different ones without a change to the rules.
 */
export interface AppointmentWindow {
  code: string
  starts: TimeOfDay
  ends: TimeOfDay
}

export const defaultWindows: readonly AppointmentWindow[] = [
  { code: 'morning', starts: '08:00', ends: '12:00' },
  { code: 'afternoon', starts: '12:00', ends: '18:00' },
  { code: 'all-day', starts: '08:00', ends: '18:00' },
]

/** A window on a day, as a tenant picks it and an appointment keeps it. */
export interface Slot {
  date: PlainDate
  window: string
}

/** One day and window's capacity as stored: how many visits it can take and how many are taken. */
export interface CapacityCount extends Slot {
  places: number
  booked: number
}

export interface FreeSlot extends Slot {
  free: number
}

export interface SlotsOfDay {
  date: PlainDate
  slots: FreeSlot[]
}

export interface SlotSearch {
  /** The UK date today; slots start the day after, so nobody is booked for a visit already under way. */
  today: PlainDate
  /** The last day a visit may be on: the request's target date. */
  lastDay: PlainDate
  calendar: RegionalCalendar
  capacity: readonly CapacityCount[]
  /** Days the owner, or the whole council, takes no appointments. */
  closures: readonly PlainDate[]
  windows?: readonly AppointmentWindow[]
}

/** Checks a council's windows once, so a typing mistake stops start-up rather than a booking. */
export function checkWindows(windows: readonly AppointmentWindow[]): void {
  const codes = new Set<string>()
  for (const window of windows) {
    if (codes.has(window.code)) throw new RangeError(`Two appointment windows are called "${window.code}"`)
    codes.add(window.code)
    if (!isTimeOfDay(window.starts) || !isTimeOfDay(window.ends)) throw new RangeError(`The "${window.code}" window needs times in the form HH:MM`)
    if (minutesSinceMidnight(window.ends) <= minutesSinceMidnight(window.starts)) {
      throw new RangeError(`The "${window.code}" window must end after it starts`)
    }
  }
}

export function windowOf(code: string, windows: readonly AppointmentWindow[] = defaultWindows): AppointmentWindow | undefined {
  return windows.find((window) => window.code === code)
}

/** Whether a visit could be booked on a day at all, capacity aside: a working day, after today, not closed. */
export function isBookableDay(date: PlainDate, search: Pick<SlotSearch, 'today' | 'calendar' | 'closures'>): boolean {
  return daysBetween(search.today, date) >= 1 && search.calendar.isWorkingDay(date) && !search.closures.includes(date)
}

/**
 * The slots with a free place from tomorrow up to and including the last day, grouped by day in
 * date order, each day's windows in the council's order. A day or window with no capacity row
 * is not offered: capacity is what the owner has said it can do, never assumed.
 */
export function slotsBetween(search: SlotSearch): SlotsOfDay[] {
  const windows = search.windows ?? defaultWindows
  const free = new Map<string, number>()
  for (const row of search.capacity) free.set(`${row.date} ${row.window}`, row.places - row.booked)

  const days: SlotsOfDay[] = []
  for (let date = addDays(search.today, 1); daysBetween(date, search.lastDay) >= 0; date = addDays(date, 1)) {
    if (!isBookableDay(date, search)) continue
    const slots = windows
      .map((window) => ({ date, window: window.code, free: free.get(`${date} ${window.code}`) ?? 0 }))
      .filter((slot) => slot.free > 0)
    if (slots.length > 0) days.push({ date, slots })
  }
  return days
}
