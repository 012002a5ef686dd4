import type { ColumnType } from 'kysely'
import type { Generated, NullableTimestamp, Timestamp } from '../../lib/database/tables.ts'

/** A native point is read as {x, y} and written as the text '(x,y)'. */
export type GridPoint = ColumnType<{ x: number; y: number }, string, string>

export interface PlacesTables {
  wards: { code: string; name: string }
  streets: { usrn: number; name: string; town: Generated<string> }
  properties: {
    uprn: number
    parent_uprn: number | null
    address_line_1: string
    address_line_2: Generated<string>
    address_line_3: Generated<string>
    town: string
    postcode: string
    ward_code: string | null
    usrn: number | null
    easting: number
    northing: number
    grid_position: GridPoint
    latitude: number
    longitude: number
    is_council_housing: Generated<boolean>
    updated_at: Generated<Timestamp>
  }
  tenancies: {
    id: Generated<string>
    reference: string
    uprn: number
    start_date: string
    end_date: string | null
    updated_at: Generated<Timestamp>
  }
  tenants: {
    id: Generated<string>
    tenancy_id: string
    given_name: string
    family_name: string
    date_of_birth: string
    person_id: string | null
    linked_at: NullableTimestamp
  }
}
