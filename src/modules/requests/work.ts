import { sql, type Kysely } from 'kysely'
import type { Database } from '../../database.ts'
import type { RequestStatus } from './lifecycle.ts'
import { parseReference } from './references.ts'
import type { Priority } from './targets.ts'

/** One open job in a contractor's list. */
export interface AssignedJob {
  reference: string
  serviceCode: string
  jobCode: string | null
  trade: string | null
  address: string | null
  priority: Priority
  targetAt: Date | null
  status: RequestStatus
}

const finishedStatuses: RequestStatus[] = ['completed', 'cancelled', 'closed']

/**
 * The work a contractor has been given, for its operatives: read-only queries that only ever
 * return requests assigned to the contractor asked about, so no page built on them can show an
 * operative anyone else's job.
 */
export function contractorWorkQueries(db: Kysely<Database>) {
  return {
    /** The contractor's open jobs, soonest target first; those without a target (paused on hold) last. */
    async openJobs(contractorId: string): Promise<AssignedJob[]> {
      const rows = await db
        .selectFrom('requests as request')
        .leftJoin('properties as property', 'property.uprn', 'request.property_uprn')
        .select([
          'request.reference',
          'request.service_code as serviceCode',
          'request.job_code as jobCode',
          'request.trade',
          'request.priority',
          'request.target_at as targetAt',
          'request.status',
          'property.address_line_1 as addressLine',
          'property.postcode',
        ])
        .where('request.assigned_contractor_id', '=', contractorId)
        .where('request.status', 'not in', finishedStatuses)
        .orderBy(sql`request.target_at asc nulls last`)
        .orderBy('request.created_at')
        .orderBy('request.id')
        .execute()
      return rows.map(({ addressLine, postcode, ...job }) => ({ ...job, address: addressLine ? [addressLine, postcode].filter(Boolean).join(', ') : null }))
    },

    async contractorName(contractorId: string): Promise<string | undefined> {
      const row = await db.selectFrom('contractors').select('name').where('id', '=', contractorId).executeTakeFirst()
      return row?.name
    },

    /** The id of the job with this reference when it is assigned to the contractor, and undefined otherwise. */
    async jobId(reference: string, contractorId: string): Promise<string | undefined> {
      const parsed = parseReference(reference)
      if (parsed === undefined) return undefined
      const row = await db
        .selectFrom('requests')
        .select('id')
        .where('reference', '=', parsed)
        .where('assigned_contractor_id', '=', contractorId)
        .executeTakeFirst()
      return row?.id
    },
  }
}
