import { sql, type Kysely } from 'kysely'
import type { Database } from '../../database.ts'
import { recordAudit } from '../identity/audit.ts'
import type { StaffActor } from '../identity/staff/service.ts'
import { requestStatuses, type RequestStatus } from './lifecycle.ts'
import { priorities, type Priority } from './targets.ts'

/**
 * The staff queue and what the staff request page shows beside the request itself: read-only
 * queries over the requests and the records they point at, shaped for officers working a list.
 */

// Ids come from forms; one that is not a uuid names nothing, and PostgreSQL would refuse it with an error.
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export const isUuid = (value: string): boolean => uuidPattern.test(value)

export const queueSorts = ['target', 'priority', 'age'] as const
export type QueueSort = (typeof queueSorts)[number]

export const queueOwners = ['anyone', 'me', 'my-team'] as const
export type QueueOwner = (typeof queueOwners)[number]

/** "open" stands for every status still needing work, the queue's usual view; "any" for all of them. */
export type QueueStatusFilter = RequestStatus | 'open' | 'any'

export interface QueueFilters {
  status: QueueStatusFilter
  priority: Priority | undefined
  trade: string | undefined
  ward: string | undefined
  overdue: boolean
  owner: QueueOwner
  sort: QueueSort
  page: number
}

export const queuePageSize = 50

// Written as "not one of these", the same words as the partial indexes' condition, so PostgreSQL uses them.
const finishedStatuses: RequestStatus[] = ['completed', 'cancelled', 'closed']

const oneOf = <T extends string>(choices: readonly T[], value: unknown): T | undefined =>
  typeof value === 'string' && (choices as readonly string[]).includes(value) ? (value as T) : undefined

const word = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined)

/** The filters from the queue's address; anything not understood is left at its default rather than refused. */
export function readQueueFilters(query: Record<string, unknown>): QueueFilters {
  const page = Number.parseInt(String(query.page ?? '1'), 10)
  return {
    status: oneOf<QueueStatusFilter>([...requestStatuses, 'open', 'any'], query.status) ?? 'open',
    priority: oneOf(priorities, query.priority),
    trade: word(query.trade),
    ward: word(query.ward),
    overdue: query.overdue === 'yes',
    owner: oneOf(queueOwners, query.owner) ?? 'anyone',
    sort: oneOf(queueSorts, query.sort) ?? 'target',
    page: Number.isInteger(page) && page > 0 ? page : 1,
  }
}

/** The queue's address with these filters, leaving out the defaults so links stay short. */
export function queueLink(filters: QueueFilters, changes: Partial<QueueFilters> = {}): string {
  const wanted = { ...filters, ...changes }
  const query = new URLSearchParams()
  if (wanted.status !== 'open') query.set('status', wanted.status)
  if (wanted.priority) query.set('priority', wanted.priority)
  if (wanted.trade) query.set('trade', wanted.trade)
  if (wanted.ward) query.set('ward', wanted.ward)
  if (wanted.overdue) query.set('overdue', 'yes')
  if (wanted.owner !== 'anyone') query.set('owner', wanted.owner)
  if (wanted.sort !== 'target') query.set('sort', wanted.sort)
  if (wanted.page > 1) query.set('page', String(wanted.page))
  const text = query.toString()
  return text ? `/staff/requests?${text}` : '/staff/requests'
}

export interface QueueRow {
  id: string
  reference: string
  serviceCode: string
  status: RequestStatus
  priority: Priority
  trade: string | null
  targetAt: Date | null
  createdAt: Date
  address: string | null
  wardName: string | null
  teamName: string | null
  officerName: string | null
  contractorName: string | null
}

export interface QueuePage {
  rows: QueueRow[]
  total: number
  page: number
  pages: number
}

export interface EarlierRequest {
  reference: string
  serviceCode: string
  status: RequestStatus
  priority: Priority
  trade: string | null
  createdAt: Date
  /** The same trade (or service, where there is no trade) within a year before this request: a repeat problem. */
  isRepeat: boolean
}

export interface RequestContext {
  personName: string
  tenancy: { reference: string; startDate: string; tenants: string[] } | undefined
  teamName: string | null
  officerName: string | null
  contractorName: string | null
}

const repeatWindowDays = 365

export function staffRequestQueries(db: Kysely<Database>) {
  return {
    /** One page of the queue. The open-work view stays on the partial indexes the requests table keeps for it. */
    async queue(filters: QueueFilters, viewer: { staffId: string; now: Date }): Promise<QueuePage> {
      // The filters read the requests table alone, so counting the open work is read from the
      // partial index without touching the table; the names shown are joined for one page only.
      let query = db.selectFrom('requests as request')

      if (filters.status === 'open') query = query.where('request.status', 'not in', finishedStatuses)
      else if (filters.status !== 'any') query = query.where('request.status', '=', filters.status)
      if (filters.priority) query = query.where('request.priority', '=', filters.priority)
      if (filters.trade) query = query.where('request.trade', '=', filters.trade)
      if (filters.ward) {
        const ward = filters.ward
        query = query.where('request.property_uprn', 'in', (properties) => properties.selectFrom('properties').select('uprn').where('ward_code', '=', ward))
      }
      if (filters.overdue) {
        query = query.where('request.target_at', '<', viewer.now).where('request.status', 'not in', finishedStatuses)
      }
      if (filters.owner === 'me') query = query.where('request.assigned_staff_id', '=', viewer.staffId)
      if (filters.owner === 'my-team') {
        query = query.where('request.assigned_team_id', 'in', (teams) =>
          teams.selectFrom('team_memberships').select('team_id').where('staff_member_id', '=', viewer.staffId),
        )
      }

      // By priority, each priority's requests are read in target order from the index, one priority
      // after another, instead of sorting every open request on each page.
      const counts = new Map<Priority, number>()
      for (const row of await query.select(['request.priority', (count) => count.fn.countAll<string>().as('total')]).groupBy('request.priority').execute()) {
        counts.set(row.priority, Number(row.total))
      }
      const total = [...counts.values()].reduce((sum, count) => sum + count, 0)
      const pages = Math.max(1, Math.ceil(total / queuePageSize))
      const page = Math.min(filters.page, pages)

      const listed = query
        .leftJoin('properties as property', 'property.uprn', 'request.property_uprn')
        .leftJoin('wards as ward', 'ward.code', 'property.ward_code')
        .leftJoin('teams as team', 'team.id', 'request.assigned_team_id')
        .leftJoin('staff_members as officer', 'officer.id', 'request.assigned_staff_id')
        .leftJoin('contractors as contractor', 'contractor.id', 'request.assigned_contractor_id')
        .select([
          'request.id',
          'request.reference',
          'request.service_code as serviceCode',
          'request.status',
          'request.priority',
          'request.trade',
          'request.target_at as targetAt',
          'request.created_at as createdAt',
          'property.address_line_1 as addressLine',
          'property.postcode',
          'ward.name as wardName',
          'team.name as teamName',
          'officer.name as officerName',
          'contractor.name as contractorName',
        ])
      const byTarget = sql`request.target_at asc nulls last`
      const slices: { priority?: Priority; offset: number; limit: number }[] = []
      if (filters.sort === 'priority') {
        let skip = (page - 1) * queuePageSize
        let wanted = queuePageSize
        for (const priority of priorities) {
          const count = counts.get(priority) ?? 0
          if (wanted === 0) break
          if (skip >= count) {
            skip -= count
            continue
          }
          const taken = Math.min(wanted, count - skip)
          slices.push({ priority, offset: skip, limit: taken })
          wanted -= taken
          skip = 0
        }
      } else {
        slices.push({ offset: (page - 1) * queuePageSize, limit: queuePageSize })
      }

      const rows = []
      for (const slice of slices) {
        let ordered = slice.priority ? listed.where('request.priority', '=', slice.priority).orderBy(byTarget) : listed
        if (!slice.priority) ordered = filters.sort === 'age' ? ordered.orderBy('request.created_at', 'asc') : ordered.orderBy(byTarget)
        rows.push(...(await ordered.orderBy('request.id').limit(slice.limit).offset(slice.offset).execute()))
      }
      return {
        rows: rows.map(({ addressLine, postcode, ...row }) => ({ ...row, address: addressLine ? `${addressLine}, ${postcode ?? ''}`.replace(/, $/, '') : null })),
        total,
        page,
        pages,
      }
    },

    /** What the queue can be filtered by: the trades requests have, and the council's wards. */
    async filterChoices(): Promise<{ trades: string[]; wards: { code: string; name: string }[] }> {
      // "select distinct" would read every request ever made; this jumps along the trade index from
      // one trade to the next, a few probes however many requests there are.
      const trades = sql<{ trade: string }>`
        with recursive trades as (
          (select trade from requests where trade is not null order by trade limit 1)
          union all
          select (select trade from requests where trade > trades.trade order by trade limit 1) from trades where trades.trade is not null
        )
        select trade from trades where trade is not null`
      const [tradeRows, wards] = await Promise.all([trades.execute(db), db.selectFrom('wards').select(['code', 'name']).orderBy('name').execute()])
      return { trades: tradeRows.rows.map((row) => row.trade), wards }
    },

    async requestIdByReference(reference: string): Promise<string | undefined> {
      const row = await db.selectFrom('requests').select('id').where('reference', '=', reference.trim().toUpperCase()).executeTakeFirst()
      return row?.id
    },

    /** Who the request is from, the tenancy at its property when it was made, and who it is assigned to. */
    async contextOf(request: {
      personId: string
      propertyUprn: number | null
      createdAt: Date
      assignedTeamId: string | null
      assignedStaffId: string | null
      assignedContractorId: string | null
    }): Promise<RequestContext> {
      const person = await db.selectFrom('people').select(['given_name', 'family_name']).where('id', '=', request.personId).executeTakeFirstOrThrow()
      const madeOn = request.createdAt.toISOString().slice(0, 10)
      const tenancy =
        request.propertyUprn === null
          ? undefined
          : await db
              .selectFrom('tenancies')
              .select(['id', 'reference', 'start_date'])
              .where('uprn', '=', request.propertyUprn)
              .where('start_date', '<=', madeOn)
              .where((row) => row.or([row('end_date', 'is', null), row('end_date', '>=', madeOn)]))
              .orderBy('start_date', 'desc')
              .executeTakeFirst()
      const tenants = tenancy
        ? await db.selectFrom('tenants').select(['given_name', 'family_name']).where('tenancy_id', '=', tenancy.id).orderBy('family_name').execute()
        : []
      const nameOf = async (table: 'teams' | 'contractors' | 'staff_members', id: string | null) =>
        id === null ? null : ((await db.selectFrom(table).select('name').where('id', '=', id).executeTakeFirst())?.name ?? null)
      return {
        personName: `${person.given_name} ${person.family_name}`.trim(),
        tenancy: tenancy && {
          reference: tenancy.reference,
          startDate: tenancy.start_date,
          tenants: tenants.map((tenant) => `${tenant.given_name} ${tenant.family_name}`),
        },
        teamName: await nameOf('teams', request.assignedTeamId),
        officerName: await nameOf('staff_members', request.assignedStaffId),
        contractorName: await nameOf('contractors', request.assignedContractorId),
      }
    },

    /** Requests made at the property before this one, newest first, with repeat problems marked. */
    async earlierAtProperty(request: { id: string; propertyUprn: number | null; createdAt: Date; trade: string | null; serviceCode: string }): Promise<EarlierRequest[]> {
      if (request.propertyUprn === null) return []
      const rows = await db
        .selectFrom('requests')
        .select(['reference', 'service_code', 'status', 'priority', 'trade', 'created_at'])
        .where('property_uprn', '=', request.propertyUprn)
        .where('id', '!=', request.id)
        .where('created_at', '<=', request.createdAt)
        .orderBy('created_at', 'desc')
        .limit(50)
        .execute()
      const windowStart = request.createdAt.getTime() - repeatWindowDays * 24 * 60 * 60 * 1000
      return rows.map((row) => ({
        reference: row.reference,
        serviceCode: row.service_code,
        status: row.status,
        priority: row.priority,
        trade: row.trade,
        createdAt: row.created_at,
        isRepeat:
          row.created_at.getTime() >= windowStart &&
          (request.trade !== null ? row.trade === request.trade : row.service_code === request.serviceCode),
      }))
    },

    /** Staff looking at a request see a person's details, so each look goes in the audit log. */
    async recordView(actor: StaffActor, request: { id: string; reference: string }): Promise<void> {
      await recordAudit(db, {
        actor: { kind: 'staff', id: actor.id },
        action: 'request.view',
        subject: { type: 'request', id: request.id },
        details: { reference: request.reference },
        ipAddress: actor.ipAddress,
      })
    },

    /** The names of the staff in a timeline, for officers reading who did what. */
    async staffNames(ids: string[]): Promise<Map<string, string>> {
      if (ids.length === 0) return new Map()
      const rows = await db.selectFrom('staff_members').select(['id', 'name']).where('id', 'in', ids).execute()
      return new Map(rows.map((row) => [row.id, row.name]))
    },

    /** Who a request can be assigned to. */
    async assignees(): Promise<{ teams: Choice[]; officers: Choice[]; contractors: Choice[] }> {
      const [teams, officers, contractors] = await Promise.all([
        db.selectFrom('teams').select(['id', 'name']).orderBy('name').execute(),
        db
          .selectFrom('staff_members')
          .select(['id', 'name'])
          .where('disabled_at', 'is', null)
          .where('contractor_id', 'is', null)
          .where('id', 'in', (held) =>
            held
              .selectFrom('staff_roles')
              .innerJoin('role_permissions', 'role_permissions.role_id', 'staff_roles.role_id')
              .select('staff_roles.staff_member_id')
              .where('role_permissions.permission', '=', 'requests.update'),
          )
          .orderBy('name')
          .execute(),
        db.selectFrom('contractors').select(['id', 'name']).orderBy('name').execute(),
      ])
      return { teams, officers, contractors }
    },
  }
}

export interface Choice {
  id: string
  name: string
}

export type StaffRequestQueries = ReturnType<typeof staffRequestQueries>
