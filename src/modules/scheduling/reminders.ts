import { addDays, daysBetween, type PlainDate } from '../../lib/calendar/plain-date.ts'
import { isTimeOfDay, minutesSinceMidnight, ukInstant, ukWallClock, type TimeOfDay } from '../../lib/calendar/uk-time.ts'

/** Hours when no message goes out, on the UK clock; `from` later than `until` runs over midnight. */
export interface QuietHours {
  from: TimeOfDay
  until: TimeOfDay
}

export const defaultReminderTime: TimeOfDay = '18:00'
export const defaultQuietHours: QuietHours = { from: '21:00', until: '08:00' }

export interface ReminderOptions {
  now: Date
  /** The UK time on the day before that reminders go out. */
  sendAt?: TimeOfDay
  /** Null when the council sends at any hour. */
  quietHours?: QuietHours | null
}

function isQuiet(minutes: number, quiet: QuietHours): boolean {
  const from = minutesSinceMidnight(quiet.from)
  const until = minutesSinceMidnight(quiet.until)
  return from < until ? minutes >= from && minutes < until : minutes >= from || minutes < until
}

/**
 * When to send the day-before reminder for an appointment on `appointmentDate`: the day before,
 * at the council's time on the UK clock, so 18:00 is 17:00 UTC in summer and 18:00 in winter,
 * whichever side of a clock change the two days fall.
 *
 * A time inside quiet hours moves to the moment quiet hours end on that same day before. For
 * evening times that is earlier in the day, for early-morning times later; either way the
 * reminder still arrives the day before, never in the night and never on the morning of the
 * visit, when it may come too late for someone to arrange to be in.
 *
 * Every moment of the day before comes before any window on the day itself, so a reminder never
 * arrives after the visit has started. Undefined when the moment has passed: an appointment
 * booked after that is too soon for a reminder.
 */
export function reminderSendAt(appointmentDate: PlainDate, options: ReminderOptions): Date | undefined {
  const sendAt = options.sendAt ?? defaultReminderTime
  const quiet = options.quietHours === undefined ? defaultQuietHours : options.quietHours
  for (const time of [sendAt, ...(quiet ? [quiet.from, quiet.until] : [])]) {
    if (!isTimeOfDay(time)) throw new RangeError(`Reminder times need the form HH:MM, not "${time}"`)
  }
  if (quiet && quiet.from === quiet.until) throw new RangeError('Quiet hours must start and end at different times')

  const dayBefore = addDays(appointmentDate, -1)
  const time = quiet && isQuiet(minutesSinceMidnight(sendAt), quiet) ? quiet.until : sendAt
  const moment = ukInstant(dayBefore, time)
  return moment.getTime() > options.now.getTime() ? moment : undefined
}

export type ReminderDecision = 'send' | 'wait' | 'too-late'

/**
 * What to do with a reminder that has come due, at the moment the sender looks at it (later than
 * due when the worker was stopped): send it; wait, because it is now quiet hours; or drop it,
 * because the day of the visit has come and a reminder would arrive too late to help.
 */
export function reminderDecision(appointmentDate: PlainDate, now: Date, quietHours: QuietHours | null = defaultQuietHours): ReminderDecision {
  const clock = ukWallClock(now)
  if (daysBetween(clock.date, appointmentDate) < 1) return 'too-late'
  return quietHours && isQuiet(clock.minutes, quietHours) ? 'wait' : 'send'
}
