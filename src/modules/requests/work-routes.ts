import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../config.ts'
import type { Services } from '../../container.ts'
import type { DatabaseHandle } from '../../lib/database/connection.ts'
import { Conflict, InvalidInput, NotFound, type FieldErrors } from '../../lib/errors.ts'
import { LocalFileStorage } from '../../lib/files/local-storage.ts'
import {
  discardPhotos,
  fieldOfRefusedUpload,
  photoUploadRouteConfig,
  storePhotos,
  uploadLimitMessage,
  uploadedFiles,
} from '../../lib/files/photo-uploads.ts'
import { checkAnswers, definitionLimits, textIn, type ServiceDefinition } from '../catalogue/index.ts'
import { requireStaffPermission, staffActor } from '../identity/index.ts'
import { outcomeProblems, outcomesAllowed, type WorkOutcome } from './outcomes.ts'
import { photoLimitsFor, requestPhotoFolder } from './photos.ts'
import { staffRequestQueries } from './queue.ts'
import type { RequestRecord } from './service.ts'
import { answerText } from './staff-routes.ts'
import { contractorWorkQueries } from './work.ts'
import { takeFlash } from '../../lib/http/forms.ts'
import { mediaLinks } from './public-reports.ts'

type Params = { Params: { reference: string } }
type Form = Record<string, unknown>

const view = (name: string) => `requests/views/work/${name}.njk`

/** A form field as the browser sent it: a string, or empty when missing. */
function field(form: Form | undefined, name: string): string {
  const value = form?.[name]
  if (Array.isArray(value)) return typeof value[0] === 'string' ? value[0] : ''
  return typeof value === 'string' ? value : ''
}

/**
 * A contractor's operatives at work: the open jobs given to their contractor, each job's page with
 * what they need on the doorstep, and recording what happened. A job given to anyone else is "not
 * found", exactly as one that does not exist.
 */
export async function workRoutes(app: FastifyInstance, { config, db, services }: { config: Config; db: DatabaseHandle; services: Services }) {
  const { requests, catalogue, places, warnings } = services
  const work = contractorWorkQueries(db)
  const staffQueries = staffRequestQueries(db)
  const storage = new LocalFileStorage(config.uploadsDirectory)

  /** The job's id, when the signed-in operative's contractor has been given it. */
  async function jobIdOf(request: FastifyRequest<Params>): Promise<string> {
    const contractorId = request.staff?.contractorId
    const id = contractorId ? await work.jobId(request.params.reference, contractorId) : undefined
    if (!id) throw new NotFound('job')
    return id
  }

  async function definitionOf(record: RequestRecord): Promise<ServiceDefinition> {
    return catalogue.pinnedDefinition(record.definitionVersionId)
  }

  async function showJob(request: FastifyRequest<Params>, reply: FastifyReply, id: string, extra: { errors?: FieldErrors; values?: Record<string, string> } = {}) {
    const record = await requests.request(id)
    const [definition, photos, address, jobWarnings] = await Promise.all([
      definitionOf(record),
      requests.photosOf(id, 'staff'),
      record.propertyUprn === null ? undefined : places.addressByUprn(record.propertyUprn),
      warnings.warningsForJob({ personId: record.personId, propertyUprn: record.propertyUprn, assignedContractorId: record.assignedContractorId }, request.staff!),
    ])
    await staffQueries.recordView(staffActor(request), record)
    return reply.view(view('job'), {
      job: record,
      serviceTitle: textIn(definition.name, 'en'),
      answers: checkAnswers(definition, record.answers)
        // The photos are shown themselves, below the answers.
        .filter((row) => row.display.kind !== 'photos')
        .map((row) => ({ label: textIn(row.label, 'en'), text: answerText(row.display, request.t) })),
      address,
      photos,
      mediaLinks: mediaLinks(record.mediaUrls),
      jobWarnings,
      outcomes: outcomesAllowed(record.state),
      photoLimits: photoLimitsFor(definition),
      errors: extra.errors,
      values: extra.values ?? {},
    })
  }

  app.get('/staff/work', { preHandler: requireStaffPermission('work.view-assigned') }, async (request, reply) => {
    const contractorId = request.staff!.contractorId
    const [jobs, contractor] = contractorId ? await Promise.all([work.openJobs(contractorId), work.contractorName(contractorId)]) : [[], undefined]
    return reply.view(view('list'), { pageTitle: request.t('requests.work.list.title'), jobs, contractor, hasContractor: contractorId !== null, flash: takeFlash(request, 'workFlash') })
  })

  app.get<Params>('/staff/work/:reference', { preHandler: requireStaffPermission('work.view-assigned') }, async (request, reply) =>
    showJob(request, reply, await jobIdOf(request)),
  )

  const outcomeRoute = {
    preHandler: requireStaffPermission('work.record-outcome'),
    // Read within what any service may allow; the job's own service sets its limits below.
    config: photoUploadRouteConfig({ maxCount: definitionLimits.photoCount, maxMegabytes: definitionLimits.photoMegabytes }),
    /** More files than any service takes stops the upload before the handler runs; it is shown as the form's error. */
    errorHandler: async (error: Error & { code?: string }, request: FastifyRequest<Params>, reply: FastifyReply) => {
      if (!request.staff?.permissions.has('work.record-outcome')) throw error
      const id = await jobIdOf(request)
      const message = uploadLimitMessage(error, photoLimitsFor(await definitionOf(await requests.request(id))), request.t)
      if (!message) throw error
      const values = { outcome: fieldOfRefusedUpload(request.body, 'outcome'), note: fieldOfRefusedUpload(request.body, 'note') }
      return showJob(request, reply.code(400), id, { errors: { photos: message }, values })
    },
  }

  app.post<Params>('/staff/work/:reference/outcome', outcomeRoute, async (request, reply) => {
    const id = await jobIdOf(request)
    const form = request.body as Form | undefined
    const values = { outcome: field(form, 'outcome'), note: field(form, 'note') }
    const problems = outcomeProblems(values)
    if (Object.keys(problems).length > 0) {
      const errors = Object.fromEntries(Object.entries(problems).map(([name, key]) => [name, request.t(key)]))
      return showJob(request, reply.code(400), id, { errors, values })
    }
    const outcome = values.outcome as WorkOutcome
    const rowVersion = Number.parseInt(field(form, 'rowVersion'), 10)
    const record = await requests.request(id)
    const stored = await storePhotos(storage, uploadedFiles(form?.photos), { folder: requestPhotoFolder, limits: photoLimitsFor(await definitionOf(record)), t: request.t })
    if ('message' in stored) return showJob(request, reply.code(400), id, { errors: { photos: stored.message }, values })
    try {
      await requests.changeStatus(
        id,
        { type: outcome },
        {
          actor: { kind: 'staff', id: request.staff!.id },
          // A page without its version is treated as stale, so it can never overwrite a change it did not show.
          expectedRowVersion: Number.isInteger(rowVersion) ? rowVersion : -1,
          ...(values.note.trim() === '' ? {} : { note: values.note }),
          photoKeys: stored.keys,
          // A photo at the door, such as of the card left, is evidence for the council, not news for the resident.
          photoVisibility: 'internal',
        },
      )
    } catch (error) {
      await discardPhotos(storage, stored.keys)
      if (error instanceof InvalidInput) return showJob(request, reply.code(400), id, { errors: { note: error.message }, values })
      // Refused because the page was stale or the job has moved on: the fresh page, with the operative's words kept.
      if (error instanceof Conflict) return showJob(request, reply.code(409), id, { errors: { outcome: error.message }, values: { note: values.note } })
      throw error
    }
    request.session.set('workFlash', request.t(`requests.work.done.${outcome}`, { reference: record.reference }))
    return reply.redirect('/staff/work', 303)
  })
}
