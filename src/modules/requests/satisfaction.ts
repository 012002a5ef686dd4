import type { ServiceDependencies } from '../../container.ts'
import { InvalidInput } from '../../lib/errors.ts'
import type { RequestState } from './lifecycle.ts'
import { satisfactionRatings, type SatisfactionRating } from './tables.ts'

const commentLength = 2000

export interface SatisfactionAnswer {
  rating: SatisfactionRating
  comment: string | null
  answeredAt: Date
}

/** The survey is for work the council finished, not for a request cancelled or closed for another reason. */
export function isSurveyOpen(state: RequestState): boolean {
  return state.status === 'completed' || (state.status === 'closed' && state.closureReason === 'completed')
}

export function isSatisfactionRating(value: string): value is SatisfactionRating {
  return (satisfactionRatings as readonly string[]).includes(value)
}

/**
 * The one-question survey a resident answers after their request is completed. Each request is
 * answered once: the answer's key is the request, so a second answer, even from a second tab at
 * the same moment, changes nothing.
 */
export function createSatisfactionSurvey({ db }: ServiceDependencies) {
  return {
    async answerFor(requestId: string): Promise<SatisfactionAnswer | undefined> {
      const row = await db
        .selectFrom('request_satisfaction')
        .select(['rating', 'comment', 'answered_at'])
        .where('request_id', '=', requestId)
        .executeTakeFirst()
      return row && { rating: row.rating, comment: row.comment, answeredAt: row.answered_at }
    },

    /**
     * Records the answer for a request the caller has already found to be the resident's own and
     * completed. Returns false when the request was already answered.
     */
    async answer(request: { id: string; personId: string; state: RequestState }, input: { rating: string; comment: string }): Promise<boolean> {
      if (!isSurveyOpen(request.state)) throw new InvalidInput({ rating: 'requests.resident.survey.errors.notCompleted' })
      if (!isSatisfactionRating(input.rating)) throw new InvalidInput({ rating: 'requests.resident.survey.errors.ratingMissing' })
      const comment = input.comment.trim()
      if (comment.length > commentLength) throw new InvalidInput({ comment: 'requests.resident.survey.errors.commentTooLong' })
      const inserted = await db
        .insertInto('request_satisfaction')
        .values({ request_id: request.id, person_id: request.personId, rating: input.rating, comment: comment === '' ? null : comment })
        .onConflict((conflict) => conflict.column('request_id').doNothing())
        .returning('request_id')
        .executeTakeFirst()
      return inserted !== undefined
    },

    commentLength,
  }
}

export type SatisfactionSurvey = ReturnType<typeof createSatisfactionSurvey>
