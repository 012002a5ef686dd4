import { addDays, isPlainDate, type PlainDate } from './plain-date.ts'

/**
 * UK civil time (Europe/London: GMT in winter, BST in summer) for any instant, whatever time zone
 * the process runs in. Northern Ireland and Scotland keep the same clock as England and Wales.
 */
export const ukTimeZone = 'Europe/London'

/** "HH:MM" on the 24-hour clock. */
export type TimeOfDay = string

const timeOfDayPattern = /^([01]\d|2[0-3]):([0-5]\d)$/

const ukClock = new Intl.DateTimeFormat('en-GB', {
  timeZone: ukTimeZone,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
})

export interface UkWallClock {
  date: PlainDate
  /** Minutes since midnight on the UK clock. */
  minutes: number
}

function ukFields(instant: Date) {
  const fields: Record<string, number> = {}
  for (const part of ukClock.formatToParts(instant)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value)
  }
  return fields as Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', number>
}

export function ukWallClock(instant: Date): UkWallClock {
  const { year, month, day, hour, minute } = ukFields(instant)
  const date = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`
  return { date, minutes: hour * 60 + minute }
}

/** The UK calendar date an instant falls on. */
export function ukDateOf(instant: Date): PlainDate {
  return ukWallClock(instant).date
}

/** How far the UK clock is ahead of UTC at an instant, in minutes: 0 in winter, 60 in summer. */
export function ukOffsetMinutes(instant: Date): number {
  const { year, month, day, hour, minute, second } = ukFields(instant)
  const wallAsUtc = Date.UTC(year, month - 1, day, hour, minute, second)
  const wholeSeconds = Math.floor(instant.getTime() / 1000) * 1000
  return Math.round((wallAsUtc - wholeSeconds) / 60_000)
}

export function isTimeOfDay(value: string): boolean {
  return timeOfDayPattern.test(value)
}

export function minutesSinceMidnight(time: TimeOfDay): number {
  const match = timeOfDayPattern.exec(time)
  if (!match) throw new RangeError(`"${time}" is not a time of day in the form HH:MM`)
  return Number(match[1]) * 60 + Number(match[2])
}

/**
 * The instant the UK clock shows `time` on `date`. The UK clock is only ever UTC or one hour
 * ahead of it, so the answer is one of two instants: the one whose UK reading matches. A time
 * that happens twice (01:00–01:59 on the last Sunday of October) resolves to the first, in BST;
 * a time the clocks skip (01:00–01:59 on the last Sunday of March) is read as GMT, which the
 * clock shows as an hour later in BST.
 */
export function ukInstant(date: PlainDate, time: TimeOfDay = '00:00'): Date {
  if (!isPlainDate(date)) throw new RangeError(`"${date}" is not a date in the form YYYY-MM-DD`)
  const minutes = minutesSinceMidnight(time)
  const wallAsUtc = Date.parse(`${date}T00:00:00Z`) + minutes * 60_000
  const inSummerTime = new Date(wallAsUtc - 60 * 60_000)
  const summerReading = ukWallClock(inSummerTime)
  if (summerReading.date === date && summerReading.minutes === minutes) return inSummerTime
  return new Date(wallAsUtc)
}

/** Midnight at the start of a UK day. */
export function startOfUkDay(date: PlainDate): Date {
  return ukInstant(date, '00:00')
}

/** Midnight at the end of a UK day, which is the start of the next: the moment the day is over. */
export function endOfUkDay(date: PlainDate): Date {
  return ukInstant(addDays(date, 1), '00:00')
}

const twelveHourClock = new Intl.DateTimeFormat('en-GB', { hour: 'numeric', minute: '2-digit', hourCycle: 'h12', timeZone: ukTimeZone })

/**
 * A moment's UK time as GOV.UK style writes it: "9am", "2:45pm", "12:05am", and "midday" and
 * "midnight" in words, whatever the server's zone.
 */
export function ukTimeOfDayText(moment: Date): string {
  const parts = twelveHourClock.formatToParts(moment)
  const hour = parts.find((part) => part.type === 'hour')!.value
  const minute = parts.find((part) => part.type === 'minute')!.value
  const period = parts.find((part) => part.type === 'dayPeriod')!.value.toLowerCase().replace(/[.\s]/g, '')
  if (hour === '12' && minute === '00') return period === 'am' ? 'midnight' : 'midday'
  return `${hour}${minute === '00' ? '' : `:${minute}`}${period}`
}
