import type { PlainDate } from '../../lib/calendar/plain-date.ts'
import { ukInstant, ukTimeOfDayText, ukTimeZone } from '../../lib/calendar/uk-time.ts'
import { defaultWindows, windowOf, type AppointmentWindow, type Slot } from './windows.ts'

/**
 * Weekday and date are formatted apart because versions of the ICU data differ on a comma between
 * them; noon UTC is the same UK day in any season.
 */
const weekdayFormat = new Intl.DateTimeFormat('en-GB', { weekday: 'long', timeZone: ukTimeZone })
const dateFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: ukTimeZone })

/** A day as GOV.UK style writes it: "Wednesday 3 June 2026". */
export function dayText(date: PlainDate): string {
  const noon = new Date(`${date}T12:00:00Z`)
  return `${weekdayFormat.format(noon)} ${dateFormat.format(noon)}`
}

/** A window's hours as GOV.UK style writes them: "8am to midday". */
export function windowTimesText(window: AppointmentWindow, date: PlainDate): string {
  return `${ukTimeOfDayText(ukInstant(date, window.starts))} to ${ukTimeOfDayText(ukInstant(date, window.ends))}`
}

export interface SlotText {
  day: string
  times: string
}

/** A slot in words, for pages and messages: { day: "Wednesday 3 June 2026", times: "8am to midday" }. */
export function slotText(slot: Slot, windows: readonly AppointmentWindow[] = defaultWindows): SlotText {
  const window = windowOf(slot.window, windows)
  return { day: dayText(slot.date), times: window ? windowTimesText(window, slot.date) : slot.window }
}

/** When a slot's window starts and ends, as moments. */
export function slotMoments(slot: Slot, windows: readonly AppointmentWindow[] = defaultWindows): { starts: Date; ends: Date } {
  const window = windowOf(slot.window, windows)
  if (!window) throw new RangeError(`There is no "${slot.window}" appointment window`)
  return { starts: ukInstant(slot.date, window.starts), ends: ukInstant(slot.date, window.ends) }
}
