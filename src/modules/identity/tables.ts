import type { ColumnType } from 'kysely'
import type { CreatedAt, Generated, Json, NullableTimestamp, Timestamp } from '../../lib/database/tables.ts'

export type ContactPreference = 'email' | 'text'
export type TokenPurpose = 'verify-email' | 'reset-password' | 'confirm-mobile'
/** An "api-client" is a partner's system or reporting app calling with an API key; its id is the key's. */
export type ActorKind = 'staff' | 'resident' | 'system' | 'anonymous' | 'api-client'

export interface IdentityTables {
  people: {
    id: Generated<string>
    given_name: string
    family_name: string
    email: string | null
    email_verified_at: NullableTimestamp
    mobile: string | null
    mobile_verified_at: NullableTimestamp
    contact_preference: Generated<ContactPreference>
    date_of_birth: string | null
    created_at: CreatedAt
    updated_at: ColumnType<Date, Date | string | undefined, Date | string>
  }
  resident_accounts: {
    person_id: string
    password_hash: string | null
    one_login_subject: string | null
    failed_sign_ins: Generated<number>
    lockouts: Generated<number>
    locked_until: NullableTimestamp
    created_at: CreatedAt
    last_signed_in_at: NullableTimestamp
  }
  identity_tokens: {
    id: Generated<string>
    person_id: string
    purpose: TokenPurpose
    secret_hash: string
    target: string
    attempts: Generated<number>
    expires_at: Timestamp
    used_at: NullableTimestamp
    created_at: CreatedAt
  }
  teams: { id: Generated<string>; code: string; name: string }
  contractors: { id: Generated<string>; code: string; name: string }
  staff_members: {
    id: Generated<string>
    name: string
    email: string
    password_hash: string | null
    directory_subject: string | null
    contractor_id: string | null
    disabled_at: NullableTimestamp
    failed_sign_ins: Generated<number>
    lockouts: Generated<number>
    locked_until: NullableTimestamp
    created_at: CreatedAt
    last_signed_in_at: NullableTimestamp
  }
  team_memberships: { staff_member_id: string; team_id: string }
  roles: { id: Generated<string>; code: string; name: string; description: Generated<string> }
  role_permissions: { role_id: string; permission: string }
  staff_roles: { staff_member_id: string; role_id: string }
  resident_api_tokens: {
    id: Generated<string>
    person_id: string
    name: string
    secret_hash: string
    created_at: CreatedAt
    last_used_at: NullableTimestamp
    revoked_at: NullableTimestamp
  }
  api_keys: {
    id: Generated<string>
    name: string
    secret_hash: string
    key_prefix: string
    /** Null for every service. */
    services: string[] | null
    can_write: Generated<boolean>
    can_change_status: Generated<boolean>
    rate_per_minute: Generated<number>
    created_at: CreatedAt
    created_by: string | null
    last_used_at: NullableTimestamp
    revoked_at: NullableTimestamp
    revoked_by: string | null
  }
  audit_events: {
    id: Generated<number>
    occurred_at: CreatedAt
    actor_kind: ActorKind
    actor_id: string | null
    action: string
    subject_type: string | null
    subject_id: string | null
    details: Json<Record<string, unknown>>
    ip_address: string | null
  }
}
