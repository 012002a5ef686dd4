import { bankHolidaysByRule, regions, type BankHoliday, type HolidayFeed, type Region } from './bank-holiday-rules.ts'
import { shippedHolidayFeed } from './holiday-feed.ts'
import { addDays, isWeekend, yearOf, type PlainDate } from './plain-date.ts'
import { isTimeOfDay, minutesSinceMidnight, ukDateOf, ukInstant, type TimeOfDay } from './uk-time.ts'

/**
 * Working days: Monday to Friday, less the region's bank holidays. The holiday list is a value
 * passed in, so the rules stay pure and a council's own copy of the GOV.UK list replaces the
 * shipped one. For a year the list does not reach at all, the standing rules stand in, so a
 * list that has not been refreshed still skips Christmas rather than treating it as a working day.
 */

/** The council's working hours, on the UK clock. A working day closes at `closes`. */
export interface WorkingHours {
  opens: TimeOfDay
  closes: TimeOfDay
}

export const defaultWorkingHours: WorkingHours = { opens: '09:00', closes: '17:00' }

export interface CalendarOptions {
  workingHours?: WorkingHours
}

/** A date given as an instant is read as the UK calendar day it falls on. */
export type DateLike = PlainDate | Date

/** The calendar of one region, as the council's own rules and targets use it. */
export interface RegionalCalendar {
  readonly region: Region
  readonly workingHours: WorkingHours
  bankHoliday(date: DateLike): BankHoliday | undefined
  isWorkingDay(date: DateLike): boolean
  /** The first working day after `date`. */
  nextWorkingDay(date: DateLike): PlainDate
  /** The `days`th working day after `date`; with 0 days, `date` itself. */
  addWorkingDays(date: DateLike, days: number): PlainDate
  /** The instant a working day opens, UK time. */
  startOfWorkingDay(date: DateLike): Date
  /** The instant a working day closes, UK time. */
  endOfWorkingDay(date: DateLike): Date
}

export interface Calendar {
  readonly workingHours: WorkingHours
  bankHoliday(date: DateLike, region: Region): BankHoliday | undefined
  isWorkingDay(date: DateLike, region: Region): boolean
  nextWorkingDay(date: DateLike, region: Region): PlainDate
  addWorkingDays(date: DateLike, days: number, region: Region): PlainDate
  startOfWorkingDay(date: DateLike, region: Region): Date
  endOfWorkingDay(date: DateLike, region: Region): Date
  forRegion(region: Region): RegionalCalendar
}

function toPlainDate(date: DateLike): PlainDate {
  return typeof date === 'string' ? date : ukDateOf(date)
}

/**
 * Working hours must lie outside 01:00–01:59, the hour the clocks change in, so every working
 * day has the same length and its opening and closing times happen exactly once.
 */
function checkWorkingHours({ opens, closes }: WorkingHours): void {
  for (const time of [opens, closes]) {
    if (!isTimeOfDay(time)) throw new RangeError(`Working hours need times in the form HH:MM, not "${time}"`)
  }
  if (minutesSinceMidnight(opens) < 120) throw new RangeError('Working hours cannot open before 02:00, when the clocks change')
  if (minutesSinceMidnight(closes) <= minutesSinceMidnight(opens)) {
    throw new RangeError(`Working hours must close after they open, not at ${closes} after opening at ${opens}`)
  }
}

export function createCalendar(holidayFeed: HolidayFeed, options: CalendarOptions = {}): Calendar {
  const workingHours = options.workingHours ?? defaultWorkingHours
  checkWorkingHours(workingHours)

  const listed = new Map<Region, Map<PlainDate, BankHoliday>>()
  const listedYears = new Map<Region, Set<number>>()
  for (const region of regions) {
    const events = holidayFeed[region].events
    listed.set(region, new Map(events.map((holiday) => [holiday.date, holiday])))
    listedYears.set(region, new Set(events.map((holiday) => yearOf(holiday.date))))
  }
  const byRule = new Map<string, Map<PlainDate, BankHoliday>>()

  function holidaysIn(year: number, region: Region): Map<PlainDate, BankHoliday> {
    if (listedYears.get(region)!.has(year)) return listed.get(region)!
    const key = `${region} ${year}`
    let holidays = byRule.get(key)
    if (!holidays) {
      holidays = new Map(bankHolidaysByRule(year, region).map((holiday) => [holiday.date, holiday]))
      byRule.set(key, holidays)
    }
    return holidays
  }

  function bankHoliday(date: DateLike, region: Region): BankHoliday | undefined {
    const day = toPlainDate(date)
    return holidaysIn(yearOf(day), region).get(day)
  }

  function isWorkingDay(date: DateLike, region: Region): boolean {
    const day = toPlainDate(date)
    return !isWeekend(day) && bankHoliday(day, region) === undefined
  }

  function nextWorkingDay(date: DateLike, region: Region): PlainDate {
    let day = addDays(toPlainDate(date), 1)
    while (!isWorkingDay(day, region)) day = addDays(day, 1)
    return day
  }

  function addWorkingDays(date: DateLike, days: number, region: Region): PlainDate {
    if (!Number.isInteger(days) || days < 0) throw new RangeError(`Cannot add ${days} working days: give a whole number, 0 or more`)
    let day = toPlainDate(date)
    for (let counted = 0; counted < days; counted++) day = nextWorkingDay(day, region)
    return day
  }

  function workingDayAt(date: DateLike, region: Region, time: TimeOfDay): Date {
    const day = toPlainDate(date)
    if (!isWorkingDay(day, region)) throw new RangeError(`${day} is not a working day in ${region}`)
    return ukInstant(day, time)
  }

  const startOfWorkingDay = (date: DateLike, region: Region) => workingDayAt(date, region, workingHours.opens)
  const endOfWorkingDay = (date: DateLike, region: Region) => workingDayAt(date, region, workingHours.closes)

  return {
    workingHours,
    bankHoliday,
    isWorkingDay,
    nextWorkingDay,
    addWorkingDays,
    startOfWorkingDay,
    endOfWorkingDay,
    forRegion(region) {
      if (!regions.includes(region)) throw new RangeError(`"${region}" is not a bank holiday region`)
      return {
        region,
        workingHours,
        bankHoliday: (date) => bankHoliday(date, region),
        isWorkingDay: (date) => isWorkingDay(date, region),
        nextWorkingDay: (date) => nextWorkingDay(date, region),
        addWorkingDays: (date, days) => addWorkingDays(date, days, region),
        startOfWorkingDay: (date) => startOfWorkingDay(date, region),
        endOfWorkingDay: (date) => endOfWorkingDay(date, region),
      }
    },
  }
}

/** The shipped bank holiday list with the default working hours. */
export const defaultCalendar: Calendar = createCalendar(shippedHolidayFeed)

export function isWorkingDay(date: DateLike, region: Region, calendar: Calendar = defaultCalendar): boolean {
  return calendar.isWorkingDay(date, region)
}

export function addWorkingDays(date: DateLike, days: number, region: Region, calendar: Calendar = defaultCalendar): PlainDate {
  return calendar.addWorkingDays(date, days, region)
}

export function endOfWorkingDay(date: DateLike, region: Region, calendar: Calendar = defaultCalendar): Date {
  return calendar.endOfWorkingDay(date, region)
}
