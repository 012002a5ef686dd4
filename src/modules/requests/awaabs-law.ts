import { defaultCalendar, type Calendar } from '../../lib/calendar/calendar.ts'
import { addDays } from '../../lib/calendar/plain-date.ts'
import { endOfUkDay, ukDateOf } from '../../lib/calendar/uk-time.ts'
import type { Priority } from './targets.ts'

/**
 * The clocks Awaab's Law (the Hazards in Social Housing (Prescribed Requirements) (England)
 * Regulations 2025) sets a social landlord in England, from the moment it becomes aware of a
 * potential hazard. The caller decides that the law applies (a council landlord in England, a
 * social tenancy); this decides only when each duty falls due and whether it was met.
 *
 * Emergency hazard: investigate, and make the home safe, within 24 hours of becoming aware.
 * Significant hazard (damp and mould):
 *   - investigate within 10 working days of becoming aware;
 *   - give the tenant a written summary within 3 working days of the investigation concluding;
 *   - if it finds a significant hazard, do the safety work within 5 working days of the
 *     investigation concluding (not of the summary: both clocks start at the conclusion);
 *   - if further work is needed, begin it, or take steps to begin it, within 5 working days of the
 *     investigation concluding, and physically start it within 12 weeks of the conclusion.
 * The written summary is owed after every investigation, emergency ones included.
 *
 * "Within N working days of" a day excludes that day: the period ends at midnight, UK time, at the
 * end of the Nth working day after it, whatever the hour the landlord became aware. Working days
 * are those of England, whatever region the council's own calendar uses. A duty met at or after
 * the moment its period ends was met late.
 */

export type AwaabsLawHazard = 'emergency' | 'significant'

export interface AwaabsLawMilestones {
  /** The hazard as first reported: a potential emergency or a potential significant hazard. */
  reportedHazard: AwaabsLawHazard
  becameAwareAt: Date
  investigationConcludedAt?: Date | null
  /** What the investigation found; meaningful once it has concluded. */
  hazardFound?: AwaabsLawHazard | 'none' | null
  writtenSummaryGivenAt?: Date | null
  /** The relevant safety work done: the home made safe. */
  safetyWorkDoneAt?: Date | null
  /** The investigation found that work beyond making safe is needed to put the hazard right. */
  furtherWorkNeeded?: boolean
  /** Further work begun, or the steps to begin it taken (ordering materials, booking a contractor). */
  furtherWorkStepsTakenAt?: Date | null
  /** Further work physically started in the home. */
  furtherWorkStartedAt?: Date | null
}

/** A report the council must attend within a day is a potential emergency hazard; any other, a significant one. */
export function hazardReportedFor(priority: Priority): AwaabsLawHazard {
  return priority === 'immediate' || priority === 'emergency' ? 'emergency' : 'significant'
}

export const awaabsLawDuties = [
  'investigate',
  'make-safe-emergency',
  'give-written-summary',
  'make-safe',
  'begin-further-work',
  'start-further-work',
] as const
export type AwaabsLawDuty = (typeof awaabsLawDuties)[number]

export type AwaabsLawClockState = 'running' | 'met' | 'met-late' | 'breached'

export interface AwaabsLawClock {
  duty: AwaabsLawDuty
  /** The moment the period ends. */
  dueAt: Date
  metAt: Date | null
  state: AwaabsLawClockState
}

const hour = 60 * 60 * 1000
const twelveWeeks = 12 * 7

function afterHours(start: Date, hours: number): Date {
  return new Date(start.getTime() + hours * hour)
}

function afterWorkingDays(start: Date, workingDays: number, calendar: Calendar): Date {
  return endOfUkDay(calendar.addWorkingDays(ukDateOf(start), workingDays, 'england-and-wales'))
}

function clock(duty: AwaabsLawDuty, dueAt: Date, metAt: Date | null | undefined, now: Date): AwaabsLawClock {
  const met = metAt ?? null
  let state: AwaabsLawClockState
  if (met) state = met.getTime() < dueAt.getTime() ? 'met' : 'met-late'
  else state = now.getTime() < dueAt.getTime() ? 'running' : 'breached'
  return { duty, dueAt, metAt: met, state }
}

/**
 * Every clock that has started by now, with its due time and state at `now`. Clocks that depend
 * on the investigation's findings appear once it has concluded.
 */
export function awaabsLawClocks(milestones: AwaabsLawMilestones, now: Date, calendar: Calendar = defaultCalendar): AwaabsLawClock[] {
  const { reportedHazard, becameAwareAt, investigationConcludedAt: concluded, hazardFound } = milestones
  const emergency = reportedHazard === 'emergency'
  const clocks: AwaabsLawClock[] = [
    clock('investigate', emergency ? afterHours(becameAwareAt, 24) : afterWorkingDays(becameAwareAt, 10, calendar), concluded, now),
  ]
  // Until the investigation says otherwise, a reported emergency must be made safe within the day.
  if (emergency && (!concluded || hazardFound === 'emergency')) {
    clocks.push(clock('make-safe-emergency', afterHours(becameAwareAt, 24), milestones.safetyWorkDoneAt, now))
  }
  if (!concluded) return clocks

  clocks.push(clock('give-written-summary', afterWorkingDays(concluded, 3, calendar), milestones.writtenSummaryGivenAt, now))
  if (!emergency && hazardFound === 'emergency') {
    // An emergency found only by investigating: the landlord became aware of it when it concluded.
    clocks.push(clock('make-safe-emergency', afterHours(concluded, 24), milestones.safetyWorkDoneAt, now))
  }
  if (hazardFound === 'significant') {
    clocks.push(clock('make-safe', afterWorkingDays(concluded, 5, calendar), milestones.safetyWorkDoneAt, now))
  }
  if ((hazardFound === 'significant' || hazardFound === 'emergency') && milestones.furtherWorkNeeded) {
    clocks.push(clock('begin-further-work', afterWorkingDays(concluded, 5, calendar), milestones.furtherWorkStepsTakenAt, now))
    clocks.push(
      clock('start-further-work', endOfUkDay(addDays(ukDateOf(concluded), twelveWeeks)), milestones.furtherWorkStartedAt, now),
    )
  }
  return clocks
}

/** The duties breached at `now`, missed or met late. */
export function awaabsLawBreaches(milestones: AwaabsLawMilestones, now: Date, calendar: Calendar = defaultCalendar): AwaabsLawDuty[] {
  return awaabsLawClocks(milestones, now, calendar)
    .filter((each) => each.state === 'breached' || each.state === 'met-late')
    .map((each) => each.duty)
}

/** What staff record as it happens; each is recorded once, at the moment it happened. */
export const awaabsLawMilestoneKinds = [
  'investigation-concluded',
  'written-summary-given',
  'safety-work-done',
  'further-work-steps-taken',
  'further-work-started',
] as const
export type AwaabsLawMilestoneKind = (typeof awaabsLawMilestoneKinds)[number]

export type AwaabsLawMilestone =
  | { kind: 'investigation-concluded'; at: Date; hazardFound: AwaabsLawHazard | 'none'; furtherWorkNeeded: boolean }
  | { kind: Exclude<AwaabsLawMilestoneKind, 'investigation-concluded'>; at: Date }

export type MilestoneRefusal = 'already-recorded' | 'in-the-future' | 'before-aware' | 'needs-investigation' | 'before-investigation' | 'not-needed'

export type MilestoneResult = { recorded: true; milestones: AwaabsLawMilestones } | { recorded: false; refusal: MilestoneRefusal }

const recordedAt: Record<Exclude<AwaabsLawMilestoneKind, 'investigation-concluded'>, keyof AwaabsLawMilestones> = {
  'written-summary-given': 'writtenSummaryGivenAt',
  'safety-work-done': 'safetyWorkDoneAt',
  'further-work-steps-taken': 'furtherWorkStepsTakenAt',
  'further-work-started': 'furtherWorkStartedAt',
}

/**
 * The milestones still to record, in the order they usually happen. Making an emergency safe can
 * come before the investigation concludes; everything else follows from what it found.
 */
export function awaabsLawMilestonesDue(milestones: AwaabsLawMilestones): AwaabsLawMilestoneKind[] {
  const due: AwaabsLawMilestoneKind[] = []
  const concluded = Boolean(milestones.investigationConcludedAt)
  if (!concluded) due.push('investigation-concluded')
  const hazard = concluded ? milestones.hazardFound : milestones.reportedHazard
  if (!milestones.safetyWorkDoneAt && (hazard === 'emergency' || (concluded && hazard === 'significant'))) due.push('safety-work-done')
  if (!concluded) return due
  if (!milestones.writtenSummaryGivenAt) due.splice(0, 0, 'written-summary-given')
  if (milestones.furtherWorkNeeded && hazard !== 'none') {
    if (!milestones.furtherWorkStepsTakenAt) due.push('further-work-steps-taken')
    if (!milestones.furtherWorkStartedAt) due.push('further-work-started')
  }
  return due
}

/** The milestones with one more recorded, or why it cannot be: each only once, in order, never in the future. */
export function recordAwaabsLawMilestone(milestones: AwaabsLawMilestones, milestone: AwaabsLawMilestone, now: Date): MilestoneResult {
  const refuse = (refusal: MilestoneRefusal): MilestoneResult => ({ recorded: false, refusal })
  if (milestone.at.getTime() > now.getTime()) return refuse('in-the-future')
  if (milestone.at.getTime() < milestones.becameAwareAt.getTime()) return refuse('before-aware')
  if (milestone.kind === 'investigation-concluded') {
    if (milestones.investigationConcludedAt) return refuse('already-recorded')
    return {
      recorded: true,
      milestones: {
        ...milestones,
        investigationConcludedAt: milestone.at,
        hazardFound: milestone.hazardFound,
        furtherWorkNeeded: milestone.hazardFound !== 'none' && milestone.furtherWorkNeeded,
      },
    }
  }
  const field = recordedAt[milestone.kind]
  if (milestones[field]) return refuse('already-recorded')
  const concluded = milestones.investigationConcludedAt
  const emergencyMadeSafeFirst = milestone.kind === 'safety-work-done' && !concluded && milestones.reportedHazard === 'emergency'
  if (!emergencyMadeSafeFirst) {
    if (!concluded) return refuse('needs-investigation')
    if (milestone.at.getTime() < concluded.getTime()) return refuse('before-investigation')
  }
  if (!awaabsLawMilestonesDue(milestones).includes(milestone.kind)) return refuse('not-needed')
  return { recorded: true, milestones: { ...milestones, [field]: milestone.at } }
}
