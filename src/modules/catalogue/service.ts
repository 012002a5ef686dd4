import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ServiceDependencies } from '../../container.ts'
import type { Audience, CatalogueEntry, LocalisedText, RecordVisibility, ServiceDefinition } from './definition.ts'
import { createFrontDoor } from './front-door.ts'
import { catalogueRepository } from './repository.ts'
import { describeProblem, parseEntry, validateEntry, type DefinitionProblem } from './validate-definition.ts'

/** One numbered version of a service's definition: what a request made with it keeps reading. */
export interface DefinitionVersion {
  id: string
  code: string
  version: number
  definition: ServiceDefinition
}

export interface PublishedVersion {
  id: string
  code: string
  version: number
  /** False when the definition was the same as the current version, which is then given back. */
  added: boolean
}

export interface ServiceSummary {
  code: string
  name: LocalisedText
  audience: Audience
  recordVisibility: RecordVisibility
  /** The current version's id and number. */
  versionId: string
  version: number
}

export interface VersionHistoryEntry {
  id: string
  code: string
  version: number
  publishedAt: Date
  publishedBy: string | null
  current: boolean
}

/** The demo council's entries, one file per service named after its code: forms, and links to services in other systems. */
export const definitionsFolder = fileURLToPath(new URL('./definitions/', import.meta.url))

/** A definition file that cannot be seeded, named so whoever wrote it can find it. */
export class InvalidDefinitionFile extends Error {
  constructor(
    readonly file: string,
    readonly problems: DefinitionProblem[],
  ) {
    super(`${file} is not a valid service definition: ${problems.map(describeProblem).join('; ')}`)
  }
}

// Ids come from addresses and forms; anything that is not a uuid cannot name a version, and
// PostgreSQL would refuse it with an error rather than find nothing.
/** Versions kept in memory: every service's recent versions, many times over. */
const mostCachedVersions = 1000

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

interface DefinitionFile {
  /** The definition as written in the file, which is what gets published. */
  input: unknown
  definition: CatalogueEntry
}

/** A definition file, once it is known to be valid and named after its code. */
async function readDefinitionFile(file: string): Promise<DefinitionFile> {
  let input: unknown
  try {
    input = JSON.parse(await readFile(file, 'utf8'))
  } catch (error) {
    throw new InvalidDefinitionFile(file, [{ path: 'definition', message: `is not JSON: ${(error as Error).message}` }])
  }
  const result = validateEntry(input)
  if (!result.valid) throw new InvalidDefinitionFile(file, result.problems)
  const expectedFile = `${result.entry.code}.json`
  if (path.basename(file) !== expectedFile) {
    throw new InvalidDefinitionFile(file, [{ path: 'code', message: `is '${result.entry.code}', so the file must be named ${expectedFile}` }])
  }
  return { input, definition: result.entry }
}

export function createCatalogueServices({ db, logger }: ServiceDependencies) {
  const repository = catalogueRepository(db)
  const versions = new Map<string, DefinitionVersion>()

  /**
   * Stores the definition (a form, or a link to a service in another system) as the service's next
   * version and makes it current. Publishes of one
   * service queue on its row, so two at once never take the same number; a definition the same as
   * the current version adds nothing.
   */
  async function publishDefinition(input: unknown, options: { publishedBy?: string | null } = {}): Promise<PublishedVersion> {
    const definition = parseEntry(input)
    const definitionJson = JSON.stringify(definition)
    const { code } = definition
    return db.transaction().execute(async (transaction) => {
      const stored = catalogueRepository(transaction)
      await stored.ensureService(code)
      const service = await stored.lockService(code)
      if (service.current_version_id) {
        const unchanged = await stored.versionHolding(service.current_version_id, definitionJson)
        if (unchanged) return { id: unchanged.id, code, version: unchanged.version, added: false }
      }
      const version = await stored.insertVersion({
        code,
        version: await stored.nextVersionNumber(code),
        definitionJson,
        publishedBy: options.publishedBy ?? null,
      })
      await stored.makeCurrent(code, version.id)
      return { id: version.id, code, version: version.version, added: true }
    })
  }

  /**
   * One version by its id, whether or not it is still current: what a request pinned to it reads.
   * A published version never changes, so each is read from the database once per process.
   */
  async function definitionVersion(id: string): Promise<DefinitionVersion | undefined> {
    if (!uuidPattern.test(id)) return undefined
    const cached = versions.get(id)
    if (cached) return cached
    const version = await repository.versionById(id)
    if (version) {
      if (versions.size >= mostCachedVersions) versions.delete(versions.keys().next().value!)
      versions.set(id, version)
    }
    return version
  }

  return {
    publishDefinition,

    /** Search, topics, the A to Z and the most-used services, for the resident site. */
    frontDoor: createFrontDoor(db),

    /** The version new requests for the service are made with, or undefined for an unknown service or one that only links out. */
    currentDefinition: (code: string): Promise<DefinitionVersion | undefined> => repository.currentVersion(code),

    definitionVersion,

    /** The definition a request is pinned to: part of the request, so one that cannot be read is a fault, not a missing page. */
    async pinnedDefinition(versionId: string): Promise<ServiceDefinition> {
      const version = await definitionVersion(versionId)
      if (!version) throw new Error(`The definition version ${versionId} that a request is pinned to cannot be read`)
      return version.definition
    },

    /** Every form service as its current version describes it, in order of English name. */
    async listServices(): Promise<ServiceSummary[]> {
      const rows = await repository.currentSummaries()
      return rows.map((row) => ({
        code: row.code,
        name: row.name,
        audience: row.audience,
        recordVisibility: row.record_visibility,
        versionId: row.id,
        version: row.version,
      }))
    },

    /** A service's versions, oldest first. */
    async versionsOf(code: string): Promise<VersionHistoryEntry[]> {
      const rows = await repository.versionsOf(code)
      return rows.map((row) => ({
        id: row.id,
        code: row.code,
        version: row.version,
        publishedAt: row.published_at,
        publishedBy: row.published_by,
        current: row.current,
      }))
    },

    /**
     * Publishes every definition file in the folder. Every file is checked before any is stored, so
     * one bad file leaves the catalogue as it was. A file is compared with the last version seeded
     * from a file rather than with the current one: an unchanged file adds nothing, and so never
     * undoes a version a catalogue editor has published since.
     */
    async seedDefinitions(folder: string = definitionsFolder): Promise<PublishedVersion[]> {
      const names = (await readdir(folder)).filter((name) => name.endsWith('.json')).sort()
      const files = await Promise.all(names.map((name) => readDefinitionFile(path.join(folder, name))))
      const published: PublishedVersion[] = []
      for (const { input, definition } of files) {
        const seeded = await repository.lastSeededVersionHolding(definition.code, JSON.stringify(definition))
        const current = seeded ? await repository.currentVersionNumber(definition.code) : undefined
        if (current) {
          published.push({ id: current.id, code: definition.code, version: current.version, added: false })
          continue
        }
        const version = await publishDefinition(input)
        if (version.added) logger.info({ service: version.code, version: version.version }, 'Published a service definition from its file')
        published.push(version)
      }
      return published
    },
  }
}

export type CatalogueServices = ReturnType<typeof createCatalogueServices>
