import {
  answerAll,
  answerErrorMessage,
  definitionLimits,
  type AddressAnswer,
  type AllAnswers,
  type AnswerQuestion,
  type LocationAnswer,
  type ServiceDefinition,
} from '../../catalogue/index.ts'
import type { Translate } from '../../../lib/i18n/index.ts'
import type { SubmittedRequest } from './parameters.ts'

/**
 * Which question Open311's description fills: the one whose words the public may read once
 * moderated, or else the first free-text question.
 */
export function descriptionQuestionOf(definition: ServiceDefinition): AnswerQuestion | undefined {
  return (
    definition.questions.find((question) => question.kind === 'textarea' && question.shownPublicly) ??
    definition.questions.find((question) => question.kind === 'textarea')
  ) as AnswerQuestion | undefined
}

/** What the service found for the request's own fields, which no attribute carries. */
export interface ResolvedFields {
  location: LocationAnswer | undefined
  address: AddressAnswer | undefined
  photoKeys: string[] | undefined
}

const dateOnly = /^(\d{4}-\d{2}-\d{2})(?:[T ].*)?$/

/**
 * The form's answers from an Open311 request: the attributes by question id, and the request's
 * own fields (description, place, contact, photos) for the questions they stand for. Open311
 * allows a description of 4,000 characters, so that question takes one that long here.
 */
export function answersFromOpen311(definition: ServiceDefinition, submitted: SubmittedRequest, resolved: ResolvedFields, today: string): AllAnswers {
  const descriptionQuestion = descriptionQuestionOf(definition)
  const widened: ServiceDefinition = {
    ...definition,
    questions: definition.questions.map((question) =>
      question === descriptionQuestion && question.kind === 'textarea' ? { ...question, maxLength: definitionLimits.textareaLength } : question,
    ),
  }
  return answerAll(
    widened,
    (question) => {
      if (question.id === descriptionQuestion?.id) return submitted.description ?? submitted.attributes[question.id]
      const attribute = submitted.attributes[question.id]
      switch (question.kind) {
        case 'location':
          return resolved.location
        case 'address':
          return resolved.address
        case 'photo':
          return resolved.photoKeys
        case 'email':
          return attribute ?? submitted.email
        case 'phone':
          return attribute ?? submitted.phone
        case 'date':
          return typeof attribute === 'string' ? (dateOnly.exec(attribute.trim())?.[1] ?? attribute) : attribute
        default:
          return attribute
      }
    },
    { today },
  )
}

/** A refused answer in words that name the parameter to fix. */
export function describeRefusedAnswer(definition: ServiceDefinition, question: AnswerQuestion, message: string): string {
  if (question.id === descriptionQuestionOf(definition)?.id) return `description: ${message}`
  if (question.kind === 'location') return `lat and long, address_string or address_id: ${message}`
  if (question.kind === 'address') return `address_id: ${message}`
  if (question.kind === 'photo') return `media: ${message}`
  return `attribute[${question.id}]: ${message}`
}

export function refusedAnswerDescriptions(definition: ServiceDefinition, refused: Extract<AllAnswers, { kind: 'refused' }>, t: Translate): string[] {
  return refused.errors.map(({ question, error }) => describeRefusedAnswer(definition, question, answerErrorMessage(error, t, 'en')))
}
