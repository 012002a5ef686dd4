import type { CreatedAt } from '../../lib/database/tables.ts'

export interface ApiTables {
  api_idempotency_keys: {
    caller: string
    key: string
    fingerprint: string
    status_code: number | null
    response_body: string | null
    location: string | null
    created_at: CreatedAt
  }
}
