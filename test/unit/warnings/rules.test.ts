import { describe, expect, it } from 'vitest'
import { translator } from '../../../src/lib/i18n/index.ts'
import type { Permission } from '../../../src/modules/identity/index.ts'
import {
  canSeeWarnings,
  checkEndReason,
  checkNewWarning,
  inOrderOfImportance,
  isDueForReview,
  longestDescription,
  longestEndReason,
  warningCategories,
  type WarningForm,
} from '../../../src/modules/warnings/rules.ts'

const today = '2026-11-25'

const form = (changes: Partial<WarningForm> = {}): WarningForm => ({
  category: 'animal',
  description: '  Large dog. Ask for it to be kept in another room before going in.  ',
  reviewDay: '',
  reviewMonth: '',
  reviewYear: '',
  ...changes,
})

const errorsOf = (changes: Partial<WarningForm>) => {
  const result = checkNewWarning(form(changes), today)
  if (!('errors' in result)) throw new Error('expected the form to be refused')
  return result.errors
}

describe('checking a new warning', () => {
  it('accepts a known category and a description, trimmed, with no review date', () => {
    expect(checkNewWarning(form(), today)).toEqual({
      warning: { category: 'animal', description: 'Large dog. Ask for it to be kept in another room before going in.', reviewOn: null },
    })
  })

  it('accepts a review date still to come, written without leading zeros', () => {
    expect(checkNewWarning(form({ reviewDay: '3', reviewMonth: '2', reviewYear: '2027' }), today)).toMatchObject({ warning: { reviewOn: '2027-02-03' } })
  })

  it('asks for a category when none, or one it does not know, is chosen', () => {
    expect(errorsOf({ category: '' })).toEqual({ category: 'errors.categoryMissing' })
    expect(errorsOf({ category: 'gossip' })).toEqual({ category: 'errors.categoryMissing' })
  })

  it('asks for a description, and refuses one that is too long', () => {
    expect(errorsOf({ description: '   ' })).toEqual({ description: 'errors.descriptionMissing' })
    expect(errorsOf({ description: 'x'.repeat(longestDescription + 1) })).toEqual({ description: 'errors.descriptionTooLong' })
    expect(checkNewWarning(form({ description: 'x'.repeat(longestDescription) }), today)).toHaveProperty('warning')
  })

  it('says which parts of a review date are missing, pointing at the first', () => {
    expect(errorsOf({ reviewDay: '3' })).toEqual({ 'reviewOn-month': 'errors.reviewOnMissing.month-year' })
    expect(errorsOf({ reviewMonth: '2', reviewYear: '2027' })).toEqual({ 'reviewOn-day': 'errors.reviewOnMissing.day' })
    expect(errorsOf({ reviewDay: '3', reviewMonth: '2' })).toEqual({ 'reviewOn-year': 'errors.reviewOnMissing.year' })
  })

  it('refuses a review date that is not a real date', () => {
    for (const [reviewDay, reviewMonth, reviewYear] of [['31', '2', '2027'], ['1', '13', '2027'], ['x', '1', '2027'], ['1', '1', '27'], ['0', '1', '2027']]) {
      expect(errorsOf({ reviewDay, reviewMonth, reviewYear })).toEqual({ 'reviewOn-day': 'errors.reviewOnNotReal' })
    }
  })

  it('refuses a review date today or earlier', () => {
    expect(errorsOf({ reviewDay: '25', reviewMonth: '11', reviewYear: '2026' })).toEqual({ 'reviewOn-day': 'errors.reviewOnNotInFuture' })
    expect(errorsOf({ reviewDay: '1', reviewMonth: '1', reviewYear: '2020' })).toEqual({ 'reviewOn-day': 'errors.reviewOnNotInFuture' })
    expect(checkNewWarning(form({ reviewDay: '26', reviewMonth: '11', reviewYear: '2026' }), today)).toMatchObject({ warning: { reviewOn: '2026-11-26' } })
  })

  it('reports every problem at once', () => {
    expect(errorsOf({ category: '', description: '', reviewYear: '2027' })).toEqual({
      category: 'errors.categoryMissing',
      description: 'errors.descriptionMissing',
      'reviewOn-day': 'errors.reviewOnMissing.day-month',
    })
  })

  it('has words for every message it can give and every category', () => {
    const t = translator('en')
    const keys = [
      'errors.categoryMissing',
      'errors.descriptionMissing',
      'errors.descriptionTooLong',
      'errors.reviewOnNotReal',
      'errors.reviewOnNotInFuture',
      'errors.endReasonMissing',
      'errors.endReasonTooLong',
      ...['day', 'month', 'year', 'day-month', 'day-year', 'month-year'].map((missing) => `errors.reviewOnMissing.${missing}`),
      ...warningCategories.flatMap((category) => [`categories.${category}`, `categoryHints.${category}`]),
    ]
    for (const key of keys) expect(t(`warnings.${key}`)).not.toBe('')
  })
})

describe('ending a warning', () => {
  it('needs a reason, trimmed, and not too long', () => {
    expect(checkEndReason('  The tenant has moved out ')).toEqual({ reason: 'The tenant has moved out' })
    expect(checkEndReason(' ')).toEqual({ errors: { reason: 'errors.endReasonMissing' } })
    expect(checkEndReason('x'.repeat(longestEndReason + 1))).toEqual({ errors: { reason: 'errors.endReasonTooLong' } })
  })
})

describe('who may see warnings', () => {
  const viewer = (permissions: Permission[], contractorId: string | null = null) => ({ contractorId, permissions: new Set(permissions) })
  const job = (assignedContractorId: string | null) => ({ assignedContractorId })

  it('lets staff with the permission see them, with or without a job', () => {
    expect(canSeeWarnings(viewer(['warnings.view']))).toBe(true)
    expect(canSeeWarnings(viewer(['warnings.view']), job(null))).toBe(true)
  })

  it('does not let staff without it see them, even staff who see requests', () => {
    expect(canSeeWarnings(viewer(['requests.view', 'reports.moderate']), job('fixit'))).toBe(false)
    expect(canSeeWarnings(viewer([]))).toBe(false)
  })

  it('lets a contractor’s operative see them only through a job assigned to their contractor', () => {
    const operative = viewer(['work.view-assigned', 'work.record-outcome'], 'fixit')
    expect(canSeeWarnings(operative, job('fixit'))).toBe(true)
    expect(canSeeWarnings(operative, job('other-contractor'))).toBe(false)
    expect(canSeeWarnings(operative, job(null))).toBe(false)
    expect(canSeeWarnings(operative)).toBe(false)
  })

  it('does not let a contractor’s staff without assigned work, or council staff with it, see them through a job', () => {
    expect(canSeeWarnings(viewer(['work.record-outcome'], 'fixit'), job('fixit'))).toBe(false)
    expect(canSeeWarnings(viewer(['work.view-assigned'], null), job(null))).toBe(false)
  })
})

describe('ordering and reviewing warnings', () => {
  it('puts the most pressing category first, then the newest', () => {
    const at = (day: number) => new Date(Date.UTC(2026, 10, day))
    const warnings = [
      { id: 'old dog', category: 'animal' as const, recordedAt: at(1) },
      { id: 'risk', category: 'risk-to-staff' as const, recordedAt: at(2) },
      { id: 'new dog', category: 'animal' as const, recordedAt: at(3) },
      { id: 'vulnerable', category: 'vulnerable-person' as const, recordedAt: at(4) },
    ]
    expect(inOrderOfImportance(warnings).map((warning) => warning.id)).toEqual(['risk', 'vulnerable', 'new dog', 'old dog'])
    expect(warnings[0]!.id).toBe('old dog')
  })

  it('is due for review on and after its review date', () => {
    expect(isDueForReview({ reviewOn: null }, today)).toBe(false)
    expect(isDueForReview({ reviewOn: '2026-11-26' }, today)).toBe(false)
    expect(isDueForReview({ reviewOn: today }, today)).toBe(true)
    expect(isDueForReview({ reviewOn: '2026-01-01' }, today)).toBe(true)
  })
})
