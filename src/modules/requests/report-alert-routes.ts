import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Services } from '../../container.ts'
import { InvalidInput, NotFound, TooManyAttempts, type FieldErrors } from '../../lib/errors.ts'
import { countHit } from '../../lib/http/rate-limits.ts'
import { formatDateTime } from '../../lib/http/views.ts'
import type { DatabaseHandle } from '../../lib/database/connection.ts'
import { filledHoneypot, honeypotField } from '../catalogue/index.ts'
import { parsePostcode } from '../places/index.ts'
import { alertRadiiMetres, type AlertTarget } from './report-alerts.ts'
import { formField } from '../../lib/http/forms.ts'

type TokenParams = { Params: { token: string } }
type AlertForm = { area?: unknown; ward?: unknown; postcode?: unknown; radius?: unknown; email?: unknown }

const view = (name: string) => `requests/views/alerts/${name}.njk`

/**
 * Asking for alerts is limited by internet address and by email address, so nobody can make the
 * council send a stranger a flood of confirmation emails.
 */
const alertLimits = { perAddress: { limit: 20, windowSeconds: 3600 }, perEmail: { limit: 5, windowSeconds: 3600 } } as const

/**
 * Emails about public reports: asking for alerts of new reports in a ward or near a place, or for
 * news of one report, confirming the address, and stopping any of them from the link alone.
 */
export async function reportAlertRoutes(app: FastifyInstance, { db, services }: { db: DatabaseHandle; services: Services }) {
  const { reportAlerts, places, identity } = services

  async function signedInPerson(request: FastifyRequest) {
    const principal = request.session.principal
    return principal?.kind === 'resident' ? identity.residents.findPersonById(principal.id) : undefined
  }

  async function limitAlerts(request: FastifyRequest, email: string) {
    const results = await Promise.all([
      countHit(db, { key: `report-alerts:ip:${request.ip}`, ...alertLimits.perAddress }),
      countHit(db, { key: `report-alerts:email:${email.toLowerCase()}`, ...alertLimits.perEmail }),
    ])
    const refused = results.filter((result) => !result.allowed)
    if (refused.length === 0) return
    const retryAt = new Date(Math.max(...refused.map((result) => result.retryAt.getTime())))
    throw new TooManyAttempts(retryAt, request.t('requests.alerts.tooMany', { time: formatDateTime(retryAt) }))
  }

  /** Asks for the alert, confirmed at once when the address is the signed-in person's own verified one. */
  async function subscribe(request: FastifyRequest, email: string, target: AlertTarget) {
    const person = await signedInPerson(request)
    const own = person?.email !== null && person?.email !== undefined && person.emailVerified && person.email.toLowerCase() === email.toLowerCase()
    if (email !== '') await limitAlerts(request, email)
    return reportAlerts.subscribe({ email, personId: person?.id, confirmed: own, target })
  }

  async function showForm(request: FastifyRequest, reply: FastifyReply, values: AlertForm, errors?: FieldErrors) {
    const person = await signedInPerson(request)
    return reply.view(view('form'), {
      pageTitle: request.t('requests.alerts.form.title'),
      values: { email: person?.email ?? '', ...values },
      wards: await places.wards(),
      radii: alertRadiiMetres,
      honeypot: honeypotField,
      errors,
    })
  }

  app.get('/alerts', async (request, reply) => showForm(request, reply, {}))

  /** Where the alert is for, from the form, or the errors that say what to put right. */
  async function targetOf(request: FastifyRequest): Promise<AlertTarget> {
    const area = formField(request, 'area').trim()
    if (area === 'ward') {
      const ward = (await places.wards()).find((known) => known.code === formField(request, 'ward').trim())
      if (!ward) throw new InvalidInput({ ward: request.t('requests.alerts.errors.ward') })
      return { kind: 'ward', wardCode: ward.code, wardName: ward.name }
    }
    if (area === 'near') {
      const errors: FieldErrors = {}
      const postcode = parsePostcode(formField(request, 'postcode').trim())
      const radius = Number(formField(request, 'radius').trim())
      if (!postcode.valid) errors.postcode = request.t(postcode.problem === 'missing' ? 'requests.alerts.errors.postcodeMissing' : 'requests.alerts.errors.postcodeInvalid')
      if (!(alertRadiiMetres as readonly number[]).includes(radius)) errors.radius = request.t('requests.alerts.errors.radius')
      if (Object.keys(errors).length > 0 || !postcode.valid) throw new InvalidInput(errors)
      const { addresses } = await places.findAddresses(postcode.postcode, request.t)
      if (addresses.length === 0) throw new InvalidInput({ postcode: request.t('requests.alerts.errors.postcodeOutside', { postcode: postcode.postcode }) })
      const centre = {
        easting: addresses.reduce((sum, found) => sum + found.easting, 0) / addresses.length,
        northing: addresses.reduce((sum, found) => sum + found.northing, 0) / addresses.length,
      }
      return { kind: 'radius', centre, radiusMetres: radius, placeName: postcode.postcode }
    }
    throw new InvalidInput({ area: request.t('requests.alerts.errors.area') })
  }

  app.post<{ Body: AlertForm }>('/alerts', async (request, reply) => {
    const values = request.body ?? {}
    if (filledHoneypot(values)) return reply.code(400).view('errors/problem.njk', { statusCode: 400, message: request.t('requests.alerts.honeypotFilled') })
    const email = formField(request, 'email').trim()
    try {
      const errors: FieldErrors = {}
      const target = await targetOf(request).catch((error: unknown) => {
        if (!(error instanceof InvalidInput)) throw error
        Object.assign(errors, error.fields)
      })
      if (email === '') errors.email = request.t('requests.alerts.errors.emailMissing')
      if (!target || Object.keys(errors).length > 0) throw new InvalidInput(errors)
      const result = await subscribe(request, email, target)
      return reply.view(view(result.confirmed ? 'started' : 'check-email'), { pageTitle: request.t(result.confirmed ? 'requests.alerts.started.title' : 'requests.alerts.checkEmail.title'), area: result.area, email })
    } catch (error) {
      if (error instanceof InvalidInput) return showForm(request, reply.code(400), values, error.fields)
      throw error
    }
  })

  app.post<{ Params: { reference: string }; Body: { email?: unknown } }>('/reports/:reference/alerts', async (request, reply) => {
    const email = formField(request, 'email').trim()
    try {
      if (email === '') throw new InvalidInput({ email: request.t('requests.alerts.errors.emailMissing') })
      const result = await subscribe(request, email, { kind: 'report', reference: request.params.reference })
      return reply.view(view(result.confirmed ? 'started' : 'check-email'), { pageTitle: request.t(result.confirmed ? 'requests.alerts.started.title' : 'requests.alerts.checkEmail.title'), area: result.area, email })
    } catch (error) {
      if (!(error instanceof InvalidInput)) throw error
      const report = await services.publicReports.report(request.params.reference)
      return reply.code(400).view(view('follow-by-email'), { pageTitle: request.t('requests.alerts.followByEmail.title'), report, email, errors: error.fields })
    }
  })

  async function alertOf(request: FastifyRequest<TokenParams>) {
    const alert = await reportAlerts.alertByToken(request.params.token)
    if (!alert) throw new NotFound('alert')
    return alert
  }

  app.get<TokenParams>('/alerts/:token/confirm', async (request, reply) => {
    const alert = await alertOf(request)
    return reply.view(view('confirm'), { pageTitle: request.t('requests.alerts.confirm.title'), area: alert.area, confirmed: alert.confirmed })
  })

  app.post<TokenParams>('/alerts/:token/confirm', async (request, reply) => {
    const alert = await alertOf(request)
    await reportAlerts.confirm(request.params.token)
    return reply.view(view('started'), { pageTitle: request.t('requests.alerts.started.title'), area: alert.area })
  })

  // Opening the link only shows a button, since mail scanners open links; the button, or a mail
  // program's one-click unsubscribe (RFC 8058), posts. The token is the authority, so no CSRF token.
  app.get<TokenParams>('/alerts/:token/unsubscribe', async (request, reply) => {
    const alert = await reportAlerts.alertByToken(request.params.token)
    return reply.view(view('unsubscribe'), { pageTitle: request.t('requests.alerts.unsubscribe.title'), area: alert?.area })
  })

  app.post('/alerts/:token/unsubscribe', { config: { csrf: false } }, async (request, reply) => {
    const { token } = request.params as TokenParams['Params']
    const alert = await reportAlerts.alertByToken(token)
    await reportAlerts.unsubscribe(token)
    return reply.view(view('unsubscribed'), { pageTitle: request.t('requests.alerts.unsubscribed.title'), area: alert?.area })
  })
}
