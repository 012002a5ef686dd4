import { describe, expect, it } from 'vitest'
import { createCalendar, holidayFeedByRule } from '../../../src/lib/calendar/index.ts'
import {
  awaabsLawBreaches,
  awaabsLawClocks,
  awaabsLawMilestonesDue,
  hazardReportedFor,
  recordAwaabsLawMilestone,
  type AwaabsLawMilestones,
} from '../../../src/modules/requests/awaabs-law.ts'

const at = (iso: string) => new Date(iso)

/** Damp and mould reported on Monday 2 February 2026 at 14:00. */
const dampReport: AwaabsLawMilestones = { reportedHazard: 'significant', becameAwareAt: at('2026-02-02T14:00:00Z') }
const investigated: AwaabsLawMilestones = {
  ...dampReport,
  investigationConcludedAt: at('2026-02-18T11:00:00Z'),
  hazardFound: 'significant',
}

describe('Awaab’s Law clocks for damp and mould', () => {
  it('must be investigated by the end of the 10th working day after the landlord became aware', () => {
    expect(awaabsLawClocks(dampReport, at('2026-02-10T09:00:00Z'))).toEqual([
      { duty: 'investigate', dueAt: at('2026-02-17T00:00:00Z'), metAt: null, state: 'running' },
    ])
  })

  it('counts from the next working day whatever the hour, skipping Good Friday and Easter Monday', () => {
    const thursdayEvening = at('2026-04-02T20:00:00Z')
    const [investigate] = awaabsLawClocks({ reportedHazard: 'significant', becameAwareAt: thursdayEvening }, thursdayEvening)
    expect(investigate?.dueAt).toEqual(at('2026-04-20T23:00:00Z'))
  })

  it('is breached when the investigation has not concluded in time', () => {
    expect(awaabsLawBreaches(dampReport, at('2026-02-16T23:59:59Z'))).toEqual([])
    expect(awaabsLawBreaches(dampReport, at('2026-02-17T00:00:00Z'))).toEqual(['investigate'])
  })

  it('starts the summary and safety work clocks when the investigation concludes, not when the summary is given', () => {
    expect(awaabsLawClocks(investigated, at('2026-02-19T09:00:00Z'))).toEqual([
      { duty: 'investigate', dueAt: at('2026-02-17T00:00:00Z'), metAt: at('2026-02-18T11:00:00Z'), state: 'met-late' },
      { duty: 'give-written-summary', dueAt: at('2026-02-24T00:00:00Z'), metAt: null, state: 'running' },
      { duty: 'make-safe', dueAt: at('2026-02-26T00:00:00Z'), metAt: null, state: 'running' },
    ])
  })

  it('records duties met in time', () => {
    const clocks = awaabsLawClocks(
      {
        ...investigated,
        investigationConcludedAt: at('2026-02-16T11:00:00Z'),
        writtenSummaryGivenAt: at('2026-02-18T09:00:00Z'),
        safetyWorkDoneAt: at('2026-02-20T15:00:00Z'),
      },
      at('2026-03-02T09:00:00Z'),
    )
    expect(clocks.map(({ duty, state }) => [duty, state])).toEqual([
      ['investigate', 'met'],
      ['give-written-summary', 'met'],
      ['make-safe', 'met'],
    ])
  })

  it('needs further work begun within 5 working days and physically started within 12 weeks of the investigation', () => {
    const clocks = awaabsLawClocks({ ...investigated, furtherWorkNeeded: true }, at('2026-03-02T09:00:00Z'))
    expect(clocks.slice(-2)).toEqual([
      { duty: 'begin-further-work', dueAt: at('2026-02-26T00:00:00Z'), metAt: null, state: 'breached' },
      { duty: 'start-further-work', dueAt: at('2026-05-13T23:00:00Z'), metAt: null, state: 'running' },
    ])
  })

  it('owes only the written summary when the investigation finds no hazard', () => {
    const clocks = awaabsLawClocks({ ...investigated, hazardFound: 'none', furtherWorkNeeded: true }, at('2026-02-19T09:00:00Z'))
    expect(clocks.map((clock) => clock.duty)).toEqual(['investigate', 'give-written-summary'])
  })

  it('counts England’s working days even for a council that uses Scotland’s, so 2 January is a working day', () => {
    const calendar = createCalendar(holidayFeedByRule(2025, 2026))
    expect(calendar.forRegion('scotland').addWorkingDays('2025-12-31', 3)).toBe('2026-01-07')
    const clocks = awaabsLawClocks(
      { ...dampReport, investigationConcludedAt: at('2025-12-31T10:00:00Z'), hazardFound: 'none' },
      at('2025-12-31T10:00:00Z'),
      calendar,
    )
    expect(clocks.find((clock) => clock.duty === 'give-written-summary')?.dueAt).toEqual(at('2026-01-07T00:00:00Z'))
  })
})

describe('Awaab’s Law clocks for emergency hazards', () => {
  const emergency: AwaabsLawMilestones = { reportedHazard: 'emergency', becameAwareAt: at('2026-02-07T14:00:00Z') }

  it('must be investigated and made safe within 24 hours, weekend or not', () => {
    expect(awaabsLawClocks(emergency, at('2026-02-08T13:00:00Z'))).toEqual([
      { duty: 'investigate', dueAt: at('2026-02-08T14:00:00Z'), metAt: null, state: 'running' },
      { duty: 'make-safe-emergency', dueAt: at('2026-02-08T14:00:00Z'), metAt: null, state: 'running' },
    ])
    expect(awaabsLawBreaches(emergency, at('2026-02-08T14:00:00Z'))).toEqual(['investigate', 'make-safe-emergency'])
  })

  it('drops the 24-hour safety work clock when the investigation finds no emergency', () => {
    const clocks = awaabsLawClocks(
      { ...emergency, investigationConcludedAt: at('2026-02-07T18:00:00Z'), hazardFound: 'none' },
      at('2026-02-09T09:00:00Z'),
    )
    expect(clocks.map(({ duty, state }) => [duty, state])).toEqual([
      ['investigate', 'met'],
      ['give-written-summary', 'running'],
    ])
  })

  it('gives 24 hours from the investigation when one into damp finds an emergency', () => {
    const clocks = awaabsLawClocks({ ...investigated, hazardFound: 'emergency' }, at('2026-02-18T12:00:00Z'))
    expect(clocks.find((clock) => clock.duty === 'make-safe-emergency')?.dueAt).toEqual(at('2026-02-19T11:00:00Z'))
  })
})

describe('recording what has been done under Awaab’s Law', () => {
  const now = at('2026-03-02T12:00:00Z')

  it('records the investigation’s findings, which start the clocks that follow from them', () => {
    const result = recordAwaabsLawMilestone(dampReport, { kind: 'investigation-concluded', at: at('2026-02-10T10:00:00Z'), hazardFound: 'significant', furtherWorkNeeded: true }, now)
    expect(result.recorded).toBe(true)
    if (!result.recorded) return
    expect(result.milestones).toMatchObject({ investigationConcludedAt: at('2026-02-10T10:00:00Z'), hazardFound: 'significant', furtherWorkNeeded: true })
    expect(awaabsLawMilestonesDue(result.milestones)).toEqual(['written-summary-given', 'safety-work-done', 'further-work-steps-taken', 'further-work-started'])
    expect(awaabsLawClocks(result.milestones, now).map((clock) => clock.duty)).toEqual(['investigate', 'give-written-summary', 'make-safe', 'begin-further-work', 'start-further-work'])
  })

  it('asks only for the written summary when no hazard was found, and never for further work', () => {
    const result = recordAwaabsLawMilestone(dampReport, { kind: 'investigation-concluded', at: at('2026-02-10T10:00:00Z'), hazardFound: 'none', furtherWorkNeeded: true }, now)
    expect(result.recorded && result.milestones.furtherWorkNeeded).toBe(false)
    expect(result.recorded && awaabsLawMilestonesDue(result.milestones)).toEqual(['written-summary-given'])
  })

  it('lets an emergency be made safe before the investigation concludes, but nothing else', () => {
    const emergency: AwaabsLawMilestones = { reportedHazard: 'emergency', becameAwareAt: at('2026-02-02T14:00:00Z') }
    expect(awaabsLawMilestonesDue(emergency)).toEqual(['investigation-concluded', 'safety-work-done'])
    expect(recordAwaabsLawMilestone(emergency, { kind: 'safety-work-done', at: at('2026-02-02T20:00:00Z') }, now)).toMatchObject({ recorded: true })
    expect(recordAwaabsLawMilestone(dampReport, { kind: 'safety-work-done', at: at('2026-02-02T20:00:00Z') }, now)).toEqual({ recorded: false, refusal: 'needs-investigation' })
    expect(recordAwaabsLawMilestone(dampReport, { kind: 'written-summary-given', at: at('2026-02-03T20:00:00Z') }, now)).toEqual({ recorded: false, refusal: 'needs-investigation' })
  })

  it('refuses a time in the future, before the report, before the investigation, or a second time', () => {
    expect(recordAwaabsLawMilestone(dampReport, { kind: 'investigation-concluded', at: at('2026-03-02T12:00:01Z'), hazardFound: 'none', furtherWorkNeeded: false }, now)).toEqual({ recorded: false, refusal: 'in-the-future' })
    expect(recordAwaabsLawMilestone(dampReport, { kind: 'investigation-concluded', at: at('2026-02-01T12:00:00Z'), hazardFound: 'none', furtherWorkNeeded: false }, now)).toEqual({ recorded: false, refusal: 'before-aware' })
    expect(recordAwaabsLawMilestone(investigated, { kind: 'written-summary-given', at: at('2026-02-17T12:00:00Z') }, now)).toEqual({ recorded: false, refusal: 'before-investigation' })
    expect(recordAwaabsLawMilestone(investigated, { kind: 'investigation-concluded', at: at('2026-02-19T12:00:00Z'), hazardFound: 'none', furtherWorkNeeded: false }, now)).toEqual({ recorded: false, refusal: 'already-recorded' })
    expect(recordAwaabsLawMilestone(investigated, { kind: 'further-work-started', at: at('2026-02-19T12:00:00Z') }, now)).toEqual({ recorded: false, refusal: 'not-needed' })
  })

  it('treats a report the council must attend within a day as a potential emergency hazard', () => {
    expect(['immediate', 'emergency', 'urgent', 'routine'].map((priority) => hazardReportedFor(priority as 'urgent'))).toEqual(['emergency', 'emergency', 'significant', 'significant'])
  })
})
