import { describe, expect, it } from 'vitest'
import {
  canResidentCancel,
  closureReasons,
  closureReasonLabelKeys,
  describeRefusal,
  isOpen,
  isShownToResident,
  lifecycleEvents,
  nextStatus,
  reopenDeadline,
  requestStatuses,
  statusLabelKeys,
  type LifecycleEvent,
  type RequestState,
  type RequestStatus,
  type Transition,
} from '../../../src/modules/requests/lifecycle.ts'
import { translator } from '../../../src/lib/i18n/index.ts'

const english = translator('en')

const closedAt = new Date('2026-03-03T15:00:00Z')
const simple = (status: Exclude<RequestStatus, 'on-hold' | 'closed'>): RequestState => ({ status })
const onHold = (resumeTo: 'reported' | 'triaged' | 'scheduled' | 'in-progress' | 'no-access'): RequestState => ({
  status: 'on-hold',
  resumeTo,
  holdReason: 'awaiting-parts',
})
const closed: RequestState = { status: 'closed', closureReason: 'completed', closedAt }

function stateAfter(transition: Transition): RequestState {
  if (!transition.allowed) throw new Error(`Refused: ${describeRefusal(transition.refusal, english)}`)
  return transition.state
}

function refusalOf(transition: Transition) {
  if (transition.allowed) throw new Error(`Allowed: now ${transition.state.status}`)
  return { ...transition.refusal, message: describeRefusal(transition.refusal, english) }
}

function run(start: RequestState, ...events: LifecycleEvent[]): RequestState {
  return events.reduce((state, event) => stateAfter(nextStatus(state, event)), start)
}

function eventOf(type: (typeof lifecycleEvents)[number]): LifecycleEvent {
  if (type === 'put-on-hold') return { type, holdReason: 'awaiting-parts' }
  if (type === 'close') return { type, closureReason: 'no-further-action', at: closedAt }
  if (type === 'reopen') return { type, at: closedAt, reopenWithinDays: 28 }
  return { type }
}

function stateOf(status: RequestStatus): RequestState {
  if (status === 'on-hold') return onHold('scheduled')
  if (status === 'closed') return closed
  return simple(status)
}

describe('the request lifecycle', () => {
  it('takes a repair from report to closure', () => {
    const completed = run(simple('reported'), { type: 'triage' }, { type: 'schedule' }, { type: 'start-work' }, { type: 'complete' })
    expect(completed).toEqual({ status: 'completed' })
    expect(run(completed, { type: 'close', closureReason: 'completed', at: closedAt })).toEqual(closed)
  })

  it('refuses to schedule a cancelled request, with a message an officer understands', () => {
    expect(refusalOf(nextStatus(simple('cancelled'), { type: 'schedule' }))).toEqual({
      code: 'not-allowed-from-status',
      messageKey: 'requests.lifecycle.refused.notAllowed',
      values: { status: 'cancelled', event: 'schedule' },
      message: 'A cancelled request cannot be scheduled',
    })
  })

  it('answers every event in every status with a new state or a reason', () => {
    for (const status of requestStatuses) {
      for (const type of lifecycleEvents) {
        const transition = nextStatus(stateOf(status), eventOf(type))
        if (!transition.allowed) expect(describeRefusal(transition.refusal, english)).toMatch(/^(A|Only a) [a-z ]+$/)
        else expect(requestStatuses).toContain(transition.state.status)
      }
    }
  })

  it('lets emergencies be attended before triage, and rebooked after no access', () => {
    expect(run(simple('reported'), { type: 'start-work' })).toEqual({ status: 'in-progress' })
    expect(run(simple('scheduled'), { type: 'record-no-access' }, { type: 'schedule' })).toEqual({ status: 'scheduled' })
    expect(run(simple('scheduled'), { type: 'schedule' })).toEqual({ status: 'scheduled' })
  })

  it('never goes back before work once work has started', () => {
    expect(refusalOf(nextStatus(simple('in-progress'), { type: 'schedule' })).message).toBe(
      'A request with work in progress cannot be scheduled',
    )
    expect(refusalOf(nextStatus(simple('in-progress'), { type: 'record-no-access' })).message).toBe(
      'A request with work in progress cannot be marked as no access',
    )
    expect(refusalOf(nextStatus(simple('reported'), { type: 'complete' })).message).toBe('A newly reported request cannot be completed')
  })

  it('resumes a request from hold to where it was before', () => {
    const held = run(simple('in-progress'), { type: 'put-on-hold', holdReason: 'awaiting-parts' })
    expect(held).toEqual({ status: 'on-hold', resumeTo: 'in-progress', holdReason: 'awaiting-parts' })
    expect(run(held, { type: 'resume' })).toEqual({ status: 'in-progress' })
    expect(run(simple('no-access'), { type: 'put-on-hold', holdReason: 'tenant-in-hospital' }, { type: 'resume' })).toEqual({
      status: 'no-access',
    })
  })

  it('refuses to hold a request already on hold or to resume one that is not', () => {
    expect(refusalOf(nextStatus(onHold('triaged'), { type: 'put-on-hold', holdReason: 'other' })).message).toBe(
      'A request on hold cannot be put on hold',
    )
    expect(refusalOf(nextStatus(simple('scheduled'), { type: 'resume' })).message).toBe('A scheduled request cannot be resumed')
    expect(refusalOf(nextStatus(simple('completed'), { type: 'put-on-hold', holdReason: 'other' })).message).toBe(
      'A completed request cannot be put on hold',
    )
  })

  it('cancels any open request, but not a completed one', () => {
    for (const status of ['reported', 'triaged', 'scheduled', 'in-progress', 'no-access', 'on-hold'] as const) {
      expect(stateAfter(nextStatus(stateOf(status), { type: 'cancel' }))).toEqual({ status: 'cancelled' })
    }
    expect(refusalOf(nextStatus(simple('completed'), { type: 'cancel' })).message).toBe('A completed request cannot be cancelled')
  })
})

describe('closing', () => {
  it('closes any request that is not closed, with a reason', () => {
    for (const status of requestStatuses.filter((status) => status !== 'closed')) {
      expect(stateAfter(nextStatus(stateOf(status), { type: 'close', closureReason: 'duplicate', at: closedAt }))).toEqual({
        status: 'closed',
        closureReason: 'duplicate',
        closedAt,
      })
    }
    expect(refusalOf(nextStatus(closed, { type: 'close', closureReason: 'duplicate', at: closedAt })).message).toBe(
      'A closed request cannot be closed',
    )
  })

  it('closes as completed only a request whose work is complete', () => {
    expect(refusalOf(nextStatus(simple('scheduled'), { type: 'close', closureReason: 'completed', at: closedAt }))).toEqual({
      code: 'closure-reason-not-allowed',
      messageKey: 'requests.lifecycle.refused.closeAsCompleted',
      values: { status: 'scheduled', closureReason: 'completed' },
      message: 'Only a completed request can be closed as completed',
    })
  })
})

describe('reopening', () => {
  it('reopens a closed request within the period, back to be looked at again', () => {
    const reopen = { type: 'reopen', at: new Date('2026-03-31T22:30:00Z'), reopenWithinDays: 28 } as const
    expect(run(closed, reopen)).toEqual({ status: 'reported' })
  })

  it('counts the period in UK days: 28 days after 3 March ends at midnight BST on 31 March', () => {
    expect(reopenDeadline(closedAt, 28)).toEqual(new Date('2026-03-31T23:00:00Z'))
    const tooLate = nextStatus(closed, { type: 'reopen', at: new Date('2026-03-31T23:00:00Z'), reopenWithinDays: 28 })
    expect(refusalOf(tooLate)).toEqual({
      code: 'reopen-period-passed',
      messageKey: 'requests.lifecycle.refused.reopenPeriodPassed',
      values: { days: 28 },
      message: 'A closed request can only be reopened within 28 days of closing',
    })
  })

  it('only reopens a closed request', () => {
    expect(refusalOf(nextStatus(simple('cancelled'), { type: 'reopen', at: closedAt, reopenWithinDays: 28 })).message).toBe(
      'A cancelled request cannot be reopened',
    )
  })

  it('refuses a period that is not a whole number of days', () => {
    expect(() => reopenDeadline(closedAt, -1)).toThrow(RangeError)
  })
})

describe('what residents may do and see', () => {
  it('counts requests as open until they are completed, cancelled or closed', () => {
    expect(requestStatuses.filter(isOpen)).toEqual(['reported', 'triaged', 'scheduled', 'in-progress', 'no-access', 'on-hold'])
  })

  it('lets a resident cancel only before work has started, on hold or not', () => {
    expect(requestStatuses.filter((status) => canResidentCancel(stateOf(status)))).toEqual([
      'reported',
      'triaged',
      'scheduled',
      'no-access',
      'on-hold',
    ])
    expect(canResidentCancel(onHold('in-progress'))).toBe(false)
    expect(canResidentCancel(simple('in-progress'))).toBe(false)
  })

  it('shows residents every change except the council closing what they have already seen finish', () => {
    expect(isShownToResident('scheduled', { status: 'in-progress' })).toBe(true)
    expect(isShownToResident('in-progress', onHold('in-progress'))).toBe(true)
    expect(isShownToResident('reported', { status: 'closed', closureReason: 'duplicate', closedAt })).toBe(true)
    expect(isShownToResident('completed', closed)).toBe(false)
    expect(isShownToResident('cancelled', { status: 'closed', closureReason: 'withdrawn', closedAt })).toBe(false)
  })

  it('has English words for every status, closure reason and refusal', () => {
    expect(statusLabelKeys['in-progress']).toBe('requests.status.in-progress')
    expect(english(statusLabelKeys['no-access'])).toBe('No access')
    for (const status of requestStatuses) expect(english(statusLabelKeys[status])).not.toBe('')
    for (const reason of closureReasons) expect(english(closureReasonLabelKeys[reason])).not.toBe('')
  })
})
