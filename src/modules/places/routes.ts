import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../config.ts'
import type { Services } from '../../container.ts'
import { Conflict, InvalidInput, TooManyAttempts } from '../../lib/errors.ts'
import { requireResident, residentId } from '../identity/guards.ts'
import { checkManualAddress } from './manual-address.ts'
import type { TenancyLinkForm } from './service.ts'

type AddressQuery = { postcode?: string; change?: string; uprn?: string }

/**
 * "Find an address" (the GOV.UK address pattern), shown on its own at /find-an-address so forms
 * can reuse its steps; the address lookup API; and linking a resident to their tenancy.
 */
export async function placesRoutes(app: FastifyInstance, { services }: { config: Config; services: Services }) {
  const places = services.places

  const findPage = (request: FastifyRequest, reply: FastifyReply, context: Record<string, unknown> = {}) =>
    reply.view('places/views/find-an-address.njk', { pageTitle: request.t('places.findAddress.title'), ...context })

  const resultsPage = async (request: FastifyRequest, reply: FastifyReply, postcodeInput: string, context: Record<string, unknown> = {}) => {
    try {
      const { postcode, addresses } = await places.findAddresses(postcodeInput, request.t)
      return reply.view('places/views/select-address.njk', {
        pageTitle: request.t(addresses.length > 0 ? 'places.findAddress.resultsTitle' : 'places.findAddress.noneTitle'),
        postcode,
        addresses,
        ...context,
      })
    } catch (error) {
      if (!(error instanceof InvalidInput)) throw error
      return findPage(request, reply.code(400), { errors: error.fields, postcode: postcodeInput })
    }
  }

  app.get<{ Querystring: AddressQuery }>('/find-an-address', async (request, reply) => {
    if (request.query.postcode === undefined) return findPage(request, reply, { postcode: request.query.change })
    return resultsPage(request, reply, request.query.postcode)
  })

  app.get<{ Querystring: AddressQuery }>('/find-an-address/address', async (request, reply) => {
    const uprn = Number(request.query.uprn)
    if (!request.query.uprn || !Number.isSafeInteger(uprn)) {
      const errors = { uprn: request.t('places.findAddress.selectMissing') }
      return resultsPage(request, reply.code(400), request.query.postcode ?? '', { errors })
    }
    const address = await places.addressByUprn(uprn)
    return reply.view('places/views/address-chosen.njk', { pageTitle: request.t('places.findAddress.chosenTitle'), address })
  })

  app.get<{ Querystring: AddressQuery }>('/find-an-address/manual', async (request, reply) =>
    reply.view('places/views/manual-address.njk', {
      pageTitle: request.t('places.findAddress.manualTitle'),
      values: { postcode: request.query.postcode ?? '' },
    }),
  )

  app.post<{ Body: Record<string, string> }>('/find-an-address/manual', async (request, reply) => {
    const checked = checkManualAddress(request.body, request.t)
    if (checked.errors) {
      return reply.code(400).view('places/views/manual-address.njk', {
        pageTitle: request.t('places.findAddress.manualTitle'),
        values: request.body,
        errors: checked.errors,
      })
    }
    const { addressLine1, addressLine2, town, postcode } = checked.address
    const lines = [addressLine1, addressLine2, town, postcode].filter((line) => line !== '')
    return reply.view('places/views/address-chosen.njk', {
      pageTitle: request.t('places.findAddress.chosenTitle'),
      address: { lines },
      enteredManually: true,
    })
  })

  app.get<{ Querystring: AddressQuery }>('/api/v1/addresses', async (request) => {
    const { postcode, addresses } = await places.findAddresses(request.query.postcode, request.t)
    return { postcode, count: addresses.length, addresses }
  })

  const tenancyForm = (request: FastifyRequest, reply: FastifyReply, context: Record<string, unknown> = {}) =>
    reply.view('places/views/link-tenancy.njk', { pageTitle: request.t('places.tenancy.title'), values: {}, ...context })

  app.get('/account/tenancy', { preHandler: requireResident }, async (request, reply) => {
    const tenancy = await places.tenancyOf(residentId(request))
    if (!tenancy) {
      const lock = await places.tenancyLinkingLock(residentId(request), request.t)
      return tenancyForm(request, reply, lock ? { errors: { reference: lock.message } } : {})
    }
    const justLinked = request.session.get<boolean>('tenancyJustLinked') === true
    if (justLinked) request.session.delete('tenancyJustLinked')
    return reply.view('places/views/tenancy.njk', {
      pageTitle: request.t('places.tenancy.yourTenancyTitle'),
      tenancy,
      flash: justLinked ? request.t('places.tenancy.linkedBanner') : undefined,
    })
  })

  app.post<{ Body: Record<string, string | undefined> }>('/account/tenancy', { preHandler: requireResident }, async (request, reply) => {
    const form: TenancyLinkForm = {
      reference: request.body.reference,
      postcode: request.body.postcode,
      day: request.body['dateOfBirth-day'],
      month: request.body['dateOfBirth-month'],
      year: request.body['dateOfBirth-year'],
    }
    try {
      await places.linkTenancy(residentId(request), form, { ipAddress: request.ip, t: request.t })
    } catch (error) {
      const values = request.body
      if (error instanceof InvalidInput) return tenancyForm(request, reply.code(400), { errors: error.fields, values })
      if (error instanceof TooManyAttempts) return tenancyForm(request, reply.code(429), { errors: { reference: error.message }, values })
      if (error instanceof Conflict) return tenancyForm(request, reply.code(409), { errors: { reference: error.message }, values })
      throw error
    }
    request.session.set('tenancyJustLinked', true)
    return reply.redirect('/account/tenancy', 303)
  })
}
