import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  bankHolidaysByRule,
  easterSunday,
  holidayFeedByRule,
  InvalidHolidayFeed,
  loadHolidayFeedFile,
  parseHolidayFeed,
  shippedHolidayFeed,
  type Region,
} from '../../../src/lib/calendar/index.ts'

const datesOf = (year: number, region: Region) => bankHolidaysByRule(year, region).map((holiday) => holiday.date)
const listed = (region: Region, year: number) =>
  shippedHolidayFeed[region].events.filter((holiday) => holiday.date.startsWith(String(year))).map((holiday) => holiday.date)

describe('Easter', () => {
  it('falls on the published Sundays, including the earliest and latest possible', () => {
    const years = [2019, 2024, 2025, 2026, 2027, 2028, 2038, 2285]
    expect(years.map((year) => easterSunday(year))).toEqual([
      '2019-04-21', '2024-03-31', '2025-04-20', '2026-04-05', '2027-03-28', '2028-04-16', '2038-04-25', '2285-03-22',
    ])
  })
})

describe('the shipped bank holiday list', () => {
  it('is written by the rules for 2024 to 2028, so `npm run calendar:generate` reproduces it', () => {
    expect(shippedHolidayFeed).toEqual(holidayFeedByRule(2024, 2028))
  })

  it('has the published England and Wales holidays for 2025', () => {
    expect(listed('england-and-wales', 2025)).toEqual([
      '2025-01-01', '2025-04-18', '2025-04-21', '2025-05-05', '2025-05-26', '2025-08-25', '2025-12-25', '2025-12-26',
    ])
  })

  it('has the published England and Wales holidays for 2026, with Boxing Day moved to Monday 28 December', () => {
    expect(listed('england-and-wales', 2026)).toEqual([
      '2026-01-01', '2026-04-03', '2026-04-06', '2026-05-04', '2026-05-25', '2026-08-31', '2026-12-25', '2026-12-28',
    ])
    expect(bankHolidaysByRule(2026, 'england-and-wales').at(-1)).toEqual({
      title: 'Boxing Day',
      date: '2026-12-28',
      notes: 'Substitute day',
      bunting: true,
    })
  })

  it('moves Christmas Day 2027, a Saturday, to Monday 27 December and Boxing Day to Tuesday 28', () => {
    expect(bankHolidaysByRule(2027, 'england-and-wales').slice(-2)).toEqual([
      { title: 'Christmas Day', date: '2027-12-27', notes: 'Substitute day', bunting: true },
      { title: 'Boxing Day', date: '2027-12-28', notes: 'Substitute day', bunting: true },
    ])
  })

  it('keeps Boxing Day on Monday 26th when Christmas falls on a Sunday, and gives Christmas the Tuesday', () => {
    expect(datesOf(2022, 'england-and-wales').slice(-2)).toEqual(['2022-12-26', '2022-12-27'])
  })

  it('moves New Year’s Day 2028, a Saturday, to Monday 3 January', () => {
    expect(datesOf(2028, 'england-and-wales')[0]).toBe('2028-01-03')
  })

  it('has the published England and Wales holidays for 2024', () => {
    expect(listed('england-and-wales', 2024)).toEqual([
      '2024-01-01', '2024-03-29', '2024-04-01', '2024-05-06', '2024-05-27', '2024-08-26', '2024-12-25', '2024-12-26',
    ])
  })

  it('gives Scotland 2 January, the first Monday of August and St Andrew’s Day, but not Easter Monday', () => {
    expect(listed('scotland', 2025)).toEqual([
      '2025-01-01', '2025-01-02', '2025-04-18', '2025-05-05', '2025-05-26', '2025-08-04', '2025-12-01', '2025-12-25',
      '2025-12-26',
    ])
    expect(listed('scotland', 2024)).toContain('2024-12-02')
  })

  it('moves Scotland’s 2 January 2027, a Saturday, to Monday 4 January', () => {
    expect(datesOf(2027, 'scotland').slice(0, 2)).toEqual(['2027-01-01', '2027-01-04'])
  })

  it('moves both Scottish new year holidays when 1 January falls on a Saturday', () => {
    expect(datesOf(2028, 'scotland').slice(0, 2)).toEqual(['2028-01-03', '2028-01-04'])
  })

  it('gives Northern Ireland St Patrick’s Day and the Battle of the Boyne, moved off weekends', () => {
    expect(listed('northern-ireland', 2024)).toEqual([
      '2024-01-01', '2024-03-18', '2024-03-29', '2024-04-01', '2024-05-06', '2024-05-27', '2024-07-12', '2024-08-26',
      '2024-12-25', '2024-12-26',
    ])
    expect(listed('northern-ireland', 2025)).toContain('2025-07-14')
    expect(listed('northern-ireland', 2026)).toEqual(expect.arrayContaining(['2026-03-17', '2026-07-13']))
  })

  it('is titled as GOV.UK titles it, with substitute days noted', () => {
    const scotland2024 = bankHolidaysByRule(2024, 'scotland')
    expect(scotland2024.find((holiday) => holiday.date === '2024-12-02')).toEqual({
      title: 'St Andrew’s Day',
      date: '2024-12-02',
      notes: 'Substitute day',
      bunting: true,
    })
    const goodFriday = bankHolidaysByRule(2025, 'england-and-wales')[1]
    expect(goodFriday).toEqual({ title: 'Good Friday', date: '2025-04-18', notes: '', bunting: false })
  })
})

describe('a council’s own copy of the GOV.UK list', () => {
  const feed = holidayFeedByRule(2025, 2025)

  it('is accepted in exactly the GOV.UK format, and sorted by date', () => {
    const shuffled = { ...feed, scotland: { ...feed.scotland, events: [...feed.scotland.events].reverse() } }
    expect(parseHolidayFeed(shuffled)).toEqual(feed)
  })

  it('is refused with the place of the problem when a region is missing', () => {
    const withoutScotland: Record<string, unknown> = { ...feed }
    delete withoutScotland.scotland
    expect(() => parseHolidayFeed(withoutScotland, 'bank-holidays.json')).toThrow(
      new InvalidHolidayFeed('bank-holidays.json', 'scotland is missing'),
    )
  })

  it('is refused when a date is not a real date', () => {
    const burnsNight = { title: 'Burns Night', date: '2025-02-30', notes: '', bunting: true }
    const broken = { ...feed, scotland: { ...feed.scotland, events: [burnsNight] } }
    expect(() => parseHolidayFeed(broken)).toThrow('scotland.events[0].date must be a date in the form YYYY-MM-DD')
  })

  it('is refused when a field is missing or a division is mislabelled', () => {
    const goodFridayWithoutBunting = { title: 'Good Friday', date: '2025-04-18', notes: '' }
    const noBunting = { ...feed, scotland: { ...feed.scotland, events: [goodFridayWithoutBunting] } }
    expect(() => parseHolidayFeed(noBunting)).toThrow('scotland.events[0].bunting is missing')
    const mislabelled = { ...feed, scotland: { ...feed.scotland, division: 'england-and-wales' } }
    expect(() => parseHolidayFeed(mislabelled)).toThrow('scotland.division must be "scotland"')
  })

  it('is refused when it lists a day twice', () => {
    const doubled = { ...feed, scotland: { ...feed.scotland, events: [...feed.scotland.events, feed.scotland.events[0]] } }
    expect(() => parseHolidayFeed(doubled)).toThrow('scotland lists 2025-01-01 twice')
  })

  it('is read from a file, and a file that is not JSON is refused by name', () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'bank-holidays-'))
    const good = path.join(folder, 'good.json')
    writeFileSync(good, JSON.stringify(feed))
    expect(loadHolidayFeedFile(good)).toEqual(feed)
    const bad = path.join(folder, 'bad.json')
    writeFileSync(bad, '<html>Page not found</html>')
    expect(() => loadHolidayFeedFile(bad)).toThrow(
      `The bank holiday list ${bad} is not in the GOV.UK bank holidays format: it is not valid JSON`,
    )
    expect(() => loadHolidayFeedFile(path.join(folder, 'absent.json'))).toThrow('the file cannot be read')
  })
})
