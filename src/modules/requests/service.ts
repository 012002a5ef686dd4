import { sql, type Kysely } from 'kysely'
import type { ServiceDependencies } from '../../container.ts'
import type { Database } from '../../database.ts'
import { defaultCalendar, type Calendar, type RegionalCalendar } from '../../lib/calendar/calendar.ts'
import { Conflict, InvalidInput, NotFound } from '../../lib/errors.ts'
import { translator } from '../../lib/i18n/index.ts'
import {
  interruptionFor,
  isComplete,
  jobFor,
  jobsOf,
  locationOf,
  ownWordsOf,
  priorityDecision,
  pruneHiddenAnswers,
  regimesFor,
  routeFor,
  type Answers,
  type CatalogueServices,
  type LocationAnswer,
  type ServiceDefinition,
} from '../catalogue/index.ts'
import { recordAudit, type Actor } from '../identity/audit.ts'
import {
  describeRefusal,
  isOpen,
  isShownToResident,
  nextStatus,
  type ClosureReason,
  type LifecycleEvent,
  type Refusal,
  type RequestState,
  type RequestStatus,
} from './lifecycle.ts'
import {
  awaabsLawClocks,
  awaabsLawMilestonesDue,
  hazardReportedFor,
  recordAwaabsLawMilestone,
  type AwaabsLawClock,
  type AwaabsLawMilestone,
  type AwaabsLawMilestoneKind,
  type AwaabsLawMilestones,
} from './awaabs-law.ts'
import { generateReference, parseReference } from './references.ts'
import { isUuid } from './queue.ts'
import { requestsRepository, type NewRequestEventRow, type RequestEventRow, type RequestRow, type RequestSummaryRow } from './repository.ts'
import { checkedPhotoKeys, maySeePhoto, photoKeysIn, requestPhotosRepository, type PhotoViewer, type RequestPhoto } from './photos.ts'
import type { EventVisibility, Moderation, RequestChannel, RequestEventKind } from './tables.ts'
import { defaultPriorityPolicy, targetDate, targetDateWithPauses, type Priority, type PriorityPolicy } from './targets.ts'

export interface RequestDependencies extends ServiceDependencies {
  catalogue: Pick<CatalogueServices, 'currentDefinition' | 'definitionVersion' | 'pinnedDefinition'>
}

/**
 * Why a request is on hold, as the council codes it, and whether that stops the target clock:
 * waiting on the resident does, because the council cannot act; waiting on parts does not,
 * because that is the council's own delay.
 */
export interface HoldReason {
  code: string
  stopsClock: boolean
}

export const defaultHoldReasons: readonly HoldReason[] = [
  { code: 'awaiting-resident', stopsClock: true },
  { code: 'resident-asked-to-wait', stopsClock: true },
  { code: 'awaiting-materials', stopsClock: false },
  { code: 'awaiting-specialist', stopsClock: false },
  { code: 'awaiting-other-work', stopsClock: false },
]

export interface RequestServiceOptions {
  /** The clock, so tests can say when things happen. */
  now?: () => Date
  calendar?: Calendar
  priorityPolicy?: PriorityPolicy
  holdReasons?: readonly HoldReason[]
}

export interface NewRequest {
  serviceCode: string
  personId: string
  propertyUprn?: number | null
  answers: Answers
  channel: RequestChannel
  /** The agent who raised it for someone who phoned or called in. */
  raisedByStaffId?: string | null
  /** The version the form was started with; the current version when not given. */
  definitionVersionId?: string
  /** Photos another system holds, sent as addresses (Open311's media_url); stored as links, never fetched. */
  mediaUrls?: readonly string[]
}

/**
 * A change of status as a caller asks for it. The service adds what only it knows: the moment a
 * request closes, and how long the council allows for reopening.
 */
export type StatusChange =
  | { type: 'triage' | 'schedule' | 'start-work' | 'complete' | 'record-no-access' | 'resume' | 'cancel' }
  | { type: 'reopen' }
  | { type: 'put-on-hold'; holdReason: string }
  | { type: 'close'; closureReason: ClosureReason }

export interface ChangeOptions {
  actor: Actor
  /** The row version the person saw; a different one means someone else changed the request since. */
  expectedRowVersion: number
  note?: string
  /** Left out, a change is public when the lifecycle says residents see it. */
  visibility?: EventVisibility
  /** Photos stored with the change. */
  photoKeys?: string[]
  /** Who sees the photos, when fewer people should than see the change; never more. */
  photoVisibility?: EventVisibility
}

/** What a change that is not a status change carries: who made it, from which version of the page. */
export type EditOptions = Pick<ChangeOptions, 'actor' | 'expectedRowVersion'>

export interface NoteOptions {
  actor: Actor
  body: string
  visibility: EventVisibility
  expectedRowVersion?: number
  /** Photos stored with the note, seen by whoever sees it; a note with photos needs no words. */
  photoKeys?: string[]
}

/** A change the lifecycle does not allow, with the refusal for whoever wants to word it differently. */
export class TransitionRefused extends Conflict {
  constructor(
    readonly refusal: Refusal,
    message: string,
  ) {
    super(message)
  }
}

export interface RequestRecord {
  id: string
  reference: string
  serviceCode: string
  definitionVersionId: string
  personId: string
  propertyUprn: number | null
  answers: Answers
  channel: RequestChannel
  raisedByStaffId: string | null
  state: RequestState
  priority: Priority
  jobCode: string | null
  trade: string | null
  targetAt: Date | null
  regimes: string[]
  assignedTeamId: string | null
  assignedStaffId: string | null
  assignedContractorId: string | null
  createdAt: Date
  updatedAt: Date
  rowVersion: number
  /** A report of a service the council publishes, shown on the public map and list. */
  isPublic: boolean
  /** Photos another system holds, as it sent their addresses. */
  mediaUrls: string[]
}

export interface RequestSummary {
  id: string
  reference: string
  serviceCode: string
  personId: string
  propertyUprn: number | null
  status: RequestStatus
  priority: Priority
  targetAt: Date | null
  createdAt: Date
  updatedAt: Date
}

/** A request's Awaab's Law record: what has happened, each duty's clock, and what can be recorded next. */
export interface AwaabsLawRecord {
  milestones: AwaabsLawMilestones
  clocks: AwaabsLawClock[]
  due: AwaabsLawMilestoneKind[]
}

export interface TimelineEntry {
  id: number
  occurredAt: Date
  kind: RequestEventKind
  visibility: EventVisibility
  /** Who did it; residents are told only what kind of person, never which officer. */
  actor: Actor
  fromStatus: RequestStatus | null
  toStatus: RequestStatus | null
  body: string | null
  details: Record<string, unknown>
  /** Where a comment from a reporting app stands with the moderators; 'none' for every other event. */
  moderation: Moderation
  /** A comment's words as the public sees them, once a moderator has approved them. */
  publicBody: string | null
}

/** A comment a reporting app sends from one of its users, such as Open311's servicerequestupdates. */
export interface NewComment {
  actor: Actor
  body: string
  /** The name the app gives for its user: staff see it, the public never does. */
  authorName?: string | undefined
  /** Photos the app holds, sent as addresses; kept as links and never fetched. */
  mediaUrls?: readonly string[] | undefined
  /** When the comment was made in the other system. */
  at?: Date | undefined
}

const english = translator('en')
const referenceAttempts = 5
const noteLength = 4000

function stateOf(row: RequestRow): RequestState {
  if (row.status === 'on-hold') return { status: 'on-hold', resumeTo: row.resume_to!, holdReason: row.hold_reason! }
  if (row.status === 'closed') return { status: 'closed', closureReason: row.closure_reason!, closedAt: row.closed_at! }
  return { status: row.status }
}

/** The state's detail columns, each cleared unless the new state has it. */
function stateColumns(state: RequestState) {
  return {
    status: state.status,
    resume_to: state.status === 'on-hold' ? state.resumeTo : null,
    hold_reason: state.status === 'on-hold' ? state.holdReason : null,
    closure_reason: state.status === 'closed' ? state.closureReason : null,
    closed_at: state.status === 'closed' ? state.closedAt : null,
  }
}

function toRecord(row: RequestRow): RequestRecord {
  return {
    id: row.id,
    reference: row.reference,
    serviceCode: row.service_code,
    definitionVersionId: row.definition_version_id,
    personId: row.person_id,
    propertyUprn: row.property_uprn,
    answers: row.answers as Answers,
    channel: row.channel,
    raisedByStaffId: row.raised_by_staff_id,
    state: stateOf(row),
    priority: row.priority,
    jobCode: row.job_code,
    trade: row.trade,
    targetAt: row.target_at,
    regimes: row.regimes,
    assignedTeamId: row.assigned_team_id,
    assignedStaffId: row.assigned_staff_id,
    assignedContractorId: row.assigned_contractor_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    rowVersion: row.row_version,
    isPublic: row.is_public,
    mediaUrls: row.media_urls,
  }
}

function toSummary(row: RequestSummaryRow): RequestSummary {
  return {
    id: row.id,
    reference: row.reference,
    serviceCode: row.service_code,
    personId: row.person_id,
    propertyUprn: row.property_uprn,
    status: row.status,
    priority: row.priority,
    targetAt: row.target_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

/**
 * One event as its audience may see it. A resident is shown a comment only in the words a moderator
 * approved, never as sent, and never who wrote it or the other system's links.
 */
function toTimelineEntry(row: RequestEventRow, audience: 'resident' | 'staff'): TimelineEntry {
  const commentForResident = audience === 'resident' && row.kind === 'comment'
  return {
    id: row.id,
    occurredAt: row.occurred_at,
    kind: row.kind,
    visibility: row.visibility,
    actor: audience === 'staff' ? { kind: row.actor_kind, id: row.actor_id } : { kind: row.actor_kind },
    fromStatus: row.from_status,
    toStatus: row.to_status,
    body: commentForResident ? row.public_body : row.body,
    details: commentForResident ? {} : row.details,
    moderation: row.moderation,
    publicBody: row.public_body,
  }
}

/** An event only staff see, such as a triage decision or an assignment, with no change of status. */
function internalEvent(requestId: string, at: Date, kind: RequestEventKind, actor: Actor, details: Record<string, unknown>, body: string | null = null): NewRequestEventRow {
  return {
    request_id: requestId,
    occurred_at: at,
    kind,
    visibility: 'internal',
    actor_kind: actor.kind,
    actor_id: actor.id ?? null,
    from_status: null,
    to_status: null,
    body,
    details: JSON.stringify(details),
  }
}

/** A change to a request's appointment, as the scheduling module records it on the timeline. */
/** A status change once committed, as those who follow requests' statuses are told of it. */
export interface StatusChanged {
  requestId: string
  change: StatusChange
  from: RequestStatus
  to: RequestStatus
  actor: Actor
}

export type StatusFollower = (changed: StatusChanged) => Promise<void>

export interface AppointmentEvent {
  actor: Actor
  at: Date
  details: ({ change: 'booked' | 'moved' | 'cancelled' | 'completed' | 'no-access'; appointmentId: string } | { change: 'none-suitable'; appointmentId: null }) & Record<string, unknown>
}

/**
 * Adds an appointment change to the request's timeline inside the caller's transaction, so the
 * event commits or rolls back with the booking itself. The row version moves on, as for any
 * change, so a page opened before the booking cannot overwrite it. Messages about appointments
 * are the scheduling module's to send, so this event wakes no resident message of its own.
 */
export async function recordAppointmentEvent(transaction: Kysely<Database>, requestId: string, event: AppointmentEvent): Promise<{ rowVersion: number }> {
  const repository = requestsRepository(transaction)
  if (!(await repository.lockRequest(requestId))) throw new NotFound('request')
  const rowVersion = await repository.updateRequest(requestId, {}, event.at)
  await repository.insertEvent({
    request_id: requestId,
    occurred_at: event.at,
    kind: 'appointment',
    visibility: 'public',
    actor_kind: event.actor.kind,
    actor_id: event.actor.id ?? null,
    from_status: null,
    to_status: null,
    body: null,
    details: JSON.stringify(event.details),
    notify_resident: false,
  })
  return { rowVersion }
}

/**
 * The requests service: making requests, moving them through the lifecycle, notes, timelines and
 * the lists residents and staff see. Every rule comes from the pure functions beside it; this
 * layer only reads, decides with them, and writes each change with its timeline event in one
 * transaction.
 */
/** A request's location columns, from the place its answers give; all null for a request with none. */
function locationColumns(location: LocationAnswer | undefined) {
  if (!location) return {}
  return {
    location: `(${location.easting},${location.northing})`,
    easting: location.easting,
    northing: location.northing,
    latitude: location.latitude,
    longitude: location.longitude,
    usrn: location.usrn === undefined ? null : Number(location.usrn),
    ward_code: location.wardCode ?? null,
  }
}

export function createRequestServices(dependencies: RequestDependencies, options: RequestServiceOptions = {}) {
  const { db, config, logger, catalogue } = dependencies
  const now = options.now ?? (() => new Date())
  const allRegions = options.calendar ?? defaultCalendar
  const calendar: RegionalCalendar = allRegions.forRegion(config.council.bankHolidayRegion)
  const councilPolicy = options.priorityPolicy ?? { ...defaultPriorityPolicy, ...config.requests.priorityTargets }
  const holdReasons = new Map((options.holdReasons ?? defaultHoldReasons).map((reason) => [reason.code, reason]))
  const t = english

  /** The council's targets with the service's own in place of any it sets. */
  function policyFor(definition: ServiceDefinition): PriorityPolicy {
    return { ...councilPolicy, ...definition.targets }
  }


  function checkNote(body: string): string {
    const trimmed = body.trim()
    if (trimmed === '') throw new InvalidInput({ body: t('requests.errors.noteMissing') })
    if (trimmed.length > noteLength) throw new InvalidInput({ body: t('requests.errors.noteTooLong', { limit: noteLength }) })
    return trimmed
  }

  function checkRowVersion(row: RequestRow, expected: number | undefined): void {
    if (expected !== undefined && row.row_version !== expected) throw new Conflict(t('requests.errors.changedBySomeoneElse'))
  }

  function lifecycleEvent(change: StatusChange, at: Date): LifecycleEvent {
    switch (change.type) {
      case 'close':
        return { type: 'close', closureReason: change.closureReason, at }
      case 'reopen':
        return { type: 'reopen', at, reopenWithinDays: config.requests.reopenWithinDays }
      default:
        return change
    }
  }

  async function auditStaffChange(transaction: typeof db, actor: Actor, action: string, requestId: string, details: Record<string, unknown>) {
    if (actor.kind !== 'staff') return
    await recordAudit(transaction, { actor, action, subject: { type: 'request', id: requestId }, details })
  }

  const statusFollowers: StatusFollower[] = []

  /** Changes the request's status with its timeline event, and whatever else belongs with the change, in one transaction. */
  async function changeStatusOnly(
    requestId: string,
    change: StatusChange,
    changeOptions: ChangeOptions,
    alongside?: (transaction: Kysely<Database>) => Promise<void>,
  ): Promise<{ state: RequestState; rowVersion: number; from: RequestStatus }> {
    const note = changeOptions.note === undefined ? null : checkNote(changeOptions.note)
    const photoKeys = checkedPhotoKeys(changeOptions.photoKeys ?? [], t)
    const holdReason = change.type === 'put-on-hold' ? holdReasons.get(change.holdReason) : undefined
    if (change.type === 'put-on-hold' && !holdReason) throw new InvalidInput({ holdReason: t('requests.errors.holdReasonUnknown') })

    return db.transaction().execute(async (transaction) => {
      const repository = requestsRepository(transaction)
      const row = await repository.lockRequest(requestId)
      if (!row) throw new NotFound('request')
      checkRowVersion(row, changeOptions.expectedRowVersion)

      const at = now()
      const before = stateOf(row)
      const transition = nextStatus(before, lifecycleEvent(change, at))
      if (!transition.allowed) throw new TransitionRefused(transition.refusal, describeRefusal(transition.refusal, t))
      const after = transition.state

      const holdEnds = before.status === 'on-hold' && after.status !== 'on-hold'
      if (holdEnds) await repository.endHold(requestId, at)
      if (after.status === 'on-hold' && holdReason) {
        await repository.startHold({ requestId, reason: holdReason.code, stopsClock: holdReason.stopsClock, at })
      }
      // Worked out again from the recorded spells, which say for themselves whether they stopped the clock.
      let targetAt = row.target_at
      if (holdEnds || after.status === 'on-hold') {
        const definition = await catalogue.pinnedDefinition(row.definition_version_id)
        const pauses = (await repository.clockStoppingHolds(requestId)).map((hold) => ({ from: hold.started_at, to: hold.ended_at }))
        targetAt = targetDateWithPauses(row.priority, row.created_at, pauses, calendar, policyFor(definition))
      }

      const rowVersion = await repository.updateRequest(requestId, { ...stateColumns(after), target_at: targetAt }, at)
      const visibility = isShownToResident(before.status, after) ? (changeOptions.visibility ?? 'public') : 'internal'
      const details: Record<string, unknown> = { event: change.type }
      if (change.type === 'put-on-hold') details.holdReason = change.holdReason
      if (change.type === 'close') details.closureReason = change.closureReason
      if (targetAt?.getTime() !== row.target_at?.getTime()) details.targetAt = targetAt?.toISOString() ?? null
      const eventId = await repository.insertEvent({
        request_id: requestId,
        occurred_at: at,
        kind: 'status-change',
        visibility,
        actor_kind: changeOptions.actor.kind,
        actor_id: changeOptions.actor.id ?? null,
        from_status: before.status,
        to_status: after.status,
        body: note,
        details: JSON.stringify(details),
        notify_resident: visibility === 'public',
      })
      const photoVisibility = visibility === 'internal' ? 'internal' : (changeOptions.photoVisibility ?? visibility)
      await requestPhotosRepository(transaction).add(requestId, { keys: photoKeys, visibility: photoVisibility, actor: changeOptions.actor, eventId, at })
      await auditStaffChange(transaction, changeOptions.actor, 'request.change-status', requestId, { from: before.status, to: after.status })
      await alongside?.(transaction)
      return { state: after, rowVersion, from: before.status }
    })
  }

  /** Tells every follower of status changes about one that has committed. */
  async function tellStatusFollowers(requestId: string, change: StatusChange, from: RequestStatus, to: RequestStatus, actor: Actor) {
    for (const follower of statusFollowers) {
      // The change stands whatever a follower makes of it; a follower that fails is logged for staff to put right.
      await follower({ requestId, change, from, to, actor }).catch((error: unknown) =>
        logger.error({ err: error, requestId, change: change.type }, 'Something that follows a request’s status could not keep up with a change'),
      )
    }
  }

  return {
    /**
     * Makes a request pinned to the service's current definition, with its priority, job, legal
     * regimes and target decided from the answers, and its first timeline event. Returns the
     * reference the person is given.
     */
    async createRequest(input: NewRequest): Promise<{ id: string; reference: string }> {
      // A published version never changes, so it can be read before the transaction.
      const current = input.definitionVersionId
        ? await catalogue.definitionVersion(input.definitionVersionId)
        : await catalogue.currentDefinition(input.serviceCode)
      if (!current || current.code !== input.serviceCode) throw new NotFound('service')
      const { id: versionId, definition } = current
      if (!isComplete(definition, input.answers) || interruptionFor(definition, input.answers)) {
        throw new InvalidInput({ answers: t('requests.errors.answersIncomplete') })
      }
      if ((input.channel === 'phone' || input.channel === 'counter') && !input.raisedByStaffId) {
        throw new InvalidInput({ raisedByStaffId: t('requests.errors.agentMissing') })
      }

      const answers = pruneHiddenAnswers(definition, input.answers)
      const photoKeys = checkedPhotoKeys(photoKeysIn(definition, answers), t)
      const decision = priorityDecision(definition, answers)
      const job = jobFor(definition, answers)
      const regimes = regimesFor(definition, answers)
      const location = locationOf(definition, answers)
      const isPublic = definition.recordVisibility === 'public'
      const reportedAt = now()
      const targetAt = targetDate(decision.priority, reportedAt, calendar, policyFor(definition))

      return db.transaction().execute(async (transaction) => {
        const inTransaction = requestsRepository(transaction)
        if (!(await inTransaction.personExists(input.personId))) throw new NotFound('person')
        const propertyUprn = input.propertyUprn ?? null
        if (propertyUprn !== null && !(await inTransaction.propertyExists(propertyUprn))) {
          throw new InvalidInput({ propertyUprn: t('requests.errors.propertyUnknown') })
        }
        const route = routeFor(definition, {
          trade: job?.trade ?? null,
          wardCode: propertyUprn === null ? (location?.wardCode ?? null) : await inTransaction.wardOfProperty(propertyUprn),
        })
        const teamId = (await inTransaction.teamIdByCode(route.teamCode)) ?? (await inTransaction.teamIdByCode(definition.owningTeam))
        const contractorId = route.contractorCode === null ? undefined : await inTransaction.contractorIdByCode(route.contractorCode)
        // The request is still made, with the owning team, so nothing the resident sent is lost.
        if (route.contractorCode !== null && !contractorId) logger.warn({ contractor: route.contractorCode }, 'A routing rule names a contractor the council does not have')

        let id: string | undefined
        let reference = ''
        for (let attempt = 1; id === undefined; attempt++) {
          if (attempt > referenceAttempts) throw new Error(`No free request reference after ${referenceAttempts} attempts`)
          reference = generateReference()
          id = await inTransaction.insertRequestUnlessReferenceTaken({
            reference,
            service_code: input.serviceCode,
            definition_version_id: versionId,
            person_id: input.personId,
            property_uprn: propertyUprn,
            answers: JSON.stringify(answers),
            channel: input.channel,
            raised_by_staff_id: input.raisedByStaffId ?? null,
            status: 'reported',
            priority: decision.priority,
            job_code: job?.code ?? null,
            trade: job?.trade ?? null,
            target_at: targetAt,
            regimes,
            assigned_team_id: teamId ?? null,
            assigned_contractor_id: contractorId ?? null,
            created_at: reportedAt,
            updated_at: reportedAt,
            ...locationColumns(location),
            is_public: isPublic,
            media_urls: [...(input.mediaUrls ?? [])],
            moderation: isPublic && (ownWordsOf(definition, answers) !== undefined || photoKeys.length > 0) ? 'pending' : 'none',
          })
          if (id === undefined) logger.warn({ attempt }, 'A new request reference was already taken; trying another')
        }

        const actor: Actor = input.raisedByStaffId ? { kind: 'staff', id: input.raisedByStaffId } : { kind: 'resident', id: input.personId }
        // The resident's confirmation is the message for this event.
        const receivedEventId = await inTransaction.insertEvent({
          request_id: id,
          occurred_at: reportedAt,
          kind: 'status-change',
          visibility: 'public',
          actor_kind: actor.kind,
          actor_id: actor.id ?? null,
          from_status: null,
          to_status: 'reported',
          body: null,
          details: JSON.stringify({ channel: input.channel, priority: decision.priority, priorityReason: decision.reason.kind, jobCode: job?.code ?? null, regimes }),
          notify_resident: true,
        })
        await requestPhotosRepository(transaction).add(id, { keys: photoKeys, visibility: 'public', actor, eventId: receivedEventId, at: reportedAt })
        if (route.ruleIndex !== null) {
          const to = { teamId: teamId ?? null, staffId: null, contractorId: contractorId ?? null }
          await inTransaction.insertEvent(internalEvent(id, reportedAt, 'assignment', { kind: 'system' }, { routingRule: route.ruleIndex, to }))
        }
        if (regimes.includes('awaabs-law') && config.council.nation === 'england') {
          await inTransaction.startAwaabsLawClocks(id, hazardReportedFor(decision.priority), reportedAt)
        }
        if (input.raisedByStaffId) {
          await recordAudit(transaction, {
            actor,
            action: 'request.raise-for-person',
            subject: { type: 'request', id },
            details: { reference, channel: input.channel, personId: input.personId },
          })
        }
        return { id, reference }
      })
    },

    /**
     * Moves a request on through the lifecycle. A change made from a stale page, or one the
     * lifecycle does not allow, is refused and changes nothing. Holds that stop the clock move the
     * target out when they end. Returns the new state and row version.
     */
    async changeStatus(requestId: string, change: StatusChange, changeOptions: ChangeOptions): Promise<{ state: RequestState; rowVersion: number }> {
      const changed = await changeStatusOnly(requestId, change, changeOptions)
      await tellStatusFollowers(requestId, change, changed.from, changed.state.status, changeOptions.actor)
      return { state: changed.state, rowVersion: changed.rowVersion }
    },

    /**
     * Closes a report as a duplicate of another of the same service that is still open. The
     * duplicate's reporter, followers and supporters move to the report kept, so everyone hears of
     * the problem from one place.
     */
    async mergeDuplicate(duplicateId: string, keepReference: string, changeOptions: ChangeOptions): Promise<{ state: RequestState; rowVersion: number }> {
      const repository = requestsRepository(db)
      const duplicate = await repository.requestById(duplicateId)
      if (!duplicate) throw new NotFound('request')
      const parsed = parseReference(keepReference)
      const keep = parsed === undefined ? undefined : await repository.requestByReference(parsed)
      if (!keep) throw new InvalidInput({ keepReference: t('requests.errors.mergeUnknown') })
      if (keep.id === duplicate.id) throw new InvalidInput({ keepReference: t('requests.errors.mergeItself') })
      if (keep.service_code !== duplicate.service_code) throw new InvalidInput({ keepReference: t('requests.errors.mergeOtherService', { reference: keep.reference }) })
      if (keep.duplicate_of !== null || !isOpen(keep.status)) throw new InvalidInput({ keepReference: t('requests.errors.mergeClosed', { reference: keep.reference }) })
      const change: StatusChange = { type: 'close', closureReason: 'duplicate' }
      const note = changeOptions.note ?? t('requests.merge.note', { reference: keep.reference })
      const changed = await changeStatusOnly(duplicateId, change, { ...changeOptions, note }, async (transaction) => {
        await transaction.updateTable('requests').set({ duplicate_of: keep.id }).where('id', '=', duplicateId).execute()
        // The kept report's own reporter hears of it as its reporter, so never also as a follower.
        await sql`
          insert into request_followers (request_id, person_id, supports, followed_at)
          select ${keep.id}::uuid, person_id, bool_or(supports), min(followed_at)
          from (
            select person_id, supports, followed_at from request_followers where request_id = ${duplicateId}::uuid
            union all select ${duplicate.person_id}::uuid, true, now()
          ) as moving
          where person_id <> ${keep.person_id}::uuid
          group by person_id
          on conflict (request_id, person_id) do update set supports = request_followers.supports or excluded.supports
        `.execute(transaction)
        await transaction.deleteFrom('request_followers').where('request_id', '=', duplicateId).execute()
      })
      await tellStatusFollowers(duplicateId, change, changed.from, changed.state.status, changeOptions.actor)
      return { state: changed.state, rowVersion: changed.rowVersion }
    },

    /** Asks to be told of every status change once it is committed: scheduling follows visits this way. */
    onStatusChange(follower: StatusFollower): void {
      statusFollowers.push(follower)
    },

    /**
     * Adds a note to the timeline. Staff write internal notes or public updates; a resident adds
     * information to their own request, which staff always see. Either way the request's row
     * version moves on, so nobody changes it without having seen the note.
     */
    async addNote(requestId: string, noteOptions: NoteOptions): Promise<{ rowVersion: number }> {
      const photoKeys = checkedPhotoKeys(noteOptions.photoKeys ?? [], t)
      const body = photoKeys.length > 0 && noteOptions.body.trim() === '' ? null : checkNote(noteOptions.body)
      const fromResident = noteOptions.actor.kind === 'resident'
      const visibility: EventVisibility = fromResident ? 'public' : noteOptions.visibility
      const kind: RequestEventKind = fromResident ? 'information-added' : visibility === 'public' ? 'public-update' : 'note'

      return db.transaction().execute(async (transaction) => {
        const repository = requestsRepository(transaction)
        const row = await repository.lockRequest(requestId)
        if (!row || (fromResident && row.person_id !== noteOptions.actor.id)) throw new NotFound('request')
        checkRowVersion(row, noteOptions.expectedRowVersion)
        const at = now()
        const rowVersion = await repository.updateRequest(requestId, {}, at)
        const eventId = await repository.insertEvent({
          request_id: requestId,
          occurred_at: at,
          kind,
          visibility,
          actor_kind: noteOptions.actor.kind,
          actor_id: noteOptions.actor.id ?? null,
          from_status: null,
          to_status: null,
          body,
          details: JSON.stringify({}),
          notify_resident: kind === 'public-update',
        })
        await requestPhotosRepository(transaction).add(requestId, { keys: photoKeys, visibility, actor: noteOptions.actor, eventId, at })
        await auditStaffChange(transaction, noteOptions.actor, `request.${kind}`, requestId, { visibility })
        return { rowVersion }
      })
    },

    /** A comment on a request from a reporting app's user: staff see it at once; everyone else once a moderator approves it. */
    async addComment(requestId: string, comment: NewComment): Promise<{ eventId: number; rowVersion: number }> {
      const body = checkNote(comment.body.replace(/\r\n?/g, '\n'))
      const details = {
        authorName: comment.authorName?.trim() || null,
        mediaUrls: [...(comment.mediaUrls ?? [])],
        madeAt: comment.at?.toISOString() ?? null,
      }
      return db.transaction().execute(async (transaction) => {
        const repository = requestsRepository(transaction)
        if (!(await repository.lockRequest(requestId))) throw new NotFound('request')
        const at = now()
        const rowVersion = await repository.updateRequest(requestId, {}, at)
        // Internal until a moderator approves it, and never a message to the resident of its own.
        const eventId = await repository.insertEvent({
          ...internalEvent(requestId, at, 'comment', comment.actor, details, body),
          moderation: 'pending',
          notify_resident: false,
        })
        return { eventId, rowVersion }
      })
    },

    /**
     * Confirms or changes a request's priority, which sets its target again from when it was
     * made, and its job, which must be one the service's answers can describe, and moves a newly reported request on to triaged. Internal to staff, except the
     * status change, which the resident sees as any other.
     */
    async triage(
      requestId: string,
      decision: { priority: Priority; jobCode?: string },
      changeOptions: EditOptions & Pick<ChangeOptions, 'note'>,
    ): Promise<{ rowVersion: number }> {
      const note = changeOptions.note === undefined ? null : checkNote(changeOptions.note)
      return db.transaction().execute(async (transaction) => {
        const repository = requestsRepository(transaction)
        const row = await repository.lockRequest(requestId)
        if (!row) throw new NotFound('request')
        checkRowVersion(row, changeOptions.expectedRowVersion)
        const at = now()
        const before = stateOf(row)
        const after: RequestState = before.status === 'reported' ? { status: 'triaged' } : before
        const definition = await catalogue.pinnedDefinition(row.definition_version_id)
        const job = decision.jobCode === undefined ? undefined : jobsOf(definition).find((offered) => offered.code === decision.jobCode)
        if (decision.jobCode !== undefined && !job) throw new InvalidInput({ jobCode: t('requests.staff.errors.jobUnknown') })
        const pauses = (await repository.clockStoppingHolds(requestId)).map((hold) => ({ from: hold.started_at, to: hold.ended_at }))
        const onHoldWithClockStopped = pauses.some((pause) => pause.to === null)
        const targetAt = onHoldWithClockStopped ? null : targetDateWithPauses(decision.priority, row.created_at, pauses, calendar, policyFor(definition))

        const jobColumns = job ? { job_code: job.code, trade: job.trade } : {}
        const rowVersion = await repository.updateRequest(requestId, { ...stateColumns(after), ...jobColumns, priority: decision.priority, target_at: targetAt }, at)
        const actor = { actor_kind: changeOptions.actor.kind, actor_id: changeOptions.actor.id ?? null }
        const triaged = {
          previousPriority: row.priority,
          priority: decision.priority,
          previousJobCode: row.job_code,
          jobCode: job?.code ?? row.job_code,
          targetAt: targetAt?.toISOString() ?? null,
        }
        await repository.insertEvent(internalEvent(requestId, at, 'triage', changeOptions.actor, triaged, note))
        if (after.status !== before.status) {
          await repository.insertEvent({
            request_id: requestId,
            occurred_at: at,
            kind: 'status-change',
            visibility: 'public',
            ...actor,
            from_status: before.status,
            to_status: after.status,
            body: null,
            details: JSON.stringify({ event: 'triage' }),
            notify_resident: true,
          })
        }
        await auditStaffChange(transaction, changeOptions.actor, 'request.triage', requestId, {
          from: row.priority,
          to: decision.priority,
          fromJob: row.job_code,
          toJob: job?.code ?? row.job_code,
        })
        return { rowVersion }
      })
    },

    /**
     * Gives a request to a team, an officer and a contractor; a null leaves that one unassigned.
     * Internal to staff: residents are told when something happens, not who is doing it.
     */
    async assign(
      requestId: string,
      assignment: { teamId: string | null; staffId: string | null; contractorId: string | null },
      changeOptions: EditOptions,
    ): Promise<{ rowVersion: number }> {
      return db.transaction().execute(async (transaction) => {
        const exists = async (table: 'teams' | 'contractors' | 'staff_members', id: string | null) =>
          id === null || (isUuid(id) && (await transaction.selectFrom(table).select('id').where('id', '=', id).executeTakeFirst()) !== undefined)
        const errors: Record<string, string> = {}
        if (!(await exists('teams', assignment.teamId))) errors.team = t('requests.staff.errors.assigneeUnknown')
        if (!(await exists('staff_members', assignment.staffId))) errors.officer = t('requests.staff.errors.assigneeUnknown')
        if (!(await exists('contractors', assignment.contractorId))) errors.contractor = t('requests.staff.errors.assigneeUnknown')
        if (Object.keys(errors).length) throw new InvalidInput(errors)

        const repository = requestsRepository(transaction)
        const row = await repository.lockRequest(requestId)
        if (!row) throw new NotFound('request')
        checkRowVersion(row, changeOptions.expectedRowVersion)
        const at = now()
        const rowVersion = await repository.updateRequest(
          requestId,
          { assigned_team_id: assignment.teamId, assigned_staff_id: assignment.staffId, assigned_contractor_id: assignment.contractorId },
          at,
        )
        const details = {
          from: { teamId: row.assigned_team_id, staffId: row.assigned_staff_id, contractorId: row.assigned_contractor_id },
          to: assignment,
        }
        await repository.insertEvent(internalEvent(requestId, at, 'assignment', changeOptions.actor, details))
        await auditStaffChange(transaction, changeOptions.actor, 'request.assign', requestId, details)
        return { rowVersion }
      })
    },

    /** The Awaab's Law record of a damp and mould request in England, or undefined for any other. */
    async awaabsLaw(requestId: string): Promise<AwaabsLawRecord | undefined> {
      const milestones = await requestsRepository(db).awaabsLawOf(requestId)
      if (!milestones) return undefined
      return { milestones, clocks: awaabsLawClocks(milestones, now(), allRegions), due: awaabsLawMilestonesDue(milestones) }
    },

    /**
     * Records something done under Awaab's Law (the investigation concluded, the written summary
     * given, the home made safe), which starts or stops the clocks that depend on it.
     */
    async recordAwaabsLawMilestone(requestId: string, milestone: AwaabsLawMilestone, changeOptions: EditOptions): Promise<{ rowVersion: number }> {
      return db.transaction().execute(async (transaction) => {
        const repository = requestsRepository(transaction)
        const row = await repository.lockRequest(requestId)
        if (!row) throw new NotFound('request')
        checkRowVersion(row, changeOptions.expectedRowVersion)
        const milestones = await repository.awaabsLawOf(requestId)
        if (!milestones) throw new InvalidInput({ milestone: t('requests.errors.awaabsLawNotApplicable') })
        const at = now()
        const result = recordAwaabsLawMilestone(milestones, milestone, at)
        if (!result.recorded) throw new InvalidInput({ [result.refusal === 'in-the-future' || result.refusal.startsWith('before') ? 'at' : 'milestone']: t(`requests.errors.milestone.${result.refusal}`) })
        await repository.saveAwaabsLaw(requestId, result.milestones)
        const rowVersion = await repository.updateRequest(requestId, {}, at)
        const details = milestone.kind === 'investigation-concluded'
          ? { milestone: milestone.kind, at: milestone.at.toISOString(), hazardFound: milestone.hazardFound, furtherWorkNeeded: result.milestones.furtherWorkNeeded }
          : { milestone: milestone.kind, at: milestone.at.toISOString() }
        await repository.insertEvent(internalEvent(requestId, at, 'milestone', changeOptions.actor, details))
        await auditStaffChange(transaction, changeOptions.actor, 'request.awaabs-law-milestone', requestId, details)
        return { rowVersion }
      })
    },

    /** The request's events in order; a resident sees only the public ones. */
    async timeline(requestId: string, { audience }: { audience: 'resident' | 'staff' }): Promise<TimelineEntry[]> {
      const visibilities: EventVisibility[] = audience === 'resident' ? ['public'] : ['public', 'internal']
      const rows = await requestsRepository(db).eventsOf(requestId, visibilities)
      return rows.map((row) => toTimelineEntry(row, audience))
    },

    /** The request's photos in the order they were added; a resident sees only the public ones, and not who added them. */
    async photosOf(requestId: string, audience: 'resident' | 'staff'): Promise<RequestPhoto[]> {
      const photos = await requestPhotosRepository(db).photosOf(requestId, audience === 'resident' ? ['public'] : ['public', 'internal'])
      return audience === 'staff' ? photos : photos.map((photo) => ({ ...photo, addedBy: { kind: photo.addedBy.kind } }))
    },

    /**
     * The stored files of a photo the viewer may see. One they may not see is "not found", exactly
     * as a photo that does not exist, so an address reveals nothing.
     */
    async photoFor(photoId: string, viewer: PhotoViewer): Promise<{ fileKey: string; thumbnailKey: string }> {
      const photo = await requestPhotosRepository(db).photoWithAccess(photoId)
      if (!photo || !maySeePhoto(viewer, photo)) throw new NotFound('photo')
      return { fileKey: photo.fileKey, thumbnailKey: photo.thumbnailKey }
    },

    /** For staff: the whole request. */
    async request(requestId: string): Promise<RequestRecord> {
      const row = await requestsRepository(db).requestById(requestId)
      if (!row) throw new NotFound('request')
      return toRecord(row)
    },

    /** A resident's own requests, newest first: they belong to the person, wherever they live now. */
    async requestsOf(personId: string): Promise<RequestSummary[]> {
      return (await requestsRepository(db).requestsOfPerson(personId)).map(toSummary)
    },

    /** For staff: every request made at a property, whoever made it, newest first. */
    async propertyHistory(uprn: number): Promise<RequestSummary[]> {
      return (await requestsRepository(db).requestsAtProperty(uprn)).map(toSummary)
    },

    /**
     * The resident's own request with this reference. Someone else's request is "not found", exactly
     * as a reference that does not exist, so a guessed reference reveals nothing.
     */
    async requestForResident(reference: string, personId: string): Promise<RequestRecord> {
      const parsed = parseReference(reference)
      const row = parsed === undefined ? undefined : await requestsRepository(db).requestOfPerson(parsed, personId)
      if (!row) throw new NotFound('request')
      return toRecord(row)
    },

    /** Any request by its reference, for staff, who may see every one. */
    async requestByReference(reference: string): Promise<RequestRecord> {
      const parsed = parseReference(reference)
      const row = parsed === undefined ? undefined : await requestsRepository(db).requestByReference(parsed)
      if (!row) throw new NotFound('request')
      return toRecord(row)
    },

    holdReasons: [...holdReasons.values()],
  }
}

export type RequestServices = ReturnType<typeof createRequestServices>
