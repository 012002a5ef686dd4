/**
 * When repeated wrong passwords lock an account, and for how long: one rule for residents and
 * staff, each with a policy of its own. Each lock lasts longer than the last, up to a ceiling, so
 * nobody can lock a person out for good and a persistent guesser is slowed down more and more.
 */
export interface LockoutPolicy {
  failuresBeforeLock: number
  firstLockMinutes: number
  longestLockMinutes: number
  /** A lock that ended this long ago no longer makes the next one longer. */
  forgiveAfterMinutes: number
}

export const residentLockoutPolicy: LockoutPolicy = {
  failuresBeforeLock: 5,
  firstLockMinutes: 15,
  longestLockMinutes: 240,
  forgiveAfterMinutes: 24 * 60,
}

/** Staff are locked for less time: a locked-out officer cannot serve the people waiting on them. */
export const staffLockoutPolicy: LockoutPolicy = {
  failuresBeforeLock: 5,
  firstLockMinutes: 5,
  longestLockMinutes: 60,
  forgiveAfterMinutes: 24 * 60,
}

export interface SignInRecord {
  failedSignIns: number
  /** How many times the account has been locked since the last successful sign-in. */
  lockouts: number
  lockedUntil: Date | null
}

export interface FailureOutcome extends SignInRecord {
  /** True when this failure is the one that locked the account. */
  lockedNow: boolean
}

const minute = 60_000

export function isLocked(record: Pick<SignInRecord, 'lockedUntil'>, now: Date): boolean {
  return record.lockedUntil !== null && record.lockedUntil.getTime() > now.getTime()
}

/** Minutes the next lock lasts, given how many locks came before it: for residents 15, 30, 60, 120, 240, 240… */
export function lockMinutes(previousLockouts: number, policy: LockoutPolicy = residentLockoutPolicy): number {
  const doublings = Math.max(0, Math.min(previousLockouts, 30))
  return Math.min(policy.firstLockMinutes * 2 ** doublings, policy.longestLockMinutes)
}

/**
 * The record after a wrong password. Attempts made while the account is locked are refused before
 * the password is checked, so they never reach here and never lengthen a lock.
 */
export function afterFailedSignIn(record: SignInRecord, now: Date, policy: LockoutPolicy = residentLockoutPolicy): FailureOutcome {
  const forgiven =
    record.lockedUntil !== null && now.getTime() - record.lockedUntil.getTime() >= policy.forgiveAfterMinutes * minute
  const previousLockouts = forgiven ? 0 : record.lockouts
  const failedSignIns = record.failedSignIns + 1
  if (failedSignIns < policy.failuresBeforeLock) {
    return { failedSignIns, lockouts: previousLockouts, lockedUntil: record.lockedUntil, lockedNow: false }
  }
  return {
    failedSignIns: 0,
    lockouts: previousLockouts + 1,
    lockedUntil: new Date(now.getTime() + lockMinutes(previousLockouts, policy) * minute),
    lockedNow: true,
  }
}

export function afterSuccessfulSignIn(): SignInRecord {
  return { failedSignIns: 0, lockouts: 0, lockedUntil: null }
}
