import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import { regions, type HolidayFeed, type Region } from './bank-holiday-rules.ts'
import { isPlainDate } from './plain-date.ts'

/**
 * Bank holiday lists in the format of GOV.UK's own feed (https://www.gov.uk/bank-holidays.json),
 * so a council can replace the shipped list by saving that file, with nothing to convert.
 */

export class InvalidHolidayFeed extends Error {
  constructor(
    readonly source: string,
    problem: string,
  ) {
    super(`The bank holiday list ${source} is not in the GOV.UK bank holidays format: ${problem}`)
  }
}

const eventSchema = z.object({
  title: z.string().min(1, 'needs a title'),
  date: z.string().refine(isPlainDate, 'must be a date in the form YYYY-MM-DD'),
  notes: z.string(),
  bunting: z.boolean(),
})

function divisionSchema(region: Region) {
  return z.object({
    division: z.literal(region, `must be "${region}"`),
    events: z.array(eventSchema),
  })
}

const feedSchema = z.object({
  'england-and-wales': divisionSchema('england-and-wales'),
  scotland: divisionSchema('scotland'),
  'northern-ireland': divisionSchema('northern-ireland'),
})

function describePath(path: PropertyKey[]): string {
  return path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('').replace(/^\./, '')
}

function article(noun: string): string {
  return /^[aeiou]/.test(noun) ? 'an' : 'a'
}

/** Checks a parsed feed and returns it in order; the first problem found is named in the error. */
export function parseHolidayFeed(value: unknown, source = 'given'): HolidayFeed {
  const parsed = feedSchema.safeParse(value)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const where = describePath(issue.path) || 'the whole file'
    let message = issue.message
    if (issue.code === 'invalid_type') {
      message = issue.message.endsWith('received undefined') ? 'is missing' : `must be ${article(issue.expected)} ${issue.expected}`
    }
    throw new InvalidHolidayFeed(source, `${where} ${message}`)
  }
  for (const region of regions) {
    const seen = new Set<string>()
    for (const holiday of parsed.data[region].events) {
      if (seen.has(holiday.date)) throw new InvalidHolidayFeed(source, `${region} lists ${holiday.date} twice`)
      seen.add(holiday.date)
    }
    parsed.data[region].events.sort((first, second) => first.date.localeCompare(second.date))
  }
  return parsed.data
}

/** Reads and checks a feed saved as a file, such as a council's copy of the GOV.UK list. */
export function loadHolidayFeedFile(file: string | URL): HolidayFeed {
  const source = typeof file === 'string' ? file : fileURLToPath(file)
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new InvalidHolidayFeed(source, `the file cannot be read (${(error as Error).message})`)
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new InvalidHolidayFeed(source, `it is not valid JSON (${(error as Error).message})`)
  }
  return parseHolidayFeed(value, source)
}

export const shippedHolidayFeedFile = new URL('./bank-holidays.json', import.meta.url)

/** The list shipped with Guildhall, written by `npm run calendar:generate`. */
export const shippedHolidayFeed: HolidayFeed = loadHolidayFeedFile(shippedHolidayFeedFile)
