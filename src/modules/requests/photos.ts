/**
 * The photos kept with a request: those sent with it, those a resident adds later, and those
 * staff and operatives take. Who may see one is decided here, once, for every page that shows
 * them and the address that serves them.
 */
import type { Kysely } from 'kysely'
import type { Database } from '../../database.ts'
import { InvalidInput } from '../../lib/errors.ts'
import type { Translate } from '../../lib/i18n/index.ts'
import { defaultPhotoLimits, thumbnailKeyOf, type PhotoLimits } from '../../lib/files/photo-uploads.ts'
import type { Answers, Question, ServiceDefinition } from '../catalogue/index.ts'
import type { Actor } from '../identity/audit.ts'
import type { Permission } from '../identity/index.ts'
import type { ActorKind } from '../identity/tables.ts'
import type { EventVisibility } from './tables.ts'

/** Request photos are stored as requests/photos/ID, with their thumbnails as requests/thumbnails/ID. */
export const requestPhotoFolder = 'requests'

const photoKeyPattern = /^requests\/photos\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** Whether a key is one the photo upload could have given; anything else names no photo of ours. */
export function isRequestPhotoKey(key: unknown): key is string {
  return typeof key === 'string' && photoKeyPattern.test(key)
}

/** The keys, each once, or the refusal of them all when one is not a request photo's key. */
export function checkedPhotoKeys(keys: readonly unknown[], t: Translate): string[] {
  if (!keys.every(isRequestPhotoKey)) throw new InvalidInput({ photos: t('requests.photos.errors.unknown') })
  return [...new Set(keys)]
}

type PhotoQuestion = Extract<Question, { kind: 'photo' }>

const photoQuestionsOf = (definition: ServiceDefinition) => definition.questions.filter((question): question is PhotoQuestion => question.kind === 'photo')

/** The keys of the photos given as answers to the definition's photo questions, in question order. */
export function photoKeysIn(definition: ServiceDefinition, answers: Answers): unknown[] {
  return photoQuestionsOf(definition).flatMap((question) => {
    const answer = answers[question.id]
    return Array.isArray(answer) ? answer : []
  })
}

/**
 * How many photos, and how big, someone may add to a request later: as the service's own photo
 * question allows, or the usual limits for a service that asks for none.
 */
export function photoLimitsFor(definition: ServiceDefinition): PhotoLimits {
  const question = photoQuestionsOf(definition)[0]
  return question ? { maxCount: question.maxCount, maxMegabytes: question.maxMegabytes } : defaultPhotoLimits
}

/** Whoever asks to see a photo: a signed-in resident, a member of staff, or someone not signed in. */
export type PhotoViewer =
  | { kind: 'resident'; personId: string }
  | { kind: 'staff'; permissions: ReadonlySet<Permission>; contractorId: string | null }
  | { kind: 'anonymous' }

/** What decides who may see a photo: whose request it is, who is doing the work, and who it is for. */
export interface PhotoAccess {
  visibility: EventVisibility
  requestPersonId: string
  assignedContractorId: string | null
  /** A public photo of a public report a moderator has approved, which anyone may see. */
  approvedForEveryone: boolean
}

/**
 * Council staff who work requests see every photo. An operative sees every photo of the jobs given
 * to their contractor, and no others. A resident sees the public photos of their own requests.
 * Anyone sees the public photos of a public report once a moderator has approved them.
 */
export function maySeePhoto(viewer: PhotoViewer, photo: PhotoAccess): boolean {
  if (photo.approvedForEveryone) return true
  switch (viewer.kind) {
    case 'staff':
      if (viewer.permissions.has('requests.view')) return true
      return viewer.permissions.has('work.view-assigned') && viewer.contractorId !== null && viewer.contractorId === photo.assignedContractorId
    case 'resident':
      return photo.visibility === 'public' && photo.requestPersonId === viewer.personId
    case 'anonymous':
      return false
  }
}

export interface RequestPhoto {
  id: string
  visibility: EventVisibility
  /** Who added it; residents are told only what kind of person, never which officer, as on the timeline. */
  addedBy: { kind: ActorKind; id?: string | null; name?: string | null }
  addedAt: Date
  eventId: number | null
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Pass a transaction where the photos must be recorded with the change they belong to. */
export function requestPhotosRepository(db: Kysely<Database>) {
  return {
    /**
     * Records stored photos against a request. A key already recorded stays with the request it
     * was first recorded for, so a key given twice never moves a photo from one request to another.
     */
    async add(requestId: string, photos: { keys: readonly string[]; visibility: EventVisibility; actor: Actor; eventId: number; at: Date }): Promise<void> {
      if (photos.keys.length === 0) return
      await db
        .insertInto('request_photos')
        .values(
          photos.keys.map((key, position) => ({
            request_id: requestId,
            file_key: key,
            thumbnail_key: thumbnailKeyOf(key),
            event_id: photos.eventId,
            visibility: photos.visibility,
            actor_kind: photos.actor.kind,
            actor_id: photos.actor.id ?? null,
            added_at: photos.at,
            position,
          })),
        )
        .onConflict((conflict) => conflict.column('file_key').doNothing())
        .execute()
    },

    async photosOf(requestId: string, visibilities: readonly EventVisibility[]): Promise<RequestPhoto[]> {
      if (!uuidPattern.test(requestId)) return []
      const rows = await db
        .selectFrom('request_photos as photo')
        .leftJoin('staff_members as staff', (join) => join.onRef('staff.id', '=', 'photo.actor_id').on('photo.actor_kind', '=', 'staff'))
        .select(['photo.id', 'photo.visibility', 'photo.actor_kind', 'photo.actor_id', 'photo.added_at', 'photo.event_id', 'staff.name as staff_name'])
        .where('photo.request_id', '=', requestId)
        .where('photo.visibility', 'in', visibilities)
        .orderBy('photo.added_at')
        .orderBy('photo.position')
        .execute()
      return rows.map((row) => ({
        id: row.id,
        visibility: row.visibility,
        addedBy: { kind: row.actor_kind, id: row.actor_id, name: row.staff_name },
        addedAt: row.added_at,
        eventId: row.event_id,
      }))
    },

    /** The stored files of a photo and what decides who may see it, or undefined when there is no such photo. */
    async photoWithAccess(photoId: string): Promise<(PhotoAccess & { fileKey: string; thumbnailKey: string }) | undefined> {
      if (!uuidPattern.test(photoId)) return undefined
      const row = await db
        .selectFrom('request_photos as photo')
        .innerJoin('requests as request', 'request.id', 'photo.request_id')
        .select(['photo.file_key', 'photo.thumbnail_key', 'photo.visibility', 'request.person_id', 'request.assigned_contractor_id', 'request.is_public', 'request.moderation'])
        .where('photo.id', '=', photoId)
        .executeTakeFirst()
      return (
        row && {
          fileKey: row.file_key,
          thumbnailKey: row.thumbnail_key,
          visibility: row.visibility,
          requestPersonId: row.person_id,
          assignedContractorId: row.assigned_contractor_id,
          approvedForEveryone: row.is_public && row.moderation === 'approved' && row.visibility === 'public',
        }
      )
    },
  }
}
