import type { FieldErrors } from '../../../lib/errors.ts'

/** What the audit log viewer is asked for, read from the query string. */
export interface AuditFilters {
  actor: string
  action: string
  /** Calendar dates in the council's time zone, 'YYYY-MM-DD'. */
  from: string | null
  to: string | null
  page: number
}

export interface DateParts {
  day: string
  month: string
  year: string
}

export const auditPageSize = 50

/** A calendar date from the three boxes of a GOV.UK date input; undefined when all are empty. */
export function dateFromParts(parts: DateParts): { date: string } | { error: string } | undefined {
  const [day, month, year] = [parts.day, parts.month, parts.year].map((value) => value.trim())
  if (!day && !month && !year) return undefined
  if (!/^\d{1,2}$/.test(day ?? '') || !/^\d{1,2}$/.test(month ?? '') || !/^\d{4}$/.test(year ?? '')) {
    return { error: 'errors.dateInvalid' }
  }
  const [d, m, y] = [Number(day), Number(month), Number(year)]
  const date = new Date(Date.UTC(y, m - 1, d))
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return { error: 'errors.dateInvalid' }
  return { date: date.toISOString().slice(0, 10) }
}

const text = (value: unknown) => (typeof value === 'string' ? value : '')

/** Reads the viewer's query string; a filter that makes no sense is reported, not guessed at. */
export function readAuditFilters(query: Record<string, unknown>): { filters: AuditFilters; errors: FieldErrors } {
  const errors: FieldErrors = {}
  const dateFor = (prefix: 'from' | 'to') => {
    const result = dateFromParts({ day: text(query[`${prefix}-day`]), month: text(query[`${prefix}-month`]), year: text(query[`${prefix}-year`]) })
    if (result && 'error' in result) {
      errors[`${prefix}-day`] = result.error
      return null
    }
    return result?.date ?? null
  }
  const from = dateFor('from')
  const to = dateFor('to')
  if (from && to && from > to) errors['to-day'] = 'errors.dateRangeBackwards'
  const page = Number.parseInt(text(query.page), 10)
  return {
    filters: {
      actor: text(query.actor).trim().slice(0, 200),
      action: text(query.action).trim().slice(0, 100),
      from,
      to: errors['to-day'] ? null : to,
      page: Number.isFinite(page) && page > 0 ? page : 1,
    },
    errors,
  }
}

/** The query string for another page of the same results. */
export function auditPageLink(query: Record<string, unknown>, page: number): string {
  const parameters = new URLSearchParams()
  for (const [name, value] of Object.entries(query)) {
    if (name !== 'page' && typeof value === 'string' && value !== '') parameters.set(name, value)
  }
  parameters.set('page', String(page))
  return `?${parameters.toString()}`
}
