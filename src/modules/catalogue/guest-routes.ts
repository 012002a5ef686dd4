import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../config.ts'
import type { Services } from '../../container.ts'
import type { DatabaseHandle } from '../../lib/database/connection.ts'
import { NotFound, type FieldErrors } from '../../lib/errors.ts'
import { emailError, mobileError, normaliseMobile } from '../identity/index.ts'
import { councilText } from './council-text.ts'
import { guestSubmissions, type ClaimedSubmission, type ClaimRefusal } from './guest-submissions.ts'
import { guestOf, type Guest, type GuestHeld } from './guests.ts'
import { formField } from '../../lib/http/forms.ts'

type CodeParams = { Params: { code: string } }
type TokenParams = { Params: { token: string } }

const view = (name: string) => `catalogue/views/guest/${name}.njk`

/**
 * Reporting without an account: the person gives an email address or mobile number, fills in the
 * form as anyone would, and confirms it with the link or code sent to them. Only then is it made
 * into a request the team sees, so nobody can report in someone else's name.
 */
export async function guestRoutes(app: FastifyInstance, { config, db, services }: { config: Config; db: DatabaseHandle; services: Services }) {
  const guests = guestSubmissions(db)
  const text = councilText(config.council)

  /** A form service anyone may use, or NotFound: tenants' services need an account linked to the tenancy. */
  async function openService(code: string) {
    const current = await services.catalogue.currentDefinition(code)
    if (!current || current.definition.audience !== 'residents') throw new NotFound('service')
    return current.definition
  }

  async function showContactPage(request: FastifyRequest<CodeParams>, reply: FastifyReply, values: Record<string, string> = {}, errors?: FieldErrors) {
    const definition = await openService(request.params.code)
    return reply.view(view('contact'), {
      pageTitle: request.t('catalogue.guest.contact.title'),
      serviceName: text(definition.name),
      values,
      errors,
      backLink: `/services/${encodeURIComponent(request.params.code)}`,
    })
  }

  app.get<CodeParams>('/services/:code/guest', async (request, reply) => {
    if (request.session.principal?.kind === 'resident') return reply.redirect(`/services/${encodeURIComponent(request.params.code)}/start`, 303)
    return showContactPage(request, reply)
  })

  app.post<CodeParams>('/services/:code/guest', async (request, reply) => {
    await openService(request.params.code)
    const contact = formField(request, 'contact').trim()
    const byEmail = contact.includes('@')
    const problem = contact === '' ? 'catalogue.guest.contact.errors.missing' : byEmail ? emailError(contact) : mobileError(contact) && 'catalogue.guest.contact.errors.format'
    if (problem) return showContactPage(request, reply.code(400), { contact }, { contact: request.t(problem) })

    const recipient = byEmail ? contact : normaliseMobile(contact)!
    const { personId } = await services.identity.residents.recordGuest(byEmail ? { email: recipient } : { mobile: recipient })
    request.session.set('guest', { personId, channel: byEmail ? 'email' : 'sms', recipient } satisfies Guest)
    return reply.redirect(`/services/${encodeURIComponent(request.params.code)}/guest/start`, 303)
  })

  app.get<CodeParams>('/services/:code/guest/sent', async (request, reply) => {
    const guest = guestOf(request)
    const held = request.session.get<GuestHeld>('guestHeld')
    if (!guest || !held) return reply.redirect(`/services/${encodeURIComponent(request.params.code)}/guest`, 303)
    return reply.view(view('sent'), {
      pageTitle: request.t(guest.channel === 'email' ? 'catalogue.guest.sent.emailTitle' : 'catalogue.guest.sent.textTitle'),
      guest,
      action: `/services/${encodeURIComponent(request.params.code)}/guest/enter-code`,
    })
  })

  /** Makes the confirmed form into a request, or puts it back to confirm again should that fail. */
  async function makeRequest(request: FastifyRequest, reply: FastifyReply, submission: ClaimedSubmission) {
    // Confirmed first, so the message saying the report was received can go to what they proved is theirs.
    await services.identity.residents.confirmGuestContact(submission.personId, submission.channel)
    let reference: string
    try {
      ;({ reference } = await services.requests.createRequest({
        serviceCode: submission.serviceCode,
        definitionVersionId: submission.definitionVersionId,
        personId: submission.personId,
        answers: submission.answers,
        channel: 'web',
      }))
    } catch (error) {
      await guests.release(submission.id)
      throw error
    }
    await guests.recordRequest(submission.id, reference)
    request.session.delete('guestHeld')
    return showSent(request, reply, submission.serviceCode, reference)
  }

  async function showSent(request: FastifyRequest, reply: FastifyReply, serviceCode: string, reference: string) {
    const current = await services.catalogue.currentDefinition(serviceCode)
    return reply.view(view('confirmed'), {
      pageTitle: request.t('catalogue.guest.confirmed.title'),
      reference,
      isPublic: current?.definition.recordVisibility === 'public',
    })
  }

  function refused(request: FastifyRequest, reply: FastifyReply, refusal: ClaimRefusal) {
    const status = refusal === 'expired' || refusal === 'too-many-tries' ? 410 : 404
    return reply.code(status).view(view('refused'), { pageTitle: request.t(`catalogue.guest.refused.${refusal}`), refusal })
  }

  app.post<CodeParams>('/services/:code/guest/enter-code', async (request, reply) => {
    const guest = guestOf(request)
    const held = request.session.get<GuestHeld>('guestHeld')
    if (!guest || !held) return reply.redirect(`/services/${encodeURIComponent(request.params.code)}/guest`, 303)
    const code = formField(request, 'code').trim().replace(/\s/g, '')
    const reshow = (message: string) =>
      reply.code(400).view(view('sent'), {
        pageTitle: request.t('catalogue.guest.sent.textTitle'),
        guest,
        action: `/services/${encodeURIComponent(request.params.code)}/guest/enter-code`,
        errors: { code: message },
        values: { code },
      })
    if (!/^\d{6}$/.test(code)) return reshow(request.t(code === '' ? 'catalogue.guest.sent.errors.missing' : 'catalogue.guest.sent.errors.format'))
    const claim = await guests.claimByCode(held.id, code)
    if (claim === 'wrong-code') return reshow(request.t('catalogue.guest.sent.errors.wrong'))
    if (typeof claim === 'string') return refused(request, reply, claim)
    return makeRequest(request, reply, claim)
  })

  // Opening the emailed link only shows a button, since mail scanners open links; the button sends.
  app.get<TokenParams>('/reports/confirm/:token', async (request, reply) => {
    const reference = await guests.referenceFor({ token: request.params.token })
    if (reference) return reply.view(view('already'), { pageTitle: request.t('catalogue.guest.already.title'), reference })
    return reply.view(view('confirm'), { pageTitle: request.t('catalogue.guest.confirm.title') })
  })

  app.post<TokenParams>('/reports/confirm/:token', async (request, reply) => {
    const claim = await guests.claimByLink(request.params.token)
    if (claim === 'used') {
      const reference = await guests.referenceFor({ token: request.params.token })
      if (reference) return reply.view(view('already'), { pageTitle: request.t('catalogue.guest.already.title'), reference })
    }
    if (typeof claim === 'string') return refused(request, reply, claim)
    return makeRequest(request, reply, claim)
  })
}
