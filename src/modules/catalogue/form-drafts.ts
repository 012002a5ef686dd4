/**
 * Unfinished forms: what a signed-in resident has answered so far for one service, and the
 * definition version they started with. One draft per person and service; starting again replaces it.
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
}

export function formDrafts(db: Kysely<Database>) {
  return {
    async find({ personId, serviceCode }: DraftOwner): Promise<FormDraft | undefined> {
      const row = await db
        .selectFrom('form_drafts')
        .select(['definition_version_id', 'answers'])
        .where('person_id', '=', personId)
        .where('service_code', '=', serviceCode)
        .executeTakeFirst()
      return row && { definitionVersionId: row.definition_version_id, answers: row.answers }
    },

    async save({ personId, serviceCode }: DraftOwner, draft: FormDraft): Promise<void> {
      const values = {
        person_id: personId,
        service_code: serviceCode,
        definition_version_id: draft.definitionVersionId,
        answers: JSON.stringify(draft.answers),
        updated_at: sql<Date>`now()`,
      }
      await db
        .insertInto('form_drafts')
        .values(values)
        .onConflict((conflict) =>
          conflict.columns(['person_id', 'service_code']).doUpdateSet({
            definition_version_id: draft.definitionVersionId,
            answers: values.answers,
            updated_at: values.updated_at,
          }),
        )
        .execute()
    },

    /**
     * Removes the draft and gives it back, in one statement: of two submissions of the same form
     * at once, only one gets the draft, so only one request is made.
     */
    async claim({ personId, serviceCode }: DraftOwner): Promise<FormDraft | undefined> {
      const row = await db
        .deleteFrom('form_drafts')
        .where('person_id', '=', personId)
        .where('service_code', '=', serviceCode)
        .returning(['definition_version_id', 'answers'])
        .executeTakeFirst()
      return row && { definitionVersionId: row.definition_version_id, answers: row.answers }
    },

    async discard({ personId, serviceCode }: DraftOwner): Promise<void> {
      await db.deleteFrom('form_drafts').where('person_id', '=', personId).where('service_code', '=', serviceCode).execute()
    },

    async recordInterruptionShown(owner: DraftOwner, definitionVersionId: string, outcome: string): Promise<void> {
      await db
        .insertInto('form_interruptions_shown')
        .values({ person_id: owner.personId, service_code: owner.serviceCode, definition_version_id: definitionVersionId, outcome })
        .execute()
    },
  }
}

export type FormDrafts = ReturnType<typeof formDrafts>
