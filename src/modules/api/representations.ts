import { isInterruption, type LocalisedText, type Question, type ServiceDefinition } from '../catalogue/index.ts'
import type { ListedRequest, RequestStatus, TimelineEntry } from '../requests/index.ts'

export type Words = (value: LocalisedText) => string

/** How each kind of question is answered in the JSON API, as its documentation says. */
export const answerFormats: Record<Exclude<Question['kind'], 'interruption'>, string> = {
  radios: 'the value of one option',
  checkboxes: 'a list of option values',
  text: 'text',
  textarea: 'text; line endings may be \\n or \\r\\n',
  date: 'a date as YYYY-MM-DD',
  phone: 'a UK phone number',
  email: 'an email address',
  photo: 'not taken through the API: leave it out, or use the web form to add photos',
  address: 'the property, as { "uprn": 100023336956 }',
  location: 'the place, as { "latitude": 53.48, "longitude": -2.24 }',
}

const present = <T>(value: T | undefined) => (value === undefined ? {} : value)

export function questionJson(question: Question, words: Words) {
  if (isInterruption(question)) {
    return {
      id: question.id,
      kind: question.kind,
      ...present(question.showWhen && { showWhen: question.showWhen }),
      title: words(question.title),
      body: question.body.map(words),
      stopsJourney: question.stopsJourney,
    }
  }
  return {
    id: question.id,
    kind: question.kind,
    label: words(question.label),
    ...present(question.hint && { hint: words(question.hint) }),
    required: question.required,
    ...present(question.showWhen && { showWhen: question.showWhen }),
    answer: answerFormats[question.kind],
    ...(question.kind === 'radios' || question.kind === 'checkboxes'
      ? {
          options: question.options.map((option) => ({
            value: option.value,
            label: words(option.label),
            ...present(option.hint && { hint: words(option.hint) }),
            ...(option.exclusive ? { exclusive: true } : {}),
          })),
        }
      : {}),
    ...(question.kind === 'text' || question.kind === 'textarea' ? { maxLength: question.maxLength, ...present(question.minLength !== undefined ? { minLength: question.minLength } : undefined) } : {}),
    ...(question.kind === 'date' && question.mustBe ? { mustBe: question.mustBe } : {}),
    ...(question.kind === 'phone' ? { mobileOnly: question.mobileOnly } : {}),
  }
}

export function serviceJson(definition: ServiceDefinition, words: Words, options: { questions: boolean }) {
  return {
    code: definition.code,
    name: words(definition.name),
    description: words(definition.description),
    audience: definition.audience,
    visibility: definition.recordVisibility,
    topics: definition.topics,
    lgslCode: definition.lgslCode,
    ...(options.questions ? { questions: definition.questions.map((question) => questionJson(question, words)) } : {}),
  }
}

export interface RequestView {
  /** The caller may read everything the requester sent: their own request, or a key granted the service. */
  full: boolean
}

export function requestJson(row: ListedRequest, definition: ServiceDefinition, words: Words, view: RequestView) {
  const showPoint = row.isPublic || view.full
  return {
    reference: row.reference,
    serviceCode: row.serviceCode,
    serviceName: words(definition.name),
    status: row.status,
    statusLabel: words(definition.statusLabels[row.status]),
    open: !['completed', 'cancelled', 'closed'].includes(row.status),
    closureReason: row.closureReason,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    targetAt: row.targetAt?.toISOString() ?? null,
    place:
      showPoint && row.latitude !== null && row.longitude !== null
        ? { latitude: row.latitude, longitude: row.longitude, description: row.isPublic ? row.streetOrWard : null }
        : null,
    publicText: row.publicText,
    ...(view.full && row.answers ? { answers: row.answers } : {}),
  }
}

/** The public timeline, in words: changes of status by their labels, and the words meant for the reader. */
export function timelineJson(entries: readonly TimelineEntry[], definition: ServiceDefinition, words: Words, view: RequestView) {
  const label = (status: RequestStatus | null) => (status ? words(definition.statusLabels[status]) : null)
  return entries
    .filter((entry) => entry.kind === 'status-change' || entry.kind === 'public-update' || entry.kind === 'information-added' || entry.kind === 'appointment')
    .map((entry) => ({
      at: entry.occurredAt.toISOString(),
      kind: entry.kind,
      status: entry.toStatus,
      statusLabel: label(entry.toStatus),
      by: entry.actor.kind,
      text: view.full ? entry.body : null,
    }))
}
