/**
 * Requests: the one lifecycle every council service shares, its target dates, the Awaab's Law
 * clocks, and the service that records requests and their timelines. Other modules use them only
 * through this file.
 */
export {
  canResidentCancel,
  closureReasons,
  isOpen,
  isShownToResident,
  describeRefusal,
  nextStatus,
  reopenDeadline,
  requestStatuses,
  type ClosureReason,
  type LifecycleEvent,
  type RequestState,
  type RequestStatus,
  type Transition,
} from './lifecycle.ts'
export {
  defaultPriorityPolicy,
  isNearlyDue,
  isOverdue,
  priorities,
  targetDate,
  targetDateWithPauses,
  type Priority,
  type PriorityPolicy,
  type TargetTime,
} from './targets.ts'
export { awaabsLawBreaches, awaabsLawClocks, type AwaabsLawClock, type AwaabsLawMilestones } from './awaabs-law.ts'
export { generateReference, isReference, parseReference, referenceAlphabet } from './references.ts'
export { requestChannels, requestEventKinds, eventVisibilities, type EventVisibility, type RequestChannel, type RequestEventKind } from './tables.ts'
export {
  TransitionRefused,
  createRequestServices,
  defaultHoldReasons,
  type ChangeOptions,
  type HoldReason,
  type NewRequest,
  type NoteOptions,
  type RequestDependencies,
  type RequestRecord,
  type RequestServiceOptions,
  type RequestServices,
  type RequestSummary,
  type StatusChange,
  type TimelineEntry,
} from './service.ts'
export { staffRequestRoutes } from './staff-routes.ts'
export { residentRequestRoutes } from './resident-routes.ts'
export { channelFor, createResidentMessages, messageFor, notifyResidentTask, type ResidentContact, type ResidentMessages } from './resident-messages.ts'
export { createSatisfactionSurvey, isSurveyOpen, type SatisfactionAnswer, type SatisfactionSurvey } from './satisfaction.ts'
