/**
 * Unfinished forms: what has been answered so far for one person and service, and the definition
 * version the form was started with. A person's own form online and a form a member of staff fills
 * in for them are kept apart (see migrations/202611250310-assisted-drafts.ts), one draft each;
 * starting again replaces it.
 */
import { sql, type Kysely } from 'kysely'
import type { Database } from '../../database.ts'
import type { Answers } from './questions.ts'

export interface FormDraft {
  definitionVersionId: string
  answers: Answers
}

export interface DraftOwner {
  personId: string
  serviceCode: string
  /** The member of staff filling in the form for the person; null when it is the person's own form. */
  assistedByStaffId: string | null
}

export function formDrafts(db: Kysely<Database>) {
  const draftsOf = ({ personId, serviceCode, assistedByStaffId }: DraftOwner) => ({
    select: () =>
      db
        .selectFrom('form_drafts')
        .where('person_id', '=', personId)
        .where('service_code', '=', serviceCode)
        .where('assisted_by_staff_id', assistedByStaffId === null ? 'is' : '=', assistedByStaffId),
    delete: () =>
      db
        .deleteFrom('form_drafts')
        .where('person_id', '=', personId)
        .where('service_code', '=', serviceCode)
        .where('assisted_by_staff_id', assistedByStaffId === null ? 'is' : '=', assistedByStaffId),
  })

  return {
    async find(owner: DraftOwner): Promise<FormDraft | undefined> {
      const row = await draftsOf(owner).select().select(['definition_version_id', 'answers']).executeTakeFirst()
      return row && { definitionVersionId: row.definition_version_id, answers: row.answers }
    },

    async save({ personId, serviceCode, assistedByStaffId }: DraftOwner, draft: FormDraft): Promise<void> {
      const values = {
        person_id: personId,
        service_code: serviceCode,
        assisted_by_staff_id: assistedByStaffId,
        definition_version_id: draft.definitionVersionId,
        answers: JSON.stringify(draft.answers),
        updated_at: sql<Date>`now()`,
      }
      const changes = { definition_version_id: draft.definitionVersionId, answers: values.answers, updated_at: values.updated_at }
      await db
        .insertInto('form_drafts')
        .values(values)
        .onConflict((conflict) =>
          assistedByStaffId === null
            ? conflict.columns(['person_id', 'service_code']).where('assisted_by_staff_id', 'is', null).doUpdateSet(changes)
            : conflict.columns(['person_id', 'service_code', 'assisted_by_staff_id']).where('assisted_by_staff_id', 'is not', null).doUpdateSet(changes),
        )
        .execute()
    },

    /**
     * Removes the draft and gives it back, in one statement: of two submissions of the same form
     * at once, only one gets the draft, so only one request is made.
     */
    async claim(owner: DraftOwner): Promise<FormDraft | undefined> {
      const row = await draftsOf(owner).delete().returning(['definition_version_id', 'answers']).executeTakeFirst()
      return row && { definitionVersionId: row.definition_version_id, answers: row.answers }
    },

    async discard(owner: DraftOwner): Promise<void> {
      await draftsOf(owner).delete().execute()
    },

    async recordInterruptionShown(owner: DraftOwner, definitionVersionId: string, outcome: string): Promise<void> {
      await db
        .insertInto('form_interruptions_shown')
        .values({
          person_id: owner.personId,
          service_code: owner.serviceCode,
          definition_version_id: definitionVersionId,
          outcome,
          assisted_by_staff_id: owner.assistedByStaffId,
        })
        .execute()
    },
  }
}

export type FormDrafts = ReturnType<typeof formDrafts>
