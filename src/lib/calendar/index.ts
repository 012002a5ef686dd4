export {
  addWorkingDays,
  createCalendar,
  defaultCalendar,
  defaultWorkingHours,
  endOfWorkingDay,
  isWorkingDay,
  type Calendar,
  type CalendarOptions,
  type DateLike,
  type RegionalCalendar,
  type WorkingHours,
} from './calendar.ts'
export {
  bankHolidaysByRule,
  easterSunday,
  holidayFeedByRule,
  regions,
  type BankHoliday,
  type HolidayFeed,
  type Region,
} from './bank-holiday-rules.ts'
export { InvalidHolidayFeed, loadHolidayFeedFile, parseHolidayFeed, shippedHolidayFeed, shippedHolidayFeedFile } from './holiday-feed.ts'
export { addDays, daysBetween, isPlainDate, weekdayOf, type PlainDate } from './plain-date.ts'
export { endOfUkDay, startOfUkDay, ukDateOf, ukInstant, ukOffsetMinutes, ukTimeOfDayText, ukTimeZone, ukWallClock, type TimeOfDay } from './uk-time.ts'
