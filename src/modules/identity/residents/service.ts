import { randomUUID } from 'node:crypto'
import argon2 from 'argon2'
import { sql, type Kysely } from 'kysely'
import type { Database } from '../../../database.ts'
import { InvalidInput, TooManyAttempts, type FieldErrors } from '../../../lib/errors.ts'
import { countHit, resetCounter, type RateLimit } from '../../../lib/http/rate-limits.ts'
import { endSessionsOf } from '../../../lib/http/sessions.ts'
import { translator } from '../../../lib/i18n/index.ts'
import { recordAudit } from '../audit.ts'
import { clockTimeText } from './clock-time.ts'
import type { IdentityDependencies } from '../index.ts'
import type { ContactPreference, TokenPurpose } from '../tables.ts'
import { afterFailedSignIn, afterSuccessfulSignIn, isLocked, residentLockoutPolicy } from '../lockout.ts'
import {
  codeAttemptsAllowed,
  expiryFor,
  hashCode,
  hashSecret,
  looksLikeSecret,
  newCode,
  newSecret,
  sameHash,
  tokenState,
} from './tokens.ts'
import {
  codeError,
  emailError,
  isContactPreference,
  mobileError,
  nameErrors,
  normaliseEmail,
  normaliseMobile,
  passwordError,
  registrationErrors,
  type RegistrationInput,
} from './validation.ts'

export interface Person {
  id: string
  givenName: string
  familyName: string
  email: string | null
  emailVerified: boolean
  mobile: string | null
  mobileVerified: boolean
  contactPreference: ContactPreference
  dateOfBirth: string | null
  hasAccount: boolean
}

export interface RequestContext {
  ipAddress?: string
}

export type SignInResult =
  | { outcome: 'signed-in'; personId: string }
  | { outcome: 'wrong-details' }
  | { outcome: 'locked'; until: Date }
  | { outcome: 'too-many-attempts'; retryAt: Date }

export type LinkCheck = 'valid' | 'used' | 'expired' | 'unknown'

export interface NewVerifiedResident {
  givenName: string
  familyName: string
  email: string
  password: string
  mobile?: string
  dateOfBirth?: string
}

/** A person the council knows without an online account; contact details are what the council holds, unconfirmed. */
export interface NewPerson {
  givenName: string
  familyName: string
  email?: string
  mobile?: string
  dateOfBirth?: string
}

/** How often each thing may be tried; counters live in PostgreSQL so they hold across instances. */
export interface ResidentLimits {
  signInPerAddress: Omit<RateLimit, 'key'>
  signInPerEmail: Omit<RateLimit, 'key'>
  registrationPerAddress: Omit<RateLimit, 'key'>
  passwordResetPerEmail: Omit<RateLimit, 'key'>
  messagesPerPerson: Omit<RateLimit, 'key'>
}

export const defaultResidentLimits: ResidentLimits = {
  signInPerAddress: { limit: 50, windowSeconds: 15 * 60 },
  signInPerEmail: { limit: 20, windowSeconds: 15 * 60 },
  registrationPerAddress: { limit: 20, windowSeconds: 60 * 60 },
  passwordResetPerEmail: { limit: 3, windowSeconds: 60 * 60 },
  messagesPerPerson: { limit: 5, windowSeconds: 60 * 60 },
}

const errorKey = (name: string) => `identity.residents.errors.${name}`

type Transaction = Kysely<Database>

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string }).code === '23505'
}

/**
 * Resident accounts: registering, confirming an email address and a mobile number, signing in
 * with a growing lock after repeated wrong passwords, resetting a password, and a resident's own
 * details. Every function that reads or changes a resident takes the person id from the signed-in
 * session, never from what the browser sends.
 */
export function createResidentAccounts(dependencies: IdentityDependencies, limits: ResidentLimits = defaultResidentLimits) {
  const { config, db, notifications } = dependencies
  const link = (path: string) => `${config.baseUrl}${path}`
  // Messages are written in English for now; the outbox renders them with the same text.
  const t = translator('en')

  // Checking a password for an email we do not know still costs one hash, so response times do
  // not reveal which emails have accounts.
  let standInHashing: Promise<string> | undefined
  const standInHash = () => (standInHashing ??= argon2.hash('no account has this password'))

  async function limit(rule: Omit<RateLimit, 'key'>, key: string) {
    return countHit(db, { ...rule, key })
  }

  async function personByEmail(executor: Transaction, email: string) {
    return executor
      .selectFrom('people')
      .selectAll()
      .where(sql<string>`lower(email)`, '=', normaliseEmail(email).toLowerCase())
      .executeTakeFirst()
  }

  /** Issues a new link or code; an earlier one for the same purpose stops working. */
  async function issueToken(executor: Transaction, personId: string, purpose: TokenPurpose, target: string) {
    const now = new Date()
    await executor
      .updateTable('identity_tokens')
      .set({ expires_at: now })
      .where('person_id', '=', personId)
      .where('purpose', '=', purpose)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .execute()
    const secret = purpose === 'confirm-mobile' ? newCode() : newSecret()
    await executor
      .insertInto('identity_tokens')
      .values({
        person_id: personId,
        purpose,
        target,
        secret_hash: purpose === 'confirm-mobile' ? hashCode(personId, secret) : hashSecret(secret),
        expires_at: expiryFor(purpose, now),
      })
      .execute()
    return secret
  }

  async function sendEmailVerification(executor: Transaction, person: { id: string; given_name: string }, email: string) {
    const secret = await issueToken(executor, person.id, 'verify-email', email)
    await notifications.queueMessage(executor, {
      personId: person.id,
      channel: 'email',
      recipient: email,
      messageType: 'email-verification',
      personalisation: { name: person.given_name, link: link(`/confirm-email/${secret}`) },
    })
  }

  async function sendMobileCode(executor: Transaction, personId: string, mobile: string) {
    const code = await issueToken(executor, personId, 'confirm-mobile', mobile)
    await notifications.queueMessage(executor, {
      personId,
      channel: 'sms',
      recipient: mobile,
      messageType: 'mobile-confirmation-code',
      personalisation: { code },
    })
  }

  async function limitMessagesTo(personId: string) {
    const result = await limit(limits.messagesPerPerson, `resident-messages:${personId}`)
    if (!result.allowed) throw new TooManyAttempts(result.retryAt)
  }

  async function findPersonById(personId: string): Promise<Person | undefined> {
    const row = await db
      .selectFrom('people')
      .leftJoin('resident_accounts', 'resident_accounts.person_id', 'people.id')
      .selectAll('people')
      .select('resident_accounts.person_id as account_person_id')
      .where('people.id', '=', personId)
      .executeTakeFirst()
    if (!row) return undefined
    return {
      id: row.id,
      givenName: row.given_name,
      familyName: row.family_name,
      email: row.email,
      emailVerified: row.email_verified_at !== null,
      mobile: row.mobile,
      mobileVerified: row.mobile_verified_at !== null,
      contactPreference: row.contact_preference,
      dateOfBirth: row.date_of_birth,
      hasAccount: row.account_person_id !== null,
    }
  }

  async function personOrFail(personId: string): Promise<Person> {
    const person = await findPersonById(personId)
    if (!person) throw new Error(`No person ${personId}`)
    return person
  }

  /**
   * Registers a resident. When the email already belongs to someone, nothing is created and that
   * address is told instead, so the form never reveals who has an account. Returns the new
   * person's id, or null when the email was already in use.
   */
  async function registerResident(input: RegistrationInput, context: RequestContext = {}): Promise<{ personId: string | null }> {
    const errors = registrationErrors(input)
    if (Object.keys(errors).length > 0) throw new InvalidInput(errors)
    if (context.ipAddress) {
      const result = await limit(limits.registrationPerAddress, `register:ip:${context.ipAddress}`)
      if (!result.allowed) throw new TooManyAttempts(result.retryAt)
    }
    const email = normaliseEmail(input.email)
    const mobile = input.mobile.trim() === '' ? null : normaliseMobile(input.mobile)!
    const passwordHash = await argon2.hash(input.password, { type: argon2.argon2id })
    try {
      return await db.transaction().execute(async (transaction) => {
        const existing = await personByEmail(transaction, email)
        if (existing) {
          await notifications.queueMessage(transaction, {
            personId: existing.id,
            channel: 'email',
            recipient: existing.email!,
            messageType: 'account-already-exists',
            personalisation: { name: existing.given_name, signInLink: link('/sign-in'), resetLink: link('/forgotten-password') },
          })
          await recordAudit(transaction, {
            actor: { kind: 'anonymous' },
            action: 'resident.register-existing-email',
            subject: { type: 'person', id: existing.id },
            ipAddress: context.ipAddress,
          })
          return { personId: null }
        }
        const person = await transaction
          .insertInto('people')
          .values({ given_name: input.givenName.trim(), family_name: input.familyName.trim(), email, mobile })
          .returning(['id', 'given_name'])
          .executeTakeFirstOrThrow()
        await transaction.insertInto('resident_accounts').values({ person_id: person.id, password_hash: passwordHash }).execute()
        await sendEmailVerification(transaction, person, email)
        if (mobile) await sendMobileCode(transaction, person.id, mobile)
        await recordAudit(transaction, {
          actor: { kind: 'resident', id: person.id },
          action: 'resident.register',
          subject: { type: 'person', id: person.id },
          ipAddress: context.ipAddress,
        })
        return { personId: person.id }
      })
    } catch (error) {
      // Someone registered the same email in the same instant; treat it as already in use.
      if (isUniqueViolation(error)) return { personId: null }
      throw error
    }
  }

  /** For the demo loader and tests: a resident who can sign in straight away. Idempotent by email. */
  async function createVerifiedResident(input: NewVerifiedResident): Promise<{ personId: string }> {
    const existing = await personByEmail(db, input.email)
    if (existing) return { personId: existing.id }
    const mobile = input.mobile ? normaliseMobile(input.mobile) ?? null : null
    const passwordHash = await argon2.hash(input.password, { type: argon2.argon2id })
    return db.transaction().execute(async (transaction) => {
      const now = new Date()
      const person = await transaction
        .insertInto('people')
        .values({
          given_name: input.givenName,
          family_name: input.familyName,
          email: normaliseEmail(input.email),
          email_verified_at: now,
          mobile,
          mobile_verified_at: mobile ? now : null,
          date_of_birth: input.dateOfBirth ?? null,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      await transaction.insertInto('resident_accounts').values({ person_id: person.id, password_hash: passwordHash }).execute()
      await recordAudit(transaction, { actor: { kind: 'system' }, action: 'resident.create', subject: { type: 'person', id: person.id } })
      return { personId: person.id }
    })
  }

  /**
   * Records people who have no online account, such as tenants from the housing records: requests
   * belong to people, whether or not they ever sign in. Returns their ids in the order given.
   */
  async function recordPeople(people: readonly NewPerson[]): Promise<string[]> {
    if (people.length === 0) return []
    const ids = people.map(() => randomUUID())
    return db.transaction().execute(async (transaction) => {
      await transaction
        .insertInto('people')
        .values(
          people.map((person, index) => ({
            id: ids[index]!,
            given_name: person.givenName,
            family_name: person.familyName,
            email: person.email ? normaliseEmail(person.email) : null,
            mobile: person.mobile ? (normaliseMobile(person.mobile) ?? null) : null,
            date_of_birth: person.dateOfBirth ?? null,
          })),
        )
        .execute()
      for (const id of ids) await recordAudit(transaction, { actor: { kind: 'system' }, action: 'person.create', subject: { type: 'person', id } })
      return ids
    })
  }

  async function findToken(purpose: TokenPurpose, secret: string) {
    if (!looksLikeSecret(secret)) return undefined
    return db
      .selectFrom('identity_tokens')
      .selectAll()
      .where('purpose', '=', purpose)
      .where('secret_hash', '=', hashSecret(secret))
      .executeTakeFirst()
  }

  function linkState(token: Awaited<ReturnType<typeof findToken>>): LinkCheck {
    if (!token) return 'unknown'
    const state = tokenState({ usedAt: token.used_at, expiresAt: token.expires_at, attempts: token.attempts }, new Date())
    return state === 'too-many-attempts' ? 'used' : state
  }

  /** Takes a link's token for this use only; false when another request took it first. */
  async function consumeToken(executor: Transaction, id: string): Promise<boolean> {
    const result = await executor
      .updateTable('identity_tokens')
      .set({ used_at: new Date() })
      .where('id', '=', id)
      .where('used_at', 'is', null)
      .where('expires_at', '>', new Date())
      .executeTakeFirst()
    return Number(result.numUpdatedRows) === 1
  }

  /**
   * Someone reporting without an account: the person the council knows by this email address or
   * mobile number, or a new one. Nothing is confirmed yet: the report waits until whoever holds the
   * address or number uses the link or code sent to it, so naming someone else's gains nothing.
   * Creating an account later with the same email address (through the link the registration page
   * sends to an address the council already knows) makes it this person's account, with every
   * report they made.
   */
  async function recordGuest(contact: { email: string } | { mobile: string }, names: { givenName?: string; familyName?: string } = {}): Promise<{ personId: string }> {
    const email = 'email' in contact ? normaliseEmail(contact.email) : null
    const mobile = 'mobile' in contact ? (normaliseMobile(contact.mobile) ?? null) : null
    if (email === null && mobile === null) throw new Error('A guest needs an email address or a mobile number')
    const known = await db
      .selectFrom('people')
      .select('id')
      .where((where) => (email !== null ? where(sql<string>`lower(email)`, '=', email.toLowerCase()) : where('mobile', '=', mobile)))
      .orderBy('created_at')
      .executeTakeFirst()
    if (known) {
      // A name another system sent fills in one the council does not have, and never replaces one it does.
      if (names.givenName || names.familyName) {
        await db
          .updateTable('people')
          .set({ given_name: names.givenName ?? '', family_name: names.familyName ?? '' })
          .where('id', '=', known.id)
          .where('given_name', '=', '')
          .where('family_name', '=', '')
          .execute()
      }
      return { personId: known.id }
    }
    const person = await db
      .insertInto('people')
      .values({ given_name: names.givenName ?? '', family_name: names.familyName ?? '', email, mobile })
      // Two first reports from one new address at once: the second finds the first's person.
      .onConflict((conflict) => conflict.expression(sql`lower(email)`).where('email', 'is not', null).doUpdateSet({ updated_at: new Date() }))
      .returning('id')
      .executeTakeFirstOrThrow()
    return { personId: person.id }
  }

  /** The guest proved the address or number is theirs by using what was sent to it, so messages may go there. */
  async function confirmGuestContact(personId: string, channel: 'email' | 'sms'): Promise<void> {
    await db
      .updateTable('people')
      .set(channel === 'email' ? { email_verified_at: sql<Date>`coalesce(email_verified_at, now())` } : { mobile_verified_at: sql<Date>`coalesce(mobile_verified_at, now())`, contact_preference: 'text' })
      .where('id', '=', personId)
      .execute()
  }

  async function verifyEmail(secret: string, context: RequestContext = {}): Promise<{ outcome: LinkCheck | 'verified'; personId?: string }> {
    const token = await findToken('verify-email', secret)
    const state = linkState(token)
    if (state !== 'valid' || !token) return { outcome: state }
    return db.transaction().execute(async (transaction) => {
      if (!(await consumeToken(transaction, token.id))) return { outcome: 'used' as const }
      await transaction
        .updateTable('people')
        .set({ email_verified_at: new Date(), updated_at: new Date() })
        .where('id', '=', token.person_id)
        .where(sql<string>`lower(email)`, '=', token.target.toLowerCase())
        .execute()
      await recordAudit(transaction, {
        actor: { kind: 'resident', id: token.person_id },
        action: 'resident.email-verify',
        subject: { type: 'person', id: token.person_id },
        ipAddress: context.ipAddress,
      })
      return { outcome: 'verified' as const, personId: token.person_id }
    })
  }

  async function resendEmailVerification(personId: string): Promise<void> {
    const person = await personOrFail(personId)
    if (!person.email || person.emailVerified) return
    await limitMessagesTo(personId)
    await db.transaction().execute((transaction) =>
      sendEmailVerification(transaction, { id: person.id, given_name: person.givenName }, person.email!),
    )
  }

  async function signIn(input: { email: string; password: string }, context: RequestContext = {}): Promise<SignInResult> {
    const email = normaliseEmail(input.email).toLowerCase()
    const checks = await Promise.all([
      context.ipAddress ? limit(limits.signInPerAddress, `sign-in:ip:${context.ipAddress}`) : undefined,
      limit(limits.signInPerEmail, `sign-in:email:${email}`),
    ])
    const refused = checks.filter((check) => check && !check.allowed)
    if (refused.length > 0) {
      const retryAt = new Date(Math.max(...refused.map((check) => check!.retryAt.getTime())))
      return { outcome: 'too-many-attempts', retryAt }
    }

    const account = await db
      .selectFrom('people')
      .innerJoin('resident_accounts', 'resident_accounts.person_id', 'people.id')
      .select(['people.id', 'people.given_name', 'people.email', 'resident_accounts.password_hash', 'resident_accounts.locked_until'])
      .where(sql<string>`lower(people.email)`, '=', email)
      .executeTakeFirst()

    if (account && isLocked({ lockedUntil: account.locked_until }, new Date())) {
      await recordAudit(db, {
        actor: { kind: 'anonymous' },
        action: 'resident.sign-in-failed',
        subject: { type: 'person', id: account.id },
        details: { reason: 'locked' },
        ipAddress: context.ipAddress,
      })
      return { outcome: 'locked', until: account.locked_until! }
    }

    const passwordMatches = await argon2.verify(account?.password_hash ?? (await standInHash()), input.password)
    if (!account || !account.password_hash) {
      await recordAudit(db, {
        actor: { kind: 'anonymous' },
        action: 'resident.sign-in-failed',
        details: { reason: account ? 'no-password' : 'unknown-email' },
        ipAddress: context.ipAddress,
      })
      return { outcome: 'wrong-details' }
    }

    const result = await db.transaction().execute(async (transaction): Promise<SignInResult> => {
      const current = await transaction
        .selectFrom('resident_accounts')
        .select(['failed_sign_ins', 'lockouts', 'locked_until'])
        .where('person_id', '=', account.id)
        .forUpdate()
        .executeTakeFirstOrThrow()
      const now = new Date()
      // A parallel attempt may have locked the account while this password was being checked.
      if (isLocked({ lockedUntil: current.locked_until }, now)) return { outcome: 'locked', until: current.locked_until! }
      const subject = { type: 'person', id: account.id }

      if (passwordMatches) {
        const fresh = afterSuccessfulSignIn()
        await transaction
          .updateTable('resident_accounts')
          .set({ failed_sign_ins: fresh.failedSignIns, lockouts: fresh.lockouts, locked_until: fresh.lockedUntil, last_signed_in_at: now })
          .where('person_id', '=', account.id)
          .execute()
        await recordAudit(transaction, { actor: { kind: 'resident', id: account.id }, action: 'resident.sign-in', subject, ipAddress: context.ipAddress })
        return { outcome: 'signed-in', personId: account.id }
      }

      const next = afterFailedSignIn(
        { failedSignIns: current.failed_sign_ins, lockouts: current.lockouts, lockedUntil: current.locked_until },
        now,
        residentLockoutPolicy,
      )
      await transaction
        .updateTable('resident_accounts')
        .set({ failed_sign_ins: next.failedSignIns, lockouts: next.lockouts, locked_until: next.lockedUntil })
        .where('person_id', '=', account.id)
        .execute()
      await recordAudit(transaction, {
        actor: { kind: 'anonymous' },
        action: 'resident.sign-in-failed',
        subject,
        details: { reason: 'wrong-password' },
        ipAddress: context.ipAddress,
      })
      if (!next.lockedNow) return { outcome: 'wrong-details' }
      await recordAudit(transaction, {
        actor: { kind: 'system' },
        action: 'resident.lockout',
        subject,
        details: { lockedUntil: next.lockedUntil!.toISOString(), lockouts: next.lockouts },
        ipAddress: context.ipAddress,
      })
      await notifications.queueMessage(transaction, {
        personId: account.id,
        channel: 'email',
        recipient: account.email!,
        messageType: 'account-locked',
        personalisation: {
          name: account.given_name,
          until: clockTimeText(t, next.lockedUntil!, now),
          resetLink: link('/forgotten-password'),
        },
      })
      return { outcome: 'locked', until: next.lockedUntil! }
    })
    if (result.outcome === 'signed-in') await resetCounter(db, `sign-in:email:${email}`)
    return result
  }

  async function recordSignOut(personId: string, context: RequestContext = {}): Promise<void> {
    await recordAudit(db, {
      actor: { kind: 'resident', id: personId },
      action: 'resident.sign-out',
      subject: { type: 'person', id: personId },
      ipAddress: context.ipAddress,
    })
  }

  /**
   * Sends a reset link when the email belongs to someone. The answer is the same either way, and
   * a few requests an hour per address at most, so the form cannot flood a mailbox.
   */
  async function requestPasswordReset(input: { email: string }, context: RequestContext = {}): Promise<void> {
    const error = emailError(input.email)
    if (error) throw new InvalidInput({ email: error })
    const email = normaliseEmail(input.email)
    const allowed = await limit(limits.passwordResetPerEmail, `password-reset:email:${email.toLowerCase()}`)
    if (!allowed.allowed) return
    await db.transaction().execute(async (transaction) => {
      const person = await personByEmail(transaction, email)
      if (!person) return
      const secret = await issueToken(transaction, person.id, 'reset-password', person.email!)
      await notifications.queueMessage(transaction, {
        personId: person.id,
        channel: 'email',
        recipient: person.email!,
        messageType: 'password-reset',
        personalisation: { name: person.given_name, link: link(`/reset-password/${secret}`) },
      })
      await recordAudit(transaction, {
        actor: { kind: 'anonymous' },
        action: 'resident.password-reset-request',
        subject: { type: 'person', id: person.id },
        ipAddress: context.ipAddress,
      })
    })
  }

  async function checkPasswordResetLink(secret: string): Promise<LinkCheck> {
    return linkState(await findToken('reset-password', secret))
  }

  /**
   * Sets a new password from a reset link. Following the link proves the person holds the email,
   * so it also confirms that address, lifts any lock, and creates the account for a person the
   * council already knew who never had one. Every other session of theirs ends.
   */
  async function resetPassword(input: { secret: string; password: string }, context: RequestContext = {}): Promise<{ outcome: LinkCheck | 'changed' }> {
    const token = await findToken('reset-password', input.secret)
    const state = linkState(token)
    if (state !== 'valid' || !token) return { outcome: state }
    const error = passwordError(input.password, token.target)
    if (error) throw new InvalidInput({ password: error })
    const passwordHash = await argon2.hash(input.password, { type: argon2.argon2id })
    const changed = await db.transaction().execute(async (transaction) => {
      if (!(await consumeToken(transaction, token.id))) return false
      await transaction
        .insertInto('resident_accounts')
        .values({ person_id: token.person_id, password_hash: passwordHash })
        .onConflict((conflict) =>
          conflict.column('person_id').doUpdateSet({ password_hash: passwordHash, failed_sign_ins: 0, lockouts: 0, locked_until: null }),
        )
        .execute()
      const person = await transaction
        .updateTable('people')
        .set({ email_verified_at: sql<Date>`coalesce(email_verified_at, now())`, updated_at: new Date() })
        .where('id', '=', token.person_id)
        .where(sql<string>`lower(email)`, '=', token.target.toLowerCase())
        .returning(['given_name', 'email'])
        .executeTakeFirst()
      await recordAudit(transaction, {
        actor: { kind: 'resident', id: token.person_id },
        action: 'resident.password-reset',
        subject: { type: 'person', id: token.person_id },
        ipAddress: context.ipAddress,
      })
      if (person?.email) {
        await notifications.queueMessage(transaction, {
          personId: token.person_id,
          channel: 'email',
          recipient: person.email,
          messageType: 'password-changed',
          personalisation: { name: person.given_name },
        })
      }
      return true
    })
    if (!changed) return { outcome: 'used' }
    await endSessionsOf(db, { kind: 'resident', id: token.person_id })
    return { outcome: 'changed' }
  }

  /** Changes a resident's name and email. A new email must be confirmed again before it counts. */
  async function updateDetails(personId: string, input: { givenName: string; familyName: string; email: string }): Promise<{ emailChanged: boolean }> {
    const errors: FieldErrors = nameErrors(input)
    const emailProblem = emailError(input.email)
    if (emailProblem) errors.email = emailProblem
    if (Object.keys(errors).length > 0) throw new InvalidInput(errors)
    const person = await personOrFail(personId)
    const email = normaliseEmail(input.email)
    const emailChanged = (person.email ?? '').toLowerCase() !== email.toLowerCase()
    if (emailChanged) await limitMessagesTo(personId)
    try {
      await db.transaction().execute(async (transaction) => {
        const changedFields = [
          person.givenName !== input.givenName.trim() ? 'givenName' : undefined,
          person.familyName !== input.familyName.trim() ? 'familyName' : undefined,
          emailChanged ? 'email' : undefined,
        ].filter((field) => field !== undefined)
        if (changedFields.length === 0) return
        await transaction
          .updateTable('people')
          .set({
            given_name: input.givenName.trim(),
            family_name: input.familyName.trim(),
            email,
            ...(emailChanged ? { email_verified_at: null } : {}),
            updated_at: new Date(),
          })
          .where('id', '=', personId)
          .execute()
        if (emailChanged) await sendEmailVerification(transaction, { id: personId, given_name: input.givenName.trim() }, email)
        await recordAudit(transaction, {
          actor: { kind: 'resident', id: personId },
          action: 'resident.details-change',
          subject: { type: 'person', id: personId },
          details: { fields: changedFields },
        })
      })
    } catch (error) {
      if (isUniqueViolation(error)) throw new InvalidInput({ email: errorKey('email.taken') })
      throw error
    }
    return { emailChanged }
  }

  /**
   * Adds, changes or removes a resident's mobile number. A new number gets a code by text and
   * cannot be used for messages until it is confirmed; texts stop until then.
   */
  async function changeMobile(personId: string, input: { mobile: string }): Promise<{ codeSent: boolean }> {
    const person = await personOrFail(personId)
    if (input.mobile.trim() === '') {
      await db.transaction().execute(async (transaction) => {
        await transaction
          .updateTable('people')
          .set({ mobile: null, mobile_verified_at: null, contact_preference: 'email', updated_at: new Date() })
          .where('id', '=', personId)
          .execute()
        await recordAudit(transaction, {
          actor: { kind: 'resident', id: personId },
          action: 'resident.mobile-remove',
          subject: { type: 'person', id: personId },
        })
      })
      return { codeSent: false }
    }
    const problem = mobileError(input.mobile)
    if (problem) throw new InvalidInput({ mobile: problem })
    const mobile = normaliseMobile(input.mobile)!
    if (mobile === person.mobile && person.mobileVerified) return { codeSent: false }
    await limitMessagesTo(personId)
    await db.transaction().execute(async (transaction) => {
      await transaction
        .updateTable('people')
        .set({ mobile, mobile_verified_at: null, contact_preference: 'email', updated_at: new Date() })
        .where('id', '=', personId)
        .execute()
      await sendMobileCode(transaction, personId, mobile)
      await recordAudit(transaction, {
        actor: { kind: 'resident', id: personId },
        action: 'resident.mobile-change',
        subject: { type: 'person', id: personId },
      })
    })
    return { codeSent: true }
  }

  async function resendMobileCode(personId: string): Promise<void> {
    const person = await personOrFail(personId)
    if (!person.mobile || person.mobileVerified) return
    await limitMessagesTo(personId)
    await db.transaction().execute((transaction) => sendMobileCode(transaction, personId, person.mobile!))
  }

  /** Confirms the mobile number with the code texted to it; a few wrong codes and a new one is needed. */
  async function confirmMobile(personId: string, input: { code: string }): Promise<void> {
    const problem = codeError(input.code)
    if (problem) throw new InvalidInput({ code: problem })
    const code = input.code.replace(/\s/g, '')
    const person = await personOrFail(personId)
    if (!person.mobile || person.mobileVerified) return
    // The outcome is decided inside the transaction but raised after it commits, so a wrong guess
    // is counted even though the resident sees an error.
    const problemKey = await db.transaction().execute(async (transaction): Promise<string | undefined> => {
      const token = await transaction
        .selectFrom('identity_tokens')
        .selectAll()
        .where('person_id', '=', personId)
        .where('purpose', '=', 'confirm-mobile')
        .where('target', '=', person.mobile!)
        .orderBy('created_at', 'desc')
        .limit(1)
        .forUpdate()
        .executeTakeFirst()
      const state = token
        ? tokenState({ usedAt: token.used_at, expiresAt: token.expires_at, attempts: token.attempts }, new Date(), codeAttemptsAllowed)
        : 'expired'
      if (!token || state === 'expired' || state === 'used') return errorKey('code.expired')
      if (state === 'too-many-attempts') return errorKey('code.tooManyAttempts')
      if (!sameHash(token.secret_hash, hashCode(personId, code))) {
        await transaction.updateTable('identity_tokens').set({ attempts: token.attempts + 1 }).where('id', '=', token.id).execute()
        return errorKey(token.attempts + 1 >= codeAttemptsAllowed ? 'code.tooManyAttempts' : 'code.wrong')
      }
      await transaction.updateTable('identity_tokens').set({ used_at: new Date(), attempts: token.attempts + 1 }).where('id', '=', token.id).execute()
      await transaction
        .updateTable('people')
        .set({ mobile_verified_at: new Date(), updated_at: new Date() })
        .where('id', '=', personId)
        .where('mobile', '=', token.target)
        .execute()
      await recordAudit(transaction, {
        actor: { kind: 'resident', id: personId },
        action: 'resident.mobile-confirm',
        subject: { type: 'person', id: personId },
      })
      return undefined
    })
    if (problemKey) throw new InvalidInput({ code: problemKey })
  }

  /** Email or text. Texts are only allowed to a mobile number the resident has confirmed. */
  async function setContactPreference(personId: string, input: { contactPreference: string }): Promise<void> {
    if (!isContactPreference(input.contactPreference)) throw new InvalidInput({ contactPreference: errorKey('contactPreference.missing') })
    const person = await personOrFail(personId)
    if (input.contactPreference === 'text' && !(person.mobile && person.mobileVerified)) {
      throw new InvalidInput({ contactPreference: errorKey('contactPreference.mobileNotConfirmed') })
    }
    if (person.contactPreference === input.contactPreference) return
    await db.transaction().execute(async (transaction) => {
      await transaction
        .updateTable('people')
        .set({ contact_preference: input.contactPreference as ContactPreference, updated_at: new Date() })
        .where('id', '=', personId)
        .execute()
      await recordAudit(transaction, {
        actor: { kind: 'resident', id: personId },
        action: 'resident.contact-preference-change',
        subject: { type: 'person', id: personId },
        details: { contactPreference: input.contactPreference },
      })
    })
  }

  return {
    registerResident,
    createVerifiedResident,
    recordPeople,
    findPersonById,
    verifyEmail,
    recordGuest,
    confirmGuestContact,
    resendEmailVerification,
    signIn,
    recordSignOut,
    requestPasswordReset,
    checkPasswordResetLink,
    resetPassword,
    updateDetails,
    changeMobile,
    resendMobileCode,
    confirmMobile,
    setContactPreference,
  }
}

export type ResidentAccounts = ReturnType<typeof createResidentAccounts>
