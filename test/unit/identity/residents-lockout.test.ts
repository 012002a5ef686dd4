import { describe, expect, it } from 'vitest'
import {
  afterFailedSignIn,
  afterSuccessfulSignIn,
  isLocked,
  lockMinutes,
  residentLockoutPolicy,
  type SignInRecord,
} from '../../../src/modules/identity/lockout.ts'

const now = new Date('2026-11-23T14:30:00Z')
const minutesFrom = (moment: Date, minutes: number) => new Date(moment.getTime() + minutes * 60_000)
const fresh: SignInRecord = { failedSignIns: 0, lockouts: 0, lockedUntil: null }

function failTimes(record: SignInRecord, times: number, at: Date) {
  let current = { ...record, lockedNow: false }
  for (let count = 0; count < times; count++) current = afterFailedSignIn(current, at)
  return current
}

describe('locking a resident account after wrong passwords', () => {
  it('counts the first four failures without locking', () => {
    const outcome = failTimes(fresh, 4, now)
    expect(outcome).toEqual({ failedSignIns: 4, lockouts: 0, lockedUntil: null, lockedNow: false })
    expect(isLocked(outcome, now)).toBe(false)
  })

  it('locks for 15 minutes on the fifth failure and starts counting again', () => {
    const outcome = failTimes(fresh, 5, now)
    expect(outcome).toEqual({ failedSignIns: 0, lockouts: 1, lockedUntil: minutesFrom(now, 15), lockedNow: true })
    expect(isLocked(outcome, now)).toBe(true)
    expect(isLocked(outcome, minutesFrom(now, 14.9))).toBe(true)
    expect(isLocked(outcome, minutesFrom(now, 15))).toBe(false)
  })

  it('doubles each lock up to four hours, so a resident is never locked out for good', () => {
    expect([0, 1, 2, 3, 4, 5, 12, 1000].map((previous) => lockMinutes(previous))).toEqual([15, 30, 60, 120, 240, 240, 240, 240])
    let record: SignInRecord = fresh
    let at = now
    const lengths: number[] = []
    for (let lock = 0; lock < 6; lock++) {
      record = failTimes(record, 5, at)
      lengths.push((record.lockedUntil!.getTime() - at.getTime()) / 60_000)
      at = minutesFrom(record.lockedUntil!, 1)
    }
    expect(lengths).toEqual([15, 30, 60, 120, 240, 240])
  })

  it('forgets earlier locks a day after the last one ended', () => {
    const earlier: SignInRecord = { failedSignIns: 0, lockouts: 3, lockedUntil: now }
    expect(failTimes(earlier, 5, minutesFrom(now, 60)).lockedUntil).toEqual(minutesFrom(now, 60 + 120))
    const dayLater = minutesFrom(now, residentLockoutPolicy.forgiveAfterMinutes)
    expect(failTimes(earlier, 5, dayLater)).toMatchObject({ lockouts: 1, lockedUntil: minutesFrom(dayLater, 15) })
  })

  it('clears everything after a successful sign-in', () => {
    expect(afterSuccessfulSignIn()).toEqual(fresh)
  })

  it('follows a stricter policy when given one', () => {
    const policy = { failuresBeforeLock: 3, firstLockMinutes: 5, longestLockMinutes: 10, forgiveAfterMinutes: 60 }
    const record = afterFailedSignIn(afterFailedSignIn(afterFailedSignIn(fresh, now, policy), now, policy), now, policy)
    expect(record.lockedUntil).toEqual(minutesFrom(now, 5))
    expect(lockMinutes(4, policy)).toBe(10)
  })
})
