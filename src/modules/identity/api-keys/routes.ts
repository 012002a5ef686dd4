import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../../config.ts'
import type { Services } from '../../../container.ts'
import { NotFound, type FieldErrors } from '../../../lib/errors.ts'
import { formField, formFields, takeFlash } from '../../../lib/http/forms.ts'
import { councilText } from '../../catalogue/index.ts'
import { requireStaffPermission } from '../staff/access.ts'
import { checkApiKeyForm, defaultRatePerMinute } from './rules.ts'
import type { ApiKeySummary } from './service.ts'

/** The form as it was filled in, to show again with its errors. */
interface ApiKeyFormValues {
  name: string
  /** "all", "chosen", or "" when neither radio was picked. */
  servicesChoice: string
  serviceCodes: string[]
  write: boolean
  changeStatus: boolean
  ratePerMinute: string
}

function readForm(request: FastifyRequest): ApiKeyFormValues {
  return {
    name: formField(request, 'name'),
    servicesChoice: formField(request, 'services'),
    serviceCodes: formFields(request, 'serviceCodes'),
    write: formField(request, 'write') === 'yes',
    changeStatus: formField(request, 'changeStatus') === 'yes',
    ratePerMinute: formField(request, 'ratePerMinute'),
  }
}

/** Issuing and revoking the keys partners call the APIs with; only staff allowed to manage keys may, as a key can reach private records. */
export async function apiKeyRoutes(app: FastifyInstance, { config, services }: { config: Config; services: Services }) {
  const apiKeys = services.identity.apiKeys
  const manage = { preHandler: requireStaffPermission('api-keys.manage') }
  const words = councilText(config.council)
  const actorOf = (request: FastifyRequest) => ({ kind: 'staff' as const, id: request.staff!.id })

  /** Every service, private ones included, by name: a key may be given any of them. */
  const serviceChoices = async () =>
    (await services.catalogue.listServices())
      .map((service) => ({ code: service.code, name: words(service.name), isPrivate: service.recordVisibility === 'private' }))
      .sort((a, b) => a.name.localeCompare(b.name, 'en-GB'))

  const withServiceNames = async (keys: ApiKeySummary[]) => {
    const names = new Map((await serviceChoices()).map((service) => [service.code, service.name]))
    return keys.map((key) => ({
      ...key,
      // A service withdrawn from the catalogue since still shows, by its code.
      serviceNames: key.services === 'all' ? undefined : key.services.map((code) => names.get(code) ?? code).sort((a, b) => a.localeCompare(b, 'en-GB')),
    }))
  }

  app.get('/staff/api-keys', manage, async (request, reply) =>
    reply.view('identity/views/api-keys/list.njk', { keys: await withServiceNames(await apiKeys.list()), flash: takeFlash(request, 'staffFlash') }),
  )

  const showNewKey = async (reply: FastifyReply, values: ApiKeyFormValues, errors?: FieldErrors) =>
    reply.view('identity/views/api-keys/new.njk', { services: await serviceChoices(), defaultRate: defaultRatePerMinute, values, errors })

  app.get('/staff/api-keys/new', manage, async (_request, reply) =>
    showNewKey(reply, { name: '', servicesChoice: '', serviceCodes: [], write: false, changeStatus: false, ratePerMinute: String(defaultRatePerMinute) }),
  )

  app.post('/staff/api-keys', manage, async (request, reply) => {
    const values = readForm(request)
    const known = (await serviceChoices()).map((service) => service.code)
    const checked = checkApiKeyForm(
      { name: values.name, services: values.servicesChoice === 'all' ? 'all' : values.serviceCodes, write: values.write, changeStatus: values.changeStatus, ratePerMinute: values.ratePerMinute },
      known,
    )
    if ('errors' in checked) {
      // Point at the boxes when services were to be chosen, and at the radios when no choice was made.
      const servicesField = values.servicesChoice === 'chosen' ? 'serviceCodes' : 'services'
      const errors = Object.fromEntries(
        Object.entries(checked.errors).map(([field, key]) => [field === 'services' ? servicesField : field, request.t(`identity.apiKeys.${key}`)]),
      )
      return showNewKey(reply.code(400), values, errors)
    }
    const issued = await apiKeys.issue(checked.grant, actorOf(request), { ipAddress: request.ip })
    // The key is shown in this response and never again, so nothing may keep a copy of the page.
    return reply.code(201).header('cache-control', 'no-store').view('identity/views/api-keys/issued.njk', { issued })
  })

  const activeKey = async (request: FastifyRequest) => {
    const key = await apiKeys.find((request.params as { id: string }).id)
    if (key.revokedAt) throw new NotFound('API key')
    return key
  }

  app.get('/staff/api-keys/:id/revoke', manage, async (request, reply) => reply.view('identity/views/api-keys/revoke.njk', { key: await activeKey(request) }))

  app.post('/staff/api-keys/:id/revoke', manage, async (request, reply) => {
    const key = await activeKey(request)
    await apiKeys.revoke(key.id, actorOf(request), { ipAddress: request.ip })
    request.session.set('staffFlash', request.t('identity.apiKeys.revoke.done', { name: key.name }))
    return reply.redirect('/staff/api-keys', 303)
  })
}
