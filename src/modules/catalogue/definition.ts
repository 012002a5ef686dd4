/**
 * The service definition format: everything that makes one council service different from another
 * (its questions, branching, priorities, target times and status labels) written as data, so the
 * form engine, the request lifecycle and the Open311 API serve every service with the same code.
 *
 * A definition file carries no version number: the catalogue numbers versions as it stores them,
 * and every request keeps the version it was made with.
 */
import { z } from 'zod'
// The shared vocabulary comes from the requests module's pure rule files rather than its index,
// because the requests service itself depends on the catalogue.
import { requestStatuses, type RequestStatus } from '../requests/lifecycle.ts'
import { priorities, type Priority } from '../requests/targets.ts'

export type { Priority, RequestStatus }

export const audiences = ['residents', 'tenants', 'staff-only'] as const
export type Audience = (typeof audiences)[number]

export const recordVisibilities = ['private', 'public'] as const
export type RecordVisibility = (typeof recordVisibilities)[number]

/** Legal regimes that add their own clocks to a request, switched on by the answer that implies them. */
export const regimes = ['awaabs-law'] as const
export type Regime = (typeof regimes)[number]

export const questionKinds = [
  'radios',
  'checkboxes',
  'text',
  'textarea',
  'date',
  'phone',
  'email',
  'photo',
  'address',
  'location',
  'interruption',
] as const
export type QuestionKind = (typeof questionKinds)[number]

export const open311Datatypes = ['string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist'] as const
export type Open311Datatype = (typeof open311Datatypes)[number]

/** HEIC is left out until the image library here is shown to decode it. */
export const photoTypes = ['image/jpeg', 'image/png', 'image/webp'] as const
export type PhotoType = (typeof photoTypes)[number]

/**
 * Values a definition's text may contain as {name}. They come from the council profile when a
 * page is shown, so one definition serves any council and a changed phone number needs no new
 * version.
 */
export const definitionPlaceholders = [
  'councilName',
  'councilPhone',
  'councilEmail',
  'repairsPhone',
  'outOfHoursPhone',
  'gasEmergencyPhone',
] as const
export type DefinitionPlaceholder = (typeof definitionPlaceholders)[number]

/** Text in English and, where the council has it, Welsh. */
export interface LocalisedText {
  en: string
  cy?: string
}

/** Limits that keep a definition usable: nobody fills in a form with eleven photos. */
export const definitionLimits = {
  photoCount: 10,
  photoMegabytes: 20,
  textLength: 500,
  // Open311 caps a request's description at 4,000 characters; a longer answer could not be sent on.
  textareaLength: 4000,
  defaultTextLength: 100,
  defaultTextareaLength: 1200,
  targetHours: 24 * 30,
  targetWorkingDays: 250,
} as const

const identifierPattern = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/
const optionValuePattern = /^[a-z0-9]+(?:-[a-z0-9]+)*$/

const identifier = z
  .string()
  .max(60, { message: 'must be 60 characters or fewer' })
  .regex(identifierPattern, {
    message: 'must be lower-case letters, digits and single hyphens, starting with a letter, like "kitchen-tap"',
  })

const optionValue = z
  .string()
  .max(60, { message: 'must be 60 characters or fewer' })
  .regex(optionValuePattern, { message: 'must be lower-case letters, digits and single hyphens, like "will-not-flush"' })

const nonEmptyText = z.string().trim().min(1, { message: 'must not be empty' })

/** Plain text is shorthand for English only; the stored form is always { en, cy? }. */
export const localisedTextSchema = z
  .union([nonEmptyText, z.strictObject({ en: nonEmptyText, cy: nonEmptyText.optional() })], {
    error: (issue) =>
      issue.input === undefined ? 'is required' : 'must be text, or { "en": "…", "cy": "…" } with the Welsh optional',
  })
  .transform((text): LocalisedText => (typeof text === 'string' ? { en: text } : text))

export type Condition =
  | { question: string; equals: string }
  | { question: string; in: string[] }
  | { question: string; anyOf: string[] }
  | { all: Condition[] }
  | { any: Condition[] }

interface ConditionFields {
  question?: string | undefined
  equals?: string | undefined
  in?: string[] | undefined
  anyOf?: string[] | undefined
  all?: ConditionFields[] | undefined
  any?: ConditionFields[] | undefined
}

const conditionForms = '{ "question", "equals" }, { "question", "in" }, { "question", "anyOf" }, { "all": [...] } or { "any": [...] }'

/*
 * One object with every field optional, then a check that exactly one form was used: a union of
 * the five forms would report only "invalid input" when an author mistypes one of them.
 */
const conditionSchema: z.ZodType<Condition, ConditionFields> = z.lazy(() =>
  z
    .strictObject({
      question: identifier.optional(),
      equals: optionValue.optional(),
      in: z.array(optionValue).min(1, { message: 'must list at least one value' }).optional(),
      anyOf: z.array(optionValue).min(1, { message: 'must list at least one value' }).optional(),
      all: z.array(conditionSchema).min(1, { message: 'must list at least one condition' }).optional(),
      any: z.array(conditionSchema).min(1, { message: 'must list at least one condition' }).optional(),
    })
    .superRefine((fields, context) => {
      const tests = (['equals', 'in', 'anyOf'] as const).filter((name) => fields[name] !== undefined)
      const groups = (['all', 'any'] as const).filter((name) => fields[name] !== undefined)
      const oneForm = groups.length === 1 ? tests.length === 0 && fields.question === undefined : tests.length === 1 && fields.question !== undefined
      if (groups.length + tests.length !== 1 || !oneForm) {
        context.addIssue({ code: 'custom', message: `must be exactly one of ${conditionForms}` })
      }
    })
    .transform((fields) => fields as Condition),
)

export const tenantPlaces = ['home', 'block'] as const
export type TenantPlace = (typeof tenantPlaces)[number]

const jobSchema = z.strictObject({
  code: z
    .string()
    .regex(/^[A-Z0-9][A-Z0-9 ./-]{0,19}$/, { message: 'must be a job code in capitals and digits, like "SOR 201003"' }),
  trade: identifier,
  priority: z.enum(priorities),
})
export type Job = z.output<typeof jobSchema>

const optionSchema = z.strictObject({
  value: optionValue,
  label: localisedTextSchema,
  hint: localisedTextSchema.optional(),
  /** A checkbox that cannot be ticked with others, such as "None of these". */
  exclusive: z.boolean().optional(),
  /** The work this answer describes: staff confirm or change it when they triage. */
  job: jobSchema.optional(),
  regime: z.enum(regimes).optional(),
  /** Which of a tenant's places the request is about: their home, or the shared areas of its block. */
  place: z.enum(tenantPlaces).optional(),
})
export type QuestionOption = z.output<typeof optionSchema>

const open311Schema = z.strictObject({
  datatype: z.enum(open311Datatypes).optional(),
  /** Replaces the label where the question reads badly out of context in another system. */
  description: nonEmptyText.optional(),
})

const questionFields = {
  id: identifier,
  /** Questions that share a page name are asked together; otherwise each has a page of its own. */
  page: identifier.optional(),
  showWhen: conditionSchema.optional(),
}

const answerFields = {
  ...questionFields,
  label: localisedTextSchema,
  /** What the check-your-answers page calls the answer, when the question is too long for it. */
  shortLabel: localisedTextSchema.optional(),
  hint: localisedTextSchema.optional(),
  required: z.boolean().default(true),
  /** The message when a required answer is missing, written for this question as GOV.UK advises. */
  requiredMessage: localisedTextSchema.optional(),
  open311: open311Schema.optional(),
}

const wholeNumber = (minimum: number, maximum: number) =>
  z
    .number({ message: 'must be a number' })
    .int({ message: 'must be a whole number' })
    .min(minimum, { message: `must be between ${minimum} and ${maximum}` })
    .max(maximum, { message: `must be between ${minimum} and ${maximum}` })

const radiosSchema = z.strictObject({
  ...answerFields,
  kind: z.literal('radios'),
  options: z.array(optionSchema).min(2, { message: 'must offer at least two options' }),
  /** Short lists such as yes and no sit side by side. */
  inline: z.boolean().optional(),
})

const checkboxesSchema = z.strictObject({
  ...answerFields,
  kind: z.literal('checkboxes'),
  options: z.array(optionSchema).min(1, { message: 'must offer at least one option' }),
})

const patternSchema = z.strictObject({
  regex: z.string().min(1),
  message: localisedTextSchema,
})

const textSchema = z.strictObject({
  ...answerFields,
  kind: z.literal('text'),
  maxLength: wholeNumber(1, definitionLimits.textLength).default(definitionLimits.defaultTextLength),
  minLength: wholeNumber(1, definitionLimits.textLength).optional(),
  pattern: patternSchema.optional(),
})

const textareaSchema = z.strictObject({
  ...answerFields,
  kind: z.literal('textarea'),
  maxLength: wholeNumber(1, definitionLimits.textareaLength).default(definitionLimits.defaultTextareaLength),
  minLength: wholeNumber(1, definitionLimits.textareaLength).optional(),
  /** The description a public report shows, once a moderator has approved it; every other answer stays private. */
  shownPublicly: z.boolean().default(false),
})

export const dateRules = ['past', 'today-or-past', 'future', 'today-or-future'] as const
export type DateRule = (typeof dateRules)[number]

const dateSchema = z.strictObject({
  ...answerFields,
  kind: z.literal('date'),
  mustBe: z.enum(dateRules).optional(),
})

const phoneSchema = z.strictObject({
  ...answerFields,
  kind: z.literal('phone'),
  /** For numbers the council will send text messages to. */
  mobileOnly: z.boolean().default(false),
})

const emailSchema = z.strictObject({ ...answerFields, kind: z.literal('email') })

const photoSchema = z.strictObject({
  ...answerFields,
  kind: z.literal('photo'),
  maxCount: wholeNumber(1, definitionLimits.photoCount).default(3),
  maxMegabytes: wholeNumber(1, definitionLimits.photoMegabytes).default(10),
  types: z
    .array(z.enum(photoTypes))
    .min(1, { message: 'must allow at least one type of image' })
    .default([...photoTypes]),
})

/** A property from the council's address register, found by postcode. */
const addressSchema = z.strictObject({ ...answerFields, kind: z.literal('address') })

/** A point on the map, or a street or place found by search when there is no map. */
const locationSchema = z.strictObject({ ...answerFields, kind: z.literal('location') })

/**
 * A page of content rather than a question, shown when its condition holds. One that stops the
 * journey (a smell of gas) is where the form ends: nothing after it is asked, and its outcome is
 * recorded so the council knows the advice was given.
 */
const interruptionSchema = z.strictObject({
  ...questionFields,
  kind: z.literal('interruption'),
  title: localisedTextSchema,
  body: z.array(localisedTextSchema).min(1, { message: 'must have at least one paragraph' }),
  outcome: identifier,
  stopsJourney: z.boolean().default(true),
})

const questionSchema = z.discriminatedUnion('kind', [
  radiosSchema,
  checkboxesSchema,
  textSchema,
  textareaSchema,
  dateSchema,
  phoneSchema,
  emailSchema,
  photoSchema,
  addressSchema,
  locationSchema,
  interruptionSchema,
])

const targetSchema = z
  .strictObject({
    hours: wholeNumber(1, definitionLimits.targetHours).optional(),
    workingDays: wholeNumber(1, definitionLimits.targetWorkingDays).optional(),
  })
  .refine((target) => (target.hours === undefined) !== (target.workingDays === undefined), {
    message: 'must give either "hours" or "workingDays", not both',
  })
  .transform((target) => (target.hours !== undefined ? { hours: target.hours } : { workingDays: target.workingDays! }))

/**
 * Who a new request goes to. A rule holds when every list it has includes the request's value; a
 * housing patch is written as the wards it covers. The first rule that holds decides; with none,
 * the owning team has it and no contractor.
 */
const routingRuleSchema = z
  .strictObject({
    trades: z.array(identifier).min(1, { message: 'must list at least one trade' }).optional(),
    wards: z.array(nonEmptyText).min(1, { message: 'must list at least one ward code' }).optional(),
    team: identifier.optional(),
    contractor: identifier.optional(),
  })
  .refine((rule) => rule.team !== undefined || rule.contractor !== undefined, {
    message: 'must name a "team" or a "contractor" to send the request to',
  })
export type RoutingRule = z.output<typeof routingRuleSchema>

const priorityRuleSchema = z.strictObject({
  when: conditionSchema,
  priority: z.enum(priorities),
})

/** What the front door says before anyone starts, so a person knows what they are taking on. */
const startPageSchema = z.strictObject({
  /** What to have ready, one item each. */
  youWillNeed: z.array(localisedTextSchema).default([]),
  /** How long it usually takes, as a phrase: "about 5 minutes". */
  takes: localisedTextSchema.optional(),
  /** Ways to do it without going online beyond the council's phone line and offices, which every start page gives. */
  otherWays: z.array(localisedTextSchema).default([]),
})
export type StartPage = z.output<typeof startPageSchema>

/**
 * What the front door knows of every entry in the catalogue, whether the council runs it here as a
 * form or it lives in another system the entry links to.
 */
const entryFields = {
  code: identifier,
  name: localisedTextSchema,
  description: localisedTextSchema,
  /** Other names people use for the service ("fly tipping", "dumped rubbish"), for search and the A to Z. */
  synonyms: z.array(nonEmptyText).default([]),
  keywords: z.array(nonEmptyText).default([]),
  /** The service's code in the Local Government Services List. */
  lgslCode: z.number({ message: 'must be a number' }).int({ message: 'must be a whole number' }).positive({
    message: 'must be a positive whole number',
  }),
  /** The front door's topics the entry is listed under, by id. */
  topics: z.array(identifier).default([]),
  startPage: startPageSchema.default({ youWillNeed: [], otherWays: [] }),
}

/** A service that lives in another system (council tax, benefits, planning): the front door lists it and links out. */
export const linkEntrySchema = z.strictObject({
  ...entryFields,
  link: z.url({ protocol: /^https$/, message: 'must be the address of the service, starting https://, so residents are never sent to an unprotected page' }),
})
export type LinkEntry = z.output<typeof linkEntrySchema>

export const definitionSchema = z.strictObject({
  ...entryFields,
  owningTeam: identifier,
  audience: z.enum(audiences),
  recordVisibility: z.enum(recordVisibilities),
  questions: z.array(questionSchema).min(1, { message: 'must have at least one question' }),
  priority: z.strictObject({
    default: z.enum(priorities),
    /** Checked in order; the first that holds decides, before any job's own priority. */
    rules: z.array(priorityRuleSchema).default([]),
  }),
  routing: z.array(routingRuleSchema).default([]),
  /** Target times that differ from the council's own for a priority; the rest follow the council. */
  targets: z
    .strictObject({
      immediate: targetSchema.optional(),
      emergency: targetSchema.optional(),
      urgent: targetSchema.optional(),
      routine: targetSchema.optional(),
    })
    .default({}),
  statusLabels: z.strictObject(
    Object.fromEntries(requestStatuses.map((state) => [state, localisedTextSchema])) as Record<
      RequestStatus,
      typeof localisedTextSchema
    >,
  ),
})

/** Every entry of the catalogue: a form the council runs here, or a link to another system. */
export type CatalogueEntry = ServiceDefinition | LinkEntry

export function isLinkEntry(entry: CatalogueEntry): entry is LinkEntry {
  return 'link' in entry
}

/** A definition as an author writes it: plain strings for English, defaults left out. */
export type DefinitionSource = z.input<typeof definitionSchema>
/** A definition as the engine uses it, after parsing: every text localised, every default filled in. */
export type ServiceDefinition = z.output<typeof definitionSchema>

export type Question = ServiceDefinition['questions'][number]
export type RadiosQuestion = Extract<Question, { kind: 'radios' }>
export type CheckboxesQuestion = Extract<Question, { kind: 'checkboxes' }>
export type ChoiceQuestion = RadiosQuestion | CheckboxesQuestion
export type TextQuestion = Extract<Question, { kind: 'text' }>
export type TextareaQuestion = Extract<Question, { kind: 'textarea' }>
export type DateQuestion = Extract<Question, { kind: 'date' }>
export type PhoneQuestion = Extract<Question, { kind: 'phone' }>
export type EmailQuestion = Extract<Question, { kind: 'email' }>
export type PhotoQuestion = Extract<Question, { kind: 'photo' }>
export type AddressQuestion = Extract<Question, { kind: 'address' }>
export type LocationQuestion = Extract<Question, { kind: 'location' }>
export type InterruptionQuestion = Extract<Question, { kind: 'interruption' }>
/** Every question that takes an answer, which is all but interruptions. */
export type AnswerQuestion = Exclude<Question, InterruptionQuestion>
export type PriorityRule = ServiceDefinition['priority']['rules'][number]

export function isChoiceQuestion(question: Question): question is ChoiceQuestion {
  return question.kind === 'radios' || question.kind === 'checkboxes'
}

export function isInterruption(question: Question): question is InterruptionQuestion {
  return question.kind === 'interruption'
}

/** The page a question is asked on: its own unless it names a shared one. */
export function pageIdOf(question: Question): string {
  return question.page ?? question.id
}

/** The text in the wanted language, falling back to English where no translation is given. */
export function textIn(text: LocalisedText, locale: string): string {
  return (locale === 'cy' ? text.cy : undefined) ?? text.en
}

/**
 * The text with its {placeholders} filled in from the council profile. Unknown names are left as
 * written, so a missing value shows up on the page instead of vanishing.
 */
export function fillPlaceholders(text: string, values: Partial<Record<DefinitionPlaceholder, string>>): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => values[name as DefinitionPlaceholder] ?? whole)
}

/** The {names} a piece of text refers to. */
export function placeholdersIn(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!)
}

/** A text question's pattern must match the whole answer, not just part of it. */
export function patternRegExp(regex: string): RegExp {
  return new RegExp(`^(?:${regex})$`, 'u')
}

/**
 * The Open311 datatypes each kind of question may be sent as; the first is used unless the question
 * says otherwise. Photos, addresses and places are not attributes: Open311 carries them in the
 * request's own media and location fields.
 */
export const open311DatatypesByKind: Partial<Record<QuestionKind, readonly Open311Datatype[]>> = {
  radios: ['singlevaluelist'],
  checkboxes: ['multivaluelist'],
  text: ['string', 'number', 'text'],
  textarea: ['text', 'string'],
  date: ['datetime'],
  phone: ['string'],
  email: ['string'],
}

/** The datatype a question is sent as in Open311, or undefined when it is not an Open311 attribute. */
export function open311DatatypeOf(question: Question): Open311Datatype | undefined {
  const allowed = open311DatatypesByKind[question.kind]
  if (!allowed || isInterruption(question)) return undefined
  return question.open311?.datatype ?? allowed[0]
}

export interface Open311Value {
  key: string
  name: string
}

/** One attribute of an Open311 GeoReport v2 service definition, named as the standard names it. */
export interface Open311Attribute {
  variable: boolean
  code: string
  datatype: Open311Datatype
  required: boolean
  datatype_description: string
  order: number
  description: string
  values?: Open311Value[]
}

export interface Open311Options {
  locale?: string
  placeholders?: Partial<Record<DefinitionPlaceholder, string>>
}

/**
 * The attributes of the Open311 service definition for this service. Open311 has no branching, so
 * a question shown only for some answers is never required there, however the form treats it.
 */
export function open311Attributes(definition: ServiceDefinition, options: Open311Options = {}): Open311Attribute[] {
  const locale = options.locale ?? 'en'
  const text = (value: LocalisedText | undefined) => (value ? fillPlaceholders(textIn(value, locale), options.placeholders ?? {}) : '')
  const attributes: Open311Attribute[] = []
  for (const question of definition.questions) {
    const datatype = open311DatatypeOf(question)
    if (isInterruption(question) || datatype === undefined) continue
    const attribute: Open311Attribute = {
      variable: true,
      code: question.id,
      datatype,
      required: question.required && question.showWhen === undefined,
      datatype_description: text(question.hint),
      order: attributes.length + 1,
      description: question.open311?.description ?? text(question.label),
    }
    if (isChoiceQuestion(question)) {
      attribute.values = question.options.map((option) => ({ key: option.value, name: text(option.label) }))
    }
    attributes.push(attribute)
  }
  return attributes
}
