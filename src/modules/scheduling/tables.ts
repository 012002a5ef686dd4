import type { ColumnType } from 'kysely'
import type { CreatedAt, Generated, NullableTimestamp } from '../../lib/database/tables.ts'
import type { ActorKind } from '../identity/tables.ts'

export const appointmentStatuses = ['booked', 'cancelled', 'moved', 'completed', 'no-access'] as const
export type AppointmentStatus = (typeof appointmentStatuses)[number]

/** A calendar date, read and written as "YYYY-MM-DD" (see lib/database/connection.ts). */
type DateColumn = string

/**
 * Capacity, closures and appointments each belong to a team or to a contractor: exactly one for
 * capacity and appointments, and neither for a closure that applies to everyone.
 */
export interface SchedulingTables {
  capacity: {
    id: Generated<string>
    team_id: string | null
    contractor_id: string | null
    date: DateColumn
    window_code: string
    places: number
    booked: Generated<number>
    updated_at: ColumnType<Date, Date | string | undefined, Date | string>
  }
  closures: {
    id: Generated<string>
    team_id: string | null
    contractor_id: string | null
    date: DateColumn
    reason: string
    created_at: CreatedAt
  }
  appointments: {
    id: Generated<string>
    request_id: string
    team_id: string | null
    contractor_id: string | null
    date: DateColumn
    window_code: string
    status: AppointmentStatus
    version: Generated<number>
    booked_by_kind: ActorKind
    booked_by_id: string | null
    created_at: CreatedAt
    updated_at: ColumnType<Date, Date | string | undefined, Date | string>
    reminder_due_at: NullableTimestamp
    reminder_queued_at: NullableTimestamp
  }
}
