import { describe, expect, it } from 'vitest'
import { createCalendar, defaultCalendar, holidayFeedByRule, ukWallClock } from '../../../src/lib/calendar/index.ts'
import {
  defaultPriorityPolicy,
  isNearlyDue,
  isOverdue,
  receivedOn,
  targetDate,
  targetDateWithPauses,
  type Pause,
  type PriorityPolicy,
} from '../../../src/modules/requests/targets.ts'

const england = defaultCalendar.forRegion('england-and-wales')
const scotland = defaultCalendar.forRegion('scotland')
const at = (iso: string) => new Date(iso)
const pause = (from: string, to: string | null): Pause => ({ from: at(from), to: to === null ? null : at(to) })

describe('targets in hours', () => {
  it('an emergency is due 24 elapsed hours after the report, weekends and bank holidays included', () => {
    expect(targetDate('emergency', at('2026-12-24T22:00:00Z'), england)).toEqual(at('2026-12-25T22:00:00Z'))
  })

  it('a 2-hour target reported at 00:30 on the day the clocks go forward is due at 03:30 BST, two real hours later', () => {
    const due = targetDate('immediate', at('2026-03-29T00:30:00Z'), england)
    expect(due).toEqual(at('2026-03-29T02:30:00Z'))
    expect(ukWallClock(due)).toEqual({ date: '2026-03-29', minutes: 3 * 60 + 30 })
  })

  it('a 24-hour target across the night the clocks go back is due an hour earlier on the clock', () => {
    const due = targetDate('emergency', at('2026-10-24T11:00:00Z'), england)
    expect(due).toEqual(at('2026-10-25T11:00:00Z'))
    expect(ukWallClock(due).minutes).toBe(11 * 60)
  })
})

describe('targets in working days', () => {
  it('a routine repair reported on a Friday evening is due at the close of the 20th working day after the Monday', () => {
    const reportedAt = at('2025-06-06T17:30:00Z')
    expect(receivedOn(reportedAt, england)).toBe('2025-06-09')
    expect(targetDate('routine', reportedAt, england)).toEqual(at('2025-07-07T16:00:00Z'))
  })

  it('a routine repair reported on a Friday afternoon counts the Friday as its day of receipt', () => {
    expect(targetDate('routine', at('2025-06-06T14:00:00Z'), england)).toEqual(at('2025-07-04T16:00:00Z'))
  })

  it('a report at closing time counts from the next working day; a minute before, from the same day', () => {
    expect(receivedOn(at('2025-06-04T16:00:00Z'), england)).toBe('2025-06-05')
    expect(receivedOn(at('2025-06-04T15:59:00Z'), england)).toBe('2025-06-04')
    expect(receivedOn(at('2025-06-04T05:00:00Z'), england)).toBe('2025-06-04')
  })

  it('the target skips Good Friday and Easter Monday', () => {
    expect(targetDate('urgent', at('2025-04-16T09:00:00Z'), england)).toEqual(at('2025-04-25T16:00:00Z'))
  })

  it('in Scotland the target skips Good Friday but counts Easter Monday', () => {
    expect(targetDate('urgent', at('2025-04-16T09:00:00Z'), scotland)).toEqual(at('2025-04-24T16:00:00Z'))
  })

  it('the target skips Christmas, the Boxing Day substitute and New Year’s Day', () => {
    expect(targetDate('urgent', at('2026-12-23T10:00:00Z'), england)).toEqual(at('2027-01-04T17:00:00Z'))
    expect(targetDate('urgent', at('2026-12-23T10:00:00Z'), scotland)).toEqual(at('2027-01-05T17:00:00Z'))
  })

  it('a repair reported on a bank holiday is received on the next working day', () => {
    expect(targetDate('urgent', at('2025-08-25T10:00:00Z'), england)).toEqual(at('2025-09-02T16:00:00Z'))
  })

  it('a target across the spring clock change closes at 17:00 BST', () => {
    expect(targetDate('urgent', at('2026-03-26T10:00:00Z'), england)).toEqual(at('2026-04-02T16:00:00Z'))
  })

  it('closes when the council’s working day closes', () => {
    const calendar = createCalendar(holidayFeedByRule(2025, 2025), { workingHours: { opens: '08:00', closes: '16:00' } })
    expect(targetDate('urgent', at('2025-04-16T09:00:00Z'), calendar.forRegion('england-and-wales'))).toEqual(
      at('2025-04-25T15:00:00Z'),
    )
  })
})

describe('a council’s own priority policy', () => {
  const policy: PriorityPolicy = { ...defaultPriorityPolicy, emergency: { hours: 4 }, urgent: { workingDays: 3 } }

  it('sets the target times', () => {
    expect(targetDate('emergency', at('2025-06-06T17:30:00Z'), england, policy)).toEqual(at('2025-06-06T21:30:00Z'))
    expect(targetDate('urgent', at('2025-06-06T14:00:00Z'), england, policy)).toEqual(at('2025-06-11T16:00:00Z'))
  })

})

describe('time on hold', () => {
  const reportedAt = at('2026-06-01T09:00:00Z')

  it('changes nothing when there were no pauses', () => {
    expect(targetDateWithPauses('routine', at('2025-06-06T17:30:00Z'), [], england)).toEqual(
      targetDate('routine', at('2025-06-06T17:30:00Z'), england),
    )
    expect(targetDateWithPauses('immediate', at('2026-03-29T00:30:00Z'), [], england)).toEqual(at('2026-03-29T02:30:00Z'))
  })

  it('extends an hours target by the time paused after the report', () => {
    expect(targetDateWithPauses('emergency', reportedAt, [pause('2026-06-01T10:00:00Z', '2026-06-01T13:00:00Z')], england)).toEqual(
      at('2026-06-02T12:00:00Z'),
    )
  })

  it('counts only the part of a pause after the report, and overlapping pauses once', () => {
    const pauses = [
      pause('2026-05-31T10:00:00Z', '2026-06-01T10:00:00Z'),
      pause('2026-06-01T12:00:00Z', '2026-06-01T14:00:00Z'),
      pause('2026-06-01T13:00:00Z', '2026-06-01T15:00:00Z'),
    ]
    expect(targetDateWithPauses('emergency', reportedAt, pauses, england)).toEqual(at('2026-06-02T13:00:00Z'))
  })

  it('does not move a target for a pause that began after it had passed', () => {
    expect(targetDateWithPauses('immediate', reportedAt, [pause('2026-06-01T12:00:00Z', '2026-06-03T12:00:00Z')], england)).toEqual(
      at('2026-06-01T11:00:00Z'),
    )
  })

  describe('for a target in working days', () => {
    // Reported Monday 1 June 2026 at 10:00 BST: day 1 is Tuesday, due Monday 8 June at 17:00 BST.
    it('is due on that Monday without pauses', () => {
      expect(targetDate('urgent', reportedAt, england)).toEqual(at('2026-06-08T16:00:00Z'))
    })

    it('a whole working day on hold makes it due a working day later', () => {
      expect(targetDateWithPauses('urgent', reportedAt, [pause('2026-06-03T08:00:00Z', '2026-06-03T16:00:00Z')], england)).toEqual(
        at('2026-06-09T16:00:00Z'),
      )
    })

    it('a morning on hold makes it due that many working hours into the next working day', () => {
      expect(targetDateWithPauses('urgent', reportedAt, [pause('2026-06-03T08:00:00Z', '2026-06-03T12:00:00Z')], england)).toEqual(
        at('2026-06-09T12:00:00Z'),
      )
    })

    it('a hold overnight, over a weekend, or on the day of receipt takes nothing off', () => {
      const pauses = [
        pause('2026-06-03T16:30:00Z', '2026-06-04T07:30:00Z'),
        pause('2026-06-05T16:00:00Z', '2026-06-08T08:00:00Z'),
        pause('2026-06-01T10:00:00Z', '2026-06-01T15:00:00Z'),
      ]
      expect(targetDateWithPauses('urgent', reportedAt, pauses, england)).toEqual(at('2026-06-08T16:00:00Z'))
    })

    it('a hold from Friday afternoon to Monday morning counts only the working hours in it', () => {
      expect(targetDateWithPauses('urgent', reportedAt, [pause('2026-06-05T14:00:00Z', '2026-06-08T10:00:00Z')], england)).toEqual(
        at('2026-06-09T12:00:00Z'),
      )
    })

    it('a hold over a bank holiday does not count the bank holiday', () => {
      // Urgent, reported Thursday 21 May 2026: due Friday 29 May, after the spring bank holiday on the 25th.
      const reported = at('2026-05-21T09:00:00Z')
      expect(targetDate('urgent', reported, england)).toEqual(at('2026-05-29T16:00:00Z'))
      expect(targetDateWithPauses('urgent', reported, [pause('2026-05-22T16:00:00Z', '2026-05-26T08:00:00Z')], england)).toEqual(
        at('2026-05-29T16:00:00Z'),
      )
    })
  })

  it('has no target while still on hold short of it', () => {
    expect(targetDateWithPauses('urgent', reportedAt, [pause('2026-06-03T08:00:00Z', null)], england)).toBeNull()
    expect(targetDateWithPauses('emergency', reportedAt, [pause('2026-06-01T10:00:00Z', null)], england)).toBeNull()
  })

  it('keeps the target that was reached before an open hold began', () => {
    expect(targetDateWithPauses('immediate', reportedAt, [pause('2026-06-01T12:00:00Z', null)], england)).toEqual(
      at('2026-06-01T11:00:00Z'),
    )
  })

  it('refuses a pause that ends before it starts', () => {
    expect(() => targetDateWithPauses('urgent', reportedAt, [pause('2026-06-03T12:00:00Z', '2026-06-03T08:00:00Z')], england)).toThrow(
      RangeError,
    )
  })
})

describe('overdue and nearly due', () => {
  const target = at('2026-06-08T16:00:00Z')

  it('is overdue only once the target has passed', () => {
    expect(isOverdue(target, at('2026-06-08T16:00:00Z'))).toBe(false)
    expect(isOverdue(target, at('2026-06-08T16:00:01Z'))).toBe(true)
    expect(isOverdue(null, at('2030-01-01T00:00:00Z'))).toBe(false)
  })

  it('is nearly due within the threshold and not once overdue', () => {
    expect(isNearlyDue(target, at('2026-06-07T15:00:00Z'), { hours: 24 })).toBe(false)
    expect(isNearlyDue(target, at('2026-06-07T16:00:00Z'), { hours: 24 })).toBe(true)
    expect(isNearlyDue(target, at('2026-06-08T15:59:00Z'), { hours: 24 })).toBe(true)
    expect(isNearlyDue(target, at('2026-06-08T16:01:00Z'), { hours: 24 })).toBe(false)
    expect(isNearlyDue(null, at('2026-06-08T15:00:00Z'), { hours: 24 })).toBe(false)
  })
})
