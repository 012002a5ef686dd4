import { pruneHiddenAnswers, visibleQuestions, type Answers } from './questions.ts'
import type { ServiceDefinition } from './definition.ts'

export interface AnsweredContact {
  channel: 'email' | 'sms'
  recipient: string
}

/**
 * Where the person asked, in this request's own answers, to be sent its updates: the first email
 * address or mobile number they gave among the questions still shown. Undefined when the service
 * asks for neither, and the person's own details apply.
 */
export function contactFromAnswers(definition: ServiceDefinition, answers: Answers): AnsweredContact | undefined {
  const shown = pruneHiddenAnswers(definition, answers)
  for (const question of visibleQuestions(definition, shown)) {
    const answer = shown[question.id]
    if (typeof answer !== 'string' || answer === '') continue
    if (question.kind === 'email') return { channel: 'email', recipient: answer }
    if (question.kind === 'phone' && question.mobileOnly) return { channel: 'sms', recipient: answer }
  }
  return undefined
}
