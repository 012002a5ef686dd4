import type { ColumnType, Generated } from 'kysely'

export type CreatedAt = ColumnType<Date, Date | string | undefined, never>
export type Timestamp = ColumnType<Date, Date | string, Date | string>
export type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
export type Json<T> = ColumnType<T, string, string>
export type { Generated }

export interface PlatformTables {
  sessions: {
    id: string
    principal_kind: 'resident' | 'staff' | null
    principal_id: string | null
    data: Json<Record<string, unknown>>
    created_at: CreatedAt
    expires_at: Timestamp
  }
  rate_limit_counters: {
    key: string
    window_started_at: Timestamp
    hits: number
  }
}
