import { nextStatus, type RequestState } from './lifecycle.ts'

/**
 * What a contractor's operative records at a job, each one a step in the request's lifecycle:
 * the work is done, nobody let them in, or they have started work that needs another visit.
 */
export const workOutcomes = ['complete', 'record-no-access', 'start-work'] as const
export type WorkOutcome = (typeof workOutcomes)[number]

export function isWorkOutcome(value: string): value is WorkOutcome {
  return (workOutcomes as readonly string[]).includes(value)
}

/** The outcomes the lifecycle allows from where the job is now, so the page offers only those. */
export function outcomesAllowed(state: RequestState): WorkOutcome[] {
  return workOutcomes.filter((outcome) => nextStatus(state, { type: outcome }).allowed)
}

/**
 * What is missing from an outcome as the operative sent it, as message keys by field. An outcome
 * the lifecycle no longer allows is left for the lifecycle to refuse, in its own words.
 */
export function outcomeProblems(report: { outcome: string; note: string }): Record<string, string> {
  if (!isWorkOutcome(report.outcome)) return { outcome: 'requests.work.errors.outcomeMissing' }
  // The council has to show the tenant it tried, so a visit without access is always explained.
  if (report.outcome === 'record-no-access' && report.note.trim() === '') return { note: 'requests.work.errors.noAccessNoteMissing' }
  return {}
}
