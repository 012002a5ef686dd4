import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Services } from '../../../container.ts'
import { InvalidInput, type FieldErrors } from '../../../lib/errors.ts'
import { textIn } from '../../catalogue/index.ts'
import { requireStaffPermission, staffActor } from '../staff/access.ts'
import { readPeopleSearch, type NewPersonForm } from './rules.ts'
import type { NamedTenant } from './service.ts'
import { takeFlash } from '../../../lib/http/forms.ts'

type Form = Record<string, unknown>
type PersonParams = { personId: string }

const field = (form: Form | undefined, name: string): string => {
  const value = form?.[name]
  if (Array.isArray(value)) return typeof value[0] === 'string' ? value[0] : ''
  return typeof value === 'string' ? value : ''
}

const personUrl = (personId: string) => `/staff/people/${personId}`

function translated(errors: FieldErrors, request: FastifyRequest): FieldErrors {
  return Object.fromEntries(Object.entries(errors).map(([name, key]) => [name, request.t(key)]))
}

/**
 * Finding a person for staff, their page, and recording or linking someone the council does not
 * know yet. Warnings about a person are the warnings module's, under /staff/people/PERSON/warnings.
 */
export async function peopleRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const people = services.identity.people
  const canView = { preHandler: requireStaffPermission('people.view') }
  const canEdit = { preHandler: requireStaffPermission('people.edit') }

  app.get('/staff/people', canView, async (request, reply) => {
    const query = request.query as Form
    if (query.q === undefined) return reply.view('identity/views/people/search.njk', { text: '' })
    const typed = field(query, 'q')
    const read = readPeopleSearch(typed)
    if ('error' in read) return reply.code(400).view('identity/views/people/search.njk', { text: typed, errors: { q: request.t(`identity.people.${read.error}`) } })
    const page = Number.parseInt(field(query, 'page'), 10)
    const results = await people.search(staffActor(request), read.search, Number.isInteger(page) ? page : 1)
    const pageLink = (number: number) => `/staff/people?${new URLSearchParams({ q: read.search.text, page: String(number) }).toString()}`
    return reply.view('identity/views/people/search.njk', {
      text: read.search.text,
      results,
      previousHref: results.page > 1 ? pageLink(results.page - 1) : undefined,
      nextHref: results.page < results.pages ? pageLink(results.page + 1) : undefined,
    })
  })

  const showNewPerson = async (
    request: FastifyRequest,
    reply: FastifyReply,
    options: { tenant?: NamedTenant | undefined; values?: Partial<NewPersonForm>; errors?: FieldErrors } = {},
  ) =>
    reply.view('identity/views/people/new.njk', {
      tenant: options.tenant,
      values: options.values ?? (options.tenant ? { givenName: options.tenant.givenName, familyName: options.tenant.familyName } : {}),
      errors: options.errors,
    })

  const tenantFrom = async (request: FastifyRequest, tenantId: string) =>
    tenantId === '' ? undefined : people.namedTenant(staffActor(request), tenantId)

  app.get('/staff/people/new', canEdit, async (request, reply) => {
    const tenant = await tenantFrom(request, field(request.query as Form, 'tenant'))
    if (tenant?.personId) return reply.redirect(personUrl(tenant.personId))
    return showNewPerson(request, reply, { tenant })
  })

  app.post('/staff/people/new', canEdit, async (request, reply) => {
    const form = request.body as Form
    const tenantId = field(form, 'tenantId')
    const values: NewPersonForm = {
      givenName: field(form, 'givenName'),
      familyName: field(form, 'familyName'),
      contactPreference: field(form, 'contactPreference'),
      email: field(form, 'email'),
      mobile: field(form, 'mobile'),
    }
    try {
      const recorded = await people.recordPerson(staffActor(request), values, tenantId === '' ? {} : { tenantId })
      const name = `${values.givenName.trim()} ${values.familyName.trim()}`
      request.session.set(
        'staffFlash',
        recorded.tenancyReference
          ? request.t('identity.people.person.linked', { name, reference: recorded.tenancyReference })
          : request.t('identity.people.person.recorded', { name }),
      )
      return await reply.redirect(personUrl(recorded.personId), 303)
    } catch (error) {
      if (!(error instanceof InvalidInput)) throw error
      const tenant = await tenantFrom(request, tenantId)
      return showNewPerson(request, reply.code(400), { tenant, values, errors: translated(error.fields, request) })
    }
  })

  app.post<{ Params: PersonParams }>('/staff/people/:personId/tenancy', canEdit, async (request, reply) => {
    const tenantId = field(request.body as Form, 'tenantId')
    const actor = staffActor(request)
    try {
      const { tenancyReference } = await people.linkToTenant(actor, request.params.personId, tenantId)
      const person = await people.person(actor, request.params.personId)
      request.session.set('staffFlash', request.t('identity.people.person.linked', { name: `${person.givenName} ${person.familyName}`, reference: tenancyReference }))
      return await reply.redirect(personUrl(person.id), 303)
    } catch (error) {
      if (!(error instanceof InvalidInput)) throw error
      return showNewPerson(request, reply.code(400), { tenant: await tenantFrom(request, tenantId), errors: translated(error.fields, request) })
    }
  })

  app.get<{ Params: PersonParams }>('/staff/people/:personId', canView, async (request, reply) => {
    const person = await people.viewPerson(staffActor(request), request.params.personId)
    const [tenancy, requests, catalogue] = await Promise.all([
      services.places.tenancyOf(person.id),
      services.requests.requestsOf(person.id),
      services.catalogue.listServices(),
    ])
    const serviceNames = new Map(catalogue.map((service) => [service.code, textIn(service.name, 'en')]))
    return reply.view('identity/views/people/person.njk', {
      person,
      name: `${person.givenName} ${person.familyName}`,
      tenancy,
      requests: requests.map((summary) => ({ ...summary, serviceName: serviceNames.get(summary.serviceCode) ?? summary.serviceCode })),
      flash: takeFlash(request, 'staffFlash'),
    })
  })
}
