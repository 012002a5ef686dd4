import { sql, type Kysely } from 'kysely'
import type { ServiceDependencies } from '../../container.ts'
import type { Database } from '../../database.ts'
import { InvalidInput, NotFound } from '../../lib/errors.ts'
import { ownWordsOf, textIn, type Answers, type CatalogueServices, type ServiceDefinition } from '../catalogue/index.ts'
import { recordAudit } from '../identity/audit.ts'
import { latitudeLongitudeToGrid } from '../places/index.ts'
import type { RequestStatus } from './lifecycle.ts'
import { parseReference } from './references.ts'
import { requestsRepository } from './repository.ts'
import type { Moderation } from './tables.ts'

const closedStatuses: readonly RequestStatus[] = ['completed', 'cancelled', 'closed']

/** The most reports one map response carries; more than this in view are drawn as clusters. */
export const mostMapReports = 300
/** A map in clusters is cut into about this many clusters each way. */
const clusterCellsAcross = 12
/** The side of the squares report_map_cells counts reports in, in metres. */
const cellMetres = 100
/** The longest public text a moderator may approve or write: Open311's limit for a description. */
export const longestPublicText = 4000
const reportsPerPage = 25
/** How much of a comment the moderation list shows. */
const commentExcerptLength = 100

/** Words a moderator approves, with lines ended alike and spaces trimmed, or the error that refuses them. */
function checkedPublicText(text: string): string {
  const approved = text.replace(/\r\n?/g, '\n').trim()
  if (approved === '') throw new InvalidInput({ publicText: 'Enter the words to show, or hide them instead' })
  if (approved.length > longestPublicText) throw new InvalidInput({ publicText: `The words to show must be ${longestPublicText.toLocaleString('en-GB')} characters or fewer` })
  return approved
}

/**
 * Photo addresses another system sent with a request or a comment, as staff are shown them: web
 * addresses become links, anything else stays text, so an address can never run as a script.
 */
export function mediaLinks(mediaUrls: unknown): { url: string; linkable: boolean }[] {
  const urls = Array.isArray(mediaUrls) ? mediaUrls.filter((url): url is string => typeof url === 'string') : []
  return urls.map((url) => ({ url, linkable: /^https?:\/\//i.test(url) }))
}

/** An event's id as given in an address; anything else names no event. */
function eventIdOf(eventId: number | string): number | undefined {
  const text = String(eventId)
  return /^[1-9]\d{0,14}$/.test(text) ? Number(text) : undefined
}

export type ReportState = 'open' | 'closed'

export interface ReportFilters {
  serviceCode?: string | undefined
  state?: ReportState | undefined
  wardCode?: string | undefined
}

/** A report as anyone may see it: never a name, and the reporter's own words only once approved. */
export interface PublicReportSummary {
  reference: string
  serviceCode: string
  serviceName: string
  status: RequestStatus
  statusLabel: string
  /** The street it is on or its ward: never the nearest house, which could be the reporter's own. */
  place: string
  latitude: number
  longitude: number
  reportedAt: Date
  supporters: number
}

/** What the public is told has happened to a report: changes of status, and comments a moderator approved. */
export type PublicTimelineEntry = { kind: 'status'; at: Date; label: string } | { kind: 'comment'; at: Date; text: string }

export interface PublicReport extends PublicReportSummary {
  /** The approved words, or undefined while they wait for a moderator or after they were hidden. */
  text: string | undefined
  photoIds: string[]
  timeline: PublicTimelineEntry[]
  wardCode: string | null
  /** The report this one was merged into, when it turned out to be the same problem. */
  mergedInto: string | undefined
  isOpen: boolean
}

export interface NearbyReport extends PublicReportSummary {
  metres: number
}

export type MapData =
  | { kind: 'reports'; reports: { reference: string; latitude: number; longitude: number; serviceName: string; statusLabel: string }[] }
  | { kind: 'clusters'; clusters: { latitude: number; longitude: number; count: number }[] }

export interface MapBox {
  west: number
  south: number
  east: number
  north: number
}

export interface PublicReportDependencies extends ServiceDependencies {
  catalogue: Pick<CatalogueServices, 'pinnedDefinition'>
}

/**
 * Reports of the services the council publishes: the public map and list, each report's public
 * page, "is it one of these?" before a duplicate is made, support and following, and moderation of
 * what reporters wrote.
 */
export function createPublicReports({ db, catalogue }: PublicReportDependencies) {
  /** Definitions read once per call, since many reports share a few versions. */
  function definitions() {
    const read = new Map<string, Promise<ServiceDefinition>>()
    return (versionId: string) => {
      let definition = read.get(versionId)
      if (!definition) {
        definition = catalogue.pinnedDefinition(versionId)
        read.set(versionId, definition)
      }
      return definition
    }
  }

  function publicReports(database: Kysely<Database> = db) {
    return database
      .selectFrom('requests')
      .leftJoin('streets', 'streets.usrn', 'requests.usrn')
      .leftJoin('wards', 'wards.code', 'requests.ward_code')
      .select([
        'requests.id',
        'requests.reference',
        'requests.service_code',
        'requests.definition_version_id',
        'requests.status',
        'requests.created_at',
        'requests.latitude',
        'requests.longitude',
        'requests.ward_code',
        'streets.name as street_name',
        'streets.town as street_town',
        'wards.name as ward_name',
        sql<number>`(select count(*) from request_followers where request_followers.request_id = requests.id and supports)::integer`.as('supporters'),
      ])
      .where('requests.is_public', '=', true)
      .where('requests.location', 'is not', null)
  }

  type ReportRow = Awaited<ReturnType<ReturnType<typeof publicReports>['execute']>>[number]

  async function summaryOf(row: ReportRow, definitionOf: ReturnType<typeof definitions>): Promise<PublicReportSummary> {
    const definition = await definitionOf(row.definition_version_id)
    const street = row.street_name && [row.street_name, row.street_town].filter(Boolean).join(', ')
    return {
      reference: row.reference,
      serviceCode: row.service_code,
      serviceName: textIn(definition.name, 'en'),
      status: row.status,
      statusLabel: textIn(definition.statusLabels[row.status], 'en'),
      place: street ? `On or near ${street}` : row.ward_name ? `In ${row.ward_name} ward` : 'In the council’s area',
      latitude: row.latitude!,
      longitude: row.longitude!,
      reportedAt: row.created_at,
      supporters: row.supporters,
    }
  }

  function filtered<Query extends ReturnType<typeof publicReports>>(query: Query, filters: ReportFilters): Query {
    let narrowed = query
    if (filters.serviceCode) narrowed = narrowed.where('requests.service_code', '=', filters.serviceCode) as Query
    if (filters.wardCode) narrowed = narrowed.where('requests.ward_code', '=', filters.wardCode) as Query
    if (filters.state === 'open') narrowed = narrowed.where('requests.status', 'not in', closedStatuses) as Query
    if (filters.state === 'closed') narrowed = narrowed.where('requests.status', 'in', closedStatuses) as Query
    return narrowed.where('requests.duplicate_of', 'is', null) as Query
  }

  async function publicRow(reference: string) {
    const parsed = parseReference(reference)
    const row = parsed && (await publicReports().select(['requests.public_text', 'requests.moderation', 'requests.duplicate_of']).where('requests.reference', '=', parsed).executeTakeFirst())
    if (!row) throw new NotFound('report')
    return row
  }

  return {
    /**
     * Open public reports of the same service within the distance, nearest first: what a person is
     * asked about before they make a report that may already exist. The partial GiST index on open
     * located requests answers the circle test.
     */
    async nearby(serviceCode: string, point: { easting: number; northing: number }, metres: number, limit = 5): Promise<NearbyReport[]> {
      const centre = `(${point.easting},${point.northing})`
      const rows = await publicReports()
        .select(sql<number>`requests.location <-> ${centre}::point`.as('metres'))
        .where('requests.service_code', '=', serviceCode)
        .where('requests.status', 'not in', closedStatuses)
        .where('requests.duplicate_of', 'is', null)
        .where(sql<boolean>`requests.location <@ circle(${centre}::point, ${metres})`)
        .orderBy(sql`requests.location <-> ${centre}::point`)
        .limit(limit)
        .execute()
      const definitionOf = definitions()
      return Promise.all(rows.map(async (row) => ({ ...(await summaryOf(row, definitionOf)), metres: Math.round(row.metres) })))
    },

    /** One page of public reports, newest first, with how many there are in all. */
    async list(filters: ReportFilters, page = 1): Promise<{ reports: PublicReportSummary[]; total: number; page: number; pages: number }> {
      const base = filtered(publicReports(), filters)
      const { total } = await db
        .selectFrom(base.clearSelect().select(sql<number>`1`.as('one')).as('matching'))
        .select(sql<number>`count(*)::integer`.as('total'))
        .executeTakeFirstOrThrow()
      const pages = Math.max(1, Math.ceil(total / reportsPerPage))
      const current = Math.min(Math.max(1, Math.trunc(page) || 1), pages)
      const rows = await base.orderBy('requests.created_at', 'desc').orderBy('requests.reference').limit(reportsPerPage).offset((current - 1) * reportsPerPage).execute()
      const definitionOf = definitions()
      return { reports: await Promise.all(rows.map((row) => summaryOf(row, definitionOf))), total, page: current, pages }
    },

    /** A report's public page; NotFound for a report that is not public, exactly as for one that does not exist. */
    async report(reference: string): Promise<PublicReport> {
      const row = await publicRow(reference)
      const definitionOf = definitions()
      const definition = await definitionOf(row.definition_version_id)
      const [events, photos, merged] = await Promise.all([
        db
          .selectFrom('request_events')
          .select(['occurred_at', 'kind', 'to_status', 'public_body'])
          .where('request_id', '=', row.id)
          .where((where) => where.or([where('kind', '=', 'status-change'), where.and([where('kind', '=', 'comment'), where('moderation', '=', 'approved')])]))
          .where('visibility', '=', 'public')
          .orderBy('occurred_at')
          .orderBy('id')
          .execute(),
        row.moderation === 'approved'
          ? db.selectFrom('request_photos').select('id').where('request_id', '=', row.id).where('visibility', '=', 'public').orderBy('position').execute()
          : [],
        row.duplicate_of ? db.selectFrom('requests').select('reference').where('id', '=', row.duplicate_of).executeTakeFirst() : undefined,
      ])
      return {
        ...(await summaryOf(row, definitionOf)),
        text: row.moderation === 'approved' ? (row.public_text ?? undefined) : undefined,
        photoIds: photos.map((photo) => photo.id),
        timeline: events.flatMap((event): PublicTimelineEntry[] => {
          if (event.kind === 'comment') return event.public_body ? [{ kind: 'comment', at: event.occurred_at, text: event.public_body }] : []
          return event.to_status ? [{ kind: 'status', at: event.occurred_at, label: textIn(definition.statusLabels[event.to_status], 'en') }] : []
        }),
        wardCode: row.ward_code,
        mergedInto: merged?.reference,
        isOpen: !closedStatuses.includes(row.status),
      }
    },

    /**
     * The reports in a map's view, or clusters of them when there are more than a map can show, so
     * no response is ever large. A quiet view is searched as the grid box around it, through the
     * GiST index, then trimmed to the view exactly; a crowded one is drawn from the counts by
     * 100-metre square, whatever the number of reports in it.
     */
    async mapData(box: MapBox, filters: ReportFilters): Promise<MapData> {
      const corners = [
        latitudeLongitudeToGrid(box.south, box.west),
        latitudeLongitudeToGrid(box.south, box.east),
        latitudeLongitudeToGrid(box.north, box.west),
        latitudeLongitudeToGrid(box.north, box.east),
      ]
      const eastings = corners.map((corner) => corner.easting)
      const northings = corners.map((corner) => corner.northing)
      const gridBox = `((${Math.min(...eastings)},${Math.min(...northings)}),(${Math.max(...eastings)},${Math.max(...northings)}))`
      const inView = <Query extends ReturnType<typeof publicReports>>(query: Query): Query =>
        filtered(query, filters)
          .where(sql<boolean>`requests.location <@ ${gridBox}::box`)
          .where('requests.latitude', '>=', box.south)
          .where('requests.latitude', '<=', box.north)
          .where('requests.longitude', '>=', box.west)
          .where('requests.longitude', '<=', box.east) as Query
      // The counts by 100-metre square say at once whether the view is crowded, and draw it if so.
      const cells = db
        .selectFrom('report_map_cells')
        .where('cell_x', '>=', Math.floor(Math.min(...eastings) / cellMetres))
        .where('cell_x', '<=', Math.floor(Math.max(...eastings) / cellMetres))
        .where('cell_y', '>=', Math.floor(Math.min(...northings) / cellMetres))
        .where('cell_y', '<=', Math.floor(Math.max(...northings) / cellMetres))
        .where('reports', '>', 0)
        .$if(filters.serviceCode !== undefined, (query) => query.where('service_code', '=', filters.serviceCode!))
        .$if(filters.wardCode !== undefined, (query) => query.where('ward_code', '=', filters.wardCode!))
        .$if(filters.state !== undefined, (query) => query.where('is_open', '=', filters.state === 'open'))
      const cellsPerCluster = Math.max(1, Math.ceil(Math.max(Math.max(...eastings) - Math.min(...eastings), Math.max(...northings) - Math.min(...northings)) / clusterCellsAcross / cellMetres))
      // One pass over the counts gives both the clusters and, from them, whether the view is crowded.
      const clusters = await cells
        .select([
          sql<number>`sum(reports)::integer`.as('count'),
          sql<number>`sum(latitude_sum) / sum(reports)`.as('latitude'),
          sql<number>`sum(longitude_sum) / sum(reports)`.as('longitude'),
        ])
        .groupBy([sql`floor(cell_x / ${cellsPerCluster}::float)`, sql`floor(cell_y / ${cellsPerCluster}::float)`])
        .execute()
      if (clusters.reduce((total, cluster) => total + cluster.count, 0) <= mostMapReports) {
        const rows = await inView(publicReports()).orderBy('requests.created_at', 'desc').limit(mostMapReports).execute()
        const definitionOf = definitions()
        const reports = await Promise.all(rows.map((row) => summaryOf(row, definitionOf)))
        return { kind: 'reports', reports: reports.map(({ reference, latitude, longitude, serviceName, statusLabel }) => ({ reference, latitude, longitude, serviceName, statusLabel })) }
      }
      return { kind: 'clusters', clusters: clusters.map((cluster) => ({ count: cluster.count, latitude: Number(cluster.latitude), longitude: Number(cluster.longitude) })) }
    },

    /**
     * "I have this problem too": the person follows the report and is counted as supporting it.
     * Adding support twice counts once.
     */
    async support(reference: string, personId: string): Promise<{ reference: string }> {
      const row = await publicRow(reference)
      await db
        .insertInto('request_followers')
        .values({ request_id: row.id, person_id: personId, supports: true })
        .onConflict((conflict) => conflict.columns(['request_id', 'person_id']).doUpdateSet({ supports: true }))
        .execute()
      return { reference: row.reference }
    },

    async follow(reference: string, personId: string): Promise<void> {
      const row = await publicRow(reference)
      await db.insertInto('request_followers').values({ request_id: row.id, person_id: personId }).onConflict((conflict) => conflict.columns(['request_id', 'person_id']).doNothing()).execute()
    },

    async unfollow(reference: string, personId: string): Promise<void> {
      const row = await publicRow(reference)
      await db.deleteFrom('request_followers').where('request_id', '=', row.id).where('person_id', '=', personId).execute()
    },

    async isFollowing(reference: string, personId: string): Promise<boolean> {
      const row = await publicRow(reference)
      const found = await db.selectFrom('request_followers').select('person_id').where('request_id', '=', row.id).where('person_id', '=', personId).executeTakeFirst()
      return found !== undefined
    },

    /** Public reports whose words or photos wait for a moderator, oldest first. */
    async awaitingModeration(limit = 50) {
      const rows = await db
        .selectFrom('requests')
        .select(['id', 'reference', 'service_code', 'definition_version_id', 'answers', 'created_at'])
        .where('moderation', '=', 'pending')
        .orderBy('created_at')
        .limit(limit)
        .execute()
      const definitionOf = definitions()
      return Promise.all(
        rows.map(async (row) => {
          const definition = await definitionOf(row.definition_version_id)
          return { id: row.id, reference: row.reference, serviceName: textIn(definition.name, 'en'), reportedAt: row.created_at, definition, answers: row.answers }
        }),
      )
    },

    /** What a moderator needs to decide on one public report: the words as sent, as shown now, and its photos. */
    async forModeration(reference: string) {
      const parsed = parseReference(reference)
      const row =
        parsed &&
        (await db
          .selectFrom('requests')
          .select(['id', 'reference', 'definition_version_id', 'answers', 'created_at', 'public_text', 'moderation', 'moderated_at', 'is_public'])
          .where('reference', '=', parsed)
          .executeTakeFirst())
      if (!row || !row.is_public) throw new NotFound('report')
      const definition = await definitions()(row.definition_version_id)
      const photos = await db.selectFrom('request_photos').select('id').where('request_id', '=', row.id).where('visibility', '=', 'public').orderBy('position').execute()
      return {
        id: row.id,
        reference: row.reference,
        serviceName: textIn(definition.name, 'en'),
        reportedAt: row.created_at,
        ownWords: ownWordsOf(definition, row.answers as Answers),
        publicText: row.public_text,
        moderation: row.moderation,
        moderatedAt: row.moderated_at,
        photoIds: photos.map((photo) => photo.id),
      }
    },

    /**
     * A moderator's decision on a report's own words and photos: approved as written or as edited
     * (the words as sent stay in the request's answers), or hidden. Audited with what was shown
     * before and after.
     */
    async moderate(staffId: string, reference: string, decision: { approve: string } | { hide: true }): Promise<void> {
      const parsed = parseReference(reference)
      const approved = 'approve' in decision ? checkedPublicText(decision.approve) : undefined
      await db.transaction().execute(async (transaction) => {
        const row = parsed && (await transaction.selectFrom('requests').select(['id', 'is_public', 'public_text', 'moderation']).where('reference', '=', parsed).forUpdate().executeTakeFirst())
        if (!row || !row.is_public) throw new NotFound('report')
        const moderation: Moderation = approved === undefined ? 'hidden' : 'approved'
        await transaction
          .updateTable('requests')
          .set({ moderation, public_text: approved ?? row.public_text, moderated_at: new Date(), moderated_by: staffId })
          .where('id', '=', row.id)
          .execute()
        await recordAudit(transaction, {
          actor: { kind: 'staff', id: staffId },
          action: moderation === 'approved' ? 'report.approve-public-text' : 'report.hide-public-text',
          subject: { type: 'request', id: row.id },
          details: { before: { moderation: row.moderation, text: row.public_text }, after: { moderation, text: approved ?? row.public_text } },
        })
      })
    },

    /** Comments from reporting apps that wait for a moderator, oldest first, with the start of each. */
    async commentsAwaitingModeration(limit = 50) {
      const rows = await db
        .selectFrom('request_events')
        .innerJoin('requests', 'requests.id', 'request_events.request_id')
        .select(['request_events.id', 'request_events.occurred_at', 'request_events.body', 'requests.reference', 'requests.definition_version_id'])
        .where('request_events.moderation', '=', 'pending')
        .orderBy('request_events.occurred_at')
        .orderBy('request_events.id')
        .limit(limit)
        .execute()
      const definitionOf = definitions()
      return Promise.all(
        rows.map(async (row) => {
          const body = row.body ?? ''
          return {
            eventId: row.id,
            reference: row.reference,
            serviceName: textIn((await definitionOf(row.definition_version_id)).name, 'en'),
            receivedAt: row.occurred_at,
            excerpt: body.length > commentExcerptLength ? `${body.slice(0, commentExcerptLength)}…` : body,
          }
        }),
      )
    },

    /** What a moderator needs to decide on one comment from a reporting app: its request, the words as sent and as shown now. */
    async commentForModeration(eventId: number | string) {
      const id = eventIdOf(eventId)
      const row =
        id &&
        (await db
          .selectFrom('request_events')
          .innerJoin('requests', 'requests.id', 'request_events.request_id')
          .select([
            'request_events.id',
            'request_events.occurred_at',
            'request_events.body',
            'request_events.details',
            'request_events.moderation',
            'request_events.moderated_at',
            'request_events.public_body',
            'requests.id as request_id',
            'requests.reference',
            'requests.definition_version_id',
            'requests.is_public',
          ])
          .where('request_events.id', '=', id)
          .where('request_events.kind', '=', 'comment')
          .executeTakeFirst())
      if (!row) throw new NotFound('comment')
      const definition = await definitions()(row.definition_version_id)
      const details = row.details
      return {
        eventId: row.id,
        requestId: row.request_id,
        reference: row.reference,
        serviceName: textIn(definition.name, 'en'),
        /** A comment on a private request is shown, once approved, to the person who made it and never on public pages. */
        isPublic: row.is_public,
        receivedAt: row.occurred_at,
        madeAt: typeof details.madeAt === 'string' ? new Date(details.madeAt) : null,
        body: row.body ?? '',
        media: mediaLinks(details.mediaUrls),
        moderation: row.moderation,
        moderatedAt: row.moderated_at,
        publicBody: row.public_body,
      }
    },

    /**
     * A moderator's decision on a comment from a reporting app: approved as written or as edited,
     * which shows it to the public (the words as sent stay in its body), or hidden, which takes it
     * back to staff only. A decided comment can be decided again. The request's version moves on,
     * and the decision is audited with what was shown before and after, all in one transaction.
     */
    async moderateComment(staffId: string, eventId: number | string, decision: { approve: string } | { hide: true }): Promise<void> {
      const id = eventIdOf(eventId)
      const approved = 'approve' in decision ? checkedPublicText(decision.approve) : undefined
      await db.transaction().execute(async (transaction) => {
        const row =
          id &&
          (await transaction
            .selectFrom('request_events')
            .select(['id', 'request_id', 'moderation', 'public_body'])
            .where('id', '=', id)
            .where('kind', '=', 'comment')
            .forUpdate()
            .executeTakeFirst())
        if (!row) throw new NotFound('comment')
        const repository = requestsRepository(transaction)
        await repository.lockRequest(row.request_id)
        const at = new Date()
        const moderation: Moderation = approved === undefined ? 'hidden' : 'approved'
        const publicBody = approved ?? row.public_body
        await transaction
          .updateTable('request_events')
          .set({ moderation, visibility: approved === undefined ? 'internal' : 'public', public_body: publicBody, moderated_at: at, moderated_by: staffId })
          .where('id', '=', row.id)
          .execute()
        await repository.updateRequest(row.request_id, {}, at)
        await recordAudit(transaction, {
          actor: { kind: 'staff', id: staffId },
          action: 'request.moderate-comment',
          subject: { type: 'request', id: row.request_id },
          details: { eventId: row.id, before: { moderation: row.moderation, text: row.public_body }, after: { moderation, text: publicBody } },
        })
      })
    },
  }
}

export type PublicReports = ReturnType<typeof createPublicReports>
