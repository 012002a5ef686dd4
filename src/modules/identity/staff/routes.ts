import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../../config.ts'
import type { Services } from '../../../container.ts'
import { InvalidInput, type FieldErrors } from '../../../lib/errors.ts'
import { formatDateTime } from '../../../lib/http/views.ts'
import type { Translate } from '../../../lib/i18n/index.ts'
import { requireStaff, requireStaffPermission, staffActor } from './access.ts'
import { auditPageLink, readAuditFilters } from './audit-filters.ts'
import { allPermissions, permissionAreas, type PermissionArea } from './permissions.ts'
import { shortestStaffPassword } from './rules.ts'
import { staffReturnPath } from '../return-paths.ts'
import { takeFlash } from '../../../lib/http/forms.ts'

type Form = Record<string, string | string[] | undefined>

const text = (value: unknown): string => (typeof value === 'string' ? value : Array.isArray(value) ? String(value[0] ?? '') : '')
const list = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : typeof value === 'string' && value ? [value] : [])

/** Only a path on the staff site may be a place to come back to after signing in. */
function translated(errors: FieldErrors, t: Translate): FieldErrors {
  return Object.fromEntries(Object.entries(errors).map(([field, key]) => [field, t(key)]))
}

/** Shows a form again with its errors when the service refused what was sent; anything else goes on to the error page. */
async function orShowErrors(reply: FastifyReply, attempt: () => Promise<unknown>, show: (errors: FieldErrors) => Promise<unknown>) {
  try {
    return await attempt()
  } catch (error) {
    if (!(error instanceof InvalidInput)) throw error
    reply.code(400)
    return show(translated(error.fields, reply.request.t))
  }
}

/** Seconds until a rate limit lets the person try again, for the Retry-After header. */
const secondsUntil = (retryAt: Date) => Math.max(1, Math.ceil((retryAt.getTime() - Date.now()) / 1000))

const areasOf = (granted: ReadonlySet<string>) =>
  (Object.keys(permissionAreas) as PermissionArea[])
    .map((name) => ({ name, permissions: permissionAreas[name].filter((permission) => granted.has(permission)) }))
    .filter((area) => area.permissions.length > 0)

const everyArea = () => areasOf(new Set(allPermissions))

/** The staff site's own pages: signing in and out, the staff home page and administration. */
export async function staffRoutes(app: FastifyInstance, { config, services }: { config: Config; services: Services }) {
  const staff = services.identity.staff
  const directoryName = config.staffSignOn?.name

  const showSignIn = (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) => {
    const returnTo = staffReturnPath((request.query as Form).returnTo)
    return reply.view('identity/views/staff/sign-in.njk', {
      directoryName,
      directoryUrl: `/staff/sign-in/directory${returnTo === '/staff' ? '' : `?returnTo=${encodeURIComponent(returnTo)}`}`,
      returnTo: returnTo === '/staff' ? undefined : returnTo,
      values: {},
      flash: takeFlash(request, 'staffFlash'),
      ...extra,
    })
  }

  app.get('/staff/sign-in', async (request, reply) => {
    if (request.staff) return reply.redirect('/staff')
    return showSignIn(request, reply)
  })

  app.post('/staff/sign-in', async (request, reply) => {
    const form = request.body as Form
    const email = text(form.email).trim()
    const password = text(form.password)
    const t = request.t
    const errors: FieldErrors = {}
    if (!email) errors.email = t('identity.staff.signIn.emailRequired')
    if (!password) errors.password = t('identity.staff.signIn.passwordRequired')
    if (Object.keys(errors).length) return showSignIn(request, reply.code(400), { errors, values: { email } })

    const result = await staff.signIn({ email, password, ipAddress: request.ip })
    if (result.outcome === 'signed-in') {
      request.session.signIn({ kind: 'staff', id: result.staffMemberId })
      return reply.redirect(staffReturnPath((request.query as Form).returnTo), 303)
    }
    const message =
      result.outcome === 'locked'
        ? t('identity.staff.signIn.locked', { time: formatDateTime(result.until) })
        : result.outcome === 'too-many-attempts'
          ? t('identity.staff.signIn.tooManyAttempts', { time: formatDateTime(result.retryAt) })
          : result.outcome === 'disabled'
            ? t('identity.staff.signIn.disabled')
            : t('identity.staff.signIn.refused')
    if (result.outcome === 'too-many-attempts') reply.header('retry-after', secondsUntil(result.retryAt))
    reply.code(result.outcome === 'too-many-attempts' ? 429 : 400)
    return showSignIn(request, reply, { errors: { email: message }, values: { email } })
  })

  app.post('/staff/sign-out', async (request, reply) => {
    if (request.staff) await staff.recordSignOut(request.staff.id, request.ip)
    request.session.signOut()
    return reply.redirect('/staff/sign-in', 303)
  })

  app.get('/staff', { preHandler: requireStaff }, async (request, reply) =>
    reply.view('identity/views/staff/home.njk', {
      staffName: request.staff!.name,
      areas: areasOf(request.staff!.permissions),
      hasPassword: await staff.hasPassword(request.staff!.id),
      flash: takeFlash(request, 'staffFlash'),
    }),
  )

  const showPasswordChange = async (request: FastifyRequest, reply: FastifyReply, errors?: FieldErrors) =>
    reply.view('identity/views/staff/password.njk', {
      hasPassword: await staff.hasPassword(request.staff!.id),
      shortestPassword: shortestStaffPassword,
      errors,
    })

  app.get('/staff/password', { preHandler: requireStaff }, async (request, reply) => showPasswordChange(request, reply))

  app.post('/staff/password', { preHandler: requireStaff }, async (request, reply) => {
    const form = request.body as Form
    const actor = staffActor(request)
    const t = request.t
    return orShowErrors(
      reply,
      async () => {
        const result = await staff.changeOwnPassword(actor, { currentPassword: text(form.currentPassword), newPassword: text(form.newPassword) })
        if (result.outcome === 'too-many-attempts') {
          reply.code(429).header('retry-after', secondsUntil(result.retryAt))
          return showPasswordChange(request, reply, {
            currentPassword: t('identity.staff.password.tooManyAttempts', { time: formatDateTime(result.retryAt) }),
          })
        }
        // The change ended every session of theirs; this browser carries on in a fresh one.
        request.session.signIn({ kind: 'staff', id: actor.id })
        request.session.set('staffFlash', t('identity.staff.password.changed'))
        return reply.redirect('/staff', 303)
      },
      (errors) => showPasswordChange(request, reply, errors),
    )
  })

  const manageStaff = { preHandler: requireStaffPermission('staff.manage') }

  app.get('/staff/accounts', manageStaff, async (request, reply) =>
    reply.view('identity/views/staff/accounts.njk', {
      pageTitle: request.t('identity.staff.accounts.title'),
      members: await staff.list(staffActor(request)),
      flash: takeFlash(request, 'staffFlash'),
    }),
  )

  const accountChoices = async () => ({ roles: await staff.roles(), teams: await staff.teams(), contractors: await staff.contractors() })

  const showNewAccount = async (reply: FastifyReply, values: Form, errors?: FieldErrors) =>
    reply.view('identity/views/staff/new-account.njk', {
      ...(await accountChoices()),
      directoryName,
      shortestPassword: shortestStaffPassword,
      values,
      errors,
    })

  app.get('/staff/accounts/new', manageStaff, async (_request, reply) => showNewAccount(reply, {}))

  app.post('/staff/accounts/new', manageStaff, async (request, reply) => {
    const form = request.body as Form
    const values = {
      name: text(form.name),
      email: text(form.email),
      signInMethod: text(form.signInMethod),
      password: text(form.password),
      roles: list(form.roles),
      teams: list(form.teams),
      contractor: text(form.contractor),
    }
    return orShowErrors(
      reply,
      async () => {
        const id = await staff.create(staffActor(request), values)
        request.session.set('staffFlash', request.t('identity.staff.newAccount.created', { name: values.name.trim() }))
        return reply.redirect(`/staff/accounts/${id}`, 303)
      },
      (errors) => showNewAccount(reply, { ...values, password: '' }, errors),
    )
  })

  const showAccount = async (request: FastifyRequest, reply: FastifyReply, values?: Form, errors?: FieldErrors) => {
    const member = await staff.get(staffActor(request), (request.params as { id: string }).id)
    return reply.view('identity/views/staff/account.njk', {
      ...(await accountChoices()),
      member,
      locked: member.lockedUntil !== null && member.lockedUntil > new Date(),
      isSelf: member.id === request.staff!.id,
      shortestPassword: shortestStaffPassword,
      values: values ?? { roles: member.roleCodes, teams: member.teamCodes, contractor: member.contractorCode ?? '' },
      errors,
      flash: errors ? undefined : takeFlash(request, 'staffFlash'),
    })
  }

  app.get('/staff/accounts/:id', manageStaff, async (request, reply) => showAccount(request, reply))

  app.post('/staff/accounts/:id/access', manageStaff, async (request, reply) => {
    const { id } = request.params as { id: string }
    const form = request.body as Form
    const values = { roles: list(form.roles), teams: list(form.teams), contractor: text(form.contractor) }
    return orShowErrors(
      reply,
      async () => {
        const actor = staffActor(request)
        await staff.changeAccess(actor, id, values)
        const member = await staff.get(actor, id)
        request.session.set('staffFlash', request.t('identity.staff.account.accessSaved', { name: member.name }))
        return reply.redirect(`/staff/accounts/${id}`, 303)
      },
      (errors) => showAccount(request, reply, values, errors),
    )
  })

  app.post('/staff/accounts/:id/password', manageStaff, async (request, reply) => {
    const { id } = request.params as { id: string }
    const password = text((request.body as Form).password)
    return orShowErrors(
      reply,
      async () => {
        const actor = staffActor(request)
        await staff.setPassword(actor, id, password)
        const member = await staff.get(actor, id)
        request.session.set('staffFlash', request.t('identity.staff.account.passwordSet', { name: member.name }))
        return reply.redirect(`/staff/accounts/${id}`, 303)
      },
      (errors) => showAccount(request, reply, undefined, errors),
    )
  })

  for (const change of ['disable', 'enable'] as const) {
    app.post(`/staff/accounts/:id/${change}`, manageStaff, async (request, reply) => {
      const { id } = request.params as { id: string }
      return orShowErrors(
        reply,
        async () => {
          const actor = staffActor(request)
          await staff[change](actor, id)
          const member = await staff.get(actor, id)
          request.session.set('staffFlash', request.t(`identity.staff.account.${change}d`, { name: member.name }))
          return reply.redirect(`/staff/accounts/${id}`, 303)
        },
        (errors) => showAccount(request, reply, undefined, errors),
      )
    })
  }

  for (const kind of ['teams', 'contractors'] as const) {
    const listGroups = () => (kind === 'teams' ? staff.teams() : staff.contractors())
    const showGroups = async (request: FastifyRequest, reply: FastifyReply, values: Form = {}, errors?: FieldErrors) =>
      reply.view('identity/views/staff/groups.njk', { kind, groups: await listGroups(), values, errors, flash: errors ? undefined : takeFlash(request, 'staffFlash') })

    app.get(`/staff/${kind}`, manageStaff, async (request, reply) => showGroups(request, reply))

    app.post(`/staff/${kind}`, manageStaff, async (request, reply) => {
      const name = text((request.body as Form).name)
      return orShowErrors(
        reply,
        async () => {
          const actor = staffActor(request)
          await (kind === 'teams' ? staff.createTeam(actor, name) : staff.createContractor(actor, name))
          request.session.set('staffFlash', request.t(`identity.staff.${kind}.created`, { name: name.trim() }))
          return reply.redirect(`/staff/${kind}`, 303)
        },
        (errors) => showGroups(request, reply, { name }, errors),
      )
    })
  }

  const manageRoles = { preHandler: requireStaffPermission('roles.manage') }

  app.get('/staff/roles', manageRoles, async (request, reply) =>
    reply.view('identity/views/staff/roles.njk', { roles: await staff.roles(), totalPermissions: allPermissions.length, flash: takeFlash(request, 'staffFlash') }),
  )

  const showRole = async (request: FastifyRequest, reply: FastifyReply, selected?: string[], errors?: FieldErrors) => {
    const role = await staff.role(staffActor(request), (request.params as { code: string }).code)
    return reply.view('identity/views/staff/role.njk', { role, areas: everyArea(), selected: selected ?? role.permissions, errors })
  }

  app.get('/staff/roles/:code', manageRoles, async (request, reply) => showRole(request, reply))

  app.post('/staff/roles/:code', manageRoles, async (request, reply) => {
    const { code } = request.params as { code: string }
    const selected = list((request.body as Form).permissions)
    return orShowErrors(
      reply,
      async () => {
        const actor = staffActor(request)
        await staff.setRolePermissions(actor, code, selected)
        const role = await staff.role(actor, code)
        request.session.set('staffFlash', request.t('identity.staff.roles.saved', { name: role.name }))
        return reply.redirect('/staff/roles', 303)
      },
      // The error belongs to the whole set of boxes; the summary links to the first group.
      (errors) => showRole(request, reply, selected, errors.permissions ? { [`permissions-${everyArea()[0]!.name}`]: errors.permissions } : errors),
    )
  })

  app.get('/staff/audit', { preHandler: requireStaffPermission('audit.view') }, async (request, reply) => {
    const query = request.query as Record<string, unknown>
    const { filters, errors } = readAuditFilters(query)
    const log = await staff.auditLog(staffActor(request), filters)
    const t = request.t
    const entries = log.entries.map((entry) => ({
      ...entry,
      actorText: describeActor(entry, t),
      subjectText: entry.subjectStaffName ?? (entry.subjectType ? `${entry.subjectType} ${entry.subjectId ?? ''}`.trim() : ''),
      subjectHref: entry.subjectType === 'staff-member' && entry.subjectId ? `/staff/accounts/${entry.subjectId}` : undefined,
      detailLines: Object.entries(entry.details ?? {}).map(([name, value]) => `${name}: ${typeof value === 'string' ? value : JSON.stringify(value)}`),
    }))
    return reply.view('identity/views/staff/audit.njk', {
      log: { ...log, entries },
      actions: await staff.auditActions(),
      query,
      errors: Object.keys(errors).length
        ? Object.fromEntries(Object.entries(errors).map(([field, key]) => [field, t(`identity.staff.${key}`)]))
        : undefined,
      previousHref: log.page > 1 ? auditPageLink(query, log.page - 1) : undefined,
      nextHref: log.page < log.pages ? auditPageLink(query, log.page + 1) : undefined,
    })
  })
}

function describeActor(
  entry: { actorKind: string; staffName: string | null; personName: string | null; personEmail: string | null; apiKeyName: string | null; actorId: string | null },
  t: Translate,
): string {
  switch (entry.actorKind) {
    case 'staff':
      return entry.staffName ?? t('identity.staff.audit.unknownStaff')
    case 'resident':
      return `${t('identity.staff.audit.resident')}: ${entry.personName ?? entry.personEmail ?? entry.actorId ?? ''}`
    case 'system':
      return t('identity.staff.audit.system')
    case 'api-client':
      return `${t('identity.staff.audit.apiClient')}: ${entry.apiKeyName ?? entry.actorId ?? ''}`
    default:
      return t('identity.staff.audit.anonymous')
  }
}
