import argon2 from 'argon2'
import { sql, type Kysely, type Transaction } from 'kysely'
import type { Database } from '../../../database.ts'
import type { DatabaseHandle } from '../../../lib/database/connection.ts'
import { Forbidden, InvalidInput, NotFound, type FieldErrors } from '../../../lib/errors.ts'
import { countHit, resetCounter } from '../../../lib/http/rate-limits.ts'
import { endSessionsOf } from '../../../lib/http/sessions.ts'
import type { IdentityDependencies } from '../index.ts'
import { recordAudit } from '../audit.ts'
import { afterFailedSignIn, afterSuccessfulSignIn, isLocked, staffLockoutPolicy, type SignInRecord } from '../lockout.ts'
import { allPermissions, isPermission, permissionSet, type Permission } from './permissions.ts'
import {
  checkNewStaffAccount,
  checkPasswordChange,
  checkStaffAccessChange,
  checkTeamName,
  codeFromName,
  normaliseEmail,
  passwordProblem,
  type PasswordChangeForm,
  type StaffAccessForm,
  type StaffAccountForm,
} from './rules.ts'
import { auditPageSize, type AuditFilters } from './audit-filters.ts'

/** Who a signed-in member of staff is and what they may do, loaded afresh for every request. */
export interface StaffAccess {
  id: string
  name: string
  email: string
  /** The contractor they work for, whose assigned jobs are all an operative sees; null for council staff. */
  contractorId: string | null
  permissions: ReadonlySet<Permission>
}

/** The member of staff doing something, and where from, for the audit log. */
export interface StaffActor extends StaffAccess {
  ipAddress?: string
}

export type PasswordSignInResult =
  | { outcome: 'signed-in'; staffMemberId: string }
  | { outcome: 'refused' }
  | { outcome: 'disabled' }
  | { outcome: 'locked'; until: Date }
  | { outcome: 'too-many-attempts'; retryAt: Date }

export type DirectorySignInResult =
  | { outcome: 'signed-in'; staffMemberId: string }
  | { outcome: 'unknown' }
  | { outcome: 'disabled' }

/** Limits on password attempts, on top of the lock on each account. */
export const staffSignInLimits = {
  perAddress: { limit: 100, windowSeconds: 15 * 60 },
  perEmail: { limit: 10, windowSeconds: 15 * 60 },
}

/** Tries at a member of staff's current password when changing it, so an open session cannot be used to guess it. */
export const staffPasswordChangeLimit = { limit: 5, windowSeconds: 15 * 60 }

export type PasswordChangeResult = { outcome: 'changed' } | { outcome: 'too-many-attempts'; retryAt: Date }

const hashOptions = { type: argon2.argon2id } as const

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, hashOptions)
}

/**
 * A hash checked when nobody has the email given, so an unknown address takes as long to refuse
 * as a wrong password and the timing does not reveal who has an account.
 */
let standInHashPromise: Promise<string> | undefined
const standInHash = () => (standInHashPromise ??= hashPassword('no account has this password'))

export interface NewStaffMember {
  name: string
  email: string
  /** Null for someone who signs in only through the council's staff directory. */
  password: string | null
  roleCodes: string[]
  teamCodes: string[]
  contractorCode?: string | null
}

function assertCan(actor: StaffAccess, permission: Permission) {
  if (!actor.permissions.has(permission)) throw new Forbidden()
}

function invalid(fields: FieldErrors): never {
  throw new InvalidInput(Object.fromEntries(Object.entries(fields).map(([field, key]) => [field, `identity.staff.${key}`])))
}

/** How many enabled staff members hold a permission through any of their roles. */
async function holdersOf(db: Kysely<Database>, permission: Permission): Promise<number> {
  const row = await db
    .selectFrom('staff_members as member')
    .innerJoin('staff_roles as held', 'held.staff_member_id', 'member.id')
    .innerJoin('role_permissions as granted', 'granted.role_id', 'held.role_id')
    .where('member.disabled_at', 'is', null)
    .where('granted.permission', '=', permission)
    .select(sql<number>`count(distinct member.id)::int`.as('holders'))
    .executeTakeFirstOrThrow()
  return row.holders
}

/**
 * Runs a change that could take away the last person able to manage staff or roles, and undoes it
 * if it would, so the council can never lock itself out of its own administration.
 */
async function keepingAdministrators<T>(db: DatabaseHandle, change: (transaction: Transaction<Database>) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (transaction) => {
    const guarded: Permission[] = ['staff.manage', 'roles.manage']
    const before = await Promise.all(guarded.map((permission) => holdersOf(transaction, permission)))
    const result = await change(transaction)
    for (const [index, permission] of guarded.entries()) {
      if (before[index]! > 0 && (await holdersOf(transaction, permission)) === 0) {
        invalid({ [permission === 'staff.manage' ? 'roles' : 'permissions']: 'errors.lastAdministrator' })
      }
    }
    return result
  })
}

async function idsForCodes(
  db: Kysely<Database>,
  table: 'roles' | 'teams' | 'contractors',
  codes: string[],
): Promise<{ ids: string[]; unknown: string[] }> {
  if (codes.length === 0) return { ids: [], unknown: [] }
  const rows = await db.selectFrom(table).select(['id', 'code']).where('code', 'in', codes).execute()
  const found = new Map(rows.map((row) => [row.code, row.id]))
  return { ids: codes.flatMap((code) => found.get(code) ?? []), unknown: codes.filter((code) => !found.has(code)) }
}

async function replaceRolesAndTeams(
  transaction: Kysely<Database>,
  staffMemberId: string,
  changes: { roleCodes: string[]; teamCodes: string[]; contractorCode: string | null },
) {
  const roles = await idsForCodes(transaction, 'roles', changes.roleCodes)
  const teams = await idsForCodes(transaction, 'teams', changes.teamCodes)
  const contractor = await idsForCodes(transaction, 'contractors', changes.contractorCode ? [changes.contractorCode] : [])
  const errors: FieldErrors = {}
  if (roles.unknown.length) errors.roles = 'errors.roleUnknown'
  if (teams.unknown.length) errors.teams = 'errors.teamUnknown'
  if (contractor.unknown.length) errors.contractor = 'errors.contractorUnknown'
  if (Object.keys(errors).length) invalid(errors)

  await transaction.deleteFrom('staff_roles').where('staff_member_id', '=', staffMemberId).execute()
  await transaction.deleteFrom('team_memberships').where('staff_member_id', '=', staffMemberId).execute()
  if (roles.ids.length) {
    await transaction.insertInto('staff_roles').values(roles.ids.map((role_id) => ({ staff_member_id: staffMemberId, role_id }))).execute()
  }
  if (teams.ids.length) {
    await transaction.insertInto('team_memberships').values(teams.ids.map((team_id) => ({ staff_member_id: staffMemberId, team_id }))).execute()
  }
  await transaction.updateTable('staff_members').set({ contractor_id: contractor.ids[0] ?? null }).where('id', '=', staffMemberId).execute()
}

const emailTaken = (db: Kysely<Database>, email: string) =>
  db.selectFrom('staff_members').select('id').where(sql`lower(email)`, '=', normaliseEmail(email)).executeTakeFirst()

export function createStaffDirectory({ db }: IdentityDependencies) {
  async function insertStaffMember(transaction: Kysely<Database>, member: NewStaffMember): Promise<string> {
    if (await emailTaken(transaction, member.email)) invalid({ email: 'errors.emailTaken' })
    const { id } = await transaction
      .insertInto('staff_members')
      .values({
        name: member.name.trim(),
        email: normaliseEmail(member.email),
        password_hash: member.password === null ? null : await hashPassword(member.password),
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    await replaceRolesAndTeams(transaction, id, {
      roleCodes: member.roleCodes,
      teamCodes: member.teamCodes,
      contractorCode: member.contractorCode ?? null,
    })
    return id
  }

  async function recordSignInFailure(staffMemberId: string | null, email: string, reason: string, ipAddress: string | undefined) {
    await recordAudit(db, {
      actor: staffMemberId ? { kind: 'staff', id: staffMemberId } : { kind: 'anonymous' },
      action: 'staff.sign-in-failed',
      subject: staffMemberId ? { type: 'staff-member', id: staffMemberId } : undefined,
      details: { method: 'password', reason, email },
      ipAddress,
    })
  }

  async function recordSignIn(transaction: Kysely<Database>, staffMemberId: string, method: string, ipAddress: string | undefined) {
    await transaction
      .updateTable('staff_members')
      .set({ ...lockoutColumns(afterSuccessfulSignIn()), last_signed_in_at: new Date() })
      .where('id', '=', staffMemberId)
      .execute()
    await recordAudit(transaction, {
      actor: { kind: 'staff', id: staffMemberId },
      action: 'staff.sign-in',
      subject: { type: 'staff-member', id: staffMemberId },
      details: { method },
      ipAddress,
    })
  }

  const directory = {
    /** Signs in with email and password, within the rate limits and the account's lock. */
    async signIn(input: { email: string; password: string; ipAddress?: string }): Promise<PasswordSignInResult> {
      const email = normaliseEmail(input.email)
      const address = input.ipAddress ?? 'unknown'
      const byAddress = await countHit(db, { key: `staff-sign-in:address:${address}`, ...staffSignInLimits.perAddress })
      const byEmail = await countHit(db, { key: `staff-sign-in:email:${email}`, ...staffSignInLimits.perEmail })
      if (!byAddress.allowed || !byEmail.allowed) {
        await recordSignInFailure(null, email, 'rate-limited', input.ipAddress)
        const retryAt = !byAddress.allowed ? byAddress.retryAt : byEmail.retryAt
        return { outcome: 'too-many-attempts', retryAt }
      }

      const member = await db
        .selectFrom('staff_members')
        .selectAll()
        .where(sql`lower(email)`, '=', email)
        .executeTakeFirst()
      const now = new Date()
      const state = member && { failedSignIns: member.failed_sign_ins, lockouts: member.lockouts, lockedUntil: member.locked_until }
      if (member && state && isLocked(state, now)) {
        await recordSignInFailure(member.id, email, 'locked', input.ipAddress)
        return { outcome: 'locked', until: state.lockedUntil! }
      }
      const passwordMatches = await argon2.verify(member?.password_hash ?? (await standInHash()), input.password)
      if (!member || !member.password_hash || !passwordMatches) {
        if (!member || !state) {
          await recordSignInFailure(null, email, 'unknown-email', input.ipAddress)
          return { outcome: 'refused' }
        }
        const next = afterFailedSignIn(state, now, staffLockoutPolicy)
        await db.transaction().execute(async (transaction) => {
          await transaction.updateTable('staff_members').set(lockoutColumns(next)).where('id', '=', member.id).execute()
          await recordAudit(transaction, {
            actor: { kind: 'staff', id: member.id },
            action: 'staff.sign-in-failed',
            subject: { type: 'staff-member', id: member.id },
            details: { method: 'password', reason: member.password_hash ? 'wrong-password' : 'no-password', email, locked: next.lockedNow },
            ipAddress: input.ipAddress,
          })
        })
        return next.lockedNow ? { outcome: 'locked', until: next.lockedUntil! } : { outcome: 'refused' }
      }
      if (member.disabled_at) {
        await recordSignInFailure(member.id, email, 'disabled', input.ipAddress)
        return { outcome: 'disabled' }
      }
      await db.transaction().execute((transaction) => recordSignIn(transaction, member.id, 'password', input.ipAddress))
      await resetCounter(db, `staff-sign-in:email:${email}`)
      return { outcome: 'signed-in', staffMemberId: member.id }
    },

    /**
     * Signs in someone the council's staff directory vouches for: the member of staff already
     * linked to that directory account, or on their first time the one with the same email.
     */
    async signInWithDirectory(input: { subject: string; email: string | undefined; ipAddress?: string }): Promise<DirectorySignInResult> {
      return db.transaction().execute(async (transaction) => {
        let member = await transaction.selectFrom('staff_members').selectAll().where('directory_subject', '=', input.subject).executeTakeFirst()
        if (!member && input.email) {
          const byEmail = await transaction
            .selectFrom('staff_members')
            .selectAll()
            .where(sql`lower(email)`, '=', normaliseEmail(input.email))
            .where('directory_subject', 'is', null)
            .executeTakeFirst()
          if (byEmail) {
            await transaction.updateTable('staff_members').set({ directory_subject: input.subject }).where('id', '=', byEmail.id).execute()
            await recordAudit(transaction, {
              actor: { kind: 'staff', id: byEmail.id },
              action: 'staff.directory-link',
              subject: { type: 'staff-member', id: byEmail.id },
              details: { subject: input.subject },
              ipAddress: input.ipAddress,
            })
            member = byEmail
          }
        }
        if (!member) {
          await recordAudit(transaction, {
            actor: { kind: 'anonymous' },
            action: 'staff.sign-in-failed',
            details: { method: 'directory', reason: 'unknown', subject: input.subject, email: input.email ?? null },
            ipAddress: input.ipAddress,
          })
          return { outcome: 'unknown' }
        }
        if (member.disabled_at) {
          await recordAudit(transaction, {
            actor: { kind: 'staff', id: member.id },
            action: 'staff.sign-in-failed',
            subject: { type: 'staff-member', id: member.id },
            details: { method: 'directory', reason: 'disabled' },
            ipAddress: input.ipAddress,
          })
          return { outcome: 'disabled' }
        }
        await recordSignIn(transaction, member.id, 'directory', input.ipAddress)
        return { outcome: 'signed-in', staffMemberId: member.id }
      })
    },

    async recordSignOut(staffMemberId: string, ipAddress?: string) {
      await recordAudit(db, { actor: { kind: 'staff', id: staffMemberId }, action: 'staff.sign-out', ipAddress })
    },

    /** The member's current access, or nothing if they are disabled or no longer exist. */
    async accessFor(staffMemberId: string): Promise<StaffAccess | undefined> {
      const member = await db
        .selectFrom('staff_members')
        .select(['id', 'name', 'email', 'contractor_id as contractorId'])
        .where('id', '=', staffMemberId)
        .where('disabled_at', 'is', null)
        .executeTakeFirst()
      if (!member) return undefined
      const granted = await db
        .selectFrom('staff_roles')
        .innerJoin('role_permissions', 'role_permissions.role_id', 'staff_roles.role_id')
        .select('role_permissions.permission')
        .distinct()
        .where('staff_roles.staff_member_id', '=', staffMemberId)
        .execute()
      return { ...member, permissions: permissionSet(granted.map((row) => row.permission)) }
    },

    async list(actor: StaffActor) {
      assertCan(actor, 'staff.manage')
      return db
        .selectFrom('staff_members as member')
        .leftJoin('contractors as contractor', 'contractor.id', 'member.contractor_id')
        .select([
          'member.id',
          'member.name',
          'member.email',
          'member.disabled_at as disabledAt',
          'member.last_signed_in_at as lastSignedInAt',
          'contractor.name as contractorName',
          sql<string[]>`array(select role.name from staff_roles held join roles role on role.id = held.role_id where held.staff_member_id = member.id order by role.name)`.as('roleNames'),
          sql<string[]>`array(select team.name from team_memberships membership join teams team on team.id = membership.team_id where membership.staff_member_id = member.id order by team.name)`.as('teamNames'),
        ])
        .orderBy('member.disabled_at', (order) => order.desc().nullsFirst())
        .orderBy('member.name')
        .execute()
    },

    async get(actor: StaffActor, staffMemberId: string) {
      assertCan(actor, 'staff.manage')
      if (!/^[0-9a-f-]{36}$/i.test(staffMemberId)) throw new NotFound('staff member')
      const member = await db
        .selectFrom('staff_members as member')
        .leftJoin('contractors as contractor', 'contractor.id', 'member.contractor_id')
        .select([
          'member.id',
          'member.name',
          'member.email',
          'member.disabled_at as disabledAt',
          'member.last_signed_in_at as lastSignedInAt',
          'member.created_at as createdAt',
          'member.locked_until as lockedUntil',
          sql<boolean>`member.password_hash is not null`.as('hasPassword'),
          sql<boolean>`member.directory_subject is not null`.as('linkedToDirectory'),
          'contractor.code as contractorCode',
          'contractor.name as contractorName',
          sql<string[]>`array(select role.code from staff_roles held join roles role on role.id = held.role_id where held.staff_member_id = member.id)`.as('roleCodes'),
          sql<string[]>`array(select team.code from team_memberships membership join teams team on team.id = membership.team_id where membership.staff_member_id = member.id)`.as('teamCodes'),
        ])
        .where('member.id', '=', staffMemberId)
        .executeTakeFirst()
      if (!member) throw new NotFound('staff member')
      return member
    },

    async create(actor: StaffActor, form: StaffAccountForm): Promise<string> {
      assertCan(actor, 'staff.manage')
      const checked = checkNewStaffAccount(form)
      if ('errors' in checked) invalid(checked.errors)
      const { changes } = checked
      return db.transaction().execute(async (transaction) => {
        const id = await insertStaffMember(transaction, changes)
        await recordAudit(transaction, {
          actor: { kind: 'staff', id: actor.id },
          action: 'staff-member.create',
          subject: { type: 'staff-member', id },
          details: {
            name: changes.name,
            email: changes.email,
            signInMethod: changes.signInMethod,
            roles: changes.roleCodes,
            teams: changes.teamCodes,
            contractor: changes.contractorCode,
          },
          ipAddress: actor.ipAddress,
        })
        return id
      })
    },

    async changeAccess(actor: StaffActor, staffMemberId: string, form: StaffAccessForm): Promise<void> {
      const before = await directory.get(actor, staffMemberId)
      const checked = checkStaffAccessChange(form)
      if ('errors' in checked) invalid(checked.errors)
      const { changes } = checked
      await keepingAdministrators(db, async (transaction) => {
        await replaceRolesAndTeams(transaction, staffMemberId, changes)
        await recordAudit(transaction, {
          actor: { kind: 'staff', id: actor.id },
          action: 'staff-member.change-access',
          subject: { type: 'staff-member', id: staffMemberId },
          details: {
            roles: { before: [...before.roleCodes].sort(), after: [...changes.roleCodes].sort() },
            teams: { before: [...before.teamCodes].sort(), after: [...changes.teamCodes].sort() },
            contractor: { before: before.contractorCode, after: changes.contractorCode },
          },
          ipAddress: actor.ipAddress,
        })
      })
    },

    /** Disables an account and ends every session it has at once. */
    async disable(actor: StaffActor, staffMemberId: string): Promise<void> {
      const member = await directory.get(actor, staffMemberId)
      if (member.id === actor.id) invalid({ disable: 'errors.cannotDisableSelf' })
      if (member.disabledAt) return
      await keepingAdministrators(db, async (transaction) => {
        await transaction.updateTable('staff_members').set({ disabled_at: new Date() }).where('id', '=', staffMemberId).execute()
        const sessionsEnded = await endSessionsOf(transaction, { kind: 'staff', id: staffMemberId })
        await recordAudit(transaction, {
          actor: { kind: 'staff', id: actor.id },
          action: 'staff-member.disable',
          subject: { type: 'staff-member', id: staffMemberId },
          details: { sessionsEnded },
          ipAddress: actor.ipAddress,
        })
      })
    },

    async enable(actor: StaffActor, staffMemberId: string): Promise<void> {
      const member = await directory.get(actor, staffMemberId)
      if (!member.disabledAt) return
      await db.transaction().execute(async (transaction) => {
        await transaction
          .updateTable('staff_members')
          .set({ disabled_at: null, ...lockoutColumns(afterSuccessfulSignIn()) })
          .where('id', '=', staffMemberId)
          .execute()
        await recordAudit(transaction, {
          actor: { kind: 'staff', id: actor.id },
          action: 'staff-member.enable',
          subject: { type: 'staff-member', id: staffMemberId },
          ipAddress: actor.ipAddress,
        })
      })
    },

    /**
     * Gives a member of staff a new password, for when they have forgotten theirs or it may be known
     * to someone else: their sessions end and any lock is lifted, so only the new password works.
     */
    async setPassword(actor: StaffActor, staffMemberId: string, password: string): Promise<void> {
      const member = await directory.get(actor, staffMemberId)
      // Changing your own password asks for the current one, so a session left open cannot be used to take the account.
      if (member.id === actor.id) invalid({ password: 'errors.setOwnPassword' })
      if (!member.hasPassword) invalid({ password: 'errors.noPasswordToSet' })
      const problem = passwordProblem(password, 'errors.newPasswordRequired')
      if (problem) invalid({ password: problem })
      const passwordHash = await hashPassword(password)
      await db.transaction().execute(async (transaction) => {
        await transaction
          .updateTable('staff_members')
          .set({ password_hash: passwordHash, ...lockoutColumns(afterSuccessfulSignIn()) })
          .where('id', '=', staffMemberId)
          .execute()
        const sessionsEnded = await endSessionsOf(transaction, { kind: 'staff', id: staffMemberId })
        await resetCounter(transaction, `staff-sign-in:email:${normaliseEmail(member.email)}`)
        await recordAudit(transaction, {
          actor: { kind: 'staff', id: actor.id },
          action: 'staff-member.set-password',
          subject: { type: 'staff-member', id: staffMemberId },
          details: { sessionsEnded, wasLocked: member.lockedUntil !== null && member.lockedUntil > new Date() },
          ipAddress: actor.ipAddress,
        })
      })
    },

    /** Whether a member of staff signs in with a password of their own; directory-only staff do not. */
    async hasPassword(staffMemberId: string): Promise<boolean> {
      const member = await db.selectFrom('staff_members').select('password_hash').where('id', '=', staffMemberId).executeTakeFirst()
      return Boolean(member?.password_hash)
    },

    /**
     * A member of staff changes their own password, proving the current one. Every session of theirs
     * ends, this one included; the caller starts a fresh session for the browser that made the change.
     */
    async changeOwnPassword(actor: StaffActor, form: PasswordChangeForm): Promise<PasswordChangeResult> {
      const errors = checkPasswordChange(form)
      if (Object.keys(errors).length) invalid(errors)
      const attempts = await countHit(db, { key: `staff-password-change:${actor.id}`, ...staffPasswordChangeLimit })
      if (!attempts.allowed) return { outcome: 'too-many-attempts', retryAt: attempts.retryAt }
      const member = await db.selectFrom('staff_members').select('password_hash').where('id', '=', actor.id).executeTakeFirstOrThrow()
      const matches = member.password_hash !== null && (await argon2.verify(member.password_hash, form.currentPassword))
      if (!matches) {
        await recordAudit(db, {
          actor: { kind: 'staff', id: actor.id },
          action: 'staff.change-password-failed',
          subject: { type: 'staff-member', id: actor.id },
          details: { reason: member.password_hash ? 'wrong-password' : 'no-password' },
          ipAddress: actor.ipAddress,
        })
        invalid({ currentPassword: 'errors.currentPasswordWrong' })
      }
      const passwordHash = await hashPassword(form.newPassword)
      await db.transaction().execute(async (transaction) => {
        await transaction.updateTable('staff_members').set({ password_hash: passwordHash }).where('id', '=', actor.id).execute()
        const sessionsEnded = await endSessionsOf(transaction, { kind: 'staff', id: actor.id })
        await resetCounter(transaction, `staff-password-change:${actor.id}`)
        await recordAudit(transaction, {
          actor: { kind: 'staff', id: actor.id },
          action: 'staff.change-password',
          subject: { type: 'staff-member', id: actor.id },
          details: { sessionsEnded },
          ipAddress: actor.ipAddress,
        })
      })
      return { outcome: 'changed' }
    },

    async roles() {
      const roles = await db
        .selectFrom('roles')
        .select(['id', 'code', 'name', 'description'])
        .select((query) => [
          sql<string[]>`array(select permission from role_permissions granted where granted.role_id = roles.id order by permission)`.as('permissions'),
          query
            .selectFrom('staff_roles')
            .innerJoin('staff_members', 'staff_members.id', 'staff_roles.staff_member_id')
            .whereRef('staff_roles.role_id', '=', 'roles.id')
            .where('staff_members.disabled_at', 'is', null)
            .select(sql<number>`count(*)::int`.as('count'))
            .as('memberCount'),
        ])
        .orderBy('name')
        .execute()
      return roles.map((role) => ({ ...role, permissions: role.permissions.filter(isPermission), memberCount: role.memberCount ?? 0 }))
    },

    async role(actor: StaffActor, code: string) {
      assertCan(actor, 'roles.manage')
      const role = (await directory.roles()).find((candidate) => candidate.code === code)
      if (!role) throw new NotFound('role')
      return role
    },

    /** Sets exactly which permissions a role grants; it applies to everyone in the role at once. */
    async setRolePermissions(actor: StaffActor, code: string, requested: string[]): Promise<void> {
      const role = await directory.role(actor, code)
      if (requested.some((permission) => !isPermission(permission))) invalid({ permissions: 'errors.permissionUnknown' })
      const permissions = allPermissions.filter((permission) => requested.includes(permission))
      await keepingAdministrators(db, async (transaction) => {
        await transaction.deleteFrom('role_permissions').where('role_id', '=', role.id).execute()
        if (permissions.length) {
          await transaction.insertInto('role_permissions').values(permissions.map((permission) => ({ role_id: role.id, permission }))).execute()
        }
        await recordAudit(transaction, {
          actor: { kind: 'staff', id: actor.id },
          action: 'role.change-permissions',
          subject: { type: 'role', id: role.code },
          details: {
            added: permissions.filter((permission) => !role.permissions.includes(permission)),
            removed: role.permissions.filter((permission) => !permissions.includes(permission)),
          },
          ipAddress: actor.ipAddress,
        })
      })
    },

    async teams() {
      return db
        .selectFrom('teams')
        .select(['id', 'code', 'name'])
        .select(sql<number>`(select count(*)::int from team_memberships membership where membership.team_id = teams.id)`.as('memberCount'))
        .orderBy('name')
        .execute()
    },

    async contractors() {
      return db
        .selectFrom('contractors')
        .select(['id', 'code', 'name'])
        .select(sql<number>`(select count(*)::int from staff_members member where member.contractor_id = contractors.id)`.as('memberCount'))
        .orderBy('name')
        .execute()
    },

    async createTeam(actor: StaffActor, name: string): Promise<string> {
      return createGroup(actor, 'teams', name)
    },

    async createContractor(actor: StaffActor, name: string): Promise<string> {
      return createGroup(actor, 'contractors', name)
    },

    /** One page of the audit log, newest first, with the names of the people who acted. */
    async auditLog(actor: StaffActor, filters: AuditFilters) {
      assertCan(actor, 'audit.view')
      let query = db
        .selectFrom('audit_events as event')
        .leftJoin('staff_members as staff', (join) => join.onRef('staff.id', '=', 'event.actor_id').on('event.actor_kind', '=', 'staff'))
        .leftJoin('people as person', (join) => join.onRef('person.id', '=', 'event.actor_id').on('event.actor_kind', '=', 'resident'))
        .leftJoin('api_keys as api_key', (join) => join.onRef('api_key.id', '=', 'event.actor_id').on('event.actor_kind', '=', 'api-client'))
        .leftJoin('staff_members as subject_staff', (join) =>
          join.on('event.subject_type', '=', 'staff-member').on(sql<boolean>`subject_staff.id::text = event.subject_id`),
        )
      if (filters.actor) {
        const pattern = `%${filters.actor.replace(/[\\%_]/g, (character) => `\\${character}`)}%`
        query = query.where((where) =>
          where.or([
            where('staff.name', 'ilike', pattern),
            where('staff.email', 'ilike', pattern),
            where('person.email', 'ilike', pattern),
            where('api_key.name', 'ilike', pattern),
            where(sql`person.given_name || ' ' || person.family_name`, 'ilike', pattern),
          ]),
        )
      }
      if (filters.action) query = query.where('event.action', '=', filters.action)
      if (filters.from) query = query.where('event.occurred_at', '>=', sql<Date>`(${filters.from}::date)::timestamp at time zone 'Europe/London'`)
      if (filters.to) query = query.where('event.occurred_at', '<', sql<Date>`(${filters.to}::date + 1)::timestamp at time zone 'Europe/London'`)

      const { total } = await query.select(sql<number>`count(*)::int`.as('total')).executeTakeFirstOrThrow()
      const pages = Math.max(1, Math.ceil(total / auditPageSize))
      const page = Math.min(filters.page, pages)
      const entries = await query
        .select([
          'event.id',
          'event.occurred_at as occurredAt',
          'event.actor_kind as actorKind',
          'event.actor_id as actorId',
          'event.action',
          'event.subject_type as subjectType',
          'event.subject_id as subjectId',
          'event.details',
          'event.ip_address as ipAddress',
          'staff.name as staffName',
          'subject_staff.name as subjectStaffName',
          sql<string | null>`nullif(trim(coalesce(person.given_name, '') || ' ' || coalesce(person.family_name, '')), '')`.as('personName'),
          'person.email as personEmail',
          'api_key.name as apiKeyName',
        ])
        .orderBy('event.occurred_at', 'desc')
        .orderBy('event.id', 'desc')
        .limit(auditPageSize)
        .offset((page - 1) * auditPageSize)
        .execute()
      return { entries, total, page, pages }
    },

    /** Every kind of action the log holds, for the viewer's filter. */
    async auditActions(): Promise<string[]> {
      const rows = await db.selectFrom('audit_events').select('action').distinct().orderBy('action').execute()
      return rows.map((row) => row.action)
    },

    async hasStaffMembers(): Promise<boolean> {
      return (await db.selectFrom('staff_members').select('id').limit(1).executeTakeFirst()) !== undefined
    },

    /** Creates an account without an acting administrator: for the demo council and set-up tools. */
    async createStaffMember(member: NewStaffMember): Promise<string> {
      return db.transaction().execute(async (transaction) => {
        const id = await insertStaffMember(transaction, member)
        await recordAudit(transaction, {
          actor: { kind: 'system' },
          action: 'staff-member.create',
          subject: { type: 'staff-member', id },
          details: { name: member.name, email: normaliseEmail(member.email), roles: member.roleCodes, teams: member.teamCodes },
        })
        return id
      })
    },

    async ensureTeam(code: string, name: string): Promise<string> {
      return ensureGroup('teams', code, name)
    },

    async ensureContractor(code: string, name: string): Promise<string> {
      return ensureGroup('contractors', code, name)
    },
  }

  async function ensureGroup(table: 'teams' | 'contractors', code: string, name: string): Promise<string> {
    const row = await db
      .insertInto(table)
      .values({ code, name })
      .onConflict((conflict) => conflict.column('code').doUpdateSet({ name }))
      .returning('id')
      .executeTakeFirstOrThrow()
    return row.id
  }

  async function createGroup(actor: StaffActor, table: 'teams' | 'contractors', name: string): Promise<string> {
    assertCan(actor, 'staff.manage')
    const errors = checkTeamName(name)
    if (Object.keys(errors).length) invalid(errors)
    const code = codeFromName(name)
    return db.transaction().execute(async (transaction) => {
      const existing = await transaction.selectFrom(table).select('id').where('code', '=', code).executeTakeFirst()
      if (existing) invalid({ name: table === 'teams' ? 'errors.teamExists' : 'errors.contractorExists' })
      const { id } = await transaction.insertInto(table).values({ code, name: name.trim() }).returning('id').executeTakeFirstOrThrow()
      await recordAudit(transaction, {
        actor: { kind: 'staff', id: actor.id },
        action: table === 'teams' ? 'team.create' : 'contractor.create',
        subject: { type: table === 'teams' ? 'team' : 'contractor', id: code },
        details: { name: name.trim() },
        ipAddress: actor.ipAddress,
      })
      return id
    })
  }

  return directory
}

function lockoutColumns(state: SignInRecord) {
  return { failed_sign_ins: state.failedSignIns, lockouts: state.lockouts, locked_until: state.lockedUntil }
}

export type StaffDirectory = ReturnType<typeof createStaffDirectory>
