/**
 * The catalogue: the services a council offers, each described as data and stored as numbered
 * versions. Other modules use its rules and its stored definitions only through this file.
 */
export {
  audiences,
  definitionLimits,
  definitionPlaceholders,
  fillPlaceholders,
  isChoiceQuestion,
  isInterruption,
  isLinkEntry,
  open311Attributes,
  pageIdOf,
  questionKinds,
  recordVisibilities,
  regimes,
  textIn,
  type AnswerQuestion,
  type Audience,
  type CatalogueEntry,
  type LinkEntry,
  type ChoiceQuestion,
  type Condition,
  type DefinitionPlaceholder,
  type DefinitionSource,
  type InterruptionQuestion,
  type Job,
  type LocalisedText,
  type Open311Attribute,
  type Question,
  type QuestionKind,
  type RecordVisibility,
  type Regime,
  type RoutingRule,
  type ServiceDefinition,
} from './definition.ts'
export {
  InvalidDefinition,
  describeProblem,
  parseDefinition,
  parseEntry,
  validateDefinition,
  validateEntry,
  type EntryValidation,
  type DefinitionProblem,
  type DefinitionValidation,
} from './validate-definition.ts'
export {
  allPages,
  answerAll,
  answerErrorMessage,
  checkAnswers,
  conditionHolds,
  interruptionFor,
  isComplete,
  lastPage,
  locationOf,
  nextPage,
  ownWordsOf,
  pages,
  previousPage,
  pruneHiddenAnswers,
  resumeAt,
  validateAnswer,
  visiblePage,
  visibleQuestions,
  type AddressAnswer,
  type AllAnswers,
  type AnswerContext,
  type AnswerError,
  type AnswerResult,
  type AnswerValue,
  type Answers,
  type CheckAnswersRow,
  type Destination,
  type LocationAnswer,
  type Page,
} from './questions.ts'
export { jobFor, jobsOf, priorityDecision, propertyFor, priorityFor, regimesFor, serviceTarget, type OfferedJob, type PriorityDecision, type SelectedJob } from './priority-rules.ts'
export { contactFromAnswers, type AnsweredContact } from './contact.ts'
export { routeFor, tradesOf, type Route, type RoutingFacts } from './routing.ts'
export {
  InvalidDefinitionFile,
  createCatalogueServices,
  definitionsFolder,
  type CatalogueServices,
  type DefinitionVersion,
  type PublishedVersion,
  type ServiceSummary,
  type VersionHistoryEntry,
} from './service.ts'
export { formRoutes } from './form-routes.ts'
export { frontDoorRoutes } from './front-door-routes.ts'
export { catalogueEditorRoutes } from './editor-routes.ts'
export { guestRoutes } from './guest-routes.ts'
export { councilText } from './council-text.ts'
export { filledHoneypot, honeypotField } from './submission-limits.ts'
export { topics, type Topic } from './topics.ts'
export type { AToZLetter, FrontDoorEntry } from './front-door.ts'

