/**
 * The form engine's rules: which questions a person sees given what they have answered, how those
 * questions fall into "one thing per page" screens, where Continue and Back go, whether an answer
 * is acceptable, and what the check-your-answers page lists. Everything here works on a parsed
 * definition and the answers so far; nothing reads a request, a session or a clock.
 *
 * Answers are keyed by question id. A question that was asked and left blank (it was optional) has
 * the answer null, so the engine can tell "left blank" from "not asked yet".
 */
import type { Translate } from '../../lib/i18n/index.ts'
import {
  isInterruption,
  pageIdOf,
  patternRegExp,
  textIn,
  type AnswerQuestion,
  type CheckboxesQuestion,
  type Condition,
  type DateQuestion,
  type InterruptionQuestion,
  type LocalisedText,
  type PhoneQuestion,
  type PhotoQuestion,
  type Question,
  type RadiosQuestion,
  type ServiceDefinition,
  type TextQuestion,
  type TextareaQuestion,
} from './definition.ts'

/** A property from the address register, as the address finder resolved it. */
export interface AddressAnswer {
  uprn: string
  address: string
}

/** A point the person chose, with the street or place it was matched to for showing back to them. */
export interface LocationAnswer {
  latitude: number
  longitude: number
  easting: number
  northing: number
  /** The nearest street, when the place is on one. */
  usrn?: string
  /** The council ward the place is in. */
  wardCode?: string
  description: string
}

export type AnswerValue = string | string[] | AddressAnswer | LocationAnswer | null
export type Answers = Readonly<Record<string, AnswerValue>>

export type Page =
  | { kind: 'questions'; id: string; questions: AnswerQuestion[] }
  | { kind: 'interruption'; id: string; interruption: InterruptionQuestion }

/** Where the journey goes from a page. */
export type Destination =
  | { kind: 'page'; page: Page }
  | { kind: 'check-answers' }
  /** The journey ended at an interruption, such as a smell of gas: there is nothing more to ask. */
  | { kind: 'stopped'; interruption: InterruptionQuestion }

function matchesAny(answer: AnswerValue | undefined, values: readonly string[]): boolean {
  if (typeof answer === 'string') return values.includes(answer)
  if (Array.isArray(answer)) return answer.some((value) => values.includes(value))
  return false
}

/**
 * Whether a condition holds for the answers given. A question with no answer satisfies nothing, so
 * a page that depends on an unanswered question stays hidden until that question is answered.
 * For checkboxes, "equals" means that box is ticked.
 */
export function conditionHolds(condition: Condition, answers: Answers): boolean {
  if ('all' in condition) return condition.all.every((part) => conditionHolds(part, answers))
  if ('any' in condition) return condition.any.some((part) => conditionHolds(part, answers))
  const answer = answers[condition.question]
  if ('equals' in condition) return matchesAny(answer, [condition.equals])
  if ('in' in condition) return matchesAny(answer, condition.in)
  return matchesAny(answer, condition.anyOf)
}

/**
 * The questions shown for these answers, in order. A condition is judged only on answers to
 * questions that are themselves shown, so hiding a question also hides whatever hung from it; and
 * nothing after an interruption that stops the journey is shown at all.
 */
export function visibleQuestions(definition: ServiceDefinition, answers: Answers): Question[] {
  const shown: Question[] = []
  const shownAnswers: Record<string, AnswerValue> = {}
  for (const question of definition.questions) {
    if (question.showWhen && !conditionHolds(question.showWhen, shownAnswers)) continue
    shown.push(question)
    if (isInterruption(question)) {
      if (question.stopsJourney) break
    } else if (answers[question.id] !== undefined) {
      shownAnswers[question.id] = answers[question.id]!
    }
  }
  return shown
}

function groupIntoPages(questions: readonly Question[]): Page[] {
  const result: Page[] = []
  for (const question of questions) {
    const id = pageIdOf(question)
    if (isInterruption(question)) {
      result.push({ kind: 'interruption', id, interruption: question })
      continue
    }
    const last = result.at(-1)
    if (last?.kind === 'questions' && last.id === id) last.questions.push(question)
    else result.push({ kind: 'questions', id, questions: [question] })
  }
  return result
}

/** Every page the definition could show, in order, whatever the answers. */
export function allPages(definition: ServiceDefinition): Page[] {
  return groupIntoPages(definition.questions)
}

/** The pages shown for these answers, in order: the "one thing per page" journey. */
export function pages(definition: ServiceDefinition, answers: Answers): Page[] {
  return groupIntoPages(visibleQuestions(definition, answers))
}

/** The page with this id if these answers show it; a page that is hidden cannot be visited. */
export function visiblePage(definition: ServiceDefinition, answers: Answers, pageId: string): Page | undefined {
  return pages(definition, answers).find((page) => page.id === pageId)
}

function positionOf(definition: ServiceDefinition, pageId: string): number {
  return allPages(definition).findIndex((page) => page.id === pageId)
}

/**
 * Where Continue goes from a page, after its answers are saved: the next page these answers show,
 * or the check-your-answers page when there is none. Positions come from the definition's order,
 * so a page that has just become hidden still has a well-defined next page.
 */
export function nextPage(definition: ServiceDefinition, answers: Answers, currentPageId: string): Destination {
  const shown = pages(definition, answers)
  const current = shown.find((page) => page.id === currentPageId)
  if (current?.kind === 'interruption' && current.interruption.stopsJourney) {
    return { kind: 'stopped', interruption: current.interruption }
  }
  const position = positionOf(definition, currentPageId)
  const order = allPages(definition).map((page) => page.id)
  const following = shown.find((page) => order.indexOf(page.id) > position)
  if (following) return { kind: 'page', page: following }
  const stop = interruptionFor(definition, answers)
  return stop ? { kind: 'stopped', interruption: stop } : { kind: 'check-answers' }
}

/** Where the Back link goes from a page, or undefined on the first page (back to the service's start page). */
export function previousPage(definition: ServiceDefinition, answers: Answers, currentPageId: string): Page | undefined {
  const position = positionOf(definition, currentPageId)
  const order = allPages(definition).map((page) => page.id)
  return pages(definition, answers)
    .filter((page) => order.indexOf(page.id) < position)
    .at(-1)
}

/** Where the Back link goes from the check-your-answers page. */
export function lastPage(definition: ServiceDefinition, answers: Answers): Page | undefined {
  return pages(definition, answers).at(-1)
}

/**
 * Where to pick the journey up: the first shown page with a question not yet asked, an
 * interruption that stopped it, or check-your-answers when everything is answered. Used when a
 * person comes back to a saved form, and after they change an answer from check-your-answers
 * (a change can reveal questions that still need asking).
 */
export function resumeAt(definition: ServiceDefinition, answers: Answers): Destination {
  for (const page of pages(definition, answers)) {
    if (page.kind === 'interruption') {
      if (page.interruption.stopsJourney) return { kind: 'page', page }
      continue
    }
    if (page.questions.some((question) => answers[question.id] === undefined)) return { kind: 'page', page }
  }
  return { kind: 'check-answers' }
}

/** True when every shown question has been asked and no interruption stopped the journey. */
export function isComplete(definition: ServiceDefinition, answers: Answers): boolean {
  return resumeAt(definition, answers).kind === 'check-answers'
}

/** The interruption that stopped the journey for these answers, if one did. Its outcome is what gets recorded. */
export function interruptionFor(definition: ServiceDefinition, answers: Answers): InterruptionQuestion | undefined {
  const last = visibleQuestions(definition, answers).at(-1)
  return last && isInterruption(last) && last.stopsJourney ? last : undefined
}

/**
 * Only the answers to questions still shown. After a change (communal area to own home, say) the
 * answers that no longer apply are dropped, so they are neither shown nor stored with the request.
 */
export function pruneHiddenAnswers(definition: ServiceDefinition, answers: Answers): Answers {
  const kept: Record<string, AnswerValue> = {}
  for (const question of visibleQuestions(definition, answers)) {
    if (!isInterruption(question) && answers[question.id] !== undefined) kept[question.id] = answers[question.id]!
  }
  return kept
}

export type AnswerDisplay =
  | { kind: 'text'; text: string }
  | { kind: 'choices'; labels: LocalisedText[] }
  | { kind: 'date'; isoDate: string }
  | { kind: 'photos'; count: number }
  | { kind: 'place'; text: string }
  | { kind: 'not-answered' }

export interface CheckAnswersRow {
  question: AnswerQuestion
  /** The page to send the person back to when they choose Change. */
  pageId: string
  label: LocalisedText
  answer: AnswerValue
  display: AnswerDisplay
}

function displayOf(question: AnswerQuestion, answer: AnswerValue | undefined): AnswerDisplay {
  if (answer === undefined || answer === null) return { kind: 'not-answered' }
  switch (question.kind) {
    case 'radios':
    case 'checkboxes': {
      const chosen = typeof answer === 'string' ? [answer] : Array.isArray(answer) ? answer : []
      const labels = question.options.filter((option) => chosen.includes(option.value)).map((option) => option.label)
      return labels.length === 0 ? { kind: 'not-answered' } : { kind: 'choices', labels }
    }
    case 'date':
      return typeof answer === 'string' ? { kind: 'date', isoDate: answer } : { kind: 'not-answered' }
    case 'photo':
      return Array.isArray(answer) && answer.length > 0 ? { kind: 'photos', count: answer.length } : { kind: 'not-answered' }
    case 'address':
      return typeof answer === 'object' && 'address' in answer ? { kind: 'place', text: answer.address } : { kind: 'not-answered' }
    case 'location':
      return typeof answer === 'object' && 'description' in answer ? { kind: 'place', text: answer.description } : { kind: 'not-answered' }
    default:
      return typeof answer === 'string' ? { kind: 'text', text: answer } : { kind: 'not-answered' }
  }
}

/** The rows of the check-your-answers page: every question shown, in order, each with the page that changes it. */
export function checkAnswers(definition: ServiceDefinition, answers: Answers): CheckAnswersRow[] {
  return visibleQuestions(definition, answers)
    .filter((question): question is AnswerQuestion => !isInterruption(question))
    .map((question) => ({
      question,
      pageId: pageIdOf(question),
      label: question.shortLabel ?? question.label,
      answer: answers[question.id] ?? null,
      display: displayOf(question, answers[question.id]),
    }))
}

/** A reason an answer was refused: a key into the catalogue's locale text, or the definition's own words. */
export interface AnswerError {
  key: string
  values: Record<string, string | number | LocalisedText>
  /** The definition's own message for this question, which takes the place of the key's text. */
  custom?: LocalisedText
  /** For dates, the part of the date input to highlight and link to. */
  part?: 'day' | 'month' | 'year'
}

export type AnswerResult = { valid: true; value: AnswerValue } | { valid: false; error: AnswerError }

export interface AnswerContext {
  /** Today in the UK as YYYY-MM-DD; needed only for dates that must be past or future. */
  today?: string
}

const errorKey = (name: string) => `catalogue.answers.${name}`

function refuse(name: string, values: AnswerError['values'] = {}, extra: Partial<AnswerError> = {}): AnswerResult {
  return { valid: false, error: { key: errorKey(name), values, ...extra } }
}

function missing(question: AnswerQuestion): AnswerResult {
  if (!question.required) return { valid: true, value: null }
  return refuse(`required.${question.kind}`, {}, question.requiredMessage ? { custom: question.requiredMessage } : {})
}

/** The message to show for a refused answer, in the person's language. */
export function answerErrorMessage(error: AnswerError, translate: Translate, locale: string): string {
  if (error.custom) return textIn(error.custom, locale)
  const values = Object.fromEntries(
    Object.entries(error.values).map(([name, value]) => [name, typeof value === 'object' ? textIn(value, locale) : value]),
  )
  return translate(error.key, values)
}

/** Form fields arrive as a string, several strings, or nothing; anything else was not typed by a person. */
function asStrings(raw: unknown): string[] | undefined {
  if (raw === undefined || raw === null) return []
  if (typeof raw === 'string') return [raw]
  if (Array.isArray(raw) && raw.every((item) => typeof item === 'string')) return raw
  return undefined
}

function asText(raw: unknown): string | undefined {
  if (raw === undefined || raw === null) return ''
  return typeof raw === 'string' ? raw : undefined
}

function validateRadios(question: RadiosQuestion, raw: unknown): AnswerResult {
  const value = asText(raw)
  if (value === undefined) return refuse('notAnOption')
  if (value.trim() === '') return missing(question)
  return question.options.some((option) => option.value === value) ? { valid: true, value } : refuse('notAnOption')
}

function validateCheckboxes(question: CheckboxesQuestion, raw: unknown): AnswerResult {
  const given = asStrings(raw)
  if (given === undefined) return refuse('notAnOption')
  const ticked = [...new Set(given.filter((value) => value.trim() !== ''))]
  if (ticked.length === 0) return missing(question)
  if (!ticked.every((value) => question.options.some((option) => option.value === value))) return refuse('notAnOption')
  // Without JavaScript nothing unticks the other boxes, so "None of these" with others is asked again.
  const exclusive = question.options.find((option) => option.exclusive && ticked.includes(option.value))
  if (exclusive && ticked.length > 1) return refuse('exclusiveWithOthers', { option: exclusive.label })
  // Kept in the definition's order, so the same choices always read the same way.
  return { valid: true, value: question.options.filter((option) => ticked.includes(option.value)).map((option) => option.value) }
}

function validateText(question: TextQuestion | TextareaQuestion, raw: unknown): AnswerResult {
  const typed = asText(raw)
  if (typed === undefined) return refuse('notText')
  const value = (question.kind === 'textarea' ? typed.replace(/\r\n?/g, '\n') : typed.replace(/\s+/g, ' ')).trim()
  if (value === '') return missing(question)
  if (value.length > question.maxLength) return refuse('tooLong', { maximum: question.maxLength })
  if (question.minLength !== undefined && value.length < question.minLength) return refuse('tooShort', { minimum: question.minLength })
  if (question.kind === 'text') {
    if (question.open311?.datatype === 'number' && !/^-?\d+(\.\d+)?$/.test(value)) return refuse('notANumber')
    if (question.pattern && !patternRegExp(question.pattern.regex).test(value)) {
      return refuse('pattern', {}, { custom: question.pattern.message })
    }
  }
  return { valid: true, value }
}

const monthNames = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december']

/** People type the month as a word as often as a number ("Feb", "february"), so both are read. */
function monthNumber(text: string): number | undefined {
  if (/^\d{1,2}$/.test(text)) return Number(text)
  const word = text.toLowerCase()
  const index = monthNames.findIndex((name) => word.length >= 3 && name.startsWith(word))
  return index >= 0 ? index + 1 : undefined
}

type DatePart = 'day' | 'month' | 'year'

function dateParts(raw: unknown): Record<DatePart, string> | undefined {
  if (raw === undefined || raw === null) return { day: '', month: '', year: '' }
  // The JSON API sends one ISO date; the form sends three fields.
  if (typeof raw === 'string') {
    if (raw.trim() === '') return { day: '', month: '', year: '' }
    const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw.trim())
    return iso ? { year: iso[1]!, month: iso[2]!, day: iso[3]! } : undefined
  }
  if (typeof raw !== 'object') return undefined
  const fields = raw as Record<string, unknown>
  const part = (name: DatePart) => (typeof fields[name] === 'string' ? (fields[name] as string).trim() : fields[name] === undefined ? '' : undefined)
  const day = part('day')
  const month = part('month')
  const year = part('year')
  return day === undefined || month === undefined || year === undefined ? undefined : { day, month, year }
}

const missingPartKeys: Record<string, string> = {
  day: 'date.missingDay',
  month: 'date.missingMonth',
  year: 'date.missingYear',
  'day,month': 'date.missingDayAndMonth',
  'day,year': 'date.missingDayAndYear',
  'month,year': 'date.missingMonthAndYear',
}

const dateRuleChecks = {
  past: (date: string, today: string) => date < today,
  'today-or-past': (date: string, today: string) => date <= today,
  future: (date: string, today: string) => date > today,
  'today-or-future': (date: string, today: string) => date >= today,
} as const

const dateRuleKeys = {
  past: 'date.mustBePast',
  'today-or-past': 'date.mustBeTodayOrPast',
  future: 'date.mustBeFuture',
  'today-or-future': 'date.mustBeTodayOrFuture',
} as const

function validateDate(question: DateQuestion, raw: unknown, context: AnswerContext): AnswerResult {
  const parts = dateParts(raw)
  if (parts === undefined) return refuse('date.notReal', {}, { part: 'day' })
  const blank = (['day', 'month', 'year'] as const).filter((name) => parts[name] === '')
  if (blank.length === 3) return missing(question)
  if (blank.length > 0) return refuse(missingPartKeys[blank.join(',')]!, {}, { part: blank[0]! })
  if (!/^\d{1,2}$/.test(parts.day)) return refuse('date.notReal', {}, { part: 'day' })
  const month = monthNumber(parts.month)
  if (month === undefined || month < 1 || month > 12) return refuse('date.notReal', {}, { part: 'month' })
  if (!/^\d+$/.test(parts.year)) return refuse('date.notReal', {}, { part: 'year' })
  if (parts.year.length !== 4) return refuse('date.yearFourDigits', {}, { part: 'year' })
  const day = Number(parts.day)
  const year = Number(parts.year)
  const calendarDate = new Date(Date.UTC(year, month - 1, day))
  if (day < 1 || calendarDate.getUTCDate() !== day || calendarDate.getUTCMonth() !== month - 1) {
    return refuse('date.notReal', {}, { part: 'day' })
  }
  const value = `${parts.year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`
  if (question.mustBe) {
    if (!context.today) throw new Error(`Checking "${question.id}" needs today's date`)
    if (!dateRuleChecks[question.mustBe](value, context.today)) return refuse(dateRuleKeys[question.mustBe], {}, { part: 'day' })
  }
  return { valid: true, value }
}

/**
 * A UK phone number in its national form without spaces (0161 496 0000 → 01614960000), from the
 * ways people write them: spaces, brackets, hyphens, +44, 0044, "+44 (0)".
 */
export function normaliseUkPhone(input: string): string | undefined {
  const compact = input.replace(/[\s().-]/g, '')
  const national = compact.replace(/^(?:\+44|0044)0?/, '0')
  return /^0(?:1\d{8,9}|2\d{9}|3\d{9}|5\d{9}|7\d{9}|8\d{8,9})$/.test(national) ? national : undefined
}

function validatePhone(question: PhoneQuestion, raw: unknown): AnswerResult {
  const typed = asText(raw)
  if (typed === undefined) return refuse('notText')
  if (typed.trim() === '') return missing(question)
  const number = normaliseUkPhone(typed)
  if (question.mobileOnly) return number && /^07\d{9}$/.test(number) ? { valid: true, value: number } : refuse('phone.notMobile')
  return number ? { valid: true, value: number } : refuse('phone.format')
}

const emailPattern = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/

function validateEmail(question: AnswerQuestion, raw: unknown): AnswerResult {
  const typed = asText(raw)
  if (typed === undefined) return refuse('notText')
  const value = typed.trim()
  if (value === '') return missing(question)
  return value.length <= 254 && emailPattern.test(value) ? { valid: true, value } : refuse('email.format')
}

/** Photos arrive as the ids the upload store gave them; the upload itself was checked when it was stored. */
function validatePhotos(question: PhotoQuestion, raw: unknown): AnswerResult {
  const given = asStrings(raw)
  if (given === undefined || given.some((id) => id.length > 100)) return refuse('photo.notAPhoto')
  const ids = [...new Set(given.filter((id) => id.trim() !== ''))]
  if (ids.length === 0) return missing(question)
  if (ids.length > question.maxCount) {
    return question.maxCount === 1 ? refuse('photo.onlyOne') : refuse('photo.tooMany', { maximum: question.maxCount })
  }
  return { valid: true, value: ids }
}

function isAddress(raw: unknown): raw is AddressAnswer {
  const candidate = raw as Partial<AddressAnswer> | null
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.uprn === 'string' &&
    /^\d{1,12}$/.test(candidate.uprn) &&
    typeof candidate.address === 'string' &&
    candidate.address.trim() !== ''
  )
}

/** A place found to be outside every one of the council's wards, which the council cannot deal with. */
function isOutsideArea(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && (raw as { outsideArea?: unknown }).outsideArea === true
}

function isLocation(raw: unknown): raw is LocationAnswer {
  const candidate = raw as Partial<LocationAnswer> | null
  if (typeof candidate !== 'object' || candidate === null) return false
  const finite = (value: unknown) => typeof value === 'number' && Number.isFinite(value)
  return (
    finite(candidate.latitude) &&
    finite(candidate.longitude) &&
    Math.abs(candidate.latitude!) <= 90 &&
    Math.abs(candidate.longitude!) <= 180 &&
    finite(candidate.easting) &&
    finite(candidate.northing) &&
    (candidate.usrn === undefined || typeof candidate.usrn === 'string') &&
    (candidate.wardCode === undefined || typeof candidate.wardCode === 'string') &&
    typeof candidate.description === 'string' &&
    candidate.description.trim() !== ''
  )
}

/**
 * The description the person wrote for everyone to read, from the question the definition marks as
 * shown publicly: on a public report a moderator reads it before anyone else may.
 */
export function ownWordsOf(definition: ServiceDefinition, answers: Answers): string | undefined {
  const question = definition.questions.find((candidate) => candidate.kind === 'textarea' && candidate.shownPublicly)
  const answer = question && answers[question.id]
  return typeof answer === 'string' && answer.trim() !== '' ? answer : undefined
}

/** Where the request is about, from its first location question, for a service that asks one. */
export function locationOf(definition: ServiceDefinition, answers: Answers): LocationAnswer | undefined {
  const question = definition.questions.find((candidate) => candidate.kind === 'location')
  const answer = question && answers[question.id]
  return answer && isLocation(answer) ? answer : undefined
}

/**
 * Reads one answer as it arrived and either returns the value to keep or says why it was refused.
 * Radios, checkboxes, text and the like take form fields as posted; a date takes { day, month,
 * year } (or one ISO date from the API); photos take upload ids; an address or location takes
 * what the address finder or map resolved, because finding places needs the address register.
 */
export function validateAnswer(question: AnswerQuestion, raw: unknown, context: AnswerContext = {}): AnswerResult {
  switch (question.kind) {
    case 'radios':
      return validateRadios(question, raw)
    case 'checkboxes':
      return validateCheckboxes(question, raw)
    case 'text':
    case 'textarea':
      return validateText(question, raw)
    case 'date':
      return validateDate(question, raw, context)
    case 'phone':
      return validatePhone(question, raw)
    case 'email':
      return validateEmail(question, raw)
    case 'photo':
      return validatePhotos(question, raw)
    case 'address':
      if (raw === undefined || raw === null || raw === '') return missing(question)
      return isAddress(raw) ? { valid: true, value: { uprn: raw.uprn, address: raw.address.trim() } } : refuse('address.notFound')
    case 'location':
      if (raw === undefined || raw === null || raw === '') return missing(question)
      if (isOutsideArea(raw)) return refuse('location.outsideArea')
      if (!isLocation(raw)) return refuse('location.notFound')
      return {
        valid: true,
        value: {
          latitude: raw.latitude,
          longitude: raw.longitude,
          easting: raw.easting,
          northing: raw.northing,
          ...(raw.usrn === undefined ? {} : { usrn: raw.usrn }),
          ...(raw.wardCode === undefined ? {} : { wardCode: raw.wardCode }),
          description: raw.description.trim(),
        },
      }
  }
}

/** A whole form answered at once (by the API or an Open311 client), as far as its answers allow. */
export type AllAnswers =
  | { kind: 'answered'; answers: Answers }
  | { kind: 'refused'; answers: Answers; errors: { question: AnswerQuestion; error: AnswerError }[] }
  /** The answers lead to advice instead of a request, such as leaving the house when gas is smelt. */
  | { kind: 'stopped'; answers: Answers; interruption: InterruptionQuestion }

/**
 * Answers every question the form would show, page by page in the engine's own order, taking each
 * raw answer from `rawFor` and checking it as the web form would. Every refused answer on a page is
 * reported together; the pages after it are not asked, since what they show can depend on it.
 */
export function answerAll(definition: ServiceDefinition, rawFor: (question: AnswerQuestion) => unknown, context: AnswerContext = {}): AllAnswers {
  const answers: Record<string, AnswerValue> = {}
  for (;;) {
    const next = resumeAt(definition, answers)
    if (next.kind === 'check-answers') return { kind: 'answered', answers }
    if (next.kind === 'stopped') return { kind: 'stopped', answers, interruption: next.interruption }
    if (next.page.kind === 'interruption') return { kind: 'stopped', answers, interruption: next.page.interruption }
    const errors: { question: AnswerQuestion; error: AnswerError }[] = []
    for (const question of next.page.questions) {
      if (answers[question.id] !== undefined) continue
      const result = validateAnswer(question, rawFor(question), context)
      if (result.valid) answers[question.id] = result.value
      else errors.push({ question, error: result.error })
    }
    if (errors.length > 0) return { kind: 'refused', answers, errors }
  }
}
