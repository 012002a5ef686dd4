/**
 * A calendar date with no time and no time zone, written as ISO 8601 "YYYY-MM-DD": a bank holiday,
 * a working day, the day a report was received. Arithmetic is done on UTC midnights, where every
 * day is 24 hours long, so the process's own time zone never leaks in.
 */
export type PlainDate = string

const plainDatePattern = /^(\d{4})-(\d{2})-(\d{2})$/
const day = 24 * 60 * 60 * 1000

export const weekdays = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const
export type Weekday = (typeof weekdays)[number]

export function isPlainDate(value: string): boolean {
  const match = plainDatePattern.exec(value)
  if (!match) return false
  const [, year, month, dayOfMonth] = match.map(Number) as [number, number, number, number]
  const date = new Date(Date.UTC(year, month - 1, dayOfMonth))
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === dayOfMonth
}

function utcMidnight(date: PlainDate): number {
  if (!isPlainDate(date)) throw new RangeError(`"${date}" is not a date in the form YYYY-MM-DD`)
  return Date.parse(`${date}T00:00:00Z`)
}

function fromUtcMidnight(milliseconds: number): PlainDate {
  return new Date(milliseconds).toISOString().slice(0, 10)
}

export function plainDate(year: number, month: number, dayOfMonth: number): PlainDate {
  return fromUtcMidnight(Date.UTC(year, month - 1, dayOfMonth))
}

export function yearOf(date: PlainDate): number {
  return Number(date.slice(0, 4))
}

export function addDays(date: PlainDate, days: number): PlainDate {
  return fromUtcMidnight(utcMidnight(date) + days * day)
}

export function weekdayOf(date: PlainDate): Weekday {
  return weekdays[new Date(utcMidnight(date)).getUTCDay()] as Weekday
}

export function isWeekend(date: PlainDate): boolean {
  const weekday = weekdayOf(date)
  return weekday === 'Saturday' || weekday === 'Sunday'
}

/** Whole days from `from` to `to`: positive when `to` is later. */
export function daysBetween(from: PlainDate, to: PlainDate): number {
  return Math.round((utcMidnight(to) - utcMidnight(from)) / day)
}
