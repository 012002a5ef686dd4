import { sessionFor } from '../../support/sessions.ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { Agent, errorSummary, type AgentResponse } from '../../support/agent.ts'
import { createTestApp, type TestApp } from '../../support/app.ts'
import { allPermissions } from '../../../src/modules/identity/index.ts'

let test: TestApp
let counter = 0

beforeAll(async () => {
  test = await createTestApp()
  await test.services.identity.staff.ensureTeam('housing-repairs', 'Housing repairs')
  await test.services.identity.staff.ensureTeam('waste', 'Waste')
  await test.services.identity.staff.ensureContractor('fixit', 'Fixit Property Services')
})
afterAll(async () => {
  await test?.close()
})

const password = 'correct horse battery staple'

/** A member of staff with the given roles, and their email; each one unique to its test. */
async function staffMember(roleCodes: string[], options: { name?: string } = {}) {
  counter += 1
  const email = `staff${counter}@lowerwendle.example.gov.uk`
  const name = options.name ?? `Staff Member ${counter}`
  const id = await test.services.identity.staff.createStaffMember({ name, email, password, roleCodes, teamCodes: ['waste'] })
  return { id, email, name }
}

async function signIn(email: string, secret = password): Promise<{ agent: Agent; response: AgentResponse }> {
  const agent = new Agent(test.app)
  await agent.get('/staff/sign-in')
  const response = await agent.post('/staff/sign-in', { email, password: secret })
  return { agent, response }
}

async function signedIn(email: string): Promise<Agent> {
  const { agent, response } = await signIn(email)
  expect(response.status).toBe(303)
  return agent
}

/** A browser signed in as this member of staff, as the directory would leave it, with the session made directly in the database. */
async function signedInWithoutPassword(staffMemberId: string): Promise<Agent> {
  const token = await sessionFor(test.database.db, { kind: 'staff', id: staffMemberId })
  const agent = new Agent(test.app)
  agent.setCookie('guildhall_session', token)
  return agent
}

const auditActions = async (subjectId: string) =>
  (
    await test.database.db
      .selectFrom('audit_events')
      .select(['action', 'actor_kind', 'actor_id', 'details'])
      .where('subject_id', '=', subjectId)
      .orderBy('id')
      .execute()
  ).map((row) => row.action)

describe('staff sign-in', () => {
  it('signs a member of staff in and shows what they can do', async () => {
    const officer = await staffMember(['officer'], { name: 'Olu Officer' })
    const { agent, response } = await signIn(officer.email)
    expect(response.location).toBe('/staff')
    const home = await agent.follow(response)
    expect(home.status).toBe(200)
    expect(home.page('h1').text()).toContain('Hello, Olu Officer')
    expect(home.body).toContain('Update, schedule and close requests')
    expect(home.body).not.toContain('Manage staff accounts')
    const navigation = home.page('.govuk-service-navigation__link').map((_, link) => home.page(link).text().trim()).get()
    expect(navigation).toEqual(['Staff', 'Staff home', 'Requests', 'People', 'Sign out'])
    expect(await auditActions(officer.id)).toContain('staff.sign-in')
  })

  it('refuses a wrong password with the same message as an unknown email, and records both', async () => {
    const officer = await staffMember(['officer'])
    const wrong = await signIn(officer.email, 'not the password at all')
    expect(wrong.response.status).toBe(400)
    expect(errorSummary(wrong.response)).toEqual(['Enter a correct email address and password'])
    const unknown = await signIn('nobody@lowerwendle.example.gov.uk')
    expect(errorSummary(unknown.response)).toEqual(['Enter a correct email address and password'])
    expect(await auditActions(officer.id)).toEqual(['staff-member.create', 'staff.sign-in-failed'])
    const anonymous = await test.database.db
      .selectFrom('audit_events')
      .select('details')
      .where('action', '=', 'staff.sign-in-failed')
      .where('actor_kind', '=', 'anonymous')
      .execute()
    expect(anonymous.map((row) => row.details.email)).toContain('nobody@lowerwendle.example.gov.uk')
  })

  it('asks for both email and password', async () => {
    const { response } = await signIn('', '')
    expect(errorSummary(response)).toEqual(['Enter your email address', 'Enter your password'])
  })

  it('locks the account after five wrong passwords, even against the right one, until the lock ends', async () => {
    const officer = await staffMember(['officer'])
    for (let attempt = 0; attempt < 4; attempt++) expect((await signIn(officer.email, 'wrong password')).response.status).toBe(400)
    const fifth = await signIn(officer.email, 'wrong password')
    expect(errorSummary(fifth.response)[0]).toMatch(/^Too many wrong passwords. This account is locked until/)
    const right = await signIn(officer.email)
    expect(right.response.status).toBe(400)
    expect(errorSummary(right.response)[0]).toMatch(/locked until/)

    await test.database.db.updateTable('staff_members').set({ locked_until: new Date(Date.now() - 1000) }).where('id', '=', officer.id).execute()
    expect((await signIn(officer.email)).response.status).toBe(303)
  })

  it('limits how often one email address can be tried', async () => {
    const email = 'guessing@lowerwendle.example.gov.uk'
    const statuses: number[] = []
    for (let attempt = 0; attempt < 11; attempt++) statuses.push((await signIn(email, 'guess')).response.status)
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(400))
    expect(statuses[10]).toBe(429)
  })

  it('does not let a disabled member of staff sign in', async () => {
    const officer = await staffMember(['officer'])
    await test.database.db.updateTable('staff_members').set({ disabled_at: new Date() }).where('id', '=', officer.id).execute()
    const { response } = await signIn(officer.email)
    expect(response.status).toBe(400)
    expect(errorSummary(response)).toEqual(['This account has been disabled. Ask an administrator if you need it back.'])
  })

  it('signs out with a form post and records it', async () => {
    const officer = await staffMember(['officer'])
    const agent = await signedIn(officer.email)
    await agent.get('/staff')
    const out = await agent.post('/staff/sign-out')
    expect(out.location).toBe('/staff/sign-in')
    expect((await agent.get('/staff')).location).toBe('/staff/sign-in?returnTo=%2Fstaff')
    const actions = await test.database.db.selectFrom('audit_events').select('action').where('actor_id', '=', officer.id).execute()
    expect(actions.map((row) => row.action)).toContain('staff.sign-out')
  })

  it('returns to the staff page that asked for sign-in, and never to another site', async () => {
    const administrator = await staffMember(['administrator'])
    const asked = await new Agent(test.app).get('/staff/roles')
    expect(asked.location).toBe('/staff/sign-in?returnTo=%2Fstaff%2Froles')
    const agent = new Agent(test.app)
    await agent.get(asked.location!)
    const back = await agent.post(asked.location!, { email: administrator.email, password })
    expect(back.location).toBe('/staff/roles')

    const elsewhere = new Agent(test.app)
    await elsewhere.get('/staff/sign-in')
    const outside = await elsewhere.post('/staff/sign-in?returnTo=%2F%2Fevil.example', { email: administrator.email, password })
    expect(outside.location).toBe('/staff')
  })

  it('refuses a sign-in form posted without its CSRF token', async () => {
    const officer = await staffMember(['officer'])
    const agent = new Agent(test.app)
    await agent.get('/staff/sign-in')
    const response = await agent.post('/staff/sign-in', { email: officer.email, password }, { csrf: null })
    expect(response.status).toBe(403)
    expect(response.page('h1').text()).toContain('Your form could not be sent')
  })
})

describe('permissions', () => {
  it('starts the council with the default roles, administrators holding every permission', async () => {
    const roles = await test.services.identity.staff.roles()
    expect(roles.map((role) => role.code).sort()).toEqual([
      'administrator', 'catalogue-editor', 'contact-centre-agent', 'contractor-operative', 'moderator', 'officer', 'service-manager', 'team-lead',
    ])
    expect(roles.find((role) => role.code === 'administrator')!.permissions.sort()).toEqual([...allPermissions].sort())
    expect(roles.find((role) => role.code === 'contractor-operative')!.permissions.sort()).toEqual(['work.record-outcome', 'work.view-assigned'])
  })

  it('sends someone not signed in to sign in, and shows staff without the permission a refusal', async () => {
    expect((await new Agent(test.app).get('/staff/accounts')).location).toBe('/staff/sign-in?returnTo=%2Fstaff%2Faccounts')
    const officer = await staffMember(['officer'])
    const agent = await signedIn(officer.email)
    for (const path of ['/staff/accounts', '/staff/accounts/new', '/staff/roles', '/staff/audit', '/staff/teams']) {
      const response = await agent.get(path)
      expect(response.status, path).toBe(403)
      expect(response.page('h1').text()).toBe('You do not have permission to see this page')
    }
  })

  it('does not let a resident session into the staff site', async () => {
    const agent = new Agent(test.app)
    expect((await agent.get('/staff')).location).toMatch(/^\/staff\/sign-in/)
  })

  it('applies a change to a role straight away to everyone in it', async () => {
    const administrator = await staffMember(['administrator'])
    const moderator = await staffMember(['moderator'])
    const moderatorAgent = await signedIn(moderator.email)
    expect((await moderatorAgent.get('/staff/audit')).status).toBe(403)

    const adminAgent = await signedIn(administrator.email)
    const rolePage = await adminAgent.get('/staff/roles/moderator')
    const current = rolePage.page('input[name="permissions"]:checked').map((_, box) => rolePage.page(box).attr('value')).get()
    expect([...current].sort()).toEqual(['engagement.moderate', 'reports.moderate', 'requests.view'])
    const saved = await adminAgent.post('/staff/roles/moderator', { permissions: [...current, 'audit.view'] })
    expect(saved.location).toBe('/staff/roles')
    expect((await adminAgent.follow(saved)).body).toContain('Permissions saved for Moderator')

    const now = await moderatorAgent.get('/staff/audit')
    expect(now.status).toBe(200)
    const entry = await test.database.db
      .selectFrom('audit_events')
      .select(['details', 'actor_id'])
      .where('action', '=', 'role.change-permissions')
      .where('subject_id', '=', 'moderator')
      .executeTakeFirstOrThrow()
    expect(entry.actor_id).toBe(administrator.id)
    expect(entry.details).toEqual({ added: ['audit.view'], removed: [] })
  })

  it('will not take away the last way to manage roles', async () => {
    const database = test.database.db
    const administrator = await staffMember(['administrator'])
    const agent = await signedIn(administrator.email)
    await agent.get('/staff/roles/administrator')
    const response = await agent.post('/staff/roles/administrator', { permissions: ['staff.manage', 'audit.view'] })
    expect(response.status).toBe(400)
    expect(errorSummary(response)[0]).toMatch(/nobody able to manage staff accounts and roles/)
    const kept = await database
      .selectFrom('role_permissions')
      .innerJoin('roles', 'roles.id', 'role_permissions.role_id')
      .select('permission')
      .where('roles.code', '=', 'administrator')
      .execute()
    expect(kept.map((row) => row.permission)).toContain('roles.manage')
  })
})

describe('administering staff accounts', () => {
  it('lets an administrator create an account, and the new person can then sign in', async () => {
    const administrator = await staffMember(['administrator'])
    const agent = await signedIn(administrator.email)
    const form = await agent.get('/staff/accounts/new')
    expect(form.status).toBe(200)
    expect(form.page('input[name="roles"]').length).toBeGreaterThanOrEqual(7)
    const created = await agent.post('/staff/accounts/new', {
      name: 'Priya Patel',
      email: 'Priya.Patel@lowerwendle.example.gov.uk',
      signInMethod: 'password',
      password: 'a long initial password',
      roles: ['officer', 'team-lead'],
      teams: ['housing-repairs'],
      contractor: '',
    })
    expect(created.status).toBe(303)
    const page = await agent.follow(created)
    expect(page.page('h1').text()).toBe('Priya Patel')
    expect(page.body).toContain('Account created for Priya Patel')
    expect(page.page('input[name="roles"]:checked').map((_, box) => page.page(box).attr('value')).get().sort()).toEqual(['officer', 'team-lead'])

    const id = created.location!.split('/').pop()!
    const entry = await test.database.db
      .selectFrom('audit_events')
      .select(['actor_id', 'details'])
      .where('action', '=', 'staff-member.create')
      .where('subject_id', '=', id)
      .executeTakeFirstOrThrow()
    expect(entry.actor_id).toBe(administrator.id)
    expect(entry.details).toMatchObject({ email: 'priya.patel@lowerwendle.example.gov.uk', roles: ['officer', 'team-lead'] })
    expect(JSON.stringify(entry.details)).not.toContain('a long initial password')

    const { response } = await signIn('priya.patel@lowerwendle.example.gov.uk', 'a long initial password')
    expect(response.status).toBe(303)
  })

  it('says what is wrong with a new account form', async () => {
    const administrator = await staffMember(['administrator'])
    const agent = await signedIn(administrator.email)
    await agent.get('/staff/accounts/new')
    const response = await agent.post('/staff/accounts/new', { name: '', email: 'not an email', signInMethod: 'password', password: 'short' })
    expect(response.status).toBe(400)
    expect(errorSummary(response)).toEqual([
      'Enter their name',
      'Enter an email address in the correct format, like name@example.gov.uk',
      'Password must be at least 12 characters',
      'Select at least one role',
    ])
    const taken = await agent.post('/staff/accounts/new', {
      name: 'Someone',
      email: administrator.email.toUpperCase(),
      signInMethod: 'directory',
      roles: 'officer',
    })
    expect(errorSummary(taken)).toEqual(['A staff account already uses this email address'])
  })

  it('creates an account for directory sign-in only, with a contractor organisation', async () => {
    const administrator = await staffMember(['administrator'])
    const agent = await signedIn(administrator.email)
    await agent.get('/staff/accounts/new')
    const created = await agent.post('/staff/accounts/new', {
      name: 'Carl Contractor',
      email: 'carl@fixit.example.com',
      signInMethod: 'directory',
      password: 'ignored because directory',
      roles: 'contractor-operative',
      contractor: 'fixit',
    })
    expect(created.status).toBe(303)
    const row = await test.database.db
      .selectFrom('staff_members')
      .innerJoin('contractors', 'contractors.id', 'staff_members.contractor_id')
      .select(['staff_members.password_hash', 'contractors.code'])
      .where('staff_members.email', '=', 'carl@fixit.example.com')
      .executeTakeFirstOrThrow()
    expect(row).toEqual({ password_hash: null, code: 'fixit' })
    expect((await signIn('carl@fixit.example.com', 'ignored because directory')).response.status).toBe(400)
  })

  it('lists staff accounts and changes roles and teams, recording before and after', async () => {
    const administrator = await staffMember(['administrator'])
    const officer = await staffMember(['officer'], { name: 'Tom Teams' })
    const agent = await signedIn(administrator.email)
    const list = await agent.get('/staff/accounts')
    expect(list.page(`a[href="/staff/accounts/${officer.id}"]`).text()).toBe('Tom Teams')
    await agent.get(`/staff/accounts/${officer.id}`)
    const saved = await agent.post(`/staff/accounts/${officer.id}/access`, { roles: ['contact-centre-agent'], teams: ['housing-repairs'], contractor: '' })
    expect(saved.location).toBe(`/staff/accounts/${officer.id}`)
    const entry = await test.database.db
      .selectFrom('audit_events')
      .select('details')
      .where('action', '=', 'staff-member.change-access')
      .where('subject_id', '=', officer.id)
      .executeTakeFirstOrThrow()
    expect(entry.details).toMatchObject({
      roles: { before: ['officer'], after: ['contact-centre-agent'] },
      teams: { before: ['waste'], after: ['housing-repairs'] },
    })
  })

  it('ends a disabled officer’s sessions at once, and re-enabling lets them sign in again', async () => {
    const administrator = await staffMember(['administrator'])
    const officer = await staffMember(['officer'])
    const officerAgent = await signedIn(officer.email)
    expect((await officerAgent.get('/staff')).status).toBe(200)

    const adminAgent = await signedIn(administrator.email)
    await adminAgent.get(`/staff/accounts/${officer.id}`)
    const disabled = await adminAgent.post(`/staff/accounts/${officer.id}/disable`)
    expect(disabled.status).toBe(303)
    expect((await adminAgent.follow(disabled)).body).toContain('They have been signed out')

    const next = await officerAgent.get('/staff')
    expect(next.status).toBe(302)
    expect(next.location).toBe('/staff/sign-in?returnTo=%2Fstaff')
    const sessions = await test.database.db.selectFrom('sessions').select('id').where('principal_id', '=', officer.id).execute()
    expect(sessions).toEqual([])
    expect((await signIn(officer.email)).response.status).toBe(400)

    await adminAgent.get(`/staff/accounts/${officer.id}`)
    const enabled = await adminAgent.post(`/staff/accounts/${officer.id}/enable`)
    expect(enabled.status).toBe(303)
    expect((await signIn(officer.email)).response.status).toBe(303)
    expect(await auditActions(officer.id)).toEqual(
      expect.arrayContaining(['staff-member.disable', 'staff-member.enable']),
    )
  })

  it('does not let administrators disable themselves', async () => {
    const administrator = await staffMember(['administrator'])
    const agent = await signedIn(administrator.email)
    const page = await agent.get(`/staff/accounts/${administrator.id}`)
    expect(page.body).not.toContain('Disable account')
    const response = await agent.post(`/staff/accounts/${administrator.id}/disable`)
    expect(response.status).toBe(400)
    const row = await test.database.db.selectFrom('staff_members').select('disabled_at').where('id', '=', administrator.id).executeTakeFirstOrThrow()
    expect(row.disabled_at).toBeNull()
  })

  it('refuses a staff form posted without its CSRF token and changes nothing', async () => {
    const administrator = await staffMember(['administrator'])
    const officer = await staffMember(['officer'])
    const agent = await signedIn(administrator.email)
    await agent.get('/staff/accounts/new')
    const create = await agent.post('/staff/accounts/new', { name: 'Sneaky', email: 'sneaky@lowerwendle.example.gov.uk', signInMethod: 'directory', roles: 'administrator' }, { csrf: null })
    expect(create.status).toBe(403)
    const disable = await agent.post(`/staff/accounts/${officer.id}/disable`, {}, { csrf: 'forged-token' })
    expect(disable.status).toBe(403)
    expect(await test.database.db.selectFrom('staff_members').select('id').where('email', '=', 'sneaky@lowerwendle.example.gov.uk').execute()).toEqual([])
    const row = await test.database.db.selectFrom('staff_members').select('disabled_at').where('id', '=', officer.id).executeTakeFirstOrThrow()
    expect(row.disabled_at).toBeNull()
  })

  it('lists and adds teams and contractor organisations', async () => {
    const administrator = await staffMember(['administrator'])
    const agent = await signedIn(administrator.email)
    const teams = await agent.get('/staff/teams')
    expect(teams.body).toContain('Housing repairs')
    const added = await agent.post('/staff/teams', { name: 'Parks and open spaces' })
    expect(added.location).toBe('/staff/teams')
    expect((await agent.follow(added)).body).toContain('parks-and-open-spaces')
    const again = await agent.post('/staff/teams', { name: 'Parks and Open Spaces' })
    expect(errorSummary(again)).toEqual(['There is already a team with this name'])

    await agent.get('/staff/contractors')
    const contractor = await agent.post('/staff/contractors', { name: 'Greenway Grounds Ltd' })
    expect(contractor.location).toBe('/staff/contractors')
    expect((await agent.follow(contractor)).body).toContain('Greenway Grounds Ltd')
  })
})

describe('staff passwords', () => {
  const newPassword = 'a brand new staff password'

  const auditEntry = async (action: string, subjectId: string) =>
    test.database.db
      .selectFrom('audit_events')
      .select(['actor_id', 'details'])
      .where('action', '=', action)
      .where('subject_id', '=', subjectId)
      .executeTakeFirstOrThrow()

  const sessionsOf = async (staffMemberId: string) =>
    test.database.db.selectFrom('sessions').select('id').where('principal_id', '=', staffMemberId).execute()

  it('lets an administrator set a new password, which signs the person out everywhere and lifts their lock', async () => {
    const administrator = await staffMember(['administrator'])
    const officer = await staffMember(['officer'], { name: 'Fran Forgetful' })
    const officerAgent = await signedIn(officer.email)
    expect((await officerAgent.get('/staff')).status).toBe(200)
    await test.database.db
      .updateTable('staff_members')
      .set({ failed_sign_ins: 0, lockouts: 1, locked_until: new Date(Date.now() + 60 * 60_000) })
      .where('id', '=', officer.id)
      .execute()

    const adminAgent = await signedIn(administrator.email)
    const page = await adminAgent.get(`/staff/accounts/${officer.id}`)
    expect(page.page(`form[action="/staff/accounts/${officer.id}/password"] input[type="password"]`).attr('autocomplete')).toBe('new-password')
    const saved = await adminAgent.post(`/staff/accounts/${officer.id}/password`, { password: newPassword })
    expect(saved.status).toBe(303)
    expect(saved.location).toBe(`/staff/accounts/${officer.id}`)
    const confirmed = await adminAgent.follow(saved)
    expect(confirmed.page('.govuk-notification-banner').text()).toContain('New password set for Fran Forgetful. They have been signed out.')

    expect(await sessionsOf(officer.id)).toEqual([])
    expect((await officerAgent.get('/staff')).location).toBe('/staff/sign-in?returnTo=%2Fstaff')
    const row = await test.database.db
      .selectFrom('staff_members')
      .select(['password_hash', 'failed_sign_ins', 'lockouts', 'locked_until'])
      .where('id', '=', officer.id)
      .executeTakeFirstOrThrow()
    expect(row.password_hash).toMatch(/^\$argon2id\$/)
    expect(row).toMatchObject({ failed_sign_ins: 0, lockouts: 0, locked_until: null })
    const entry = await auditEntry('staff-member.set-password', officer.id)
    expect(entry.actor_id).toBe(administrator.id)
    expect(entry.details).toEqual({ sessionsEnded: 1, wasLocked: true })
    expect(JSON.stringify(entry.details)).not.toContain(newPassword)

    expect((await signIn(officer.email)).response.status).toBe(400)
    expect((await signIn(officer.email, newPassword)).response.status).toBe(303)
  })

  it('says what is wrong with a new password an administrator sets, and changes nothing', async () => {
    const administrator = await staffMember(['administrator'])
    const officer = await staffMember(['officer'])
    const agent = await signedIn(administrator.email)
    await agent.get(`/staff/accounts/${officer.id}`)
    const empty = await agent.post(`/staff/accounts/${officer.id}/password`, { password: '' })
    expect(empty.status).toBe(400)
    expect(errorSummary(empty)).toEqual(['Enter a new password'])
    expect(empty.page('#password-error').text()).toContain('Enter a new password')
    const short = await agent.post(`/staff/accounts/${officer.id}/password`, { password: 'x'.repeat(11) })
    expect(errorSummary(short)).toEqual(['Password must be at least 12 characters'])
    expect((await signIn(officer.email)).response.status).toBe(303)
    expect(await auditActions(officer.id)).not.toContain('staff-member.set-password')
  })

  it('offers no password form for directory-only staff or for the administrator’s own account', async () => {
    const administrator = await staffMember(['administrator'])
    const directoryOnly = await test.services.identity.staff.createStaffMember({
      name: 'Dora Directory',
      email: 'dora@lowerwendle.example.gov.uk',
      password: null,
      roleCodes: ['officer'],
      teamCodes: [],
    })
    const agent = await signedIn(administrator.email)
    const directoryPage = await agent.get(`/staff/accounts/${directoryOnly}`)
    expect(directoryPage.page(`form[action$="/password"]`).length).toBe(0)
    const refused = await agent.post(`/staff/accounts/${directoryOnly}/password`, { password: newPassword })
    expect(errorSummary(refused)).toEqual(['They sign in through the staff directory, so they have no password to set'])

    const ownPage = await agent.get(`/staff/accounts/${administrator.id}`)
    expect(ownPage.page(`form[action$="/password"]`).length).toBe(0)
    expect(ownPage.page('main a[href="/staff/password"]').text()).toBe('Change your own password')
    const own = await agent.post(`/staff/accounts/${administrator.id}/password`, { password: newPassword })
    expect(own.status).toBe(400)
    expect((await signIn(administrator.email)).response.status).toBe(303)
  })

  it('lets only administrators set passwords, and only with the form’s CSRF token', async () => {
    const administrator = await staffMember(['administrator'])
    const officer = await staffMember(['officer'])
    const teamLead = await staffMember(['team-lead'])
    const leadAgent = await signedIn(teamLead.email)
    await leadAgent.get('/staff')
    const forbidden = await leadAgent.post(`/staff/accounts/${officer.id}/password`, { password: newPassword })
    expect(forbidden.status).toBe(403)
    expect(forbidden.page('h1').text()).toBe('You do not have permission to see this page')

    const adminAgent = await signedIn(administrator.email)
    await adminAgent.get(`/staff/accounts/${officer.id}`)
    const forged = await adminAgent.post(`/staff/accounts/${officer.id}/password`, { password: newPassword }, { csrf: null })
    expect(forged.status).toBe(403)
    expect(forged.page('h1').text()).toContain('Your form could not be sent')
    expect((await signIn(officer.email)).response.status).toBe(303)
    expect((await signIn(officer.email, newPassword)).response.status).toBe(400)
  })

  it('lets any member of staff change their own password, keeping this browser signed in and ending their other sessions', async () => {
    const officer = await staffMember(['contractor-operative'])
    const elsewhere = await signedIn(officer.email)
    const agent = await signedIn(officer.email)
    const home = await agent.get('/staff')
    expect(home.page('main a[href="/staff/password"]').text()).toBe('Change your password')
    const before = agent.cookie('guildhall_session')

    const form = await agent.get('/staff/password')
    expect(form.status).toBe(200)
    expect(form.page('h1').text()).toBe('Change your password')
    expect(form.page('#currentPassword').attr('autocomplete')).toBe('current-password')
    const changed = await agent.post('/staff/password', { currentPassword: password, newPassword })
    expect(changed.status).toBe(303)
    expect(changed.location).toBe('/staff')
    expect(agent.cookie('guildhall_session')).not.toBe(before)
    const landed = await agent.follow(changed)
    expect(landed.status).toBe(200)
    expect(landed.page('.govuk-notification-banner').text()).toContain('Your password has been changed')

    expect((await elsewhere.get('/staff')).location).toBe('/staff/sign-in?returnTo=%2Fstaff')
    expect(await sessionsOf(officer.id)).toHaveLength(1)
    const entry = await auditEntry('staff.change-password', officer.id)
    expect(entry.actor_id).toBe(officer.id)
    expect(entry.details).toEqual({ sessionsEnded: 2 })
    expect((await signIn(officer.email)).response.status).toBe(400)
    expect((await signIn(officer.email, newPassword)).response.status).toBe(303)
  })

  it('says what is wrong with a change of password, a wrong current password included', async () => {
    const officer = await staffMember(['officer'])
    const agent = await signedIn(officer.email)
    await agent.get('/staff/password')
    const empty = await agent.post('/staff/password', { currentPassword: '', newPassword: 'short' })
    expect(empty.status).toBe(400)
    expect(errorSummary(empty)).toEqual(['Enter your current password', 'Password must be at least 12 characters'])
    expect(empty.page('#currentPassword-error').text()).toContain('Enter your current password')
    expect(empty.page('#newPassword-error').text()).toContain('Password must be at least 12 characters')

    const wrong = await agent.post('/staff/password', { currentPassword: 'not my password', newPassword })
    expect(wrong.status).toBe(400)
    expect(errorSummary(wrong)).toEqual(['Your current password is not right. Enter the password you sign in with'])
    expect(wrong.page('#currentPassword-error').text()).toContain('Your current password is not right')
    expect(await auditActions(officer.id)).toContain('staff.change-password-failed')
    expect((await agent.get('/staff')).status).toBe(200)
    expect((await signIn(officer.email)).response.status).toBe(303)
  })

  it('limits tries at the current password', async () => {
    const officer = await staffMember(['officer'])
    const agent = await signedIn(officer.email)
    await agent.get('/staff/password')
    const statuses: number[] = []
    for (let attempt = 0; attempt < 5; attempt++) {
      statuses.push((await agent.post('/staff/password', { currentPassword: `guess ${attempt}`, newPassword })).status)
    }
    expect(statuses).toEqual([400, 400, 400, 400, 400])
    const limited = await agent.post('/staff/password', { currentPassword: password, newPassword })
    expect(limited.status).toBe(429)
    expect(limited.headers['retry-after']).toBeTruthy()
    expect(errorSummary(limited)[0]).toMatch(/^Too many attempts to change your password. Try again after/)
    expect((await signIn(officer.email)).response.status).toBe(303)
  })

  it('tells directory-only staff they have no password here', async () => {
    const id = await test.services.identity.staff.createStaffMember({
      name: 'Del Directory',
      email: 'del@lowerwendle.example.gov.uk',
      password: null,
      roleCodes: ['officer'],
      teamCodes: [],
    })
    const agent = await signedInWithoutPassword(id)
    expect((await agent.get('/staff')).page('main a[href="/staff/password"]').length).toBe(0)
    const page = await agent.get('/staff/password')
    expect(page.status).toBe(200)
    expect(page.page('form[action="/staff/password"]').length).toBe(0)
    expect(page.body).toContain('you have no password here')
    const refused = await agent.post('/staff/password', { currentPassword: 'anything at all', newPassword })
    expect(refused.status).toBe(400)
    const member = await test.database.db.selectFrom('staff_members').select('password_hash').where('id', '=', id).executeTakeFirstOrThrow()
    expect(member.password_hash).toBeNull()
  })

  it('asks for sign-in first, and refuses a change posted without its CSRF token', async () => {
    expect((await new Agent(test.app).get('/staff/password')).location).toBe('/staff/sign-in?returnTo=%2Fstaff%2Fpassword')
    const officer = await staffMember(['officer'])
    const agent = await signedIn(officer.email)
    await agent.get('/staff/password')
    const forged = await agent.post('/staff/password', { currentPassword: password, newPassword }, { csrf: 'forged-token' })
    expect(forged.status).toBe(403)
    expect((await signIn(officer.email)).response.status).toBe(303)
  })
})

describe('the audit log', () => {
  it('cannot be changed or removed, even directly in the database', async () => {
    const officer = await staffMember(['officer'])
    await signIn(officer.email)
    const entry = await test.database.db.selectFrom('audit_events').select('id').where('actor_id', '=', officer.id).executeTakeFirstOrThrow()
    await expect(test.database.db.updateTable('audit_events').set({ action: 'nothing.happened' }).where('id', '=', entry.id).execute()).rejects.toThrow(/append-only/)
    await expect(test.database.db.deleteFrom('audit_events').where('id', '=', entry.id).execute()).rejects.toThrow(/append-only/)
    await expect(sql`truncate audit_events`.execute(test.database.db)).rejects.toThrow(/append-only/)
  })

  it('lists entries newest first, filtered by who, what and when, a page at a time', async () => {
    const auditor = await staffMember(['administrator'], { name: 'Audrey Auditor' })
    const subject = await staffMember(['officer'], { name: 'Filterable Person' })
    for (let attempt = 0; attempt < 3; attempt++) await signIn(subject.email, 'wrong password here')
    await signIn(subject.email)
    const agent = await signedIn(auditor.email)

    const all = await agent.get('/staff/audit')
    expect(all.status).toBe(200)
    const firstRow = all.page('tbody tr').first().text()
    expect(firstRow).toContain('Audrey Auditor')
    expect(firstRow).toContain('staff.sign-in')

    const filtered = await agent.get('/staff/audit?actor=filterable&action=staff.sign-in-failed')
    const rows = filtered.page('tbody tr')
    expect(rows.length).toBe(3)
    expect(rows.text()).not.toContain('Audrey')

    const today = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', day: 'numeric', month: 'numeric', year: 'numeric' }).formatToParts(new Date())
    const part = (type: string) => today.find((item) => item.type === type)!.value
    const dated = await agent.get(`/staff/audit?actor=filterable&from-day=${part('day')}&from-month=${part('month')}&from-year=${part('year')}`)
    expect(dated.page('tbody tr').length).toBe(4)
    const future = await agent.get(`/staff/audit?actor=filterable&from-day=1&from-month=1&from-year=2099`)
    expect(future.body).toContain('No entries match these filters.')

    const invalid = await agent.get('/staff/audit?from-day=31&from-month=2&from-year=2026')
    expect(errorSummary(invalid)).toEqual(['Enter a real date, like 23 11 2026'])

    for (let attempt = 0; attempt < 50; attempt++) {
      await test.services.identity.staff.recordSignOut(subject.id)
    }
    const firstPage = await agent.get('/staff/audit?actor=filterable')
    expect(firstPage.page('tbody tr').length).toBe(50)
    const next = firstPage.page('.govuk-pagination__next a').attr('href')
    expect(next).toBe('?actor=filterable&page=2')
    const secondPage = await agent.get(`/staff/audit${next}`)
    expect(secondPage.page('tbody tr').length).toBe(4)
    expect(secondPage.page('tbody tr').last().text()).toContain('staff.sign-in-failed')
  })
})
