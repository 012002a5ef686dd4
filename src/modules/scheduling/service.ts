import type { Kysely } from 'kysely'
import type { ServiceDependencies } from '../../container.ts'
import type { Database } from '../../database.ts'
import { defaultCalendar, type Calendar, type RegionalCalendar } from '../../lib/calendar/calendar.ts'
import { addDays, isPlainDate, type PlainDate } from '../../lib/calendar/plain-date.ts'
import { ukDateOf, ukTimeZone } from '../../lib/calendar/uk-time.ts'
import { Conflict, InvalidInput, NotFound } from '../../lib/errors.ts'
import { translator } from '../../lib/i18n/index.ts'
import { recordAudit, type Actor } from '../identity/audit.ts'
import { isOpen, nextStatus, recordAppointmentEvent, type RequestServices } from '../requests/index.ts'
import type { AppointmentStatus } from './tables.ts'
import { checkWindows, defaultWindows, isBookableDay, slotsBetween, windowOf, type AppointmentWindow, type Slot, type SlotsOfDay } from './windows.ts'

export interface SchedulingDependencies extends ServiceDependencies {
  requests: Pick<RequestServices, 'request' | 'changeStatus'>
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

/**
 * A day as GOV.UK style writes it, "Wednesday 3 June 2026". Weekday and date are formatted apart
 * because versions of the ICU data differ on a comma between them; noon UTC is the same UK day in
 * any season.
 */
const weekdayFormat = new Intl.DateTimeFormat('en-GB', { weekday: 'long', timeZone: ukTimeZone })
const dateFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: ukTimeZone })
function dayText(date: PlainDate): string {
  const noon = new Date(`${date}T12:00:00Z`)
  return `${weekdayFormat.format(noon)} ${dateFormat.format(noon)}`
}

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
  const { db, config, logger, requests } = dependencies
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
    if (!taken) throw new Conflict(t('scheduling.errors.slotFull', { date: dayText(slot.date), window: slot.window }))
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
   * Moves the request to scheduled once its visit is booked, where the lifecycle allows; a request
   * already scheduled, or in a state the lifecycle keeps as it is, is left alone.
   */
  async function markScheduled(requestId: string, actor: Actor): Promise<void> {
    const request = await requests.request(requestId)
    if (request.state.status === 'scheduled' || !nextStatus(request.state, { type: 'schedule' }).allowed) return
    try {
      await requests.changeStatus(requestId, { type: 'schedule' }, { actor, expectedRowVersion: request.rowVersion })
    } catch (error) {
      // The booking has committed and stands; an officer changing the request at the same moment
      // wins, and the request's status is theirs to set.
      if (!(error instanceof Conflict)) throw error
      logger.warn({ requestId }, 'A booked request was changed by someone else before it could be marked scheduled')
    }
  }

  return {
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
        return moved
      })
    },

    /** Cancels a visit and frees its place for someone else. */
    async cancel(appointmentId: string, actor: Actor, expectedVersion: number): Promise<Appointment> {
      return db.transaction().execute(async (transaction) => {
        const old = await lockAppointment(transaction, appointmentId, expectedVersion)
        await freePlace(transaction, ownerOf(old), { date: old.date, window: old.window_code })
        const at = now()
        const row = await transaction
          .updateTable('appointments')
          .set((update) => ({ status: 'cancelled', version: update('version', '+', 1), updated_at: at }))
          .where('id', '=', old.id)
          .returningAll()
          .executeTakeFirstOrThrow()
        const details = { change: 'cancelled' as const, appointmentId: old.id, date: old.date, window: old.window_code }
        await recordAppointmentEvent(transaction, old.request_id, { actor, at, details })
        await auditStaffChange(transaction, actor, 'appointment.cancel', old.id, details)
        return toAppointment(row)
      })
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
}

export type SchedulingServices = ReturnType<typeof createSchedulingServices>
