import type { ColumnType } from 'kysely'
import type { CreatedAt, Generated, NullableTimestamp } from '../../lib/database/tables.ts'
import type { WarningCategory } from './rules.ts'

/** A property's UPRN is a bigint, read back as a number (see lib/database/connection.ts). */
type Uprn = ColumnType<number | null, number | null | undefined, never>

export interface WarningsTables {
  warnings: {
    id: Generated<string>
    /** Exactly one of person_id and property_uprn is set. */
    person_id: ColumnType<string | null, string | null | undefined, never>
    property_uprn: Uprn
    category: WarningCategory
    description: string
    recorded_by: string
    recorded_at: CreatedAt
    /** A calendar date, YYYY-MM-DD. */
    review_on: string | null
    ended_at: NullableTimestamp
    ended_by: string | null
    end_reason: string | null
  }
}
