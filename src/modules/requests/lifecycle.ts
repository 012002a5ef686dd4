import { addDays } from '../../lib/calendar/plain-date.ts'
import { endOfUkDay, ukDateOf } from '../../lib/calendar/uk-time.ts'
import type { Translate } from '../../lib/i18n/index.ts'

/**
 * The one lifecycle every request follows, whatever the service. Each service gives the statuses
 * its own labels (a repair is "Booked" where a bulky waste collection is "Collection arranged"),
 * but the rules about what can follow what live here, once.
 *
 *   reported → triaged → scheduled → in-progress → completed → closed
 *
 * with no-access (nobody was in for the appointment), on-hold (and back to where it was),
 * cancelled, and closed with a reason; a closed request can be reopened for a while. Once work
 * has started a request never goes back to a status before it, so "work has not started" can be
 * read from the status alone. A follow-up visit to work in progress is an appointment, not a
 * change of status.
 */

export const requestStatuses = [
  'reported',
  'triaged',
  'scheduled',
  'in-progress',
  'completed',
  'no-access',
  'on-hold',
  'cancelled',
  'closed',
] as const
export type RequestStatus = (typeof requestStatuses)[number]

/** Statuses a request can be put on hold from, and so resume to. */
export const holdableStatuses = ['reported', 'triaged', 'scheduled', 'in-progress', 'no-access'] as const
export type HoldableStatus = (typeof holdableStatuses)[number]

export const closureReasons = ['completed', 'duplicate', 'not-councils-responsibility', 'no-further-action', 'withdrawn'] as const
export type ClosureReason = (typeof closureReasons)[number]

/**
 * Where a request is in its lifecycle. A request on hold remembers where to resume to and why it
 * is held (the reason is the council's code, which also says whether the target clock stops); a
 * closed one remembers why and when it was closed, which decides whether it can be reopened.
 */
export type RequestState =
  | { status: HoldableStatus | 'completed' | 'cancelled' }
  | { status: 'on-hold'; resumeTo: HoldableStatus; holdReason: string }
  | { status: 'closed'; closureReason: ClosureReason; closedAt: Date }

export const lifecycleEvents = [
  'triage',
  'schedule',
  'start-work',
  'complete',
  'record-no-access',
  'put-on-hold',
  'resume',
  'cancel',
  'close',
  'reopen',
] as const
export type LifecycleEventType = (typeof lifecycleEvents)[number]

export type LifecycleEvent =
  | { type: 'triage' | 'schedule' | 'start-work' | 'complete' | 'record-no-access' | 'resume' | 'cancel' }
  | { type: 'put-on-hold'; holdReason: string }
  | { type: 'close'; closureReason: ClosureReason; at: Date }
  | { type: 'reopen'; at: Date; reopenWithinDays: number }

export type RefusalCode = 'not-allowed-from-status' | 'closure-reason-not-allowed' | 'reopen-period-passed'

/** Why a change was refused, as a message key and its values; describeRefusal puts it into words. */
export interface Refusal {
  code: RefusalCode
  messageKey: string
  values: Record<string, string | number>
}

export type Transition = { allowed: true; state: RequestState } | { allowed: false; refusal: Refusal }

/** Where each simple event may happen, and where it leads. */
type SimpleEventType = Exclude<LifecycleEventType, 'put-on-hold' | 'resume' | 'close' | 'reopen'>
const moves: Record<SimpleEventType, { from: readonly RequestStatus[]; to: HoldableStatus | 'completed' | 'cancelled' }> = {
  triage: { from: ['reported'], to: 'triaged' },
  /** Scheduling again from scheduled rebooks the appointment; after no access it books a new visit. */
  schedule: { from: ['reported', 'triaged', 'scheduled', 'no-access'], to: 'scheduled' },
  /** From reported too: an emergency is attended before anyone triages it. */
  'start-work': { from: ['reported', 'triaged', 'scheduled', 'no-access'], to: 'in-progress' },
  complete: { from: ['triaged', 'scheduled', 'in-progress'], to: 'completed' },
  'record-no-access': { from: ['scheduled'], to: 'no-access' },
  cancel: { from: [...holdableStatuses, 'on-hold'], to: 'cancelled' },
}

export const statusLabelKeys: Record<RequestStatus, string> = Object.fromEntries(
  requestStatuses.map((status) => [status, `requests.status.${status}`]),
) as Record<RequestStatus, string>

export const closureReasonLabelKeys: Record<ClosureReason, string> = Object.fromEntries(
  closureReasons.map((reason) => [reason, `requests.closureReason.${reason}`]),
) as Record<ClosureReason, string>

function refuse(code: RefusalCode, messageKey: string, values: Refusal['values']): Transition {
  return { allowed: false, refusal: { code, messageKey, values } }
}

function notAllowed(status: RequestStatus, event: LifecycleEventType): Transition {
  return refuse('not-allowed-from-status', 'requests.lifecycle.refused.notAllowed', { status, event })
}

/** A refusal in words an officer understands, e.g. "A cancelled request cannot be scheduled". */
export function describeRefusal(refusal: Refusal, t: Translate): string {
  if (refusal.code !== 'not-allowed-from-status') return t(refusal.messageKey, refusal.values)
  return t(refusal.messageKey, {
    subject: t(`requests.lifecycle.subject.${refusal.values.status}`),
    outcome: t(`requests.lifecycle.outcome.${refusal.values.event}`),
  })
}

function allow(state: RequestState): Transition {
  return { allowed: true, state }
}

/** When a request closed at `closedAt` stops being reopenable: the end of the UK day `reopenWithinDays` after it closed. */
export function reopenDeadline(closedAt: Date, reopenWithinDays: number): Date {
  if (!Number.isInteger(reopenWithinDays) || reopenWithinDays < 0) {
    throw new RangeError(`The reopening period must be a whole number of days, 0 or more, not ${reopenWithinDays}`)
  }
  return endOfUkDay(addDays(ukDateOf(closedAt), reopenWithinDays))
}

/** The state after `event`, or the reason it cannot happen now. */
export function nextStatus(current: RequestState, event: LifecycleEvent): Transition {
  const status = current.status
  switch (event.type) {
    case 'put-on-hold':
      if (!(holdableStatuses as readonly RequestStatus[]).includes(status)) return notAllowed(status, event.type)
      return allow({ status: 'on-hold', resumeTo: status as HoldableStatus, holdReason: event.holdReason })
    case 'resume':
      if (current.status !== 'on-hold') return notAllowed(status, event.type)
      return allow({ status: current.resumeTo })
    case 'close':
      if (status === 'closed') return notAllowed(status, event.type)
      if (event.closureReason === 'completed' && status !== 'completed') {
        return refuse('closure-reason-not-allowed', 'requests.lifecycle.refused.closeAsCompleted', {
          status,
          closureReason: event.closureReason,
        })
      }
      return allow({ status: 'closed', closureReason: event.closureReason, closedAt: event.at })
    case 'reopen':
      if (current.status !== 'closed') return notAllowed(status, event.type)
      if (event.at.getTime() >= reopenDeadline(current.closedAt, event.reopenWithinDays).getTime()) {
        return refuse('reopen-period-passed', 'requests.lifecycle.refused.reopenPeriodPassed', { days: event.reopenWithinDays })
      }
      // A reopened request goes back to be looked at again before anyone is sent.
      return allow({ status: 'reported' })
    default: {
      const move = moves[event.type]
      if (!move.from.includes(status)) return notAllowed(status, event.type)
      return allow({ status: move.to })
    }
  }
}

/** Still needs something done: not yet completed, cancelled or closed. */
export function isOpen(status: RequestStatus): boolean {
  return status !== 'completed' && status !== 'cancelled' && status !== 'closed'
}

const beforeWork: readonly RequestStatus[] = ['reported', 'triaged', 'scheduled', 'no-access']

/** A resident may cancel their own request only while work has not started, even if it is on hold. */
export function canResidentCancel(state: RequestState): boolean {
  if (state.status === 'on-hold') return beforeWork.includes(state.resumeTo)
  return beforeWork.includes(state.status)
}

/**
 * Whether a change of status appears on the resident's timeline (and so sends them a message).
 * Every change does, except closing a request the resident has already seen finish, as completed
 * or cancelled: that is the council's housekeeping, and a second message would only confuse.
 */
export function isShownToResident(from: RequestStatus, to: RequestState): boolean {
  return !(to.status === 'closed' && (from === 'completed' || from === 'cancelled'))
}
