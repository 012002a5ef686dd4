import type { TaskList } from 'graphile-worker'
import type { Kysely, Selectable } from 'kysely'
import type { ServiceDependencies } from '../../container.ts'
import type { Database } from '../../database.ts'
import { defaultCalendar, type Calendar, type RegionalCalendar } from '../../lib/calendar/calendar.ts'
import { addDays, isPlainDate, type PlainDate } from '../../lib/calendar/plain-date.ts'
import { ukDateOf } from '../../lib/calendar/uk-time.ts'
import { Conflict, InvalidInput, NotFound } from '../../lib/errors.ts'
import { translator } from '../../lib/i18n/index.ts'
import { recordAudit, type Actor } from '../identity/audit.ts'
import { isOpen, nextStatus, recordAppointmentEvent, type Addressee, type RequestServices, type ResidentMessages, type StatusChanged } from '../requests/index.ts'
import { readChangeLinkToken, changeLinkToken } from './change-links.ts'
import { calendarFile } from './calendar-file.ts'
import { createCapacityQueries } from './capacity-queries.ts'
import { reminderDecision, reminderSendAt } from './reminders.ts'
import { slotMoments, slotText, type SlotText } from './slot-text.ts'
import type { AppointmentStatus } from './tables.ts'
import { checkWindows, defaultWindows, isBookableDay, slotsBetween, windowOf, type AppointmentWindow, type Slot, type SlotsOfDay } from './windows.ts'

export interface SchedulingDependencies extends ServiceDependencies {
  requests: Pick<RequestServices, 'request' | 'changeStatus'>
  messages: Pick<ResidentMessages, 'addresseeOf' | 'queueRequestMessage'>
}

export interface SchedulingServiceOptions {
  /** The clock, so tests can say when things happen. */
  now?: () => Date
  calendar?: Calendar
  windows?: readonly AppointmentWindow[]
}

/** Whose diary a place is in: a council team or a contractor. */
export type CapacityOwner = { kind: 'team'; id: string } | { kind: 'contractor'; id: string }

export interface Appointment extends Slot {
  id: string
  requestId: string
  owner: CapacityOwner
  status: AppointmentStatus
  version: number
}

const t = translator('en')

/** The messages the scheduling module sends about a visit. */
type AppointmentMessage = 'appointment-booked' | 'appointment-moved' | 'appointment-cancelled' | 'appointment-reminder' | 'appointment-no-access'

/** What a change link can do now: change its visit, or nothing, and why. */
export type ChangeLinkState =
  | { usable: true; appointment: Appointment }
  | { usable: false; reason: 'invalid' | 'expired'; requestId?: undefined }
  | { usable: false; reason: 'changed'; requestId: string }

export const sendRemindersTask = 'send-appointment-reminders'

/** How many reminders one transaction takes, so a backlog never holds locks for long. */
const reminderBatchSize = 100

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

function ownerColumns(owner: CapacityOwner) {
  return { team_id: owner.kind === 'team' ? owner.id : null, contractor_id: owner.kind === 'contractor' ? owner.id : null }
}

/** The column and value that pick out an owner's rows. */
function ownerFilter(owner: CapacityOwner) {
  return owner.kind === 'team' ? (['team_id', owner.id] as const) : (['contractor_id', owner.id] as const)
}

function ownerOf(row: { team_id: string | null; contractor_id: string | null }): CapacityOwner {
  return row.contractor_id !== null ? { kind: 'contractor', id: row.contractor_id } : { kind: 'team', id: row.team_id! }
}

function toAppointment(row: {
  id: string
  request_id: string
  team_id: string | null
  contractor_id: string | null
  date: string
  window_code: string
  status: AppointmentStatus
  version: number
}): Appointment {
  return { id: row.id, requestId: row.request_id, owner: ownerOf(row), date: row.date, window: row.window_code, status: row.status, version: row.version }
}

/** Postgres reports a broken unique index with this code. */
function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505'
}

/**
 * Capacity, closures and appointments. Booking takes a place with one conditional update, so
 * however many people book at once the database lets only as many through as there are places;
 * every change writes the appointment, the capacity and the request's timeline in one transaction.
 */
export function createSchedulingServices(dependencies: SchedulingDependencies, options: SchedulingServiceOptions = {}) {
  const { db, config, logger, requests, messages } = dependencies
  const now = options.now ?? (() => new Date())
  const calendar: RegionalCalendar = (options.calendar ?? defaultCalendar).forRegion(config.council.bankHolidayRegion)
  const windows = options.windows ?? defaultWindows
  checkWindows(windows)

  function checkSlot(slot: Slot): void {
    if (!isPlainDate(slot.date)) throw new InvalidInput({ date: t('scheduling.errors.dateInvalid') })
    if (!windowOf(slot.window, windows)) throw new InvalidInput({ window: t('scheduling.errors.windowUnknown') })
  }

  async function closedDays(transaction: Kysely<Database>, owner: CapacityOwner, from: PlainDate, to: PlainDate): Promise<PlainDate[]> {
    const [column, id] = ownerFilter(owner)
    const rows = await transaction
      .selectFrom('closures')
      .select('date')
      .where('date', '>=', from)
      .where('date', '<=', to)
      .where((where) => where.or([where(column, '=', id), where.and([where('team_id', 'is', null), where('contractor_id', 'is', null)])]))
      .execute()
    return rows.map((row) => row.date)
  }

  /** A slot a visit can be booked in, capacity aside: a known window on a working day after today, not closed. */
  async function checkBookable(transaction: Kysely<Database>, owner: CapacityOwner, slot: Slot): Promise<void> {
    checkSlot(slot)
    const closures = await closedDays(transaction, owner, slot.date, slot.date)
    if (!isBookableDay(slot.date, { today: ukDateOf(now()), calendar, closures })) {
      throw new InvalidInput({ date: t('scheduling.errors.dayNotBookable') })
    }
  }

  /** Takes one place, or says the slot is full; the condition on `booked` is checked under the row's lock. */
  async function takePlace(transaction: Kysely<Database>, owner: CapacityOwner, slot: Slot): Promise<void> {
    const [column, id] = ownerFilter(owner)
    const taken = await transaction
      .updateTable('capacity')
      .set((update) => ({ booked: update('booked', '+', 1), updated_at: now() }))
      .where(column, '=', id)
      .where('date', '=', slot.date)
      .where('window_code', '=', slot.window)
      .whereRef('booked', '<', 'places')
      .returning('id')
      .executeTakeFirst()
    if (!taken) {
      const text = slotText(slot, windows)
      throw new Conflict(t('scheduling.errors.slotFull', { date: text.day, window: text.times }))
    }
  }

  async function freePlace(transaction: Kysely<Database>, owner: CapacityOwner, slot: Slot): Promise<void> {
    const [column, id] = ownerFilter(owner)
    const freed = await transaction
      .updateTable('capacity')
      .set((update) => ({ booked: update('booked', '-', 1), updated_at: now() }))
      .where(column, '=', id)
      .where('date', '=', slot.date)
      .where('window_code', '=', slot.window)
      .where('booked', '>', 0)
      .returning('id')
      .executeTakeFirst()
    // Booked appointments always hold a place, so a missing one means the data has been changed by hand.
    if (!freed) logger.warn({ owner, slot }, 'An appointment was released from a slot that had no place booked')
  }

  async function lockAppointment(transaction: Kysely<Database>, appointmentId: string, expectedVersion: number) {
    if (!uuidPattern.test(appointmentId)) throw new NotFound('appointment')
    const row = await transaction.selectFrom('appointments').selectAll().where('id', '=', appointmentId).forUpdate().executeTakeFirst()
    if (!row) throw new NotFound('appointment')
    if (row.version !== expectedVersion || row.status !== 'booked') {
      throw new Conflict(t('scheduling.errors.appointmentChanged'))
    }
    return row
  }

  async function insertAppointment(transaction: Kysely<Database>, requestId: string, owner: CapacityOwner, slot: Slot, actor: Actor, at: Date) {
    try {
      const row = await transaction
        .insertInto('appointments')
        .values({
          request_id: requestId,
          ...ownerColumns(owner),
          date: slot.date,
          window_code: slot.window,
          status: 'booked',
          booked_by_kind: actor.kind,
          booked_by_id: actor.id ?? null,
          created_at: at,
          updated_at: at,
          reminder_due_at: reminderSendAt(slot.date, { now: at, sendAt: config.scheduling.reminderTime, quietHours: config.scheduling.quietHours }) ?? null,
        })
        .returningAll()
        .executeTakeFirstOrThrow()
      return toAppointment(row)
    } catch (error) {
      if (isUniqueViolation(error)) throw new Conflict(t('scheduling.errors.alreadyBooked'))
      throw error
    }
  }

  async function auditStaffChange(transaction: Kysely<Database>, actor: Actor, action: string, appointmentId: string, details: Record<string, unknown>) {
    if (actor.kind !== 'staff') return
    await recordAudit(transaction, { actor, action, subject: { type: 'appointment', id: appointmentId }, details })
  }

  /** The request's owner for visits: the contractor sent to do the work, or else the team that owns it. */
  async function ownerOfRequest(requestId: string): Promise<{ owner: CapacityOwner | undefined; targetDate: PlainDate | undefined; open: boolean }> {
    const request = await requests.request(requestId)
    const owner: CapacityOwner | undefined = request.assignedContractorId
      ? { kind: 'contractor', id: request.assignedContractorId }
      : request.assignedTeamId
        ? { kind: 'team', id: request.assignedTeamId }
        : undefined
    return { owner, targetDate: request.targetAt ? ukDateOf(request.targetAt) : undefined, open: isOpen(request.state.status) }
  }

  /**
   * The link in a message that changes or cancels one version of a visit without signing in. It
   * stops working when the visit's window starts, and the moment the visit changes.
   */
  function changeLinkFor(appointment: Pick<Appointment, 'id' | 'version' | 'date' | 'window'>): string {
    const secret = config.scheduling.changeLinkSecret
    if (!secret) throw new Error('Change links need APPOINTMENT_LINK_SECRET or SESSION_SECRET to sign them')
    const token = changeLinkToken({ appointmentId: appointment.id, version: appointment.version, expiresAt: slotMoments(appointment, windows).starts }, secret)
    return `${config.baseUrl}/appointments/${token}`
  }

  /** Cancels a booked visit locked by the caller: its place freed, the timeline and audit written. */
  async function cancelBooked(transaction: Kysely<Database>, booked: Selectable<Database['appointments']>, actor: Actor): Promise<Appointment> {
    await freePlace(transaction, ownerOf(booked), { date: booked.date, window: booked.window_code })
    const at = now()
    const row = await transaction
      .updateTable('appointments')
      .set((update) => ({ status: 'cancelled', version: update('version', '+', 1), updated_at: at }))
      .where('id', '=', booked.id)
      .returningAll()
      .executeTakeFirstOrThrow()
    const details = { change: 'cancelled' as const, appointmentId: booked.id, date: booked.date, window: booked.window_code }
    await recordAppointmentEvent(transaction, booked.request_id, { actor, at, details })
    await auditStaffChange(transaction, actor, 'appointment.cancel', booked.id, details)
    return toAppointment(row)
  }

  /** Booked visits whose reminder has come due and is not yet queued, oldest due first. */
  function dueReminders(handle: Kysely<Database>) {
    return handle
      .selectFrom('appointments')
      .where('status', '=', 'booked')
      .where('reminder_queued_at', 'is', null)
      .where('reminder_due_at', '<=', now())
      .orderBy('reminder_due_at')
      .limit(reminderBatchSize)
  }

  /** Tells the tenant about a visit, in the transaction that changed it. */
  async function tellTenant(transaction: Kysely<Database>, addressee: Addressee, message: AppointmentMessage, slot: Slot, link?: string): Promise<void> {
    const text = slotText(slot, windows)
    const queued = await messages.queueRequestMessage(transaction, addressee, message, { date: text.day, window: text.times, ...(link && { link }) })
    if (!queued) logger.info({ personId: addressee.personId, message }, 'An appointment message could not be sent: the tenant has no way to be reached')
  }

  /**
   * Moves the request to scheduled once its visit is booked, where the lifecycle allows; a request
   * already scheduled, or in a state the lifecycle keeps as it is, is left alone.
   */
  async function markScheduled(requestId: string, actor: Actor): Promise<void> {
    const request = await requests.request(requestId)
    if (request.state.status === 'scheduled' || !nextStatus(request.state, { type: 'schedule' }).allowed) return
    try {
      // Internal, so the tenant is not sent a status message on top of the appointment's own.
      await requests.changeStatus(requestId, { type: 'schedule' }, { actor, expectedRowVersion: request.rowVersion, visibility: 'internal' })
    } catch (error) {
      // The booking has committed and stands; an officer changing the request at the same moment
      // wins, and the request's status is theirs to set.
      if (!(error instanceof Conflict)) throw error
      logger.warn({ requestId }, 'A booked request was changed by someone else before it could be marked scheduled')
    }
  }

  const service = {
    windows,

    /**
     * Sets how many visits an owner can make in a window on a day. Fewer places than are already
     * booked is refused: the booked visits must be moved first.
     */
    async setCapacity(owner: CapacityOwner, slot: Slot, places: number, actor: Actor): Promise<void> {
      checkSlot(slot)
      if (!Number.isInteger(places) || places < 0) throw new InvalidInput({ places: t('scheduling.errors.placesInvalid') })
      await db.transaction().execute(async (transaction) => {
        const [column, id] = ownerFilter(owner)
        await transaction
          .insertInto('capacity')
          .values({ ...ownerColumns(owner), date: slot.date, window_code: slot.window, places: 0 })
          .onConflict((conflict) => conflict.columns([column, 'date', 'window_code']).where(column, 'is not', null).doNothing())
          .execute()
        const row = await transaction
          .selectFrom('capacity')
          .select(['id', 'places', 'booked'])
          .where(column, '=', id)
          .where('date', '=', slot.date)
          .where('window_code', '=', slot.window)
          .forUpdate()
          .executeTakeFirstOrThrow()
        if (places < row.booked) {
          throw new InvalidInput({ places: t('scheduling.errors.placesBelowBooked', { booked: row.booked }) })
        }
        await transaction.updateTable('capacity').set({ places, updated_at: now() }).where('id', '=', row.id).execute()
        await recordAudit(transaction, {
          actor,
          action: 'capacity.set',
          subject: { type: owner.kind, id: owner.id },
          details: { date: slot.date, window: slot.window, from: row.places, to: places },
        })
      })
    },

    /** Stops visits on a day for one owner, or, with no owner, for everyone. */
    async addClosure(owner: CapacityOwner | null, date: PlainDate, reason: string, actor: Actor): Promise<void> {
      if (!isPlainDate(date)) throw new InvalidInput({ date: t('scheduling.errors.dateInvalid') })
      const trimmed = reason.trim()
      if (trimmed === '') throw new InvalidInput({ reason: t('scheduling.errors.closureReasonMissing') })
      await db.transaction().execute(async (transaction) => {
        const columns = owner ? ownerColumns(owner) : { team_id: null, contractor_id: null }
        const { id } = await transaction.insertInto('closures').values({ ...columns, date, reason: trimmed }).returning('id').executeTakeFirstOrThrow()
        await recordAudit(transaction, { actor, action: 'closure.add', subject: { type: 'closure', id }, details: { owner, date, reason: trimmed } })
      })
    },

    /** The free slots from tomorrow to the request's target date, by day, for whoever will visit. */
    async availableSlots(requestId: string): Promise<SlotsOfDay[]> {
      const { owner, targetDate, open } = await ownerOfRequest(requestId)
      if (!owner || !targetDate || !open) return []
      const today = ukDateOf(now())
      const tomorrow = addDays(today, 1)
      const [column, id] = ownerFilter(owner)
      const capacity = await db
        .selectFrom('capacity')
        .select(['date', 'window_code as window', 'places', 'booked'])
        .where(column, '=', id)
        .where('date', '>=', tomorrow)
        .where('date', '<=', targetDate)
        .execute()
      const closures = await closedDays(db, owner, tomorrow, targetDate)
      return slotsBetween({ today, lastDay: targetDate, calendar, capacity, closures, windows })
    },

    /** Books the request's visit in a slot, taking one of its places. */
    async book(requestId: string, slot: Slot, actor: Actor): Promise<Appointment> {
      const { owner, open } = await ownerOfRequest(requestId)
      if (!open) throw new Conflict(t('scheduling.errors.requestFinished'))
      if (!owner) throw new Conflict(t('scheduling.errors.nobodyToVisit'))
      const addressee = await messages.addresseeOf(requestId)
      const appointment = await db.transaction().execute(async (transaction) => {
        await checkBookable(transaction, owner, slot)
        const alreadyBooked = await transaction
          .selectFrom('appointments')
          .select('id')
          .where('request_id', '=', requestId)
          .where('status', '=', 'booked')
          .executeTakeFirst()
        if (alreadyBooked) throw new Conflict(t('scheduling.errors.alreadyBooked'))
        await takePlace(transaction, owner, slot)
        const at = now()
        const booked = await insertAppointment(transaction, requestId, owner, slot, actor, at)
        await recordAppointmentEvent(transaction, requestId, { actor, at, details: { change: 'booked', appointmentId: booked.id, date: slot.date, window: slot.window } })
        await auditStaffChange(transaction, actor, 'appointment.book', booked.id, { requestId, date: slot.date, window: slot.window })
        await tellTenant(transaction, addressee, 'appointment-booked', slot, changeLinkFor(booked))
        return booked
      })
      await markScheduled(requestId, actor)
      return appointment
    },

    /**
     * Moves a visit to another slot: the new place is taken and the old one freed together, or
     * neither. The old appointment is kept, marked moved, and the new one starts its own versions.
     */
    async move(appointmentId: string, slot: Slot, actor: Actor, expectedVersion: number): Promise<Appointment> {
      const addressee = await messages.addresseeOf((await service.appointment(appointmentId)).requestId)
      return db.transaction().execute(async (transaction) => {
        const old = await lockAppointment(transaction, appointmentId, expectedVersion)
        const owner = ownerOf(old)
        if (old.date === slot.date && old.window_code === slot.window) throw new InvalidInput({ date: t('scheduling.errors.sameSlot') })
        await checkBookable(transaction, owner, slot)
        await takePlace(transaction, owner, slot)
        await freePlace(transaction, owner, { date: old.date, window: old.window_code })
        const at = now()
        await transaction
          .updateTable('appointments')
          .set((update) => ({ status: 'moved', version: update('version', '+', 1), updated_at: at }))
          .where('id', '=', old.id)
          .execute()
        const moved = await insertAppointment(transaction, old.request_id, owner, slot, actor, at)
        const details = { change: 'moved' as const, appointmentId: moved.id, movedFrom: old.id, from: { date: old.date, window: old.window_code }, date: slot.date, window: slot.window }
        await recordAppointmentEvent(transaction, old.request_id, { actor, at, details })
        await auditStaffChange(transaction, actor, 'appointment.move', moved.id, details)
        await tellTenant(transaction, addressee, 'appointment-moved', slot, changeLinkFor(moved))
        return moved
      })
    },

    /** Cancels a visit and frees its place for someone else. */
    async cancel(appointmentId: string, actor: Actor, expectedVersion: number): Promise<Appointment> {
      const addressee = await messages.addresseeOf((await service.appointment(appointmentId)).requestId)
      return db.transaction().execute(async (transaction) => {
        const old = await lockAppointment(transaction, appointmentId, expectedVersion)
        const cancelled = await cancelBooked(transaction, old, actor)
        await tellTenant(transaction, addressee, 'appointment-cancelled', cancelled)
        return cancelled
      })
    },

    /**
     * Cancels the booked visit of a request that has been cancelled or closed, freeing its place.
     * The tenant hears of the request's own change, so no message of its own goes.
     */
    async releaseVisit(requestId: string, actor: Actor): Promise<Appointment | undefined> {
      return db.transaction().execute(async (transaction) => {
        const booked = await transaction.selectFrom('appointments').selectAll().where('request_id', '=', requestId).where('status', '=', 'booked').forUpdate().executeTakeFirst()
        return booked && cancelBooked(transaction, booked, actor)
      })
    },

    /**
     * Records what became of the request's booked visit when the operative reports back. A visit
     * where nobody let them in keeps its place taken (the visit happened), counts in the property's
     * no-access history, and asks the tenant to book again. Undefined when no visit was booked.
     */
    async recordVisitOutcome(requestId: string, outcome: 'completed' | 'no-access', actor: Actor): Promise<Appointment | undefined> {
      const addressee = await messages.addresseeOf(requestId)
      return db.transaction().execute(async (transaction) => {
        const booked = await transaction.selectFrom('appointments').selectAll().where('request_id', '=', requestId).where('status', '=', 'booked').forUpdate().executeTakeFirst()
        if (!booked) return undefined
        const at = now()
        const row = await transaction
          .updateTable('appointments')
          .set((update) => ({ status: outcome, version: update('version', '+', 1), updated_at: at }))
          .where('id', '=', booked.id)
          .returningAll()
          .executeTakeFirstOrThrow()
        const slot = { date: booked.date, window: booked.window_code }
        await recordAppointmentEvent(transaction, requestId, { actor, at, details: { change: outcome, appointmentId: booked.id, ...slot } })
        if (outcome === 'no-access') await tellTenant(transaction, addressee, 'appointment-no-access', slot)
        return toAppointment(row)
      })
    },

    /**
     * The tenant found no offered time suitable: the request waits for staff to arrange a visit,
     * and its timeline says so, so an officer knows to call.
     */
    async noSuitableTime(requestId: string, actor: Actor): Promise<void> {
      await db.transaction().execute(async (transaction) => {
        await recordAppointmentEvent(transaction, requestId, { actor, at: now(), details: { change: 'none-suitable', appointmentId: null } })
      })
    },

    /**
     * Keeps the request's booked visit in step with what happens to the request. An outcome
     * recorded for the work is the visit's own: nobody in, or done (work done or started).
     * Cancelling or closing the request frees the visit's place.
     */
    async followRequestStatus({ requestId, change, to, actor }: StatusChanged): Promise<void> {
      if (change.type === 'record-no-access') await service.recordVisitOutcome(requestId, 'no-access', actor)
      else if (change.type === 'complete' || change.type === 'start-work') await service.recordVisitOutcome(requestId, 'completed', actor)
      else if (!isOpen(to)) await service.releaseVisit(requestId, actor)
    },

    /** How many visits to a property found nobody in, across every request made there. */
    async noAccessVisits(uprn: number): Promise<number> {
      const row = await db
        .selectFrom('appointments')
        .innerJoin('requests', 'requests.id', 'appointments.request_id')
        .select((select) => select.fn.countAll<string>().as('visits'))
        .where('appointments.status', '=', 'no-access')
        .where('requests.property_uprn', '=', uprn)
        .executeTakeFirstOrThrow()
      return Number(row.visits)
    },

    /**
     * The visit a page showed, as its form sends it back, checked to be the request's booked visit.
     * A moved visit is a new appointment whose versions start again, so the form names the
     * appointment as well as its version: a page from before a move, or with its fields missing,
     * is refused as changed since it was seen; a version changed since is refused when the change is made.
     */
    async seenVisit(requestId: string, shown: { appointment: string; version: string }): Promise<{ id: string; version: number }> {
      const current = await service.currentAppointment(requestId)
      if (!current || current.id !== shown.appointment || !/^\d+$/.test(shown.version)) throw new Conflict(t('scheduling.errors.appointmentChanged'))
      return { id: current.id, version: Number(shown.version) }
    },

    /** The request's visit booked now, if any. */
    async currentAppointment(requestId: string): Promise<Appointment | undefined> {
      const row = await db.selectFrom('appointments').selectAll().where('request_id', '=', requestId).where('status', '=', 'booked').executeTakeFirst()
      return row && toAppointment(row)
    },

    /**
     * Whether the request waits for a visit to be booked: its priority is one the council books
     * (emergencies are attended without), it is open, someone is there to visit, and none is booked.
     */
    async needsBooking(requestId: string): Promise<boolean> {
      const request = await requests.request(requestId)
      if (!config.scheduling.bookedPriorities.includes(request.priority as (typeof config.scheduling.bookedPriorities)[number])) return false
      if (!isOpen(request.state.status) || (!request.assignedTeamId && !request.assignedContractorId)) return false
      return (await service.currentAppointment(requestId)) === undefined
    },

    /** A slot in words: { day: "Wednesday 3 June 2026", times: "8am to midday" }. */
    describe: (slot: Slot): SlotText => slotText(slot, windows),

    changeLinkFor,

    /**
     * Reads a change link. It works only for the version of the visit it was made for, while that
     * visit is still booked and has not started; otherwise it says why not, so the page can help.
     */
    async readChangeLink(token: string): Promise<ChangeLinkState> {
      const secret = config.scheduling.changeLinkSecret
      if (!secret) throw new Error('Change links need APPOINTMENT_LINK_SECRET or SESSION_SECRET to read them')
      const reading = readChangeLinkToken(token, secret, now())
      if (!reading.valid) return { usable: false, reason: reading.reason === 'expired' ? 'expired' : 'invalid' }
      const row = await db.selectFrom('appointments').selectAll().where('id', '=', reading.claims.appointmentId).executeTakeFirst()
      if (!row) return { usable: false, reason: 'invalid' }
      const appointment = toAppointment(row)
      if (row.version !== reading.claims.version || row.status !== 'booked') return { usable: false, reason: 'changed', requestId: row.request_id }
      return { usable: true, appointment }
    },

    /** The visit as a calendar file, so the tenant can add it to their own calendar. */
    calendarFileFor(appointment: Appointment, details: { summary: string; description: string; location: string | undefined }): string {
      const { starts, ends } = slotMoments(appointment, windows)
      return calendarFile({ uid: `${appointment.id}@${new URL(config.baseUrl).host}`, starts, ends, stamp: now(), ...details }, config.council.name)
    },

    /**
     * Queues the reminders that have come due, in batches, each marked queued in the transaction
     * that queues it, so however often this runs and however many run at once, a reminder goes
     * once. Only booked visits are looked at, so a cancelled or moved one never gets a reminder (a
     * move books a new visit with a reminder of its own). In quiet hours reminders wait; once the
     * day of the visit has come they are dropped, too late to help. Returns how many were queued.
     */
    async sendDueReminders(): Promise<number> {
      let queued = 0
      for (;;) {
        // Who each tenant is, read first, so the transaction that holds the rows needs no second connection.
        const candidates = await dueReminders(db).select(['appointments.id', 'appointments.request_id']).execute()
        if (candidates.length === 0) return queued
        const addressees = new Map<string, Addressee>()
        for (const { request_id: requestId } of candidates) {
          if (!addressees.has(requestId)) addressees.set(requestId, await messages.addresseeOf(requestId))
        }
        const batch = await db.transaction().execute(async (transaction) => {
          const due = await dueReminders(transaction)
            .selectAll()
            .where('id', 'in', candidates.map((candidate) => candidate.id))
            .forUpdate()
            .skipLocked()
            .execute()
          let sent = 0
          for (const row of due) {
            const decision = reminderDecision(row.date, now(), config.scheduling.quietHours)
            if (decision === 'wait') continue
            if (decision === 'send') {
              await tellTenant(transaction, addressees.get(row.request_id)!, 'appointment-reminder', { date: row.date, window: row.window_code }, changeLinkFor(toAppointment(row)))
              sent += 1
            } else logger.info({ appointmentId: row.id }, 'A reminder was not sent: the day of the visit came before it could be')
            await transaction
              .updateTable('appointments')
              .set(decision === 'send' ? { reminder_queued_at: now() } : { reminder_due_at: null })
              .where('id', '=', row.id)
              .execute()
          }
          return { settled: due.length, sent }
        })
        queued += batch.sent
        // A batch that settled nothing is all waiting for quiet hours to end, or taken by another sweep.
        if (candidates.length < reminderBatchSize || batch.sent === 0) return queued
      }
    },

    async appointment(appointmentId: string): Promise<Appointment> {
      const row = uuidPattern.test(appointmentId) ? await db.selectFrom('appointments').selectAll().where('id', '=', appointmentId).executeTakeFirst() : undefined
      if (!row) throw new NotFound('appointment')
      return toAppointment(row)
    },

    /** Every appointment the request has had, oldest first. */
    async appointmentsOf(requestId: string): Promise<Appointment[]> {
      const rows = await db.selectFrom('appointments').selectAll().where('request_id', '=', requestId).orderBy('created_at').orderBy('id').execute()
      return rows.map(toAppointment)
    },
  }

  const tasks: TaskList = {
    [sendRemindersTask]: async () => {
      await service.sendDueReminders()
    },
  }
  /** Every minute, so a reminder goes within a minute of its time. */
  const schedule = `* * * * * ${sendRemindersTask}`
  // The back office's reads of capacity and closures, and setting places for many days at once.
  const capacity = createCapacityQueries({ db, calendar, windows, setCapacity: service.setCapacity })
  return { ...service, ...capacity, tasks, schedule }
}

export type SchedulingServices = ReturnType<typeof createSchedulingServices>
