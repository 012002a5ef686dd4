import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../support/database.ts'
import { testConfig } from '../../support/app.ts'
import { createLogger } from '../../../src/lib/log.ts'
import { createCatalogueServices, InvalidDefinitionFile, type CatalogueServices, type DefinitionSource } from '../../../src/modules/catalogue/index.ts'
import { definitionSource, seedFiles } from '../../unit/catalogue/factory.ts'

describe('seeding service definitions from files', () => {
  let database: TestDatabase
  let catalogue: CatalogueServices
  let folder: string
  beforeAll(async () => {
    database = await createTestDatabase()
    catalogue = createCatalogueServices({ db: database.db, config: testConfig(), logger: createLogger('silent') })
  })
  afterAll(async () => {
    await database?.destroy()
  })
  beforeEach(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'guildhall-definitions-'))
  })
  afterEach(async () => {
    await rm(folder, { recursive: true, force: true })
  })

  const writeDefinition = (file: string, source: DefinitionSource | string) =>
    writeFile(path.join(folder, file), typeof source === 'string' ? source : JSON.stringify(source, null, 2))

  const versionsOf = async (code: string) => (await catalogue.versionsOf(code)).map((entry) => entry.version)

  it('loads the demo council’s services, each file once however often it is seeded', async () => {
    const first = await catalogue.seedDefinitions()
    expect(first.map((version) => [version.code, version.version, version.added])).toEqual(
      seedFiles().map((file) => [file.replace(/\.json$/, ''), 1, true]),
    )
    const again = await catalogue.seedDefinitions()
    expect(again).toEqual(first.map((version) => ({ ...version, added: false })))

    const repair = await catalogue.currentDefinition('housing-repair')
    expect(repair).toMatchObject({ version: 1, definition: { audience: 'tenants', recordVisibility: 'private' } })
    expect((await catalogue.listServices()).map((service) => service.code)).toEqual(expect.arrayContaining(['housing-repair', 'missed-bin']))
  })

  it('adds a version only for the file that changed', async () => {
    await writeDefinition('road-crack.json', definitionSource({ code: 'road-crack' }))
    await writeDefinition('fly-posting.json', definitionSource({ code: 'fly-posting', name: 'Report fly-posting' }))
    await catalogue.seedDefinitions(folder)
    await catalogue.seedDefinitions(folder)
    expect([await versionsOf('road-crack'), await versionsOf('fly-posting')]).toEqual([[1], [1]])

    await writeDefinition('fly-posting.json', definitionSource({ code: 'fly-posting', name: 'Report fly-posting or fly-posting' }))
    const seeded = await catalogue.seedDefinitions(folder)
    expect(seeded.map((version) => [version.code, version.version, version.added])).toEqual([
      ['fly-posting', 2, true],
      ['road-crack', 1, false],
    ])
    expect((await catalogue.currentDefinition('fly-posting'))?.definition.name).toEqual({ en: 'Report fly-posting or fly-posting' })
  })

  it('stops at a file that is not a valid definition, naming the file and its problems, and stores none of the files', async () => {
    await writeDefinition('abandoned-trolley.json', definitionSource({ code: 'abandoned-trolley' }))
    await writeDefinition('fallen-tree.json', definitionSource({ code: 'fallen-tree', questions: [] }))
    const refusal = await catalogue.seedDefinitions(folder).catch((error: unknown) => error)
    expect(refusal).toBeInstanceOf(InvalidDefinitionFile)
    expect((refusal as Error).message).toBe(`${path.join(folder, 'fallen-tree.json')} is not a valid service definition: questions must have at least one question`)
    expect(await catalogue.currentDefinition('abandoned-trolley')).toBeUndefined()
  })

  it('refuses a file that is not JSON, or is not named after the service it describes', async () => {
    await writeDefinition('bus-shelter.json', '{ "code": "bus-shelter", ')
    await expect(catalogue.seedDefinitions(folder)).rejects.toThrow(/bus-shelter\.json is not a valid service definition: definition is not JSON/)

    await rm(path.join(folder, 'bus-shelter.json'))
    await writeDefinition('bus-shelters.json', definitionSource({ code: 'bus-shelter' }))
    await expect(catalogue.seedDefinitions(folder)).rejects.toThrow(
      /bus-shelters\.json is not a valid service definition: code is 'bus-shelter', so the file must be named bus-shelter\.json/,
    )
  })

  it('never undoes a version a catalogue editor published after the file was seeded', async () => {
    const editor = await database.db
      .insertInto('staff_members')
      .values({ name: 'Kat Nowak', email: 'kat.nowak@example.gov.uk' })
      .returning('id')
      .executeTakeFirstOrThrow()
    await writeDefinition('litter-bin.json', definitionSource({ code: 'litter-bin', name: 'Report dog fouling' }))
    await catalogue.seedDefinitions(folder)
    await catalogue.publishDefinition(definitionSource({ code: 'litter-bin', name: 'Report dog mess' }), { publishedBy: editor.id })

    await catalogue.seedDefinitions(folder)
    expect(await catalogue.currentDefinition('litter-bin')).toMatchObject({ version: 2, definition: { name: { en: 'Report dog mess' } } })

    await writeDefinition('litter-bin.json', definitionSource({ code: 'litter-bin', name: 'Report dog fouling on a pavement' }))
    await catalogue.seedDefinitions(folder)
    expect(await catalogue.currentDefinition('litter-bin')).toMatchObject({ version: 3, definition: { name: { en: 'Report dog fouling on a pavement' } } })
  })
})
