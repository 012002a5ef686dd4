import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../support/app.ts'
import { createLogger } from '../../../src/lib/log.ts'
import { loadDemoCouncil } from '../../../src/demo/load-demo-council.ts'
import { demoTenancies } from '../../../src/demo/places.ts'

describe('the demo council’s places', () => {
  let test: TestApp
  beforeAll(async () => {
    test = await createTestApp()
  })
  afterAll(async () => {
    await test?.close()
  })

  const count = async (table: 'properties' | 'wards' | 'tenancies') =>
    Number((await test.database.db.selectFrom(table).select((select) => select.fn.countAll().as('count')).executeTakeFirstOrThrow()).count)

  it('loads through the importers on first start and does nothing, quickly, on the next', async () => {
    await loadDemoCouncil(test.services, createLogger('silent'))
    expect(await count('properties')).toBe(5000)
    expect(await count('wards')).toBe(12)
    const tenancies = await count('tenancies')
    expect(tenancies).toBeGreaterThan(1500)

    const started = performance.now()
    await loadDemoCouncil(test.services, createLogger('silent'))
    expect(performance.now() - started).toBeLessThan(500)
    expect(await count('properties')).toBe(5000)
    expect(await count('tenancies')).toBe(tenancies)
  })

  it('has the documented demo tenancies at their postcodes', async () => {
    for (const demo of demoTenancies) {
      const row = await test.database.db
        .selectFrom('tenancies')
        .innerJoin('properties', 'properties.uprn', 'tenancies.uprn')
        .innerJoin('tenants', 'tenants.tenancy_id', 'tenancies.id')
        .select(['properties.postcode', 'tenants.date_of_birth', 'tenancies.end_date'])
        .where('tenancies.reference', '=', demo.reference)
        .where('tenants.given_name', '=', demo.givenName)
        .executeTakeFirstOrThrow()
      expect(row).toEqual({ postcode: demo.postcode, date_of_birth: demo.dateOfBirth, end_date: null })
    }
  })
})
