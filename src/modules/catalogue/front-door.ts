import type { Kysely } from 'kysely'
import type { Database } from '../../database.ts'
import { addDays, ukDateOf } from '../../lib/calendar/index.ts'
import { textIn, type LocalisedText, type StartPage } from './definition.ts'
import { catalogueRepository, type FrontDoorFields } from './repository.ts'
import { searchIndex, searchServices, type ServiceSearchIndex } from './search.ts'
import { topics, type Topic } from './topics.ts'

/** One entry as the front door lists it: a form run here, or a service in another system it links to. */
export interface FrontDoorEntry {
  code: string
  name: LocalisedText
  description: LocalisedText
  synonyms: string[]
  keywords: string[]
  lgslCode: number
  topics: string[]
  startPage: StartPage
  /** Where a service in another system lives; undefined for a form run here. */
  link: string | undefined
  /** Who a form is for; staff-only forms never reach the front door. */
  audience: 'residents' | 'tenants' | undefined
}

export interface AToZEntry {
  /** The name or other name the entry is listed by. */
  title: string
  entry: FrontDoorEntry
  /** True when the title is another name for the service rather than its own. */
  isOtherName: boolean
}

export interface AToZLetter {
  letter: string
  entries: AToZEntry[]
}

export interface TopicWithEntries {
  topic: Topic
  entries: FrontDoorEntry[]
}

/** How far back the home page looks when it counts which services are used most. */
const topTaskDays = 28

interface Snapshot {
  stamp: string
  entries: FrontDoorEntry[]
  byCode: Map<string, FrontDoorEntry>
  index: ServiceSearchIndex
}

function toEntry(fields: FrontDoorFields): FrontDoorEntry | undefined {
  if (fields.audience === 'staff-only') return undefined
  return {
    code: fields.code,
    name: fields.name,
    description: fields.description,
    synonyms: fields.synonyms,
    keywords: fields.keywords,
    lgslCode: fields.lgslCode,
    topics: fields.topics,
    startPage: fields.startPage,
    link: fields.link,
    audience: fields.audience,
  }
}

const byName = (first: FrontDoorEntry, second: FrontDoorEntry) => first.name.en.localeCompare(second.name.en, 'en-GB')

/**
 * The catalogue as residents find their way into it: search, topics, an A to Z and the most-used
 * services. The few hundred entries a council has are read once per published change and searched
 * in memory; each call checks a one-row stamp, so a publish on any instance shows everywhere at once.
 */
export function createFrontDoor(db: Kysely<Database>, now: () => Date = () => new Date()) {
  const repository = catalogueRepository(db)
  let snapshot: Snapshot | undefined

  async function current(): Promise<Snapshot> {
    const stamp = await repository.catalogueStamp()
    if (snapshot?.stamp === stamp) return snapshot
    const rows = await repository.currentFrontDoorEntries()
    const entries = rows.flatMap((row) => toEntry(row.entry) ?? []).sort(byName)
    const index = searchIndex(
      entries.map((entry) => ({
        code: entry.code,
        name: entry.name.en,
        description: entry.description.en,
        synonyms: entry.synonyms,
        keywords: entry.keywords,
      })),
    )
    snapshot = { stamp, entries, byCode: new Map(entries.map((entry) => [entry.code, entry])), index }
    return snapshot
  }

  return {
    async entries(): Promise<FrontDoorEntry[]> {
      return (await current()).entries
    },

    async entry(code: string): Promise<FrontDoorEntry | undefined> {
      return (await current()).byCode.get(code)
    },

    async search(query: string, limit = 20): Promise<FrontDoorEntry[]> {
      const { index, byCode } = await current()
      return searchServices(index, query, limit).flatMap((match) => byCode.get(match.code) ?? [])
    },

    /** The topics that have at least one entry, each with its entries by name. */
    async topics(): Promise<TopicWithEntries[]> {
      const { entries } = await current()
      return topics
        .map((topic) => ({ topic, entries: entries.filter((entry) => entry.topics.includes(topic.id)) }))
        .filter((listed) => listed.entries.length > 0)
    },

    /** Every entry under the first letter of its name and of each other name, so "Fly tipping" is under F as well as R. */
    async aToZ(locale = 'en'): Promise<AToZLetter[]> {
      const { entries } = await current()
      const listed: AToZEntry[] = entries.flatMap((entry) => [
        { title: textIn(entry.name, locale), entry, isOtherName: false },
        ...entry.synonyms.map((synonym) => ({ title: synonym.charAt(0).toUpperCase() + synonym.slice(1), entry, isOtherName: true })),
      ])
      listed.sort((first, second) => first.title.localeCompare(second.title, 'en-GB', { sensitivity: 'base' }))
      const letters = new Map<string, AToZEntry[]>()
      for (const item of listed) {
        const first = item.title.normalize('NFKD').charAt(0).toUpperCase()
        const letter = /[A-Z]/.test(first) ? first : '#'
        letters.set(letter, [...(letters.get(letter) ?? []), item])
      }
      return [...letters].map(([letter, letterEntries]) => ({ letter, entries: letterEntries }))
    },

    /** The services started most over the last four weeks, topped up by name when too few have been used yet. */
    async topTasks(limit = 6): Promise<FrontDoorEntry[]> {
      const { entries, byCode } = await current()
      const since = addDays(ukDateOf(now()), -topTaskDays)
      const used = (await repository.startsSince(since)).flatMap((row) => byCode.get(row.code) ?? [])
      const unused = entries.filter((entry) => !used.includes(entry))
      return [...used, ...unused].slice(0, limit)
    },

    /** Counts one start of the service today, which is what ranks the home page's most-used services. */
    async recordStart(code: string): Promise<void> {
      if (!(await current()).byCode.has(code)) return
      await repository.recordStart(code, ukDateOf(now()))
    },
  }
}

export type FrontDoor = ReturnType<typeof createFrontDoor>
