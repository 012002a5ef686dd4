import { isOpen, type ClosureReason, type RequestState, type RequestStatus, type StatusChange } from '../../requests/index.ts'

/**
 * Open311's two statuses, and the extended statuses mySociety added so that FixMyStreet and a
 * council's system can keep a report's progress in step. Guildhall's lifecycle is richer than
 * "open or closed", so each of its states is told as the nearest extended status, and each
 * extended status a client sends is read as the changes that reach it from where the request is.
 */
export const open311Statuses = ['open', 'closed'] as const
export type Open311Status = (typeof open311Statuses)[number]

export const extendedStatuses = [
  'OPEN',
  'CLOSED',
  'FIXED',
  'IN_PROGRESS',
  'ACTION_SCHEDULED',
  'INVESTIGATING',
  'DUPLICATE',
  'NOT_COUNCILS_RESPONSIBILITY',
  'NO_FURTHER_ACTION',
  'INTERNAL_REFERRAL',
  'CANCELLED',
  'REOPEN',
  'FOR_TRIAGE',
] as const
export type ExtendedStatus = (typeof extendedStatuses)[number]

export function open311StatusOf(status: RequestStatus): Open311Status {
  return isOpen(status) ? 'open' : 'closed'
}

/** Clients write statuses in capitals or not, and with spaces or underscores ("in progress"). */
export function parseExtendedStatus(text: string): ExtendedStatus | undefined {
  const normal = text.trim().toUpperCase().replace(/[\s-]+/g, '_')
  return (extendedStatuses as readonly string[]).includes(normal) ? (normal as ExtendedStatus) : undefined
}

const closedAs: Record<ClosureReason, ExtendedStatus> = {
  completed: 'FIXED',
  duplicate: 'DUPLICATE',
  'not-councils-responsibility': 'NOT_COUNCILS_RESPONSIBILITY',
  'no-further-action': 'NO_FURTHER_ACTION',
  withdrawn: 'CANCELLED',
}

const asExtended: Record<Exclude<RequestStatus, 'on-hold' | 'closed'>, ExtendedStatus> = {
  reported: 'OPEN',
  triaged: 'INVESTIGATING',
  scheduled: 'ACTION_SCHEDULED',
  // Nobody was in, so another visit is to be arranged.
  'no-access': 'ACTION_SCHEDULED',
  'in-progress': 'IN_PROGRESS',
  completed: 'FIXED',
  cancelled: 'CANCELLED',
}

/** What a state is called in the extended statuses; a request on hold is told as where it will resume. */
export function extendedStatusOf(state: { status: RequestStatus; closureReason?: ClosureReason | null; resumeTo?: RequestStatus | null; reopened?: boolean }): ExtendedStatus {
  if (state.status === 'closed') return closedAs[state.closureReason ?? 'no-further-action']
  if (state.status === 'on-hold') return state.resumeTo && state.resumeTo !== 'on-hold' ? extendedStatusOf({ status: state.resumeTo }) : 'IN_PROGRESS'
  if (state.status === 'reported' && state.reopened) return 'REOPEN'
  return asExtended[state.status]
}

/** The code Guildhall itself gives the state, which mySociety's extension carries as external_status_code. */
export function externalStatusCodeOf(state: { status: RequestStatus; closureReason?: ClosureReason | null }): string {
  return state.status === 'closed' && state.closureReason ? `closed:${state.closureReason}` : state.status
}

export type StatusPlan = { changes: StatusChange[] } | { refused: string }

/** How far work has got, for statuses that only move forward. */
const progress: Record<RequestStatus, number> = {
  reported: 0,
  triaged: 1,
  'no-access': 2,
  scheduled: 2,
  'in-progress': 3,
  'on-hold': -1,
  completed: 4,
  cancelled: 5,
  closed: 5,
}

function reachProgress(status: RequestStatus, wanted: 'triaged' | 'scheduled' | 'in-progress' | 'completed'): StatusChange[] {
  switch (wanted) {
    case 'triaged':
      return status === 'reported' ? [{ type: 'triage' }] : []
    case 'scheduled':
      return progress[status] < 2 || status === 'no-access' ? [{ type: 'schedule' }] : []
    case 'in-progress':
      return progress[status] < 3 ? [{ type: 'start-work' }] : []
    case 'completed':
      if (status === 'completed') return []
      // Completing needs the work to have been looked at or started first.
      if (status === 'reported') return [{ type: 'triage' }, { type: 'complete' }]
      if (status === 'no-access') return [{ type: 'start-work' }, { type: 'complete' }]
      return [{ type: 'complete' }]
  }
}

const forwardTargets: Partial<Record<ExtendedStatus, 'triaged' | 'scheduled' | 'in-progress' | 'completed'>> = {
  INVESTIGATING: 'triaged',
  INTERNAL_REFERRAL: 'triaged',
  ACTION_SCHEDULED: 'scheduled',
  IN_PROGRESS: 'in-progress',
  FIXED: 'completed',
}

const closingReasons: Partial<Record<ExtendedStatus, ClosureReason>> = {
  DUPLICATE: 'duplicate',
  NOT_COUNCILS_RESPONSIBILITY: 'not-councils-responsibility',
  NO_FURTHER_ACTION: 'no-further-action',
}

/**
 * The changes that take a request from its state to the extended status a client asked for: none
 * when it is there already (a status never goes backwards because a client said so), or the
 * reason it cannot get there. Whether each change is allowed at the moment it is made is still
 * the lifecycle's to decide.
 */
export function planStatusChange(state: RequestState, wanted: ExtendedStatus): StatusPlan {
  const finished = !isOpen(state.status)
  const refuse = (reason: string): StatusPlan => ({ refused: reason })

  if (wanted === 'OPEN' || wanted === 'REOPEN' || wanted === 'FOR_TRIAGE') {
    if (!finished) return { changes: [] }
    if (state.status === 'closed') return { changes: [{ type: 'reopen' }] }
    if (state.status === 'completed') return { changes: [{ type: 'close', closureReason: 'completed' }, { type: 'reopen' }] }
    return refuse('A cancelled request cannot be opened again; report the problem as a new request')
  }

  if (wanted === 'CLOSED') {
    if (state.status === 'closed') return { changes: [] }
    return { changes: [{ type: 'close', closureReason: state.status === 'completed' ? 'completed' : state.status === 'cancelled' ? 'withdrawn' : 'no-further-action' }] }
  }

  const closureReason = closingReasons[wanted]
  if (closureReason) {
    if (state.status === 'closed') return state.closureReason === closureReason ? { changes: [] } : refuse(`The request is already closed as ${state.closureReason}`)
    return { changes: [{ type: 'close', closureReason }] }
  }

  if (wanted === 'CANCELLED') {
    if (state.status === 'cancelled' || (state.status === 'closed' && state.closureReason === 'withdrawn')) return { changes: [] }
    if (finished) return refuse(`A ${state.status} request cannot be cancelled`)
    return { changes: [{ type: 'cancel' }] }
  }

  const target = forwardTargets[wanted]!
  if (state.status === 'closed') {
    return target === 'completed' && state.closureReason === 'completed' ? { changes: [] } : refuse(`A closed request cannot be marked ${wanted}; reopen it first`)
  }
  if (state.status === 'cancelled') return refuse(`A cancelled request cannot be marked ${wanted}`)
  if (state.status === 'completed') return target === 'completed' ? { changes: [] } : refuse(`A completed request cannot be marked ${wanted}; reopen it first`)
  if (state.status === 'on-hold') {
    const after = reachProgress(state.resumeTo, target)
    return { changes: after.length === 0 ? [] : [{ type: 'resume' }, ...after] }
  }
  return { changes: reachProgress(state.status, target) }
}
