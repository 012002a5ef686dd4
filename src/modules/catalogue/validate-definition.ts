/**
 * Checks a service definition before it is stored, so the form engine never meets one it cannot
 * run. The shape is checked first; then the things a shape cannot say: that ids are unique, that
 * branching only looks back at earlier answers that exist, that priority rules name real answers, that routing rules name trades the jobs have,
 * that placeholders are ones the council profile fills in. Every problem names where it is
 * ("questions[3].showWhen") and says what is wrong in words a catalogue editor can act on.
 */
import type { z } from 'zod'
import { DomainError } from '../../lib/errors.ts'
import {
  definitionPlaceholders,
  definitionSchema,
  isChoiceQuestion,
  linkEntrySchema,
  isInterruption,
  open311DatatypesByKind,
  pageIdOf,
  patternRegExp,
  placeholdersIn,
  questionKinds,
  type CatalogueEntry,
  type Condition,
  type LinkEntry,
  type Question,
  type ServiceDefinition,
} from './definition.ts'
import { tradesOf } from './routing.ts'
import { topics } from './topics.ts'

export interface DefinitionProblem {
  /** Where the problem is, written as in JavaScript: "questions[3].options[1].value". */
  path: string
  message: string
  /** The id of the question the problem is in, which is easier to find than its position. */
  question?: string
}

export type DefinitionValidation = { valid: true; definition: ServiceDefinition } | { valid: false; problems: DefinitionProblem[] }
export type EntryValidation = { valid: true; entry: CatalogueEntry } | { valid: false; problems: DefinitionProblem[] }

export class InvalidDefinition extends DomainError {
  constructor(readonly problems: DefinitionProblem[]) {
    super(problems.map(describeProblem).join('; '))
  }
}

/** Page names the engine keeps for its own pages, which a question's page would clash with. */
export const reservedPageIds = ['start', 'check-answers', 'confirmation', 'go', 'nearby', 'guest', 'sent', 'enter-code'] as const

type PathPart = string | number | symbol

export function formatPath(path: readonly PathPart[]): string {
  let text = ''
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`
    else text += text === '' ? String(part) : `.${String(part)}`
  }
  return text === '' ? 'definition' : text
}

export function describeProblem(problem: DefinitionProblem): string {
  return `${problem.path} ${problem.message}`
}

const typeNames: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
}

/** Plain words for the shape checks that have no message of their own. */
const plainMessages: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'is required' : `must be ${typeNames[issue.expected] ?? issue.expected}`
    case 'invalid_value':
      return `must be one of: ${issue.values.map(String).join(', ')}`
    case 'invalid_union':
      if (issue.note === 'No matching discriminator') {
        const input = issue.input as Record<string, unknown> | undefined
        const kinds = questionKinds.join(', ')
        return input?.kind === undefined ? `is required: one of ${kinds}` : `must be one of: ${kinds}`
      }
      return undefined
    case 'too_small':
      return issue.origin === 'array' ? `must have at least ${String(issue.minimum)}` : undefined
    default:
      return undefined
  }
}

function shapeProblems(error: z.ZodError, input: unknown): DefinitionProblem[] {
  return error.issues.flatMap((issue) => {
    const paths = issue.code === 'unrecognized_keys' ? issue.keys.map((key) => [...issue.path, key]) : [issue.path]
    return paths.map((path) => {
      const message = issue.code === 'unrecognized_keys' ? 'is not part of the format' : issue.message
      return withQuestion({ path: formatPath(path), message }, path, input)
    })
  })
}

function withQuestion(problem: DefinitionProblem, path: readonly PathPart[], input: unknown): DefinitionProblem {
  if (path[0] !== 'questions' || typeof path[1] !== 'number') return problem
  const questions = (input as { questions?: unknown } | null)?.questions
  const question = Array.isArray(questions) ? (questions[path[1]] as { id?: unknown } | undefined) : undefined
  return typeof question?.id === 'string' ? { ...problem, question: question.id } : problem
}

type Report = (path: readonly PathPart[], message: string) => void

type ConditionTest = Extract<Condition, { question: string }>

function leafConditions(condition: Condition, path: readonly PathPart[]): { condition: ConditionTest; path: PathPart[] }[] {
  if ('all' in condition) return condition.all.flatMap((part, index) => leafConditions(part, [...path, 'all', index]))
  if ('any' in condition) return condition.any.flatMap((part, index) => leafConditions(part, [...path, 'any', index]))
  return [{ condition, path: [...path] }]
}

/**
 * A condition must name a radios or checkboxes question and values it offers, with the test that
 * suits it: "in" for one answer among several, "anyOf" for ticked boxes.
 */
function checkCondition(
  definition: ServiceDefinition,
  condition: Condition,
  path: readonly PathPart[],
  report: Report,
  askedBefore?: { index: number; pageId: string },
) {
  for (const leaf of leafConditions(condition, path)) {
    const { question: id } = leaf.condition
    const targetIndex = definition.questions.findIndex((question) => question.id === id)
    const target = definition.questions[targetIndex]
    if (!target) {
      report(leaf.path, `refers to question '${id}', which does not exist`)
      continue
    }
    if (askedBefore) {
      if (targetIndex === askedBefore.index) {
        report(leaf.path, `refers to its own question '${id}'; a question can only depend on earlier answers`)
        continue
      }
      if (targetIndex > askedBefore.index) {
        report(leaf.path, `refers to question '${id}' which comes later`)
        continue
      }
      if (pageIdOf(target) === askedBefore.pageId) {
        report(leaf.path, `refers to question '${id}', which is on the same page; it can only depend on answers from earlier pages`)
        continue
      }
    }
    if (!isChoiceQuestion(target)) {
      report(leaf.path, `refers to question '${id}', which is ${kindPhrase(target)}; only radios and checkboxes answers can be tested`)
      continue
    }
    if ('in' in leaf.condition && target.kind === 'checkboxes') {
      report(leaf.path, `uses "in" on checkboxes question '${id}'; use "anyOf" for ticked boxes`)
    }
    if ('anyOf' in leaf.condition && target.kind === 'radios') {
      report(leaf.path, `uses "anyOf" on radios question '${id}'; use "in" for one answer among several`)
    }
    const values = 'equals' in leaf.condition ? [leaf.condition.equals] : 'in' in leaf.condition ? leaf.condition.in : leaf.condition.anyOf
    for (const value of values) {
      if (!target.options.some((option) => option.value === value)) {
        report(leaf.path, `refers to '${value}', which is not an option of question '${id}'`)
      }
    }
  }
}

function kindPhrase(question: Question): string {
  const name = question.kind === 'interruption' ? 'interruption' : `${question.kind} question`
  return /^[aeiou]/.test(name) ? `an ${name}` : `a ${name}`
}

function checkQuestions(definition: ServiceDefinition, report: Report) {
  const firstIndexOfId = new Map<string, number>()
  const pageOfIndex = definition.questions.map(pageIdOf)

  definition.questions.forEach((question, index) => {
    const at = (...rest: PathPart[]) => ['questions', index, ...rest]

    const earlier = firstIndexOfId.get(question.id)
    const duplicate = earlier !== undefined
    if (duplicate) report(at('id'), `is '${question.id}', which questions[${earlier}] already uses`)
    else firstIndexOfId.set(question.id, index)

    const pageId = pageOfIndex[index]!
    const pageField = question.page === undefined ? 'id' : 'page'
    if ((reservedPageIds as readonly string[]).includes(pageId)) {
      report(at(pageField), `is '${pageId}', a name kept for the form's own pages`)
    }
    const previousPage = pageOfIndex[index - 1]
    if (!duplicate && previousPage !== pageId && pageOfIndex.slice(0, Math.max(0, index - 1)).includes(pageId)) {
      report(at(pageField), `puts the question on page '${pageId}', but the questions of one page must come one after another`)
    }
    const sharesPage = previousPage === pageId || pageOfIndex[index + 1] === pageId
    if (isInterruption(question) && sharesPage) {
      report(at(pageField), `puts an interruption on page '${pageId}' with other questions; an interruption needs a page of its own`)
    }

    if (question.showWhen) checkCondition(definition, question.showWhen, at('showWhen'), report, { index, pageId })
    else if (isInterruption(question) && question.stopsJourney) {
      report(at('showWhen'), 'is required: an interruption that stops the journey without a condition would stop everyone')
    }

    if (isChoiceQuestion(question)) checkOptions(question, at, report)

    if (question.kind === 'text' || question.kind === 'textarea') {
      if (question.minLength !== undefined && question.minLength > question.maxLength) {
        report(at('minLength'), `is ${question.minLength}, more than the maximum length of ${question.maxLength}`)
      }
    }
    if (question.kind === 'text' && question.pattern) {
      try {
        patternRegExp(question.pattern.regex)
      } catch (error) {
        report(at('pattern', 'regex'), `is not a regular expression: ${(error as Error).message}`)
      }
    }
    if (question.kind === 'photo' && new Set(question.types).size !== question.types.length) {
      report(at('types'), 'lists the same type of image twice')
    }

    if (!isInterruption(question) && question.open311) {
      const allowed = open311DatatypesByKind[question.kind]
      const datatype = question.open311.datatype
      if (!allowed) {
        report(at('open311'), `does not apply: ${question.kind} questions are sent in Open311's own fields, not as attributes`)
      } else if (datatype && !allowed.includes(datatype)) {
        report(at('open311', 'datatype'), `is '${datatype}', but a ${question.kind} question can only be sent as ${allowed.join(' or ')}`)
      }
    }
  })
}

function checkOptions(question: Extract<Question, { kind: 'radios' | 'checkboxes' }>, at: (...rest: PathPart[]) => PathPart[], report: Report) {
  const seen = new Map<string, number>()
  let exclusiveAt: number | undefined
  question.options.forEach((option, optionIndex) => {
    const earlier = seen.get(option.value)
    if (earlier !== undefined) report(at('options', optionIndex, 'value'), `is '${option.value}', which options[${earlier}] already uses`)
    else seen.set(option.value, optionIndex)
    if (option.exclusive) {
      if (question.kind === 'radios') report(at('options', optionIndex, 'exclusive'), 'only applies to checkboxes; radios allow one answer anyway')
      else if (exclusiveAt !== undefined) report(at('options', optionIndex, 'exclusive'), `is also set on options[${exclusiveAt}]; only one option can exclude the others`)
      else exclusiveAt = optionIndex
    }
    if (option.job && question.kind === 'checkboxes') {
      report(at('options', optionIndex, 'job'), 'can only be on a radios option, where one answer describes one piece of work')
    }
  })
}

function checkPriorityRules(definition: ServiceDefinition, report: Report) {
  definition.priority.rules.forEach((rule, index) => checkCondition(definition, rule.when, ['priority', 'rules', index, 'when'], report))
}

function checkRouting(definition: ServiceDefinition, report: Report) {
  const trades = tradesOf(definition)
  definition.routing.forEach((rule, ruleIndex) =>
    rule.trades?.forEach((trade, tradeIndex) => {
      if (!trades.has(trade)) {
        const known = [...trades].sort().join(', ') || 'none'
        report(['routing', ruleIndex, 'trades', tradeIndex], `is '${trade}', which no job in this service has (its trades: ${known})`)
      }
    }),
  )
}

/** Walks every piece of text, so a mistyped {repairPhone} is caught before a tenant sees it. */
function checkPlaceholders(value: unknown, path: PathPart[], report: Report) {
  if (typeof value === 'string') {
    for (const name of placeholdersIn(value)) {
      if (!(definitionPlaceholders as readonly string[]).includes(name)) {
        report(path, `mentions {${name}}, which the council profile does not provide (it provides ${definitionPlaceholders.map((known) => `{${known}}`).join(', ')})`)
      }
    }
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => checkPlaceholders(item, [...path, index], report))
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      // A pattern's {2} is a repeat count, not a placeholder.
      if (key !== 'regex') checkPlaceholders(item, [...path, key], report)
    }
  }
}

function checkTopics(entry: CatalogueEntry, report: Report) {
  entry.topics.forEach((id, index) => {
    if (!topics.some((topic) => topic.id === id)) {
      report(['topics', index], `is '${id}', which is not one of the front door's topics (${topics.map((topic) => topic.id).join(', ')})`)
    }
  })
}

/** Checks a definition as written (a parsed JSON file, or an editor's draft) and gives it back parsed, or every problem found. */
export function validateDefinition(input: unknown): DefinitionValidation {
  const parsed = definitionSchema.safeParse(input, { error: plainMessages })
  if (!parsed.success) return { valid: false, problems: shapeProblems(parsed.error, input) }
  const definition = parsed.data
  const problems: DefinitionProblem[] = []
  const report: Report = (path, message) => problems.push(withQuestion({ path: formatPath(path), message }, path, definition))
  checkQuestions(definition, report)
  checkPriorityRules(definition, report)
  checkRouting(definition, report)
  checkTopics(definition, report)
  checkPlaceholders(definition, [], report)
  return problems.length === 0 ? { valid: true, definition } : { valid: false, problems }
}

function validateLinkEntry(input: unknown): { valid: true; entry: LinkEntry } | { valid: false; problems: DefinitionProblem[] } {
  const parsed = linkEntrySchema.safeParse(input, { error: plainMessages })
  if (!parsed.success) return { valid: false, problems: shapeProblems(parsed.error, input) }
  const problems: DefinitionProblem[] = []
  const report: Report = (path, message) => problems.push({ path: formatPath(path), message })
  checkTopics(parsed.data, report)
  checkPlaceholders(parsed.data, [], report)
  return problems.length === 0 ? { valid: true, entry: parsed.data } : { valid: false, problems }
}

/** Checks any entry of the catalogue: one with a "link" is a service in another system, any other a form run here. */
export function validateEntry(input: unknown): EntryValidation {
  const isLink = typeof input === 'object' && input !== null && 'link' in input
  if (isLink) return validateLinkEntry(input)
  const result = validateDefinition(input)
  return result.valid ? { valid: true, entry: result.definition } : result
}

/** The parsed entry, or InvalidDefinition listing every problem. */
export function parseEntry(input: unknown): CatalogueEntry {
  const result = validateEntry(input)
  if (!result.valid) throw new InvalidDefinition(result.problems)
  return result.entry
}

/** The parsed definition, or InvalidDefinition listing every problem. */
export function parseDefinition(input: unknown): ServiceDefinition {
  const result = validateDefinition(input)
  if (!result.valid) throw new InvalidDefinition(result.problems)
  return result.definition
}
