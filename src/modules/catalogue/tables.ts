import type { ColumnType } from 'kysely'
import type { CreatedAt, Generated, Json, Timestamp } from '../../lib/database/tables.ts'
import type { CatalogueEntry } from './definition.ts'
import type { Answers } from './questions.ts'

export interface CatalogueTables {
  services: {
    code: string
    current_version_id: string | null
    created_at: CreatedAt
  }
  service_definition_versions: {
    id: Generated<string>
    service_code: string
    version: number
    /** The definition as parsed, with every default filled in, so reading it back needs no parsing. */
    definition: Json<CatalogueEntry>
    /** 'link' for a service in another system, 'form' for one run here; worked out by the database from the definition. */
    kind: ColumnType<'form' | 'link', never, never>
    published_at: CreatedAt
    /** The member of staff who published it; null for definitions seeded from files. */
    published_by: string | null
  }
  /** How many times a service was started on a day, which puts the most-used services first on the home page. */
  service_starts: {
    service_code: string
    day: string
    starts: number
  }
  /** An unfinished form for one person and service, pinned to the version it was started with. */
  form_drafts: {
    person_id: string
    service_code: string
    /** The member of staff filling it in for the person; null for the person's own form online. */
    assisted_by_staff_id: string | null
    definition_version_id: string
    answers: Json<Answers>
    updated_at: Timestamp
  }
  /** A form sent without an account, waiting for its sender to confirm it by link or code. */
  guest_submissions: {
    id: Generated<string>
    token: Generated<string>
    person_id: string
    service_code: string
    definition_version_id: string
    answers: Json<Answers>
    channel: 'email' | 'sms'
    code_hash: string | null
    code_attempts: Generated<number>
    created_at: CreatedAt
    expires_at: Timestamp
    confirmed_at: ColumnType<Date | null, Date | null | undefined, Date | null>
    request_reference: string | null
  }
  /** Each showing of a page that ended a journey, with the outcome the definition names. */
  form_interruptions_shown: {
    id: Generated<string>
    person_id: string | null
    service_code: string
    definition_version_id: string
    outcome: string
    /** The member of staff who was shown it while filling in the form for the person. */
    assisted_by_staff_id: string | null
    shown_at: CreatedAt
  }
}
