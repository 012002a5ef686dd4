import type { RegionalCalendar } from '../../lib/calendar/calendar.ts'
import type { PlainDate } from '../../lib/calendar/plain-date.ts'
import { minutesSinceMidnight } from '../../lib/calendar/uk-time.ts'

/**
 * Target dates from a request's priority.
 *
 * A target in hours is elapsed clock time from the moment of the report, day or night, weekend or
 * bank holiday: an emergency is an emergency at 3 a.m. on Christmas Day.
 *
 * A target of N working days ends at the close of the Nth working day, UK time, counted like
 * this: a report made on a working day before it closes is received that day; one made after
 * closing time, or on a weekend or bank holiday, is received on the next working day. The day of
 * receipt is day 0, and day 1 is the working day after it, so every request gets N whole working
 * days whenever it arrived. A routine repair reported at 18:30 on a Friday is received on Monday
 * and is due when the 20th working day after that Monday closes.
 */

export const priorities = ['immediate', 'emergency', 'urgent', 'routine'] as const
export type Priority = (typeof priorities)[number]

export type TargetTime = { hours: number } | { workingDays: number }

/** How long each priority allows; a council sets its own in its profile. */
export type PriorityPolicy = Record<Priority, TargetTime>

export const defaultPriorityPolicy: PriorityPolicy = {
  immediate: { hours: 2 },
  emergency: { hours: 24 },
  urgent: { workingDays: 5 },
  routine: { workingDays: 20 },
}

/**
 * A stretch of time the request was on hold for a reason that stops the clock; `to` is null while
 * it is still on hold. Holds for reasons that do not stop the clock are simply not passed in.
 */
export interface Pause {
  from: Date
  to: Date | null
}

const hour = 60 * 60 * 1000

/** The working day a report counts as received on: day 0 of a working-day target. */
export function receivedOn(reportedAt: Date, calendar: RegionalCalendar): PlainDate {
  if (calendar.isWorkingDay(reportedAt) && reportedAt.getTime() < calendar.endOfWorkingDay(reportedAt).getTime()) {
    return calendar.addWorkingDays(reportedAt, 0)
  }
  return calendar.nextWorkingDay(reportedAt)
}

function targetTimeFor(priority: Priority, policy: PriorityPolicy): TargetTime {
  const target = policy[priority] as TargetTime | undefined
  if (!target) throw new RangeError(`The priority policy has no target for "${priority}"`)
  return target
}

export function targetDate(
  priority: Priority,
  reportedAt: Date,
  calendar: RegionalCalendar,
  policy: PriorityPolicy = defaultPriorityPolicy,
): Date {
  const target = targetTimeFor(priority, policy)
  if ('hours' in target) return new Date(reportedAt.getTime() + target.hours * hour)
  return calendar.endOfWorkingDay(calendar.addWorkingDays(receivedOn(reportedAt, calendar), target.workingDays))
}

interface Interval {
  from: number
  to: number
}

/** Pauses in time order, overlapping ones joined, an open pause running to the end of time. */
function joinPauses(pauses: readonly Pause[]): Interval[] {
  const intervals = pauses.map(({ from, to }) => {
    if (to !== null && to.getTime() < from.getTime()) {
      throw new RangeError(`A pause cannot end (${to.toISOString()}) before it starts (${from.toISOString()})`)
    }
    return { from: from.getTime(), to: to === null ? Infinity : to.getTime() }
  })
  intervals.sort((first, second) => first.from - second.from)
  const joined: Interval[] = []
  for (const interval of intervals) {
    const last = joined.at(-1)
    if (last && interval.from <= last.to) last.to = Math.max(last.to, interval.to)
    else joined.push({ ...interval })
  }
  return joined
}

/**
 * Spends `allowed` milliseconds of running time across the clock's windows, skipping paused time,
 * and returns the moment it runs out, or null if an open pause stops the clock first.
 */
function spend(allowed: number, windows: Iterable<Interval>, pauses: Interval[]): number | null {
  let remaining = allowed
  for (const window of windows) {
    let cursor = window.from
    for (const pause of pauses) {
      if (pause.to <= cursor) continue
      if (pause.from >= window.to) break
      const running = Math.max(0, pause.from - cursor)
      if (running >= remaining) return cursor + remaining
      remaining -= running
      if (pause.to === Infinity) return null
      cursor = Math.min(Math.max(cursor, pause.to), window.to)
    }
    const running = window.to - cursor
    if (running >= remaining) return cursor + remaining
    remaining -= running
  }
  return null
}

function* workingWindows(from: PlainDate, calendar: RegionalCalendar): Generator<Interval> {
  for (let day = from; ; day = calendar.nextWorkingDay(day)) {
    yield { from: calendar.startOfWorkingDay(day).getTime(), to: calendar.endOfWorkingDay(day).getTime() }
  }
}

/**
 * The target once time on hold has been taken out.
 *
 * A target in hours is extended by every paused moment between the report and the extended
 * target. A target in working days runs only in working hours from the opening of day 1 (see
 * above), and is extended by the paused working time: time paused within working hours, on a
 * working day, from day 1 on. Pauses on day 0, out of hours, at weekends or on bank holidays take
 * nothing off, because the clock was not running then. So a request on hold for one whole
 * working day is due one working day later, and one on hold for a morning is due that much
 * further into the next working day. With no pauses this is exactly `targetDate`. While an open
 * pause has stopped the clock short of its target there is no target, and the result is null.
 */
export function targetDateWithPauses(
  priority: Priority,
  reportedAt: Date,
  pauses: readonly Pause[],
  calendar: RegionalCalendar,
  policy: PriorityPolicy = defaultPriorityPolicy,
): Date | null {
  const target = targetTimeFor(priority, policy)
  const joined = joinPauses(pauses)
  if ('hours' in target) {
    const due = spend(target.hours * hour, [{ from: reportedAt.getTime(), to: Infinity }], joined)
    return due === null ? null : new Date(due)
  }
  const { opens, closes } = calendar.workingHours
  const workingDayLength = (minutesSinceMidnight(closes) - minutesSinceMidnight(opens)) * 60_000
  const dayOne = calendar.nextWorkingDay(receivedOn(reportedAt, calendar))
  const due = spend(target.workingDays * workingDayLength, workingWindows(dayOne, calendar), joined)
  return due === null ? null : new Date(due)
}

/** Overdue once the target has passed; a request with no target, its clock stopped, never is. */
export function isOverdue(target: Date | null, now: Date): boolean {
  return target !== null && now.getTime() > target.getTime()
}

/** Not yet overdue, but due within the threshold. */
export function isNearlyDue(target: Date | null, now: Date, threshold: { hours: number }): boolean {
  if (target === null || isOverdue(target, now)) return false
  return target.getTime() - now.getTime() <= threshold.hours * hour
}
