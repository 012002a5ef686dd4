import type { Kysely } from 'kysely'
import type { ServiceDependencies } from '../../container.ts'
import type { Database } from '../../database.ts'
import { ukDateOf, type PlainDate } from '../../lib/calendar/index.ts'
import { Conflict, Forbidden, InvalidInput, NotFound, type FieldErrors } from '../../lib/errors.ts'
import { translator } from '../../lib/i18n/index.ts'
import { recordAudit, type Permission, type ResidentAccounts, type StaffActor } from '../identity/index.ts'
import type { PlacesServices } from '../places/index.ts'
import {
  canSeeWarnings,
  checkEndReason,
  checkNewWarning,
  inOrderOfImportance,
  isDueForReview,
  longestDescription,
  longestEndReason,
  type WarningCategory,
  type WarningForm,
  type WarningJob,
  type WarningViewer,
} from './rules.ts'

export type WarningSubject = { kind: 'person'; personId: string } | { kind: 'property'; uprn: number }

export interface Warning {
  id: string
  subject: WarningSubject
  category: WarningCategory
  description: string
  recordedBy: { id: string; name: string }
  recordedAt: Date
  reviewOn: PlainDate | null
  dueForReview: boolean
  ended: { at: Date; byId: string; reason: string } | null
}

/** The person and property of a job, and the contractor it is assigned to. */
export interface JobSubjects extends WarningJob {
  personId: string | null
  propertyUprn: number | null
}

export interface WarningDependencies extends ServiceDependencies {
  people: Pick<ResidentAccounts, 'findPersonById'>
  places: Pick<PlacesServices, 'addressByUprn'>
}

export interface WarningServiceOptions {
  /** The clock, so tests can say when things happen. */
  now?: () => Date
}

const english = translator('en')
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

function assertCan(viewer: WarningViewer, permission: Permission) {
  if (!viewer.permissions.has(permission)) throw new Forbidden()
}

const lengthLimits: Record<string, number> = { description: longestDescription, reason: longestEndReason }

/** Refuses what was sent, with each rule's message in words; a "too long" message says how long is allowed. */
function invalid(errors: FieldErrors): never {
  const message = (field: string, key: string) => english(`warnings.${key}`, { limit: (lengthLimits[field] ?? 0).toLocaleString('en-GB') })
  throw new InvalidInput(Object.fromEntries(Object.entries(errors).map(([field, key]) => [field, message(field, key)])))
}

function selectWarnings(db: Kysely<Database>) {
  return db
    .selectFrom('warnings')
    .innerJoin('staff_members as recorder', 'recorder.id', 'warnings.recorded_by')
    .selectAll('warnings')
    .select('recorder.name as recorded_by_name')
}

type WarningRow = Awaited<ReturnType<ReturnType<typeof selectWarnings>['executeTakeFirstOrThrow']>>

function toWarning(row: WarningRow, today: PlainDate): Warning {
  const reviewOn = row.review_on
  return {
    id: row.id,
    subject: row.person_id !== null ? { kind: 'person', personId: row.person_id } : { kind: 'property', uprn: row.property_uprn! },
    category: row.category,
    description: row.description,
    recordedBy: { id: row.recorded_by, name: row.recorded_by_name },
    recordedAt: row.recorded_at,
    reviewOn,
    dueForReview: isDueForReview({ reviewOn }, today),
    ended: row.ended_at && row.ended_by && row.end_reason ? { at: row.ended_at, byId: row.ended_by, reason: row.end_reason } : null,
  }
}

/**
 * Warnings about a person or a property: a risk to staff, someone vulnerable, an animal. Staff with
 * the permission record and end them; they are shown to staff who may see them and, through a
 * job, to the contractor sent there. Every change is in the audit log.
 */
export function createWarningServices({ db, people, places }: WarningDependencies, options: WarningServiceOptions = {}) {
  const now = options.now ?? (() => new Date())
  const today = () => ukDateOf(now())

  async function current(subjects: { personId: string | null; propertyUprn: number | null }): Promise<Warning[]> {
    const personId = subjects.personId !== null && uuidPattern.test(subjects.personId) ? subjects.personId : null
    const propertyUprn = subjects.propertyUprn
    if (personId === null && propertyUprn === null) return []
    const rows = await selectWarnings(db)
      .where('warnings.ended_at', 'is', null)
      .where((row) =>
        row.or([
          ...(personId === null ? [] : [row('warnings.person_id', '=', personId)]),
          ...(propertyUprn === null ? [] : [row('warnings.property_uprn', '=', propertyUprn)]),
        ]),
      )
      .execute()
    const date = today()
    return inOrderOfImportance(rows.map((row) => toWarning(row, date)))
  }

  async function describeSubject(subject: WarningSubject): Promise<string> {
    if (subject.kind === 'property') return (await places.addressByUprn(subject.uprn)).singleLine
    const person = uuidPattern.test(subject.personId) ? await people.findPersonById(subject.personId) : undefined
    if (!person) throw new NotFound('person')
    return `${person.givenName} ${person.familyName}`.trim()
  }

  return {
    /** The person's name or the property's address, to say what a warning is about; NotFound when there is no such one. */
    describeSubject,

    /** Records a new warning, checked first; the warning's words stay out of the append-only audit log, which only says one was made. */
    async record(subject: WarningSubject, form: WarningForm, actor: StaffActor): Promise<Warning> {
      assertCan(actor, 'warnings.manage')
      await describeSubject(subject)
      const checked = checkNewWarning(form, today())
      if ('errors' in checked) invalid(checked.errors)
      const { category, description, reviewOn } = checked.warning
      return db.transaction().execute(async (transaction) => {
        const { id } = await transaction
          .insertInto('warnings')
          .values({
            person_id: subject.kind === 'person' ? subject.personId : null,
            property_uprn: subject.kind === 'property' ? subject.uprn : null,
            category,
            description,
            recorded_by: actor.id,
            recorded_at: now(),
            review_on: reviewOn,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
        await recordAudit(transaction, {
          actor: { kind: 'staff', id: actor.id },
          action: 'warning.record',
          subject: { type: 'warning', id },
          details: { about: subject.kind, ...(subject.kind === 'person' ? { personId: subject.personId } : { uprn: subject.uprn }), category, reviewOn },
          ipAddress: actor.ipAddress,
        })
        return toWarning(await selectWarnings(transaction).where('warnings.id', '=', id).executeTakeFirstOrThrow(), today())
      })
    },

    /** Ends a warning with the reason it is no longer needed. It is kept, never deleted, so the record stays. */
    async end(warningId: string, reason: string, actor: StaffActor): Promise<void> {
      assertCan(actor, 'warnings.manage')
      if (!uuidPattern.test(warningId)) throw new NotFound('warning')
      await db.transaction().execute(async (transaction) => {
        const row = await transaction.selectFrom('warnings').selectAll().where('id', '=', warningId).forUpdate().executeTakeFirst()
        if (!row) throw new NotFound('warning')
        if (row.ended_at !== null) throw new Conflict(english('warnings.errors.alreadyEnded'))
        const checked = checkEndReason(reason)
        if ('errors' in checked) invalid(checked.errors)
        await transaction
          .updateTable('warnings')
          .set({ ended_at: now(), ended_by: actor.id, end_reason: checked.reason })
          .where('id', '=', warningId)
          .execute()
        await recordAudit(transaction, {
          actor: { kind: 'staff', id: actor.id },
          action: 'warning.end',
          subject: { type: 'warning', id: warningId },
          details: { about: row.person_id !== null ? 'person' : 'property', category: row.category },
          ipAddress: actor.ipAddress,
        })
      })
    },

    /** One warning, current or ended, for staff who may see or manage warnings. */
    async warning(warningId: string, viewer: WarningViewer): Promise<Warning> {
      if (!viewer.permissions.has('warnings.view') && !viewer.permissions.has('warnings.manage')) throw new Forbidden()
      const row = uuidPattern.test(warningId) ? await selectWarnings(db).where('warnings.id', '=', warningId).executeTakeFirst() : undefined
      if (!row) throw new NotFound('warning')
      return toWarning(row, today())
    },

    /** A person's current warnings, most pressing first. */
    async currentForPerson(personId: string, viewer: WarningViewer): Promise<Warning[]> {
      assertCan(viewer, 'warnings.view')
      return current({ personId, propertyUprn: null })
    },

    /** A property's current warnings, most pressing first. */
    async currentForProperty(uprn: number, viewer: WarningViewer): Promise<Warning[]> {
      assertCan(viewer, 'warnings.view')
      return current({ personId: null, propertyUprn: uprn })
    },

    /**
     * The current warnings about a job's person and property together, for whoever is looking at
     * it; none at all for someone who may not see them, so a page can always ask.
     */
    async warningsForJob(job: JobSubjects, viewer: WarningViewer): Promise<Warning[]> {
      if (!canSeeWarnings(viewer, job)) return []
      return current(job)
    },
  }
}

export type WarningServices = ReturnType<typeof createWarningServices>
