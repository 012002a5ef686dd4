import type { Insertable, Kysely, Selectable, Updateable } from 'kysely'
import type { Database } from '../../database.ts'
import { addJob } from '../../lib/jobs/queue.ts'
import type { AwaabsLawMilestones } from './awaabs-law.ts'
import { notifyResidentTask } from './resident-messages.ts'
import type { EventVisibility, RequestsTables } from './tables.ts'

export type RequestRow = Selectable<RequestsTables['requests']>
export type NewRequestRow = Insertable<RequestsTables['requests']>
export type RequestChanges = Updateable<RequestsTables['requests']>
export type RequestEventRow = Selectable<RequestsTables['request_events']>
export type NewRequestEventRow = Insertable<RequestsTables['request_events']>

const summaryColumns = [
  'id',
  'reference',
  'service_code',
  'person_id',
  'property_uprn',
  'status',
  'priority',
  'target_at',
  'created_at',
  'updated_at',
] as const

export type RequestSummaryRow = Pick<RequestRow, (typeof summaryColumns)[number]>

// Ids come from addresses and forms; one that is not a uuid names no request, and PostgreSQL would
// refuse it with an error rather than find nothing.
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Pass a transaction where the work must commit together; every function works on either. */
export function requestsRepository(db: Kysely<Database>) {
  return {
    async personExists(personId: string): Promise<boolean> {
      const row = await db.selectFrom('people').select('id').where('id', '=', personId).executeTakeFirst()
      return row !== undefined
    },

    async propertyExists(uprn: number): Promise<boolean> {
      const row = await db.selectFrom('properties').select('uprn').where('uprn', '=', uprn).executeTakeFirst()
      return row !== undefined
    },

    async teamIdByCode(code: string): Promise<string | undefined> {
      const row = await db.selectFrom('teams').select('id').where('code', '=', code).executeTakeFirst()
      return row?.id
    },

    async contractorIdByCode(code: string): Promise<string | undefined> {
      const row = await db.selectFrom('contractors').select('id').where('code', '=', code).executeTakeFirst()
      return row?.id
    },

    async wardOfProperty(uprn: number): Promise<string | null> {
      const row = await db.selectFrom('properties').select('ward_code').where('uprn', '=', uprn).executeTakeFirst()
      return row?.ward_code ?? null
    },

    async startAwaabsLawClocks(requestId: string, reportedHazard: 'emergency' | 'significant', becameAwareAt: Date): Promise<void> {
      await db.insertInto('request_awaabs_law').values({ request_id: requestId, reported_hazard: reportedHazard, became_aware_at: becameAwareAt }).execute()
    },

    async awaabsLawOf(requestId: string): Promise<AwaabsLawMilestones | undefined> {
      const row = await db.selectFrom('request_awaabs_law').selectAll().where('request_id', '=', requestId).executeTakeFirst()
      return (
        row && {
          reportedHazard: row.reported_hazard,
          becameAwareAt: row.became_aware_at,
          investigationConcludedAt: row.investigation_concluded_at,
          hazardFound: row.hazard_found,
          writtenSummaryGivenAt: row.written_summary_given_at,
          safetyWorkDoneAt: row.safety_work_done_at,
          furtherWorkNeeded: row.further_work_needed,
          furtherWorkStepsTakenAt: row.further_work_steps_taken_at,
          furtherWorkStartedAt: row.further_work_started_at,
        }
      )
    },

    async saveAwaabsLaw(requestId: string, milestones: AwaabsLawMilestones): Promise<void> {
      await db
        .updateTable('request_awaabs_law')
        .set({
          investigation_concluded_at: milestones.investigationConcludedAt ?? null,
          hazard_found: milestones.hazardFound ?? null,
          written_summary_given_at: milestones.writtenSummaryGivenAt ?? null,
          safety_work_done_at: milestones.safetyWorkDoneAt ?? null,
          further_work_needed: milestones.furtherWorkNeeded ?? false,
          further_work_steps_taken_at: milestones.furtherWorkStepsTakenAt ?? null,
          further_work_started_at: milestones.furtherWorkStartedAt ?? null,
        })
        .where('request_id', '=', requestId)
        .execute()
    },

    /** Inserts the request unless its reference is taken, in which case it returns undefined. */
    async insertRequestUnlessReferenceTaken(values: NewRequestRow): Promise<string | undefined> {
      const row = await db
        .insertInto('requests')
        .values(values)
        .onConflict((conflict) => conflict.column('reference').doNothing())
        .returning('id')
        .executeTakeFirst()
      return row?.id
    },

    async requestById(id: string): Promise<RequestRow | undefined> {
      if (!uuidPattern.test(id)) return undefined
      return db.selectFrom('requests').selectAll().where('id', '=', id).executeTakeFirst()
    },

    /** The request, locked until the transaction ends, so changes to it happen one at a time. */
    async lockRequest(id: string): Promise<RequestRow | undefined> {
      if (!uuidPattern.test(id)) return undefined
      return db.selectFrom('requests').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
    },

    /** Applies the changes and adds one to the row version; returns the new version. */
    async updateRequest(id: string, changes: RequestChanges, at: Date): Promise<number> {
      const row = await db
        .updateTable('requests')
        .set((update) => ({ ...changes, updated_at: at, row_version: update('row_version', '+', 1) }))
        .where('id', '=', id)
        .returning('row_version')
        .executeTakeFirstOrThrow()
      return row.row_version
    },

    /**
     * An event flagged for the resident also wakes the task that tells them, in the same
     * transaction, so a committed change is always told and a rolled-back one never is. The key
     * folds a burst of changes to one request into one waiting job.
     */
    async insertEvent(values: NewRequestEventRow): Promise<number> {
      const { id } = await db.insertInto('request_events').values(values).returning('id').executeTakeFirstOrThrow()
      if (values.notify_resident) {
        await addJob(db as unknown as Kysely<unknown>, notifyResidentTask, { requestId: values.request_id }, { jobKey: `${notifyResidentTask}:${values.request_id}` })
      }
      return id
    },

    async eventsOf(requestId: string, visibilities: readonly EventVisibility[]): Promise<RequestEventRow[]> {
      if (!uuidPattern.test(requestId)) return []
      return db
        .selectFrom('request_events')
        .selectAll()
        .where('request_id', '=', requestId)
        .where('visibility', 'in', visibilities)
        .orderBy('occurred_at')
        .orderBy('id')
        .execute()
    },

    async startHold(hold: { requestId: string; reason: string; stopsClock: boolean; at: Date }): Promise<void> {
      await db
        .insertInto('request_holds')
        .values({ request_id: hold.requestId, reason: hold.reason, stops_clock: hold.stopsClock, started_at: hold.at })
        .execute()
    },

    async endHold(requestId: string, at: Date): Promise<void> {
      await db.updateTable('request_holds').set({ ended_at: at }).where('request_id', '=', requestId).where('ended_at', 'is', null).execute()
    },

    /** The spells on hold that stopped the target clock, open ones included. */
    clockStoppingHolds(requestId: string): Promise<{ started_at: Date; ended_at: Date | null }[]> {
      return db
        .selectFrom('request_holds')
        .select(['started_at', 'ended_at'])
        .where('request_id', '=', requestId)
        .where('stops_clock', '=', true)
        .orderBy('started_at')
        .execute()
    },

    requestsOfPerson(personId: string): Promise<RequestSummaryRow[]> {
      return db
        .selectFrom('requests')
        .select(summaryColumns)
        .where('person_id', '=', personId)
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .execute()
    },

    requestsAtProperty(uprn: number): Promise<RequestSummaryRow[]> {
      return db
        .selectFrom('requests')
        .select(summaryColumns)
        .where('property_uprn', '=', uprn)
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .execute()
    },

    requestByReference(reference: string): Promise<RequestRow | undefined> {
      return db.selectFrom('requests').selectAll().where('reference', '=', reference).executeTakeFirst()
    },

    requestOfPerson(reference: string, personId: string): Promise<RequestRow | undefined> {
      return db.selectFrom('requests').selectAll().where('reference', '=', reference).where('person_id', '=', personId).executeTakeFirst()
    },
  }
}
