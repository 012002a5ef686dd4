import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Services } from '../../container.ts'
import { Conflict, InvalidInput, NotFound, type FieldErrors } from '../../lib/errors.ts'
import { requireStaffPermission, staffActor, staffReturnPath } from '../identity/index.ts'
import { longestDescription, warningCategories } from './rules.ts'
import type { WarningSubject } from './service.ts'

type Form = Record<string, string | string[] | undefined>

const text = (value: unknown): string => (typeof value === 'string' ? value : Array.isArray(value) ? String(value[0] ?? '') : '')

const newWarningPaths = ['/staff/people/:personId/warnings/new', '/staff/properties/:uprn/warnings/new']

/** Who or what a new warning is about, from the page's address; a UPRN that is not a number is no page at all. */
function subjectFrom(request: FastifyRequest): WarningSubject {
  const params = request.params as { personId?: string; uprn?: string }
  if (params.personId !== undefined) return { kind: 'person', personId: params.personId }
  const uprn = /^\d{1,15}$/.test(params.uprn ?? '') ? Number(params.uprn) : 0
  if (uprn <= 0) throw new NotFound('property')
  return { kind: 'property', uprn }
}

/** The staff pages for recording a warning about a person or a property, and for ending one. */
export async function warningRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const warnings = services.warnings
  const canManage = requireStaffPermission('warnings.manage')

  async function showNewWarning(request: FastifyRequest, reply: FastifyReply, extra: { errors?: FieldErrors; values?: Form } = {}) {
    const subject = subjectFrom(request)
    const staff = request.staff!
    const values = extra.values ?? (request.query as Form)
    const [subjectName, existing] = await Promise.all([
      warnings.describeSubject(subject),
      !staff.permissions.has('warnings.view')
        ? []
        : subject.kind === 'person'
          ? warnings.currentForPerson(subject.personId, staff)
          : warnings.currentForProperty(subject.uprn, staff),
    ])
    return reply.view('warnings/views/new.njk', {
      subject,
      subjectName,
      existing,
      categories: warningCategories,
      longestDescription,
      returnTo: staffReturnPath(values.returnTo),
      values,
      errors: extra.errors,
    })
  }

  for (const path of newWarningPaths) {
    app.get(path, { preHandler: canManage }, async (request, reply) => showNewWarning(request, reply))

    app.post(path, { preHandler: canManage }, async (request, reply) => {
      const form = request.body as Form
      try {
        await warnings.record(
          subjectFrom(request),
          {
            category: text(form.category),
            description: text(form.description),
            reviewDay: text(form['reviewOn-day']),
            reviewMonth: text(form['reviewOn-month']),
            reviewYear: text(form['reviewOn-year']),
          },
          staffActor(request),
        )
      } catch (error) {
        if (!(error instanceof InvalidInput)) throw error
        return showNewWarning(request, reply.code(400), { errors: error.fields, values: form })
      }
      request.session.set('staffFlash', request.t('warnings.done.recorded'))
      return reply.redirect(staffReturnPath(form.returnTo), 303)
    })
  }

  async function showEndWarning(request: FastifyRequest, reply: FastifyReply, extra: { errors?: FieldErrors; values?: Form } = {}) {
    const warning = await warnings.warning((request.params as { warningId: string }).warningId, request.staff!)
    if (warning.ended) throw new Conflict(request.t('warnings.errors.alreadyEnded'))
    const values = extra.values ?? (request.query as Form)
    return reply.view('warnings/views/end.njk', {
      warning,
      subjectName: await warnings.describeSubject(warning.subject),
      returnTo: staffReturnPath(values.returnTo),
      values,
      errors: extra.errors,
    })
  }

  app.get('/staff/warnings/:warningId/end', { preHandler: canManage }, async (request, reply) => showEndWarning(request, reply))

  app.post('/staff/warnings/:warningId/end', { preHandler: canManage }, async (request, reply) => {
    const form = request.body as Form
    try {
      await warnings.end((request.params as { warningId: string }).warningId, text(form.reason), staffActor(request))
    } catch (error) {
      if (!(error instanceof InvalidInput)) throw error
      return showEndWarning(request, reply.code(400), { errors: error.fields, values: form })
    }
    request.session.set('staffFlash', request.t('warnings.done.ended'))
    return reply.redirect(staffReturnPath(form.returnTo), 303)
  })
}
