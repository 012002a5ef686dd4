import { isPlainDate } from '../../lib/calendar/plain-date.ts'
import { slotText } from './slot-text.ts'
import { windowOf, type AppointmentWindow, type Slot, type SlotsOfDay } from './windows.ts'

/**
 * The choice of a slot on a form: one radio per free slot, its value "YYYY-MM-DD/window", and a
 * last radio for "none of these suit me". Resident and staff pages share it.
 */
export const noneSuitable = 'none'

export interface SlotChoiceDay {
  day: string
  slots: { value: string; times: string; free: number }[]
}

export function slotChoiceValue(slot: Slot): string {
  return `${slot.date}/${slot.window}`
}

/** What a submitted choice means: a slot, none suitable, or undefined for nothing or nonsense. */
export function readSlotChoice(value: unknown, windows: readonly AppointmentWindow[]): Slot | typeof noneSuitable | undefined {
  if (value === noneSuitable) return noneSuitable
  if (typeof value !== 'string') return undefined
  const [date, window, ...rest] = value.split('/')
  if (rest.length > 0 || !date || !window || !isPlainDate(date) || !windowOf(window, windows)) return undefined
  return { date, window }
}

/** The free slots as the form shows them: by day, each with its window's hours in words. */
export function slotChoiceDays(days: readonly SlotsOfDay[], windows: readonly AppointmentWindow[]): SlotChoiceDay[] {
  return days.map((day) => ({
    day: slotText({ date: day.date, window: day.slots[0]!.window }, windows).day,
    slots: day.slots.map((slot) => ({ value: slotChoiceValue(slot), times: slotText(slot, windows).times, free: slot.free })),
  }))
}
