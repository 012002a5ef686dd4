import type { Kysely } from 'kysely'
import type { Database } from '../../database.ts'
import type { ActorKind } from './tables.ts'

export interface Actor {
  kind: ActorKind
  id?: string | null
}

export interface AuditEntry {
  actor: Actor
  /** What happened, as a dotted verb: "staff.sign-in", "staff-member.disable", "tenancy.link". */
  action: string
  subject?: { type: string; id: string }
  details?: Record<string, unknown>
  ipAddress?: string
}

/** Appends one entry to the audit log; pass a transaction so the entry commits with the change. */
export async function recordAudit(db: Kysely<Database>, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_events')
    .values({
      actor_kind: entry.actor.kind,
      actor_id: entry.actor.id ?? null,
      action: entry.action,
      subject_type: entry.subject?.type ?? null,
      subject_id: entry.subject?.id ?? null,
      details: JSON.stringify(entry.details ?? {}),
      ip_address: entry.ipAddress ?? null,
    })
    .execute()
}
