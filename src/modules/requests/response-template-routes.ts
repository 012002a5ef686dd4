import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Services } from '../../container.ts'
import { InvalidInput, type FieldErrors } from '../../lib/errors.ts'
import { textIn } from '../catalogue/index.ts'
import { requireStaffPermission, staffActor } from '../identity/index.ts'
import { responseTemplateFields, type ResponseTemplateInput } from './response-templates.ts'
import { formField, takeFlash } from '../../lib/http/forms.ts'

type Params = { Params: { id: string } }

const view = (name: string) => `requests/views/staff/templates/${name}.njk`

function inputOf(request: FastifyRequest): ResponseTemplateInput {
  return { title: formField(request, 'title'), body: formField(request, 'body'), serviceCode: formField(request, 'serviceCode') || null }
}

/** Staff who look after messages keep the wording officers start public updates from. */
export async function responseTemplateRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const templates = services.responseTemplates
  const guard = { preHandler: requireStaffPermission('messages.edit-templates') }

  async function serviceChoices() {
    const summaries = await services.catalogue.listServices()
    return summaries.map((service) => ({ code: service.code, name: textIn(service.name, 'en') }))
  }

  async function showForm(request: FastifyRequest, reply: FastifyReply, values: Partial<ResponseTemplateInput>, options: { id?: string; errors?: FieldErrors } = {}) {
    return reply.view(view('form'), {
      id: options.id,
      values,
      errors: options.errors,
      services: await serviceChoices(),
      fields: responseTemplateFields,
    })
  }

  app.get('/staff/response-templates', guard, async (request, reply) => {
    const [list, choices] = await Promise.all([templates.list(), serviceChoices()])
    const serviceNames = new Map(choices.map((choice) => [choice.code, choice.name]))
    return reply.view(view('list'), {
      templates: list.map((template) => ({ ...template, serviceName: template.serviceCode ? (serviceNames.get(template.serviceCode) ?? template.serviceCode) : undefined })),
      flash: takeFlash(request, 'staffFlash'),
    })
  })

  app.get('/staff/response-templates/new', guard, async (request, reply) => showForm(request, reply, {}))

  app.post('/staff/response-templates/new', guard, async (request, reply) => {
    try {
      await templates.create(inputOf(request), { kind: 'staff', id: staffActor(request).id })
    } catch (error) {
      if (error instanceof InvalidInput) return showForm(request, reply.code(400), inputOf(request), { errors: error.fields })
      throw error
    }
    request.session.set('staffFlash', request.t('requests.templates.done.created'))
    return reply.redirect('/staff/response-templates', 303)
  })

  app.get<Params>('/staff/response-templates/:id', guard, async (request, reply) => {
    const template = await templates.template(request.params.id)
    return showForm(request, reply, template, { id: template.id })
  })

  app.post<Params>('/staff/response-templates/:id', guard, async (request, reply) => {
    try {
      await templates.update(request.params.id, inputOf(request), { kind: 'staff', id: staffActor(request).id })
    } catch (error) {
      if (error instanceof InvalidInput) return showForm(request, reply.code(400), inputOf(request), { id: request.params.id, errors: error.fields })
      throw error
    }
    request.session.set('staffFlash', request.t('requests.templates.done.updated'))
    return reply.redirect('/staff/response-templates', 303)
  })

  app.get<Params>('/staff/response-templates/:id/archive', guard, async (request, reply) =>
    reply.view(view('archive'), { template: await templates.template(request.params.id) }),
  )

  app.post<Params>('/staff/response-templates/:id/archive', guard, async (request, reply) => {
    await templates.archive(request.params.id, { kind: 'staff', id: staffActor(request).id })
    request.session.set('staffFlash', request.t('requests.templates.done.archived'))
    return reply.redirect('/staff/response-templates', 303)
  })
}
