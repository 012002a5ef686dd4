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
export {
  awaabsLawBreaches,
  awaabsLawClocks,
  awaabsLawMilestoneKinds,
  awaabsLawMilestonesDue,
  hazardReportedFor,
  recordAwaabsLawMilestone,
  type AwaabsLawClock,
  type AwaabsLawMilestone,
  type AwaabsLawMilestoneKind,
  type AwaabsLawMilestones,
} from './awaabs-law.ts'
export { generateReference, isReference, parseReference, referenceAlphabet } from './references.ts'
export { requestChannels, requestEventKinds, eventVisibilities, type EventVisibility, type RequestChannel, type RequestEventKind } from './tables.ts'
export {
  TransitionRefused,
  createRequestServices,
  recordAppointmentEvent,
  type AppointmentEvent,
  defaultHoldReasons,
  type ChangeOptions,
  type HoldReason,
  type AwaabsLawRecord,
  type NewComment,
  type NewRequest,
  type NoteOptions,
  type RequestDependencies,
  type RequestRecord,
  type RequestServiceOptions,
  type RequestServices,
  type StatusChanged,
  type StatusFollower,
  type RequestSummary,
  type StatusChange,
  type TimelineEntry,
} from './service.ts'
export { staffRequestRoutes } from './staff-routes.ts'
export { residentRequestRoutes } from './resident-routes.ts'
export { mapBoxProblems, publicReportRoutes } from './public-report-routes.ts'
export { requestPhotoRoutes } from './photo-routes.ts'
export { workRoutes } from './work-routes.ts'
export { maySeePhoto, photoLimitsFor, type PhotoAccess, type PhotoViewer, type RequestPhoto } from './photos.ts'
export { outcomeProblems, outcomesAllowed, workOutcomes, type WorkOutcome } from './outcomes.ts'
export { responseTemplateRoutes } from './response-template-routes.ts'
export { moderationRoutes } from './moderation-routes.ts'
export {
  channelFor,
  createResidentMessages,
  messageFor,
  messageRouteFor,
  notifyResidentTask,
  type Addressee,
  type RequestMessage,
  type ResidentContact,
  type ResidentMessages,
} from './resident-messages.ts'
export {
  checkResponseTemplate,
  createResponseTemplates,
  fillResponseTemplate,
  responseTemplateFields,
  type ResponseTemplate,
  type ResponseTemplateInput,
  type ResponseTemplates,
} from './response-templates.ts'
export { createSatisfactionSurvey, isSurveyOpen, type SatisfactionAnswer, type SatisfactionSurvey } from './satisfaction.ts'
export {
  createPublicReports,
  longestPublicText,
  mostMapReports,
  type MapBox,
  type MapData,
  type NearbyReport,
  type PublicReport,
  type PublicReportSummary,
  type PublicReports,
  type PublicTimelineEntry,
  type ReportFilters,
  type ReportState,
} from './public-reports.ts'
export { alertRadiiMetres, createReportAlerts, sendReportAlertsTask, type AlertTarget, type ReportAlerts } from './report-alerts.ts'
export { reportAlertRoutes } from './report-alert-routes.ts'
export { createRequestListings, type ListedRequest, type ListedUpdate, type ListingAccess, type ListingFilter, type RequestListings } from './request-listings.ts'
