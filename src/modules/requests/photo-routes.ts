import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../config.ts'
import type { Services } from '../../container.ts'
import { NotFound } from '../../lib/errors.ts'
import { LocalFileStorage } from '../../lib/files/local-storage.ts'
import type { PhotoViewer } from './photos.ts'

type Params = { Params: { id: string } }

/**
 * A photo may be kept by the viewer's browser for a while, but never by a shared cache: it is
 * someone's home, and who may see it is decided on every request.
 */
const cacheControl = 'private, max-age=3600'

function viewerOf(request: FastifyRequest): PhotoViewer {
  if (request.staff) return { kind: 'staff', permissions: request.staff.permissions, contractorId: request.staff.contractorId }
  const principal = request.session.principal
  if (principal?.kind === 'resident') return { kind: 'resident', personId: principal.id }
  return { kind: 'anonymous' }
}

/**
 * Request photos and their thumbnails, by the photo's id, never its storage key. Anyone who may
 * not see a photo, signed in or not, is told it is not found, exactly as for one that does not
 * exist, so an address reveals nothing.
 */
export async function requestPhotoRoutes(app: FastifyInstance, { config, services }: { config: Config; services: Services }) {
  const storage = new LocalFileStorage(config.uploadsDirectory)

  async function send(request: FastifyRequest<Params>, reply: FastifyReply, which: 'fileKey' | 'thumbnailKey') {
    const photo = await services.requests.photoFor(request.params.id, viewerOf(request))
    const file = await storage.get(photo[which])
    if (!file) {
      request.log.warn({ photoId: request.params.id }, 'A recorded request photo is missing from storage')
      throw new NotFound('photo')
    }
    return reply
      .type(file.contentType)
      .header('content-length', file.bytes)
      .header('cache-control', cacheControl)
      .header('x-content-type-options', 'nosniff')
      .send(file.stream)
  }

  app.get<Params>('/requests/photos/:id', async (request, reply) => send(request, reply, 'fileKey'))
  app.get<Params>('/requests/photos/:id/thumbnail', async (request, reply) => send(request, reply, 'thumbnailKey'))
}
