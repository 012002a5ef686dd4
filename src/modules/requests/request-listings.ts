import { sql, type Kysely } from 'kysely'
import type { Database } from '../../database.ts'
import type { Answers } from '../catalogue/index.ts'
import type { ClosureReason, HoldableStatus, RequestStatus } from './lifecycle.ts'
import type { EventVisibility } from './tables.ts'

/**
 * Which requests a caller of the APIs may see: every public report, and the private services a key
 * is granted ('all' for every one).
 */
export type ListingAccess = { privateServices: 'all' | readonly string[] }

export type ListingFilter =
  | { references: readonly string[] }
  | {
      serviceCodes?: readonly string[] | undefined
      open?: boolean | undefined
      from?: Date | undefined
      to?: Date | undefined
      /** One person's requests, for a resident listing their own. */
      personId?: string | undefined
      /** Only requests listed after the one with this id, newest first: where the page before ended. */
      afterId?: string | undefined
    }

/** A request as the APIs list it: no names or contact details, ever. */
export interface ListedRequest {
  id: string
  reference: string
  serviceCode: string
  definitionVersionId: string
  status: RequestStatus
  closureReason: ClosureReason | null
  resumeTo: HoldableStatus | null
  createdAt: Date
  updatedAt: Date
  targetAt: Date | null
  isPublic: boolean
  latitude: number | null
  longitude: number | null
  /** The street it is on or its ward, never a house: what anyone may be told of where it is. */
  streetOrWard: string | null
  propertyUprn: number | null
  /** Only for callers granted a private service: the answers, which hold the home's address. */
  answers: Answers | undefined
  /** The reporter's words as a moderator approved them, or null. */
  publicText: string | null
  mediaUrls: string[]
  /** The first photo everyone may see: public, of a public report, approved by a moderator. */
  publicPhotoId: string | null
}

/** A public change to a request, as the feed of updates that reporting apps follow lists it. */
export interface ListedUpdate {
  id: number
  requestId: string
  reference: string
  serviceCode: string
  definitionVersionId: string
  isPublic: boolean
  occurredAt: Date
  kind: 'status-change' | 'public-update' | 'comment'
  fromStatus: RequestStatus | null
  /** The request's status once this update was made, and why it closed, if it had. */
  status: RequestStatus
  closureReason: ClosureReason | null
  resumeTo: HoldableStatus | null
  body: string | null
}

function accessible(access: ListingAccess) {
  return access.privateServices === 'all'
    ? sql<boolean>`true`
    : access.privateServices.length === 0
      ? sql<boolean>`requests.is_public`
      : sql<boolean>`(requests.is_public or requests.service_code in (${sql.join(access.privateServices)}))`
}

/**
 * The lists of requests the Open311 and JSON APIs give: by reference, or the newest in a window of
 * time, narrowed by service and openness. Each query is one indexed pass, because reporting apps
 * ask often and for up to a thousand rows at a time.
 */
export function createRequestListings({ db }: { db: Kysely<Database> }) {
  return {
    async requests(filter: ListingFilter, access: ListingAccess, options: { limit: number; withAnswers: boolean }): Promise<ListedRequest[]> {
      let query = db
        .selectFrom('requests')
        .leftJoin('streets', 'streets.usrn', 'requests.usrn')
        .leftJoin('wards', 'wards.code', 'requests.ward_code')
        .select([
          'requests.id',
          'requests.reference',
          'requests.service_code',
          'requests.definition_version_id',
          'requests.status',
          'requests.closure_reason',
          'requests.resume_to',
          'requests.created_at',
          'requests.updated_at',
          'requests.target_at',
          'requests.is_public',
          'requests.latitude',
          'requests.longitude',
          'requests.property_uprn',
          'requests.media_urls',
          sql<string | null>`case when requests.moderation = 'approved' then requests.public_text end`.as('public_text'),
          sql<string | null>`coalesce(streets.name || coalesce(', ' || streets.town, ''), wards.name || ' ward')`.as('street_or_ward'),
          sql<string | null>`case when requests.is_public and requests.moderation = 'approved' then (
            select photo.id from request_photos as photo
            where photo.request_id = requests.id and photo.visibility = 'public'
            order by photo.added_at, photo.position limit 1
          ) end`.as('public_photo_id'),
        ])
        .$if(options.withAnswers, (selection) => selection.select('requests.answers'))
        .where(accessible(access))
      if ('references' in filter) {
        if (filter.references.length === 0) return []
        query = query.where('requests.reference', 'in', filter.references)
      } else {
        if (filter.from) query = query.where('requests.created_at', '>=', filter.from)
        if (filter.to) query = query.where('requests.created_at', '<=', filter.to)
        if (filter.personId) query = query.where('requests.person_id', '=', filter.personId)
        // Compared with the row itself, so the cursor keeps the database's own precision of time.
        if (filter.afterId) {
          query = query.where(sql<boolean>`(requests.created_at, requests.id) < (select cursor.created_at, cursor.id from requests as cursor where cursor.id = ${filter.afterId}::uuid)`)
        }
        if (filter.serviceCodes?.length) query = query.where('requests.service_code', 'in', filter.serviceCodes)
        if (filter.open === true) query = query.where('requests.status', 'not in', ['completed', 'cancelled', 'closed'])
        if (filter.open === false) query = query.where('requests.status', 'in', ['completed', 'cancelled', 'closed'])
      }
      const rows = await query.orderBy('requests.created_at', 'desc').orderBy('requests.id', 'desc').limit(options.limit).execute()
      return rows.map((row) => ({
        id: row.id,
        reference: row.reference,
        serviceCode: row.service_code,
        definitionVersionId: row.definition_version_id,
        status: row.status,
        closureReason: row.closure_reason,
        resumeTo: row.resume_to,
        createdAt: row.created_at,
        updatedAt: row.updated_at,
        targetAt: row.target_at,
        isPublic: row.is_public,
        latitude: row.latitude,
        longitude: row.longitude,
        streetOrWard: row.street_or_ward,
        propertyUprn: row.property_uprn,
        answers: 'answers' in row ? (row.answers as Answers) : undefined,
        publicText: row.public_text,
        mediaUrls: row.media_urls,
        publicPhotoId: row.public_photo_id,
      }))
    },

    /**
     * Public status changes and updates in a window, oldest first, leaving out each request's first
     * event (being reported is not news to whoever sent it) and whatever the asking client itself
     * sent, which it already has.
     */
    async updates(window: { from: Date; to: Date }, access: ListingAccess, options: { limit: number; excludeActorId?: string }): Promise<ListedUpdate[]> {
      const visible: EventVisibility = 'public'
      const rows = await db
        .selectFrom('request_events as event')
        .innerJoin('requests', 'requests.id', 'event.request_id')
        .select([
          'event.id',
          'event.request_id',
          'event.occurred_at',
          'event.kind',
          'event.from_status',
          'event.to_status',
          'event.body',
          sql<string | null>`event.details ->> 'closureReason'`.as('closure_reason'),
          'requests.reference',
          'requests.service_code',
          'requests.definition_version_id',
          'requests.is_public',
        ])
        // A note carries the status the request had when it was written: the last change before it.
        .select(
          sql<RequestStatus | null>`(
            select earlier.to_status from request_events as earlier
            where earlier.request_id = event.request_id and earlier.kind = 'status-change' and earlier.id <= event.id
            order by earlier.id desc limit 1
          )`.as('status_then'),
        )
        .select(
          sql<string | null>`(
            select earlier.details ->> 'closureReason' from request_events as earlier
            where earlier.request_id = event.request_id and earlier.kind = 'status-change' and earlier.id <= event.id
            order by earlier.id desc limit 1
          )`.as('closure_reason_then'),
        )
        .select('requests.resume_to')
        .where('event.visibility', '=', visible)
        .where('event.occurred_at', '>=', window.from)
        .where('event.occurred_at', '<=', window.to)
        .where((where) => where.or([where.and([where('event.kind', '=', 'status-change'), where('event.from_status', 'is not', null)]), where('event.kind', '=', 'public-update')]))
        .$if(options.excludeActorId !== undefined, (query) =>
          query.where((where) => where.not(where.and([where('event.actor_kind', '=', 'api-client'), where('event.actor_id', '=', options.excludeActorId!)]))),
        )
        .where(accessible(access))
        .orderBy('event.occurred_at')
        .orderBy('event.id')
        .limit(options.limit)
        .execute()
      return rows.map((row) => {
        const status = row.kind === 'status-change' ? row.to_status! : (row.status_then ?? 'reported')
        const closureReason = (row.kind === 'status-change' ? row.closure_reason : row.closure_reason_then) as ClosureReason | null
        return {
          id: row.id,
          requestId: row.request_id,
          reference: row.reference,
          serviceCode: row.service_code,
          definitionVersionId: row.definition_version_id,
          isPublic: row.is_public,
          occurredAt: row.occurred_at,
          kind: row.kind as ListedUpdate['kind'],
          fromStatus: row.from_status,
          status,
          closureReason: status === 'closed' ? closureReason : null,
          resumeTo: status === 'on-hold' ? row.resume_to : null,
          body: row.body,
        }
      })
    },
  }
}

export type RequestListings = ReturnType<typeof createRequestListings>
