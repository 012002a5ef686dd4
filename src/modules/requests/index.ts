/**
 * Requests: the one lifecycle every council service shares, its target dates and the Awaab's Law
 * clocks. Other modules use these rules only through this file.
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
  priorityPolicySchema,
  targetDate,
  targetDateWithPauses,
  type Priority,
  type PriorityPolicy,
  type TargetTime,
} from './targets.ts'
export { awaabsLawBreaches, awaabsLawClocks, type AwaabsLawClock, type AwaabsLawMilestones } from './awaabs-law.ts'
