import { isPlainDate, type PlainDate } from '../../lib/calendar/index.ts'
import type { FieldErrors } from '../../lib/errors.ts'
import type { Permission } from '../identity/index.ts'

/**
 * What a warning is about, most pressing first: lists of warnings are shown in this order, so a
 * risk to staff is read before anything else.
 */
export const warningCategories = ['risk-to-staff', 'vulnerable-person', 'health-condition', 'animal', 'other'] as const
export type WarningCategory = (typeof warningCategories)[number]

export const longestDescription = 1000
export const longestEndReason = 500

export function isWarningCategory(value: string): value is WarningCategory {
  return (warningCategories as readonly string[]).includes(value)
}

/** A new warning as typed into the form, before it is checked. */
export interface WarningForm {
  category: string
  description: string
  reviewDay: string
  reviewMonth: string
  reviewYear: string
}

export interface NewWarning {
  category: WarningCategory
  description: string
  reviewOn: PlainDate | null
}

const dateParts = ['day', 'month', 'year'] as const
type DatePart = (typeof dateParts)[number]

/**
 * The optional review date, from the three boxes of a GOV.UK date input. Messages are locale keys
 * under warnings; the field named is the first box to put right, which the error summary links to.
 */
function checkReviewDate(parts: Record<DatePart, string>, today: PlainDate): { reviewOn: PlainDate | null } | { field: string; error: string } {
  const missing = dateParts.filter((part) => parts[part] === '')
  if (missing.length === dateParts.length) return { reviewOn: null }
  if (missing.length > 0) return { field: `reviewOn-${missing[0]}`, error: `errors.reviewOnMissing.${missing.join('-')}` }
  const { day, month, year } = parts
  const date = `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`
  if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d{4}$/.test(year) || !isPlainDate(date)) {
    return { field: 'reviewOn-day', error: 'errors.reviewOnNotReal' }
  }
  if (date <= today) return { field: 'reviewOn-day', error: 'errors.reviewOnNotInFuture' }
  return { reviewOn: date }
}

/** Checks a new warning: a known category, something to say, and a review date, if any, still to come. */
export function checkNewWarning(form: WarningForm, today: PlainDate): { warning: NewWarning } | { errors: FieldErrors } {
  const errors: FieldErrors = {}
  const category = form.category.trim()
  if (!isWarningCategory(category)) errors.category = 'errors.categoryMissing'
  const description = form.description.trim()
  if (description === '') errors.description = 'errors.descriptionMissing'
  else if (description.length > longestDescription) errors.description = 'errors.descriptionTooLong'
  const review = checkReviewDate({ day: form.reviewDay.trim(), month: form.reviewMonth.trim(), year: form.reviewYear.trim() }, today)
  if ('error' in review) errors[review.field] = review.error
  if (!isWarningCategory(category) || 'error' in review || Object.keys(errors).length > 0) return { errors }
  return { warning: { category, description, reviewOn: review.reviewOn } }
}

/** Why a warning is no longer needed: required, so whoever reads the record later knows. */
export function checkEndReason(reason: string): { reason: string } | { errors: FieldErrors } {
  const trimmed = reason.trim()
  if (trimmed === '') return { errors: { reason: 'errors.endReasonMissing' } }
  if (trimmed.length > longestEndReason) return { errors: { reason: 'errors.endReasonTooLong' } }
  return { reason: trimmed }
}

/** Who is asking to see warnings: any member of staff, council or contractor. */
export interface WarningViewer {
  contractorId: string | null
  permissions: ReadonlySet<Permission>
}

/** The job a contractor's operative is looking at, if any. */
export interface WarningJob {
  assignedContractorId: string | null
}

/**
 * Warnings hold sensitive things about people, so only those who need them see them: staff with
 * the permission to, and a contractor's operatives only through a job assigned to their contractor.
 */
export function canSeeWarnings(viewer: WarningViewer, job?: WarningJob): boolean {
  if (viewer.permissions.has('warnings.view')) return true
  return (
    viewer.contractorId !== null &&
    viewer.permissions.has('work.view-assigned') &&
    job !== undefined &&
    job.assignedContractorId === viewer.contractorId
  )
}

/** Most pressing category first, then the most recently recorded. */
export function inOrderOfImportance<T extends { category: WarningCategory; recordedAt: Date }>(warnings: readonly T[]): T[] {
  return [...warnings].sort(
    (a, b) => warningCategories.indexOf(a.category) - warningCategories.indexOf(b.category) || b.recordedAt.getTime() - a.recordedAt.getTime(),
  )
}

/** Whether a warning's review date has come, so someone should check it is still right. */
export function isDueForReview(warning: { reviewOn: PlainDate | null }, today: PlainDate): boolean {
  return warning.reviewOn !== null && warning.reviewOn <= today
}
