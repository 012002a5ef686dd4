import { describe, expect, it } from 'vitest'
import { nextStatus, type RequestState } from '../../../src/modules/requests/index.ts'
import {
  extendedStatuses,
  extendedStatusOf,
  externalStatusCodeOf,
  open311StatusOf,
  parseExtendedStatus,
  planStatusChange,
  type ExtendedStatus,
} from '../../../src/modules/open-data/open311/statuses.ts'

const at = new Date('2026-11-24T10:00:00Z')
const states: RequestState[] = [
  { status: 'reported' },
  { status: 'triaged' },
  { status: 'scheduled' },
  { status: 'in-progress' },
  { status: 'no-access' },
  { status: 'completed' },
  { status: 'cancelled' },
  { status: 'on-hold', resumeTo: 'triaged', holdReason: 'awaiting-materials' },
  { status: 'on-hold', resumeTo: 'scheduled', holdReason: 'awaiting-resident' },
  { status: 'closed', closureReason: 'completed', closedAt: at },
  { status: 'closed', closureReason: 'duplicate', closedAt: at },
  { status: 'closed', closureReason: 'no-further-action', closedAt: at },
]

/** Applies a plan through the lifecycle's own rules, as the requests service would. */
function apply(state: RequestState, wanted: ExtendedStatus): RequestState | string {
  const plan = planStatusChange(state, wanted)
  if ('refused' in plan) return plan.refused
  let current = state
  for (const change of plan.changes) {
    const event =
      change.type === 'close' ? { type: 'close' as const, closureReason: change.closureReason, at } : change.type === 'reopen' ? { type: 'reopen' as const, at, reopenWithinDays: 28 } : change
    const transition = nextStatus(current, event)
    if (!transition.allowed) throw new Error(`The plan for ${wanted} from ${state.status} takes a step the lifecycle refuses: ${change.type}`)
    current = transition.state
  }
  return current
}

describe('Open311 statuses', () => {
  it('tells open and closed as the lifecycle does', () => {
    expect(open311StatusOf('reported')).toBe('open')
    expect(open311StatusOf('on-hold')).toBe('open')
    expect(open311StatusOf('completed')).toBe('closed')
    expect(open311StatusOf('cancelled')).toBe('closed')
    expect(open311StatusOf('closed')).toBe('closed')
  })

  it('names every state as an extended status, a hold as where it resumes and a reopening as REOPEN', () => {
    expect(extendedStatusOf({ status: 'reported' })).toBe('OPEN')
    expect(extendedStatusOf({ status: 'reported', reopened: true })).toBe('REOPEN')
    expect(extendedStatusOf({ status: 'triaged' })).toBe('INVESTIGATING')
    expect(extendedStatusOf({ status: 'scheduled' })).toBe('ACTION_SCHEDULED')
    expect(extendedStatusOf({ status: 'in-progress' })).toBe('IN_PROGRESS')
    expect(extendedStatusOf({ status: 'completed' })).toBe('FIXED')
    expect(extendedStatusOf({ status: 'cancelled' })).toBe('CANCELLED')
    expect(extendedStatusOf({ status: 'on-hold', resumeTo: 'scheduled' })).toBe('ACTION_SCHEDULED')
    expect(extendedStatusOf({ status: 'closed', closureReason: 'duplicate' })).toBe('DUPLICATE')
    expect(extendedStatusOf({ status: 'closed', closureReason: 'not-councils-responsibility' })).toBe('NOT_COUNCILS_RESPONSIBILITY')
    expect(extendedStatusOf({ status: 'closed', closureReason: 'no-further-action' })).toBe('NO_FURTHER_ACTION')
    expect(extendedStatusOf({ status: 'closed', closureReason: 'withdrawn' })).toBe('CANCELLED')
    expect(externalStatusCodeOf({ status: 'closed', closureReason: 'duplicate' })).toBe('closed:duplicate')
    expect(externalStatusCodeOf({ status: 'in-progress' })).toBe('in-progress')
  })

  it('reads statuses in any case and with spaces, and nothing else', () => {
    expect(parseExtendedStatus('fixed')).toBe('FIXED')
    expect(parseExtendedStatus(' in progress ')).toBe('IN_PROGRESS')
    expect(parseExtendedStatus('Not_Councils_Responsibility')).toBe('NOT_COUNCILS_RESPONSIBILITY')
    expect(parseExtendedStatus('mended')).toBeUndefined()
    expect(parseExtendedStatus('')).toBeUndefined()
  })

  it('plans only steps the lifecycle allows, from every state to every extended status', () => {
    for (const state of states) {
      for (const wanted of extendedStatuses) expect(() => apply(state, wanted)).not.toThrow()
    }
  })

  it('reaches what was asked where it can', () => {
    expect(apply({ status: 'reported' }, 'FIXED')).toEqual({ status: 'completed' })
    expect(apply({ status: 'no-access' }, 'FIXED')).toEqual({ status: 'completed' })
    expect(apply({ status: 'reported' }, 'IN_PROGRESS')).toEqual({ status: 'in-progress' })
    expect(apply({ status: 'triaged' }, 'ACTION_SCHEDULED')).toEqual({ status: 'scheduled' })
    expect(apply({ status: 'on-hold', resumeTo: 'triaged', holdReason: 'awaiting-materials' }, 'IN_PROGRESS')).toEqual({ status: 'in-progress' })
    expect(apply({ status: 'in-progress' }, 'DUPLICATE')).toMatchObject({ status: 'closed', closureReason: 'duplicate' })
    expect(apply({ status: 'completed' }, 'CLOSED')).toMatchObject({ status: 'closed', closureReason: 'completed' })
    expect(apply({ status: 'closed', closureReason: 'completed', closedAt: at }, 'REOPEN')).toEqual({ status: 'reported' })
    expect(apply({ status: 'completed' }, 'OPEN')).toEqual({ status: 'reported' })
    expect(apply({ status: 'scheduled' }, 'CANCELLED')).toEqual({ status: 'cancelled' })
  })

  it('changes nothing when the request is there already, and never moves work backwards', () => {
    expect(planStatusChange({ status: 'in-progress' }, 'OPEN')).toEqual({ changes: [] })
    expect(planStatusChange({ status: 'in-progress' }, 'INVESTIGATING')).toEqual({ changes: [] })
    expect(planStatusChange({ status: 'scheduled' }, 'ACTION_SCHEDULED')).toEqual({ changes: [] })
    expect(planStatusChange({ status: 'closed', closureReason: 'completed', closedAt: at }, 'FIXED')).toEqual({ changes: [] })
  })

  it('refuses what cannot be, with a reason', () => {
    expect(planStatusChange({ status: 'cancelled' }, 'OPEN')).toHaveProperty('refused')
    expect(planStatusChange({ status: 'closed', closureReason: 'duplicate', closedAt: at }, 'IN_PROGRESS')).toHaveProperty('refused')
    expect(planStatusChange({ status: 'closed', closureReason: 'duplicate', closedAt: at }, 'NO_FURTHER_ACTION')).toHaveProperty('refused')
    expect(planStatusChange({ status: 'completed' }, 'CANCELLED')).toHaveProperty('refused')
  })
})
