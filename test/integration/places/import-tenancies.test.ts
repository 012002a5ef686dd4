import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { createTestApp, type TestApp } from '../../support/app.ts'
import { ImportRejected } from '../../../src/modules/places/index.ts'
import { address, addressCsv, tenancyCsv, tenant } from '../../support/places.ts'

describe('importing a tenancy file', () => {
  let test: TestApp
  beforeAll(async () => {
    test = await createTestApp()
  })
  afterAll(async () => {
    await test?.close()
  })
  beforeEach(async () => {
    await sql`truncate tenants, tenancies, properties, streets, wards cascade`.execute(test.database.db)
    await test.services.places.importAddresses([addressCsv([address(1001), address(1002), address(1003)])])
  })

  const tenantsOf = (reference: string) =>
    test.database.db
      .selectFrom('tenants')
      .innerJoin('tenancies', 'tenancies.id', 'tenants.tenancy_id')
      .select(['tenancies.uprn', 'tenancies.end_date', 'tenants.given_name', 'tenants.family_name', 'tenants.date_of_birth'])
      .where('tenancies.reference', '=', reference)
      .orderBy('tenants.given_name')
      .execute()

  it('imports tenancies, grouping the rows of joint tenants under one reference', async () => {
    const report = await test.services.places.importTenancies([
      tenancyCsv([
        tenant('lw-t-1', 1001),
        tenant('LW-T-2', 1002, { given_name: 'Priya', family_name: 'Shah', date_of_birth: '02/11/1979' }),
        tenant('LW-T-2', 1002, { given_name: 'Daniel', family_name: 'Shah', date_of_birth: '1977-06-21' }),
      ]),
    ])
    expect(report).toMatchObject({ rows: 3, tenanciesAdded: 2, tenanciesUpdated: 0, tenantsAdded: 3, tenantsRemoved: 0 })
    expect(await tenantsOf('LW-T-1')).toEqual([{ uprn: 1001, end_date: null, given_name: 'Alex', family_name: 'Morgan', date_of_birth: '1985-03-14' }])
    expect((await tenantsOf('LW-T-2')).map((row) => row.given_name)).toEqual(['Daniel', 'Priya'])
  })

  it('refuses unknown UPRNs and inconsistent tenancies, with line numbers, importing nothing', async () => {
    const error = await test.services.places
      .importTenancies([
        tenancyCsv([
          tenant('LW-T-1', 1001),
          tenant('LW-T-2', 4242),
          tenant('LW-T-1', 1002, { given_name: 'Sam' }),
          tenant('LW-T-3', 1003, { date_of_birth: 'last year' }),
        ]),
      ])
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(ImportRejected)
    expect((error as ImportRejected).problems).toEqual([
      { line: 4, reasons: ['tenancy LW-T-1 is at UPRN 1001 on line 2; every row of a tenancy must have the same UPRN'] },
      { line: 5, reasons: ['date_of_birth "last year" is not a real date; use YYYY-MM-DD or DD/MM/YYYY'] },
    ])
    const unknown = await test.services.places.importTenancies([tenancyCsv([tenant('LW-T-1', 1001), tenant('LW-T-2', 4242)])]).catch((caught: unknown) => caught)
    expect((unknown as ImportRejected).problems).toEqual([{ line: 3, reasons: ['UPRN 4242 is not in the property register; import the address first'] }])
    const tenancies = await test.database.db.selectFrom('tenancies').selectAll().execute()
    expect(tenancies).toEqual([])
  })

  it('updates tenancies on re-import, keeping linked tenants and removing those no longer listed', async () => {
    await test.services.places.importTenancies([
      tenancyCsv([tenant('LW-T-1', 1001), tenant('LW-T-1', 1001, { given_name: 'Sam' }), tenant('LW-T-2', 1002, { given_name: 'Kwame' })]),
    ])
    const person = await test.database.db.insertInto('people').values({ given_name: 'Alex', family_name: 'Morgan', email: null }).returning('id').executeTakeFirstOrThrow()
    await test.database.db.updateTable('tenants').set({ person_id: person.id, linked_at: new Date() }).where('given_name', '=', 'Alex').execute()

    const report = await test.services.places.importTenancies([tenancyCsv([tenant('LW-T-1', 1001, { end_date: '2030-01-31' })])])
    expect(report).toMatchObject({ rows: 1, tenanciesAdded: 0, tenanciesUpdated: 1, tenantsAdded: 0, tenantsRemoved: 1 })
    const rows = await test.database.db.selectFrom('tenants').select(['given_name', 'person_id']).orderBy('given_name').execute()
    expect(rows).toEqual([
      { given_name: 'Alex', person_id: person.id },
      { given_name: 'Kwame', person_id: null },
    ])
    expect(await tenantsOf('LW-T-1')).toMatchObject([{ end_date: '2030-01-31' }])
  })
})
