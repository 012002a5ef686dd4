import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Services } from '../../container.ts'
import { Conflict, InvalidInput, type FieldErrors } from '../../lib/errors.ts'
import { textIn } from '../catalogue/index.ts'
import { requireStaffPermission, staffActor } from '../identity/index.ts'
import { parseReference } from './references.ts'
import { formField, takeFlash } from '../../lib/http/forms.ts'

type ReferenceParams = { Params: { reference: string } }
type CommentParams = { Params: { eventId: string } }

const view = (name: string) => `requests/views/staff/moderation/${name}.njk`

/**
 * Moderators decide what the public sees of what reporters wrote and photographed, and officers
 * merge a report that turns out to be the same problem as another into the one being dealt with.
 */
export async function moderationRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const publicReports = services.publicReports
  const moderatorsOnly = { preHandler: requireStaffPermission('reports.moderate') }
  const updatersOnly = { preHandler: requireStaffPermission('requests.update') }

  app.get('/staff/moderation', moderatorsOnly, async (request, reply) =>
    reply.view(view('list'), {
      reports: await publicReports.awaitingModeration(),
      comments: await publicReports.commentsAwaitingModeration(),
      flash: takeFlash(request, 'staffFlash'),
    }),
  )

  async function showReport(request: FastifyRequest<ReferenceParams>, reply: FastifyReply, options: { publicText?: string; errors?: FieldErrors } = {}) {
    const report = await publicReports.forModeration(request.params.reference)
    return reply.view(view('report'), {
      report,
      publicText: options.publicText ?? report.publicText ?? report.ownWords ?? '',
      errors: options.errors,
    })
  }

  app.get<ReferenceParams>('/staff/reports/:reference/moderation', moderatorsOnly, async (request, reply) => showReport(request, reply))

  app.post<ReferenceParams>('/staff/reports/:reference/moderation', moderatorsOnly, async (request, reply) => {
    const decision = formField(request, 'decision')
    const publicText = formField(request, 'publicText')
    if (decision !== 'approve' && decision !== 'hide') {
      return showReport(request, reply.code(400), { publicText, errors: { decision: request.t('requests.moderation.errors.decisionMissing') } })
    }
    const { reference } = await publicReports.forModeration(request.params.reference)
    try {
      await publicReports.moderate(staffActor(request).id, reference, decision === 'approve' ? { approve: publicText } : { hide: true })
    } catch (error) {
      if (error instanceof InvalidInput) return showReport(request, reply.code(400), { publicText, errors: error.fields })
      throw error
    }
    request.session.set('staffFlash', request.t(decision === 'approve' ? 'requests.moderation.done.approved' : 'requests.moderation.done.hidden', { reference }))
    return reply.redirect('/staff/moderation', 303)
  })

  async function showComment(request: FastifyRequest<CommentParams>, reply: FastifyReply, options: { publicText?: string; decision?: string; errors?: FieldErrors } = {}) {
    const comment = await publicReports.commentForModeration(request.params.eventId)
    return reply.view(view('comment'), {
      comment,
      publicText: options.publicText ?? comment.publicBody ?? comment.body,
      decision: options.decision,
      errors: options.errors,
    })
  }

  app.get<CommentParams>('/staff/comments/:eventId/moderation', moderatorsOnly, async (request, reply) => showComment(request, reply))

  app.post<CommentParams>('/staff/comments/:eventId/moderation', moderatorsOnly, async (request, reply) => {
    const decision = formField(request, 'decision')
    const publicText = formField(request, 'publicText')
    const { eventId, reference } = await publicReports.commentForModeration(request.params.eventId)
    if (decision !== 'approve' && decision !== 'hide') {
      return showComment(request, reply.code(400), { publicText, errors: { decision: request.t('requests.moderation.errors.commentDecisionMissing') } })
    }
    try {
      await publicReports.moderateComment(staffActor(request).id, eventId, decision === 'approve' ? { approve: publicText } : { hide: true })
    } catch (error) {
      if (error instanceof InvalidInput) return showComment(request, reply.code(400), { publicText, decision, errors: error.fields })
      throw error
    }
    request.session.set('staffFlash', request.t(decision === 'approve' ? 'requests.moderation.done.commentApproved' : 'requests.moderation.done.commentHidden', { reference }))
    return reply.redirect('/staff/moderation', 303)
  })

  async function showMerge(request: FastifyRequest<ReferenceParams>, reply: FastifyReply, options: { keepReference?: string; errors?: FieldErrors } = {}) {
    const duplicate = await services.requests.requestByReference(request.params.reference)
    const version = await services.catalogue.definitionVersion(duplicate.definitionVersionId)
    return reply.view(view('merge'), {
      duplicate,
      serviceName: version ? textIn(version.definition.name, 'en') : duplicate.serviceCode,
      keepReference: options.keepReference ?? '',
      errors: options.errors,
    })
  }

  app.get<ReferenceParams>('/staff/requests/:reference/merge', updatersOnly, async (request, reply) => showMerge(request, reply))

  app.post<ReferenceParams>('/staff/requests/:reference/merge', updatersOnly, async (request, reply) => {
    const duplicate = await services.requests.requestByReference(request.params.reference)
    const keepReference = formField(request, 'keepReference')
    try {
      const expectedRowVersion = Number.parseInt(formField(request, 'rowVersion'), 10)
      // A form without the version it was shown with cannot prove nobody changed the report since.
      if (!Number.isInteger(expectedRowVersion)) throw new Conflict(request.t('requests.errors.changedBySomeoneElse'))
      await services.requests.mergeDuplicate(duplicate.id, keepReference, { actor: { kind: 'staff', id: staffActor(request).id }, expectedRowVersion })
    } catch (error) {
      if (error instanceof InvalidInput) return showMerge(request, reply.code(400), { keepReference, errors: error.fields })
      if (error instanceof Conflict) return showMerge(request, reply.code(409), { keepReference, errors: { keepReference: error.message } })
      throw error
    }
    const kept = parseReference(keepReference)!
    request.session.set('staffFlash', request.t('requests.moderation.merge.done', { duplicate: duplicate.reference, kept }))
    return reply.redirect(`/staff/requests/${encodeURIComponent(kept)}`, 303)
  })
}
