/**
 * Warnings about a person or a property (a risk to staff, someone vulnerable, an animal), recorded
 * by staff who may, and shown to those who need them. Other modules use them only through this file.
 */
export {
  canSeeWarnings,
  checkEndReason,
  checkNewWarning,
  inOrderOfImportance,
  isDueForReview,
  isWarningCategory,
  longestDescription,
  longestEndReason,
  warningCategories,
  type NewWarning,
  type WarningCategory,
  type WarningForm,
  type WarningJob,
  type WarningViewer,
} from './rules.ts'
export {
  createWarningServices,
  type JobSubjects,
  type Warning,
  type WarningDependencies,
  type WarningServiceOptions,
  type WarningServices,
  type WarningSubject,
} from './service.ts'
export { warningRoutes } from './routes.ts'
