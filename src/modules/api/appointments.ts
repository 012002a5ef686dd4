import { InvalidInput } from '../../lib/errors.ts'
import { isPlainDate } from '../../lib/calendar/index.ts'
import type { Actor } from '../identity/index.ts'
import { slotMoments, slotText, type Appointment, type SchedulingServices, type Slot } from '../scheduling/index.ts'
import type { ApiCaller } from './callers.ts'
import { ApiProblem } from './problems.ts'
import type { JsonApi } from './service.ts'

export interface AppointmentApiDependencies {
  api: Pick<JsonApi, 'visibleRequest' | 'mayWrite'>
  scheduling: Pick<SchedulingServices, 'availableSlots' | 'book' | 'move' | 'cancel' | 'currentAppointment'>
}

export function appointmentJson(appointment: Appointment) {
  const { starts, ends } = slotMoments(appointment)
  const words = slotText(appointment)
  return {
    id: appointment.id,
    date: appointment.date,
    window: appointment.window,
    description: `${words.day}, ${words.times}`,
    starts: starts.toISOString(),
    ends: ends.toISOString(),
    status: appointment.status,
    version: appointment.version,
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

function slotOf(body: unknown): Slot {
  if (!isObject(body)) throw new InvalidInput({ body: 'Send the slot as a JSON object: { "date": "2026-12-01", "window": "morning" }' })
  const errors: Record<string, string> = {}
  if (typeof body.date !== 'string' || !isPlainDate(body.date)) errors.date = 'date must be a day as YYYY-MM-DD, from GET …/slots'
  if (typeof body.window !== 'string' || body.window.trim() === '') errors.window = 'window must be one of the windows GET …/slots lists, such as morning'
  if (Object.keys(errors).length > 0) throw new InvalidInput(errors)
  return { date: body.date as string, window: body.window as string }
}

/** What the client read of the visit it is changing: its id and version, either of which it may leave out. */
export interface AppointmentAsRead {
  id?: unknown
  version?: unknown
}

/**
 * The version to change the visit at. A moved visit is a new appointment that starts again at
 * version 1, so a version alone cannot tell a visit moved since from the one read: the id can.
 */
function versionOf(read: AppointmentAsRead, current: Appointment): number {
  if (read.id !== undefined && read.id !== current.id) throw new ApiProblem(409, 'Conflict', 'The visit has been moved since it was read; read it again before changing it')
  if (read.version === undefined) return current.version
  if (!Number.isInteger(read.version)) throw new InvalidInput({ version: 'version must be the whole number the appointment was read with' })
  return read.version as number
}

/**
 * Visits for a request, as an app books them: the slots open before the request's target, and
 * booking, moving and cancelling through the scheduling service the web pages use, so capacity,
 * messages and the timeline are the same whichever way a visit is booked.
 */
export function createAppointmentApi({ api, scheduling }: AppointmentApiDependencies) {
  async function writable(caller: ApiCaller, reference: string): Promise<{ requestId: string; actor: Actor }> {
    const { row } = await api.visibleRequest(caller, reference)
    api.mayWrite(caller, row.serviceCode)
    const actor: Actor = caller.kind === 'resident' ? { kind: 'resident', id: caller.personId } : { kind: 'api-client', id: caller.kind === 'client' ? caller.client.keyId : null }
    return { requestId: row.id, actor }
  }

  async function current(requestId: string): Promise<Appointment> {
    const appointment = await scheduling.currentAppointment(requestId)
    if (!appointment) throw new ApiProblem(404, 'Not found', 'The request has no visit booked')
    return appointment
  }

  return {
    async slots(caller: ApiCaller, reference: string) {
      const { requestId } = await writable(caller, reference)
      const days = await scheduling.availableSlots(requestId)
      return days.map((day) => ({
        date: day.date,
        slots: day.slots.map((slot) => ({ window: slot.window, description: slotText(slot).times, free: slot.free })),
      }))
    },

    async appointment(caller: ApiCaller, reference: string) {
      const { requestId } = await writable(caller, reference)
      return appointmentJson(await current(requestId))
    },

    async book(caller: ApiCaller, reference: string, body: unknown) {
      const { requestId, actor } = await writable(caller, reference)
      return appointmentJson(await scheduling.book(requestId, slotOf(body), actor))
    },

    async move(caller: ApiCaller, reference: string, body: unknown) {
      const { requestId, actor } = await writable(caller, reference)
      const booked = await current(requestId)
      return appointmentJson(await scheduling.move(booked.id, slotOf(body), actor, versionOf(body as Record<string, unknown>, booked)))
    },

    async cancel(caller: ApiCaller, reference: string, read: AppointmentAsRead) {
      const { requestId, actor } = await writable(caller, reference)
      const booked = await current(requestId)
      await scheduling.cancel(booked.id, actor, versionOf(read, booked))
    },
  }
}

export type AppointmentApi = ReturnType<typeof createAppointmentApi>
