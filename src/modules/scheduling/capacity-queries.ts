import type { Kysely } from 'kysely'
import type { Database } from '../../database.ts'
import type { RegionalCalendar } from '../../lib/calendar/calendar.ts'
import { addDays, daysBetween, isPlainDate, weekdayOf, weekdays, type PlainDate, type Weekday } from '../../lib/calendar/plain-date.ts'
import { InvalidInput } from '../../lib/errors.ts'
import { translator } from '../../lib/i18n/index.ts'
import type { Actor } from '../identity/audit.ts'
import type { CapacityOwner } from './service.ts'
import { windowOf, type AppointmentWindow, type CapacityCount, type Slot } from './windows.ts'

/**
 * What the back office reads and changes about capacity as a whole: an owner's places over a
 * stretch of days, the closures that apply to them, and setting the places
 * for many days at once.
 */

const t = translator('en')

/** Ranges longer than a year are refused: nobody plans visits further ahead, and a typo should not set ten years. */
export const longestCapacityRange = 366

export interface CapacityOwnerChoice {
  owner: CapacityOwner
  name: string
}

export interface Closure {
  id: string
  date: PlainDate
  reason: string
  /** Whose diary it closes; null for the whole council. */
  owner: CapacityOwner | null
}

export interface CapacityRange {
  from: PlainDate
  to: PlainDate
  /** The weekdays to set, such as Monday and Friday; other days in the range are left alone. */
  weekdays: readonly Weekday[]
  window: string
  places: number
}

export interface CapacityRangeResult {
  /** The days whose places were set. */
  changed: PlainDate[]
  /** The days left as they were, each with why: more visits already booked than the places asked for. */
  unchanged: { date: PlainDate; reason: string }[]
}

/**
 * The days a range of capacity applies to: from the first to the last day, on the chosen
 * weekdays, working days only (weekends and the council's bank holidays never have visits).
 */
export function capacityDays(from: PlainDate, to: PlainDate, chosen: readonly Weekday[], calendar: RegionalCalendar): PlainDate[] {
  const days: PlainDate[] = []
  for (let date = from; daysBetween(date, to) >= 0; date = addDays(date, 1)) {
    if (chosen.includes(weekdayOf(date)) && calendar.isWorkingDay(date)) days.push(date)
  }
  return days
}

/** Checks a range before any of it is set, naming every field that is wrong. */
function checkRange(range: CapacityRange, windows: readonly AppointmentWindow[]): void {
  const errors: Record<string, string> = {}
  if (!isPlainDate(range.from)) errors.from = t('scheduling.staff.errors.fromInvalid')
  if (!isPlainDate(range.to)) errors.to = t('scheduling.staff.errors.toInvalid')
  else if (!errors.from && daysBetween(range.from, range.to) < 0) errors.to = t('scheduling.staff.errors.toBeforeFrom')
  else if (!errors.from && daysBetween(range.from, range.to) >= longestCapacityRange) errors.to = t('scheduling.staff.errors.rangeTooLong', { days: longestCapacityRange })
  if (range.weekdays.length === 0 || range.weekdays.some((day) => !weekdays.includes(day))) errors.weekdays = t('scheduling.staff.errors.weekdaysMissing')
  if (!windowOf(range.window, windows)) errors.window = t('scheduling.staff.errors.windowMissing')
  if (!Number.isInteger(range.places) || range.places < 0 || range.places > 999) errors.places = t('scheduling.staff.errors.placesInvalid')
  if (Object.keys(errors).length > 0) throw new InvalidInput(errors)
}

function ownerOfRow(row: { team_id: string | null; contractor_id: string | null }): CapacityOwner | null {
  if (row.team_id !== null) return { kind: 'team', id: row.team_id }
  if (row.contractor_id !== null) return { kind: 'contractor', id: row.contractor_id }
  return null
}

export interface CapacityQueryDependencies {
  db: Kysely<Database>
  calendar: RegionalCalendar
  windows: readonly AppointmentWindow[]
  setCapacity(owner: CapacityOwner, slot: Slot, places: number, actor: Actor): Promise<void>
}

export function createCapacityQueries({ db, calendar, windows, setCapacity }: CapacityQueryDependencies) {
  return {
    /** Whether visits can be made on a day at all: a working day in the council's calendar, closures aside. */
    isWorkingDay: (date: PlainDate): boolean => calendar.isWorkingDay(date),

    /** The owner's places and bookings on each day and window between two dates, both included, in date order. */
    async capacityBetween(owner: CapacityOwner, from: PlainDate, to: PlainDate): Promise<CapacityCount[]> {
      const column = owner.kind === 'team' ? 'team_id' : 'contractor_id'
      return db
        .selectFrom('capacity')
        .select(['date', 'window_code as window', 'places', 'booked'])
        .where(column, '=', owner.id)
        .where('date', '>=', from)
        .where('date', '<=', to)
        .orderBy('date')
        .execute()
    },

    /**
     * Closures between two dates, both included, in date order: with an owner, theirs and the
     * council-wide ones (everything that stops their visits); with none, only the council-wide ones.
     */
    async closuresBetween(owner: CapacityOwner | null, from: PlainDate, to: PlainDate): Promise<Closure[]> {
      const rows = await db
        .selectFrom('closures')
        .select(['id', 'date', 'reason', 'team_id', 'contractor_id'])
        .where('date', '>=', from)
        .where('date', '<=', to)
        .where((where) => {
          const everyone = where.and([where('team_id', 'is', null), where('contractor_id', 'is', null)])
          if (!owner) return everyone
          return where.or([where(owner.kind === 'team' ? 'team_id' : 'contractor_id', '=', owner.id), everyone])
        })
        .orderBy('date')
        .orderBy('created_at')
        .execute()
      return rows.map((row) => ({ id: row.id, date: row.date, reason: row.reason, owner: ownerOfRow(row) }))
    },

    /**
     * Sets the places in one window on every chosen working day of a range, one day at a time, each
     * audited as its own change. A day with more visits booked than the places asked for is left as
     * it was and reported, so one busy day does not stop the rest.
     */
    async setCapacityForDays(owner: CapacityOwner, range: CapacityRange, actor: Actor): Promise<CapacityRangeResult> {
      checkRange(range, windows)
      const result: CapacityRangeResult = { changed: [], unchanged: [] }
      for (const date of capacityDays(range.from, range.to, range.weekdays, calendar)) {
        try {
          await setCapacity(owner, { date, window: range.window }, range.places, actor)
          result.changed.push(date)
        } catch (error) {
          if (!(error instanceof InvalidInput)) throw error
          result.unchanged.push({ date, reason: error.message })
        }
      }
      return result
    },
  }
}

export type CapacityQueries = ReturnType<typeof createCapacityQueries>
