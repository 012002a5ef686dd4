import { addDays, isWeekend, plainDate, weekdayOf, type PlainDate, type Weekday } from './plain-date.ts'

/**
 * The standing rules for UK bank holidays, used to write the shipped list and to cover any year a
 * council's list does not reach. One-off holidays (a coronation, a state funeral, a moved May
 * holiday) are proclaimed year by year, so only the official GOV.UK list can carry them.
 */

export const regions = ['england-and-wales', 'scotland', 'northern-ireland'] as const
export type Region = (typeof regions)[number]

/** One event in the GOV.UK bank holidays feed (https://www.gov.uk/bank-holidays.json). */
export interface BankHoliday {
  title: string
  date: PlainDate
  notes: string
  bunting: boolean
}

export type HolidayFeed = Record<Region, { division: Region; events: BankHoliday[] }>

const substituteNote = 'Substitute day'

/** Easter Sunday in the Gregorian calendar (the anonymous algorithm published by Meeus). */
export function easterSunday(year: number): PlainDate {
  const goldenNumber = year % 19
  const century = Math.floor(year / 100)
  const yearOfCentury = year % 100
  const skippedLeapYears = Math.floor(century / 4)
  const centuryRemainder = century % 4
  const moonCorrection = Math.floor((century + 8) / 25)
  const solarCorrection = Math.floor((century - moonCorrection + 1) / 3)
  const epact = (19 * goldenNumber + century - skippedLeapYears - solarCorrection + 15) % 30
  const leapYearsInCentury = Math.floor(yearOfCentury / 4)
  const yearRemainder = yearOfCentury % 4
  const weekdayCorrection = (32 + 2 * centuryRemainder + 2 * leapYearsInCentury - epact - yearRemainder) % 7
  const lateMarchCorrection = Math.floor((goldenNumber + 11 * epact + 22 * weekdayCorrection) / 451)
  const monthAndDay = epact + weekdayCorrection - 7 * lateMarchCorrection + 114
  return plainDate(year, Math.floor(monthAndDay / 31), (monthAndDay % 31) + 1)
}

function firstWeekdayOfMonth(year: number, month: number, weekday: Weekday): PlainDate {
  let date = plainDate(year, month, 1)
  while (weekdayOf(date) !== weekday) date = addDays(date, 1)
  return date
}

function lastWeekdayOfMonth(year: number, month: number, weekday: Weekday): PlainDate {
  let date = addDays(plainDate(year, month + 1, 1), -1)
  while (weekdayOf(date) !== weekday) date = addDays(date, -1)
  return date
}

function event(title: string, date: PlainDate, bunting: boolean): BankHoliday {
  return { title, date, notes: '', bunting }
}

interface Fixed {
  title: string
  date: PlainDate
  bunting: boolean
}

/**
 * Holidays on fixed dates move to a weekday when they fall at a weekend. Holidays already on a
 * weekday keep their day; the rest, in date order, take the first weekday after their own date
 * that no other holiday holds. So Christmas on a Sunday is kept on Tuesday 27th, because Boxing
 * Day holds Monday 26th, as the published lists show.
 */
function withSubstitutes(holidays: Fixed[], others: BankHoliday[]): BankHoliday[] {
  const taken = new Set([...holidays, ...others].filter((holiday) => !isWeekend(holiday.date)).map((holiday) => holiday.date))
  const placed: BankHoliday[] = []
  for (const holiday of [...holidays].sort((first, second) => first.date.localeCompare(second.date))) {
    if (!isWeekend(holiday.date)) {
      placed.push(event(holiday.title, holiday.date, holiday.bunting))
      continue
    }
    let substitute = addDays(holiday.date, 1)
    while (isWeekend(substitute) || taken.has(substitute)) substitute = addDays(substitute, 1)
    taken.add(substitute)
    placed.push({ title: holiday.title, date: substitute, notes: substituteNote, bunting: holiday.bunting })
  }
  return placed
}

/** A region's bank holidays in one year, in date order, titled as GOV.UK titles them. */
export function bankHolidaysByRule(year: number, region: Region): BankHoliday[] {
  const easter = easterSunday(year)
  const fixed: Fixed[] = [{ title: 'New Year’s Day', date: plainDate(year, 1, 1), bunting: true }]
  const moveable: BankHoliday[] = [
    event('Good Friday', addDays(easter, -2), false),
    event('Early May bank holiday', firstWeekdayOfMonth(year, 5, 'Monday'), true),
    event('Spring bank holiday', lastWeekdayOfMonth(year, 5, 'Monday'), true),
  ]
  if (region === 'scotland') {
    fixed.push({ title: '2nd January', date: plainDate(year, 1, 2), bunting: true })
    fixed.push({ title: 'St Andrew’s Day', date: plainDate(year, 11, 30), bunting: true })
    moveable.push(event('Summer bank holiday', firstWeekdayOfMonth(year, 8, 'Monday'), true))
  } else {
    moveable.push(event('Easter Monday', addDays(easter, 1), true))
    moveable.push(event('Summer bank holiday', lastWeekdayOfMonth(year, 8, 'Monday'), true))
  }
  if (region === 'northern-ireland') {
    fixed.push({ title: 'St Patrick’s Day', date: plainDate(year, 3, 17), bunting: true })
    fixed.push({ title: 'Battle of the Boyne (Orangemen’s Day)', date: plainDate(year, 7, 12), bunting: false })
  }
  fixed.push({ title: 'Christmas Day', date: plainDate(year, 12, 25), bunting: true })
  fixed.push({ title: 'Boxing Day', date: plainDate(year, 12, 26), bunting: true })
  return [...withSubstitutes(fixed, moveable), ...moveable].sort((first, second) => first.date.localeCompare(second.date))
}

/** A whole feed, in the GOV.UK format, for the years `fromYear` to `toYear` inclusive. */
export function holidayFeedByRule(fromYear: number, toYear: number): HolidayFeed {
  const years = Array.from({ length: toYear - fromYear + 1 }, (_, index) => fromYear + index)
  const division = (region: Region) => ({
    division: region,
    events: years.flatMap((year) => bankHolidaysByRule(year, region)),
  })
  return {
    'england-and-wales': division('england-and-wales'),
    scotland: division('scotland'),
    'northern-ireland': division('northern-ireland'),
  }
}
