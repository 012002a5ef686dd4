import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../support/database.ts'
import { testConfig } from '../../support/app.ts'
import { createLogger } from '../../../src/lib/log.ts'
import { createCatalogueServices, InvalidDefinition, type CatalogueServices } from '../../../src/modules/catalogue/index.ts'
import { definitionSource } from '../../unit/catalogue/factory.ts'

describe('service definitions stored as numbered versions', () => {
  let database: TestDatabase
  let catalogue: CatalogueServices
  beforeAll(async () => {
    database = await createTestDatabase()
    catalogue = createCatalogueServices({ db: database.db, config: testConfig(), logger: createLogger('silent') })
  })
  afterAll(async () => {
    await database?.destroy()
  })

  const versionCount = async (code: string) =>
    Number(
      (
        await database.db
          .selectFrom('service_definition_versions')
          .select((select) => select.fn.countAll().as('count'))
          .where('service_code', '=', code)
          .executeTakeFirstOrThrow()
      ).count,
    )

  it('numbers each change to a service 1, 2, 3 and makes the newest current', async () => {
    const first = await catalogue.publishDefinition(definitionSource({ code: 'graffiti', name: 'Report graffiti' }))
    const second = await catalogue.publishDefinition(definitionSource({ code: 'graffiti', name: 'Report graffiti or fly-posting' }))
    const third = await catalogue.publishDefinition(definitionSource({ code: 'graffiti', name: 'Report graffiti', lgslCode: 1016 }))
    expect([first, second, third].map((published) => [published.version, published.added])).toEqual([
      [1, true],
      [2, true],
      [3, true],
    ])

    const current = await catalogue.currentDefinition('graffiti')
    expect(current).toMatchObject({ id: third.id, code: 'graffiti', version: 3, definition: { name: { en: 'Report graffiti' }, lgslCode: 1016 } })
    const history = await catalogue.versionsOf('graffiti')
    expect(history.map((entry) => [entry.id, entry.version, entry.current])).toEqual([
      [first.id, 1, false],
      [second.id, 2, false],
      [third.id, 3, true],
    ])
    expect(history[0]!.publishedAt).toBeInstanceOf(Date)
  })

  it('adds no version when the definition is the same as the current one, however it is written', async () => {
    const first = await catalogue.publishDefinition(definitionSource({ code: 'dead-animal', name: 'Report a dead animal' }))
    const reordered = Object.fromEntries(Object.entries(definitionSource({ code: 'dead-animal', name: { en: 'Report a dead animal' } })).reverse())
    const again = await catalogue.publishDefinition(reordered)
    expect(again).toEqual({ ...first, added: false })
    expect(await versionCount('dead-animal')).toBe(1)
  })

  it('gives publishes of one service at the same time consecutive numbers, never the same one twice', async () => {
    const names = ['one', 'two', 'three', 'four', 'five'].map((word) => `Report a blocked drain (${word})`)
    const published = await Promise.all(names.map((name) => catalogue.publishDefinition(definitionSource({ code: 'blocked-drain', name }))))
    expect(published.map((version) => version.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5])
    expect(new Set(published.map((version) => version.id)).size).toBe(5)
    const current = await catalogue.currentDefinition('blocked-drain')
    expect(current?.version).toBe(5)
    expect(current?.id).toBe(published.find((version) => version.version === 5)!.id)
  })

  it('refuses an invalid definition with its problems and stores nothing', async () => {
    await catalogue.publishDefinition(definitionSource({ code: 'street-light' }))
    const invalid = definitionSource({ code: 'street-light', owningTeam: 'Street Lighting', lgslCode: -1 })
    const refusal = await catalogue.publishDefinition(invalid).catch((error: unknown) => error)
    expect(refusal).toBeInstanceOf(InvalidDefinition)
    expect((refusal as InvalidDefinition).problems.map((problem) => problem.path)).toEqual(['lgslCode', 'owningTeam'])
    expect(await versionCount('street-light')).toBe(1)

    await expect(catalogue.publishDefinition({ code: 'abandoned-vehicle' })).rejects.toBeInstanceOf(InvalidDefinition)
    expect(await database.db.selectFrom('services').select('code').where('code', '=', 'abandoned-vehicle').execute()).toEqual([])
    expect(await catalogue.currentDefinition('abandoned-vehicle')).toBeUndefined()
  })

  it('keeps a stored version exactly as it was when newer ones are published', async () => {
    const first = await catalogue.publishDefinition(definitionSource({ code: 'dog-fouling', name: 'Report dog fouling' }))
    const pinned = await catalogue.definitionVersion(first.id)
    await catalogue.publishDefinition(definitionSource({ code: 'dog-fouling', name: 'Report dog mess', priority: { default: 'urgent' } }))

    expect(await catalogue.definitionVersion(first.id)).toEqual(pinned)
    expect(pinned).toMatchObject({ version: 1, definition: { name: { en: 'Report dog fouling' }, priority: { default: 'routine' } } })
    await expect(
      database.db.updateTable('service_definition_versions').set({ definition: JSON.stringify({}) }).where('id', '=', first.id).execute(),
    ).rejects.toThrow(/cannot be changed; publish a new version instead/)
  })

  it('finds nothing for an unknown service or version, or an id that is not one', async () => {
    expect(await catalogue.currentDefinition('no-such-service')).toBeUndefined()
    expect(await catalogue.definitionVersion('00000000-0000-4000-8000-000000000000')).toBeUndefined()
    expect(await catalogue.definitionVersion('not-a-version')).toBeUndefined()
    expect(await catalogue.versionsOf('no-such-service')).toEqual([])
  })

  it('records the member of staff who published a version', async () => {
    const editor = await database.db
      .insertInto('staff_members')
      .values({ name: 'Kat Nowak', email: 'kat.nowak@example.gov.uk' })
      .returning('id')
      .executeTakeFirstOrThrow()
    const published = await catalogue.publishDefinition(definitionSource({ code: 'fly-tipping' }), { publishedBy: editor.id })
    expect((await catalogue.versionsOf('fly-tipping'))[0]).toMatchObject({ id: published.id, publishedBy: editor.id })
  })

  it('lists every service by its current version, in order of name', async () => {
    await catalogue.publishDefinition(definitionSource({ code: 'staff-callback', name: 'Arrange a callback', audience: 'staff-only', recordVisibility: 'private' }))
    const services = await catalogue.listServices()
    const names = services.map((service) => service.name.en)
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)))
    const graffiti = await catalogue.currentDefinition('graffiti')
    expect(services.find((service) => service.code === 'graffiti')).toEqual({
      code: 'graffiti',
      name: { en: 'Report graffiti' },
      audience: 'residents',
      recordVisibility: 'public',
      versionId: graffiti!.id,
      version: 3,
    })
    expect(services.find((service) => service.code === 'staff-callback')).toMatchObject({ audience: 'staff-only', recordVisibility: 'private', version: 1 })
  })
})
