/**
 * How a new request's priority, job and legal regime follow from its answers. Staff confirm or
 * change the job and priority at triage; these rules give every request a sensible starting point
 * (and so a target date) the moment it is made.
 *
 * The priority is decided in this order:
 *  1. the definition's priority rules, in order, the first that holds winning, because they
 *     express overriding risks such as a vulnerable household;
 *  2. the default priority of the job the answers point to (the last answered option that carries
 *     a job, which is the most specific description);
 *  3. the definition's default priority.
 * Only answers to questions still shown count.
 */
import {
  isChoiceQuestion,
  type Job,
  type LocalisedText,
  type Priority,
  type PriorityRule,
  type Regime,
  type ServiceDefinition,
  type TenantPlace,
} from './definition.ts'
import type { TargetTime } from '../requests/index.ts'
import { conditionHolds, pruneHiddenAnswers, visibleQuestions, type Answers } from './questions.ts'

export interface SelectedJob extends Job {
  /** The question and option the job came from, so staff can see why it was suggested. */
  question: string
  option: string
}

export type PriorityReason =
  | { kind: 'rule'; index: number; rule: PriorityRule }
  | { kind: 'job'; job: SelectedJob }
  | { kind: 'default' }

export interface PriorityDecision {
  priority: Priority
  reason: PriorityReason
}

function chosenValues(answer: Answers[string] | undefined): string[] {
  if (typeof answer === 'string') return [answer]
  return Array.isArray(answer) ? answer : []
}

/** The chosen options of every question shown, in the order they were asked. */
function chosenOptions(definition: ServiceDefinition, answers: Answers) {
  const shown = pruneHiddenAnswers(definition, answers)
  return visibleQuestions(definition, shown)
    .filter(isChoiceQuestion)
    .flatMap((question) => {
      const chosen = chosenValues(shown[question.id])
      return question.options.filter((option) => chosen.includes(option.value)).map((option) => ({ question, option }))
    })
}

/** The job the answers describe: the most specific chosen option that carries one. */
export function jobFor(definition: ServiceDefinition, answers: Answers): SelectedJob | undefined {
  const withJob = chosenOptions(definition, answers).filter(({ option }) => option.job !== undefined)
  const last = withJob.at(-1)
  return last && { ...last.option.job!, question: last.question.id, option: last.option.value }
}

export interface OfferedJob extends Job {
  /** The answer that describes it, which says what the job is in the tenant's words. */
  label: LocalisedText
}

/** Every job the service's answers can point to, each code once, in the order the questions ask. */
export function jobsOf(definition: ServiceDefinition): OfferedJob[] {
  const jobs = new Map<string, OfferedJob>()
  for (const question of definition.questions.filter(isChoiceQuestion)) {
    for (const option of question.options) {
      if (option.job && !jobs.has(option.job.code)) jobs.set(option.job.code, { ...option.job, label: option.label })
    }
  }
  return [...jobs.values()]
}

export function priorityDecision(definition: ServiceDefinition, answers: Answers): PriorityDecision {
  const shown = pruneHiddenAnswers(definition, answers)
  const index = definition.priority.rules.findIndex((rule) => conditionHolds(rule.when, shown))
  if (index >= 0) {
    const rule = definition.priority.rules[index]!
    return { priority: rule.priority, reason: { kind: 'rule', index, rule } }
  }
  const job = jobFor(definition, shown)
  if (job) return { priority: job.priority, reason: { kind: 'job', job } }
  return { priority: definition.priority.default, reason: { kind: 'default' } }
}

export function priorityFor(definition: ServiceDefinition, answers: Answers): Priority {
  return priorityDecision(definition, answers).priority
}

/** The legal regimes the answers bring in, such as Awaab's Law for damp and mould, each once. */
export function regimesFor(definition: ServiceDefinition, answers: Answers): Regime[] {
  const regimes = chosenOptions(definition, answers).flatMap(({ option }) => (option.regime ? [option.regime] : []))
  return [...new Set(regimes)]
}

/**
 * The property a tenant's request is about: the block when they chose its shared areas, otherwise
 * their home. A home that is not in a block has no shared areas to choose.
 */
export function propertyFor(definition: ServiceDefinition, answers: Answers, home: { uprn: number; parentUprn: number | null }): number {
  const place: TenantPlace | undefined = chosenOptions(definition, answers).findLast(({ option }) => option.place !== undefined)?.option.place
  return place === 'block' && home.parentUprn !== null ? home.parentUprn : home.uprn
}

/** The service's own target for a priority, or undefined when the council's standard target applies. */
export function serviceTarget(definition: ServiceDefinition, priority: Priority): TargetTime | undefined {
  return definition.targets[priority]
}
