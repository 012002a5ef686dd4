/** Calendar dates as the housing system exports them and as people type them into a GOV.UK date input. */

function isoDate(year: number, month: number, day: number): string | undefined {
  if (year < 1000 || year > 9999 || month < 1 || month > 12 || day < 1) return undefined
  const date = new Date(Date.UTC(year, month - 1, day))
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`
}

/**
 * Reads a date written as 2024-03-31 (ISO) or 31/03/2024 (the UK order spreadsheets use) and
 * returns it as YYYY-MM-DD, or undefined when it is not a real date.
 */
export function parseCalendarDate(text: string): string | undefined {
  const value = text.trim()
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(value)
  if (iso) return isoDate(Number(iso[1]), Number(iso[2]), Number(iso[3]))
  const british = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(value)
  if (british) return isoDate(Number(british[3]), Number(british[2]), Number(british[1]))
  return undefined
}

export type DatePart = 'day' | 'month' | 'year'

export type DateInputResult =
  | { valid: true; date: string }
  | { valid: false; problem: 'missing' }
  | { valid: false; problem: 'incomplete'; missing: DatePart[] }
  | { valid: false; problem: 'notReal' | 'notInPast' }

/** The three boxes of a GOV.UK date input, checked the way the design system recommends. */
export function dateFromParts(parts: Record<DatePart, string | undefined>, today: string): DateInputResult {
  const values = { day: (parts.day ?? '').trim(), month: (parts.month ?? '').trim(), year: (parts.year ?? '').trim() }
  const missing = (['day', 'month', 'year'] as const).filter((part) => values[part] === '')
  if (missing.length === 3) return { valid: false, problem: 'missing' }
  if (missing.length > 0) return { valid: false, problem: 'incomplete', missing }
  if (!/^\d{1,2}$/.test(values.day) || !/^\d{1,2}$/.test(values.month) || !/^\d{4}$/.test(values.year)) {
    return { valid: false, problem: 'notReal' }
  }
  const date = isoDate(Number(values.year), Number(values.month), Number(values.day))
  if (!date) return { valid: false, problem: 'notReal' }
  if (date >= today) return { valid: false, problem: 'notInPast' }
  return { valid: true, date }
}

/** Today's date in the UK, as YYYY-MM-DD. */
export function todayInLondon(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now)
}
