import type { ColumnType } from 'kysely'
import type { CreatedAt, Generated } from '../../lib/database/tables.ts'

export interface OpenDataTables {
  open311_submissions: {
    token: Generated<string>
    request_id: string
    api_key_id: string
    device_id: string | null
    account_id: string | null
    created_at: CreatedAt
  }
  open311_update_receipts: {
    id: ColumnType<string, never, never>
    api_key_id: string
    client_update_id: string
    request_id: string
    received_at: CreatedAt
  }
}
