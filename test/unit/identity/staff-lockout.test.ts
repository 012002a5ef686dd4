import { describe, expect, it } from 'vitest'
import {
  afterFailedSignIn,
  afterSuccessfulSignIn,
  isLocked,
  lockMinutes,
  staffLockoutPolicy,
  type SignInRecord,
} from '../../../src/modules/identity/lockout.ts'

const now = new Date('2026-11-23T10:00:00Z')
const fresh: SignInRecord = { failedSignIns: 0, lockouts: 0, lockedUntil: null }

function failTimes(times: number, record: SignInRecord = fresh, at: Date = now): SignInRecord {
  let current = record
  for (let attempt = 0; attempt < times; attempt++) current = afterFailedSignIn(current, at, staffLockoutPolicy)
  return current
}

describe('locking a staff account after failed sign-ins', () => {
  it('does not lock before the fifth wrong password', () => {
    const record = failTimes(4)
    expect(record.failedSignIns).toBe(4)
    expect(isLocked(record, now)).toBe(false)
  })

  it('locks for five minutes on the fifth wrong password', () => {
    const outcome = afterFailedSignIn(failTimes(4), now, staffLockoutPolicy)
    expect(outcome.lockedNow).toBe(true)
    expect(outcome.lockedUntil).toEqual(new Date('2026-11-23T10:05:00Z'))
    expect(outcome.failedSignIns).toBe(0)
    expect(outcome.lockouts).toBe(1)
  })

  it('makes each later lock longer than the one before', () => {
    const later = new Date('2026-11-23T10:30:00Z')
    const first = failTimes(5)
    const second = failTimes(5, first, later)
    expect(second.lockedUntil).toEqual(new Date('2026-11-23T10:40:00Z'))
  })

  it('never locks a member of staff for longer than an hour', () => {
    expect(lockMinutes(3, staffLockoutPolicy)).toBe(40)
    expect(lockMinutes(4, staffLockoutPolicy)).toBe(60)
    expect(lockMinutes(50, staffLockoutPolicy)).toBe(60)
  })

  it('lets the lock lapse when its time has passed', () => {
    const record = failTimes(5)
    expect(isLocked(record, new Date('2026-11-23T10:04:59Z'))).toBe(true)
    expect(isLocked(record, new Date('2026-11-23T10:05:00Z'))).toBe(false)
  })

  it('forgets old locks a day after the last one ended', () => {
    const first = failTimes(5)
    const nextDay = new Date('2026-11-24T11:00:00Z')
    expect(failTimes(5, first, nextDay).lockedUntil).toEqual(new Date('2026-11-24T11:05:00Z'))
  })

  it('starts afresh after a successful sign-in', () => {
    expect(afterSuccessfulSignIn()).toEqual(fresh)
  })
})
