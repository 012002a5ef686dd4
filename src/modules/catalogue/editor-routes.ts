import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Services } from '../../container.ts'
import type { DatabaseHandle } from '../../lib/database/connection.ts'
import { NotFound } from '../../lib/errors.ts'
import type { Translate } from '../../lib/i18n/index.ts'
import { recordAudit, requireStaffPermission, staffActor } from '../identity/index.ts'
import {
  isLinkEntry,
  textIn,
  type CatalogueEntry,
  type Condition,
  type LocalisedText,
  type Question,
  type RoutingRule,
  type ServiceDefinition,
} from './definition.ts'
import { allPages } from './questions.ts'
import { topics } from './topics.ts'
import { validateEntry, type DefinitionProblem } from './validate-definition.ts'
import { formField, takeFlash } from '../../lib/http/forms.ts'
import { catalogueRepository } from './repository.ts'

type CodeParams = { Params: { code: string } }
type VersionParams = { Params: { code: string; version: string } }

const view = (name: string) => `catalogue/views/editor/${name}.njk`

/** Where a new service starts: the smallest form that passes every check, to be changed rather than written from nothing. */
const exampleDefinition = {
  code: 'new-service',
  name: 'Report a problem',
  description: 'Tell us about a problem so we can put it right.',
  lgslCode: 1,
  topics: ['street-cleaning'],
  startPage: { youWillNeed: ['where the problem is'], takes: 'about 2 minutes' },
  owningTeam: 'street-scene',
  audience: 'residents',
  recordVisibility: 'private',
  questions: [
    { id: 'location', kind: 'location', label: 'Where is the problem?' },
    { id: 'details', kind: 'textarea', label: 'Describe the problem', required: false },
  ],
  priority: { default: 'routine' },
  statusLabels: {
    reported: 'Reported',
    triaged: 'Checked',
    scheduled: 'Work booked',
    'in-progress': 'Being dealt with',
    completed: 'Done',
    'no-access': 'We could not get to it',
    'on-hold': 'On hold',
    cancelled: 'Cancelled',
    closed: 'Closed',
  },
}

const prettyJson = (value: unknown) => JSON.stringify(value, null, 2)


/**
 * A stored entry as an editor reads it: checked again so its keys come back in the order the format
 * describes them, rather than the order the database keeps them in. One that a later, stricter
 * check refuses is shown as stored, so it can still be put right.
 */
function editableEntry(stored: CatalogueEntry): CatalogueEntry {
  const checked = validateEntry(stored)
  return checked.valid ? checked.entry : stored
}

type CheckedText = { valid: true; input: unknown; entry: CatalogueEntry } | { valid: false; problems: string[] }

function checkDefinitionText(text: string, expectedCode: string | undefined, t: Translate): CheckedText {
  let input: unknown
  try {
    input = JSON.parse(text)
  } catch (error) {
    return { valid: false, problems: [t('catalogue.editor.errors.notJson', { message: (error as Error).message })] }
  }
  const checked = validateEntry(input)
  if (!checked.valid) return { valid: false, problems: checked.problems.map((problem) => problemText(problem, t)) }
  if (expectedCode !== undefined && checked.entry.code !== expectedCode) {
    return { valid: false, problems: [t('catalogue.editor.errors.codeChanged', { code: checked.entry.code, expected: expectedCode })] }
  }
  return { valid: true, input, entry: checked.entry }
}

function problemText(problem: DefinitionProblem, t: Translate): string {
  const described = `${problem.path} ${problem.message}`
  return problem.question === undefined ? described : t('catalogue.editor.errors.inQuestion', { problem: described, question: problem.question })
}

const quoted = (value: string) => `‘${value}’`

function conditionText(condition: Condition, t: Translate): string {
  const group = (parts: Condition[], joiner: string) =>
    parts.map((part) => ('all' in part || 'any' in part ? `(${conditionText(part, t)})` : conditionText(part, t))).join(` ${joiner} `)
  if ('all' in condition) return group(condition.all, t('catalogue.editor.preview.and'))
  if ('any' in condition) return group(condition.any, t('catalogue.editor.preview.or'))
  const question = quoted(condition.question)
  if ('equals' in condition) return t('catalogue.editor.preview.conditionEquals', { question, value: quoted(condition.equals) })
  if ('in' in condition) return t('catalogue.editor.preview.conditionIn', { question, values: condition.in.map(quoted).join(', ') })
  return t('catalogue.editor.preview.conditionAnyOf', { question, values: condition.anyOf.map(quoted).join(', ') })
}

function routingText(rule: RoutingRule, t: Translate): string {
  const tests = [
    rule.trades && t('catalogue.editor.preview.routingTrades', { trades: rule.trades.map(quoted).join(', ') }),
    rule.wards && t('catalogue.editor.preview.routingWards', { wards: rule.wards.map(quoted).join(', ') }),
  ].filter((test) => test !== undefined)
  const destinations = [
    rule.team && t('catalogue.editor.preview.routingTeam', { team: quoted(rule.team) }),
    rule.contractor && t('catalogue.editor.preview.routingContractor', { contractor: quoted(rule.contractor) }),
  ].filter((destination) => destination !== undefined)
  const to = destinations.join(` ${t('catalogue.editor.preview.and')} `)
  return tests.length === 0
    ? t('catalogue.editor.preview.routingAlways', { to })
    : t('catalogue.editor.preview.routingWhen', { tests: tests.join(` ${t('catalogue.editor.preview.and')} `), to })
}

/** A target is given in hours or in working days; the format makes sure it is exactly one of them. */
function targetTime(target: { hours?: number | undefined; workingDays?: number | undefined }, t: Translate): string {
  if (target.hours !== undefined) return t(target.hours === 1 ? 'catalogue.editor.preview.hour' : 'catalogue.editor.preview.hours', { count: target.hours })
  const days = target.workingDays ?? 0
  return t(days === 1 ? 'catalogue.editor.preview.workingDay' : 'catalogue.editor.preview.workingDays', { count: days })
}

function questionPreview(question: Exclude<Question, { kind: 'interruption' }>, t: Translate) {
  const text = (value: LocalisedText) => textIn(value, 'en')
  return {
    id: question.id,
    label: text(question.label),
    hint: question.hint && text(question.hint),
    kind: t(`catalogue.editor.kinds.${question.kind}`),
    options: 'options' in question ? question.options.map((option) => `${text(option.label)} (${option.value})`) : [],
    required: question.required,
    askedWhen: question.showWhen && t('catalogue.editor.preview.askedWhen', { condition: conditionText(question.showWhen, t) }),
  }
}

function formPreview(definition: ServiceDefinition, t: Translate) {
  const text = (value: LocalisedText) => textIn(value, 'en')
  const priorityName = (priority: string) => t(`requests.staff.priority.${priority}`)
  return {
    audience: t(`catalogue.editor.audiences.${definition.audience}`),
    pages: allPages(definition).map((page) =>
      page.kind === 'interruption'
        ? {
            interruption: {
              title: text(page.interruption.title),
              body: page.interruption.body.map(text),
              stopsJourney: page.interruption.stopsJourney,
              outcome: page.interruption.outcome,
              shownWhen: page.interruption.showWhen && t('catalogue.editor.preview.shownWhen', { condition: conditionText(page.interruption.showWhen, t) }),
            },
          }
        : { questions: page.questions.map((question) => questionPreview(question, t)) },
    ),
    priorityDefault: priorityName(definition.priority.default),
    priorityRules: definition.priority.rules.map((rule) =>
      t('catalogue.editor.preview.priorityRule', { priority: priorityName(rule.priority), condition: conditionText(rule.when, t) }),
    ),
    targets: Object.entries(definition.targets).map(([priority, target]) => ({
      priority: priorityName(priority),
      time: targetTime(target, t),
    })),
    routing: definition.routing.map((rule) => routingText(rule, t)),
    owningTeam: definition.owningTeam,
    statusLabels: Object.entries(definition.statusLabels).map(([status, label]) => ({ status, label: text(label) })),
  }
}

/** The entry as residents and staff will meet it, written out so an editor can check it before publishing. */
function entryPreview(entry: CatalogueEntry, t: Translate) {
  const text = (value: LocalisedText) => textIn(value, 'en')
  return {
    name: text(entry.name),
    description: text(entry.description),
    youWillNeed: entry.startPage.youWillNeed.map(text),
    takes: entry.startPage.takes && text(entry.startPage.takes),
    otherWays: entry.startPage.otherWays.map(text),
    topics: entry.topics.map((id) => {
      const topic = topics.find((known) => known.id === id)
      return topic ? text(topic.name) : id
    }),
    lgslCode: entry.lgslCode,
    link: isLinkEntry(entry) ? entry.link : undefined,
    form: isLinkEntry(entry) ? undefined : formPreview(entry, t),
  }
}

/** Catalogue editors change what each service asks and how it is handled, and publish each change as a new numbered version. */
export async function catalogueEditorRoutes(app: FastifyInstance, { db, services }: { db: DatabaseHandle; services: Services }) {
  const catalogue = services.catalogue
  const queries = catalogueRepository(db)
  const guard = { preHandler: requireStaffPermission('catalogue.edit') }

  async function history(code: string) {
    const versions = await catalogue.versionsOf(code)
    const names = await queries.staffNames([...new Set(versions.flatMap((version) => version.publishedBy ?? []))])
    return versions.map((version) => ({
      ...version,
      publisherName: version.publishedBy === null ? undefined : (names.get(version.publishedBy) ?? version.publishedBy),
    }))
  }

  async function currentEntry(code: string) {
    const current = await queries.entryAt(code)
    if (!current) throw new NotFound('service')
    return current
  }

  interface EditorPage {
    /** The service being changed, or undefined for a new one. */
    code?: string
    name?: string
    definitionText: string
    problems?: string[]
    preview?: ReturnType<typeof entryPreview>
  }

  async function showEditor(request: FastifyRequest, reply: FastifyReply, page: EditorPage) {
    return reply.view(view('edit'), {
      ...page,
      action: `/staff/catalogue/${page.code ?? 'new'}`,
      problems: page.problems?.map((text) => ({ text, href: '#definition' })),
      versions: page.code === undefined ? undefined : await history(page.code),
      flash: takeFlash(request, 'staffFlash'),
    })
  }

  /** Previews or publishes what the editor sent; the definition comes back exactly as typed whenever it is not published. */
  async function handleEditor(request: FastifyRequest, reply: FastifyReply, existing: { code: string; name: string } | undefined) {
    const definitionText = formField(request, 'definition')
    const page = { code: existing?.code, name: existing?.name, definitionText }
    const checked = checkDefinitionText(definitionText, existing?.code, request.t)
    if (!checked.valid) return showEditor(request, reply.code(400), { ...page, problems: checked.problems })
    const { code } = checked.entry
    if (formField(request, 'action') !== 'publish') return showEditor(request, reply, { ...page, preview: entryPreview(checked.entry, request.t) })

    if (existing === undefined && (await catalogue.versionsOf(code)).length > 0) {
      return showEditor(request, reply.code(400), { ...page, problems: [request.t('catalogue.editor.errors.codeTaken', { code })] })
    }
    const actor = staffActor(request)
    const published = await catalogue.publishDefinition(checked.input, { publishedBy: actor.id })
    if (published.added) {
      await recordAudit(db, {
        actor: { kind: 'staff', id: actor.id },
        action: 'catalogue.publish',
        subject: { type: 'service', id: code },
        details: { version: published.version },
        ipAddress: actor.ipAddress,
      })
      request.session.set('staffFlash', request.t('catalogue.editor.done.published', { version: published.version, name: textIn(checked.entry.name, 'en') }))
    } else {
      request.session.set('staffFlash', request.t('catalogue.editor.done.unchanged', { version: published.version }))
    }
    return reply.redirect(`/staff/catalogue/${code}`, 303)
  }

  app.get('/staff/catalogue', guard, async (request, reply) => {
    const rows = await queries.services()
    return reply.view(view('list'), {
      services: rows.map((row) => ({
        code: row.code,
        name: textIn(row.name, 'en'),
        kind: request.t(`catalogue.editor.kindOfEntry.${row.kind}`),
        audience: row.audience ? request.t(`catalogue.editor.audiences.${row.audience}`) : request.t('catalogue.editor.audiences.everyone'),
        version: row.version,
        publishedAt: row.published_at,
        publisherName: row.published_by === null ? undefined : (row.publisher_name ?? row.published_by),
      })),
      flash: takeFlash(request, 'staffFlash'),
    })
  })

  app.get('/staff/catalogue/new', guard, async (request, reply) => showEditor(request, reply, { definitionText: prettyJson(exampleDefinition) }))

  app.post('/staff/catalogue/new', guard, async (request, reply) => handleEditor(request, reply, undefined))

  app.get<CodeParams>('/staff/catalogue/:code', guard, async (request, reply) => {
    const { code } = request.params
    const { entry } = await currentEntry(code)
    return showEditor(request, reply, { code, name: textIn(entry.name, 'en'), definitionText: prettyJson(editableEntry(entry)) })
  })

  app.post<CodeParams>('/staff/catalogue/:code', guard, async (request, reply) => {
    const { code } = request.params
    const { entry } = await currentEntry(code)
    return handleEditor(request, reply, { code, name: textIn(entry.name, 'en') })
  })

  app.get<VersionParams>('/staff/catalogue/:code/versions/:version', guard, async (request, reply) => {
    const { code } = request.params
    const version = /^[1-9]\d{0,8}$/.test(request.params.version) ? Number(request.params.version) : undefined
    const stored = version === undefined ? undefined : await queries.entryAt(code, version)
    if (!stored) throw new NotFound('version')
    const current = await currentEntry(code)
    return reply.view(view('version'), {
      code,
      name: textIn(current.entry.name, 'en'),
      version: stored.version,
      isCurrent: stored.version === current.version,
      definitionText: prettyJson(editableEntry(stored.entry)),
    })
  })
}
