import type { ColumnType } from 'kysely'
import type { CreatedAt, Generated, Json, NullableTimestamp, Timestamp } from '../../lib/database/tables.ts'
import type { ActorKind } from '../identity/tables.ts'
import type { ClosureReason, HoldableStatus, RequestStatus } from './lifecycle.ts'
import type { Priority } from './targets.ts'

export const requestChannels = ['web', 'phone', 'counter', 'api', 'open311'] as const
export type RequestChannel = (typeof requestChannels)[number]

export const requestEventKinds = ['status-change', 'note', 'public-update', 'assignment', 'triage', 'information-added', 'milestone', 'appointment', 'comment'] as const
export type RequestEventKind = (typeof requestEventKinds)[number]

/** How a resident felt about a completed request, from the one-question survey. */
export const satisfactionRatings = ['very-satisfied', 'satisfied', 'neither', 'dissatisfied', 'very-dissatisfied'] as const
export type SatisfactionRating = (typeof satisfactionRatings)[number]

export const eventVisibilities = ['public', 'internal'] as const
export type EventVisibility = (typeof eventVisibilities)[number]

/**
 * Where a public report's own words stand: 'none' when there is nothing to show or the report is
 * private, 'pending' until a moderator looks, then 'approved' or 'hidden'.
 */
export const moderations = ['none', 'pending', 'approved', 'hidden'] as const
export type Moderation = (typeof moderations)[number]

export const reportAlertKinds = ['report', 'ward', 'radius'] as const
export type ReportAlertKind = (typeof reportAlertKinds)[number]

/** A property's UPRN is a bigint, read back as a number (see lib/database/connection.ts). */
type Uprn = ColumnType<number | null, number | null | undefined, number | null>

export interface RequestsTables {
  requests: {
    id: Generated<string>
    reference: string
    service_code: string
    definition_version_id: string
    person_id: string
    property_uprn: Uprn
    answers: Json<Record<string, unknown>>
    channel: RequestChannel
    raised_by_staff_id: string | null
    status: RequestStatus
    resume_to: HoldableStatus | null
    hold_reason: string | null
    closure_reason: ClosureReason | null
    closed_at: NullableTimestamp
    priority: Priority
    job_code: string | null
    trade: string | null
    target_at: NullableTimestamp
    regimes: ColumnType<string[], string[] | undefined, string[]>
    assigned_team_id: string | null
    assigned_staff_id: string | null
    assigned_contractor_id: string | null
    created_at: CreatedAt
    updated_at: ColumnType<Date, Date | string | undefined, Date | string>
    row_version: Generated<number>
    /** Where a problem in a street is, as British National Grid metres; null for a request about a property. */
    location: ColumnType<{ x: number; y: number } | null, string | null | undefined, string | null>
    easting: ColumnType<number | null, number | null | undefined, number | null>
    northing: ColumnType<number | null, number | null | undefined, number | null>
    latitude: ColumnType<number | null, number | null | undefined, number | null>
    longitude: ColumnType<number | null, number | null | undefined, number | null>
    usrn: ColumnType<number | null, number | null | undefined, number | null>
    ward_code: ColumnType<string | null, string | null | undefined, string | null>
    /** A report of a service the council publishes, shown on the public map and list. */
    is_public: Generated<boolean>
    /** The reporter's description as the public sees it, once a moderator has approved it. */
    public_text: ColumnType<string | null, string | null | undefined, string | null>
    moderation: ColumnType<Moderation, Moderation | undefined, Moderation>
    moderated_at: ColumnType<Date | null, Date | null | undefined, Date | null>
    moderated_by: ColumnType<string | null, string | null | undefined, string | null>
    /** The report this one was merged into as the same problem. */
    duplicate_of: ColumnType<string | null, string | null | undefined, string | null>
    /** When a new public report was told to the alerts it matches; null while that waits. */
    alerts_sent_at: ColumnType<Date | null, Date | null | undefined, Date | null>
    /** Photos another system holds, sent as addresses; kept as links and never fetched. */
    media_urls: ColumnType<string[], string[] | undefined, string[]>
  }
  request_followers: {
    request_id: string
    person_id: string
    supports: Generated<boolean>
    followed_at: CreatedAt
    unsubscribe_token: Generated<string>
    emails_stopped_at: ColumnType<Date | null, Date | null | undefined, Date | null>
  }
  /** Public reports counted by 100-metre square, service, ward and openness, kept by a trigger, for map clusters. */
  report_map_cells: {
    cell_x: number
    cell_y: number
    service_code: string
    ward_code: string
    is_open: boolean
    reports: number
    latitude_sum: number
    longitude_sum: number
  }
  /** An email about public reports someone asked for: one report's news, or new reports in a ward or near a place. */
  report_alerts: {
    id: Generated<string>
    email: string
    person_id: string | null
    kind: ReportAlertKind
    request_id: string | null
    ward_code: string | null
    centre: ColumnType<{ x: number; y: number } | null, string | null | undefined, string | null>
    radius_metres: number | null
    area: string
    token: Generated<string>
    confirmed_at: ColumnType<Date | null, Date | null | undefined, Date | null>
    created_at: CreatedAt
  }
  request_events: {
    id: Generated<number>
    request_id: string
    occurred_at: Timestamp
    kind: RequestEventKind
    visibility: EventVisibility
    actor_kind: ActorKind
    actor_id: string | null
    from_status: RequestStatus | null
    to_status: RequestStatus | null
    body: string | null
    details: Json<Record<string, unknown>>
    notify_resident: Generated<boolean>
    resident_notified_at: NullableTimestamp
    /** When a status change was told to the report's followers; null while that waits. */
    followers_told_at: ColumnType<Date | null, Date | null | undefined, Date | null>
    /** Where a comment from a reporting app stands with the moderators; 'none' for every other event. */
    moderation: ColumnType<Moderation, Moderation | undefined, Moderation>
    moderated_at: ColumnType<Date | null, Date | null | undefined, Date | null>
    moderated_by: ColumnType<string | null, string | null | undefined, string | null>
    /** A comment's words as the public sees them, perhaps edited by a moderator; null until approved. */
    public_body: ColumnType<string | null, string | null | undefined, string | null>
  }
  request_holds: {
    id: Generated<number>
    request_id: string
    reason: string
    stops_clock: boolean
    started_at: Timestamp
    ended_at: NullableTimestamp
  }
  request_awaabs_law: {
    request_id: string
    reported_hazard: 'emergency' | 'significant'
    became_aware_at: Timestamp
    investigation_concluded_at: NullableTimestamp
    hazard_found: 'emergency' | 'significant' | 'none' | null
    written_summary_given_at: NullableTimestamp
    safety_work_done_at: NullableTimestamp
    further_work_needed: Generated<boolean>
    further_work_steps_taken_at: NullableTimestamp
    further_work_started_at: NullableTimestamp
  }
  response_templates: {
    id: Generated<string>
    title: string
    body: string
    service_code: string | null
    updated_by: string | null
    updated_at: Generated<Date>
    archived_at: NullableTimestamp
  }
  request_satisfaction: {
    request_id: string
    person_id: string
    rating: SatisfactionRating
    comment: string | null
    answered_at: CreatedAt
  }
  request_photos: {
    id: Generated<string>
    request_id: string
    file_key: string
    thumbnail_key: string
    event_id: number | null
    visibility: EventVisibility
    actor_kind: ActorKind
    actor_id: string | null
    added_at: CreatedAt
    position: Generated<number>
  }
}
