import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../support/app.ts'
import { createLogger } from '../../../src/lib/log.ts'
import { loadDemoCouncil } from '../../../src/demo/load-demo-council.ts'
import { demoTenancies } from '../../../src/demo/places.ts'
import { demoResidentPassword, demoResidents, demoStaff, demoStaffPassword } from '../../../src/demo/accounts.ts'
import { Agent } from '../../support/agent.ts'

describe('the demo council', () => {
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
    await loadDemoCouncil(test.services, { config: test.config, db: test.database.db, logger: createLogger('silent') })
    expect(await count('properties')).toBe(5000)
    expect(await count('wards')).toBe(12)
    expect((await test.services.catalogue.listServices()).map((service) => service.code).sort()).toEqual([
      'abandoned-vehicle',
      'blocked-drain',
      'dead-animal',
      'dog-fouling',
      'fly-tipping',
      'graffiti',
      'housing-repair',
      'missed-bin',
      'pothole',
      'street-light',
    ])
    const tenancies = await count('tenancies')
    expect(tenancies).toBeGreaterThan(1500)

    const started = performance.now()
    await loadDemoCouncil(test.services, { config: test.config, db: test.database.db, logger: createLogger('silent') })
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

  it('has a working account for every staff role the README lists, each landing on the staff pages', async () => {
    const roles = await test.database.db
      .selectFrom('staff_roles')
      .innerJoin('staff_members', 'staff_members.id', 'staff_roles.staff_member_id')
      .innerJoin('roles', 'roles.id', 'staff_roles.role_id')
      .select(['staff_members.email', 'roles.code'])
      .execute()
    for (const member of demoStaff) {
      expect(roles.filter((row) => row.email === member.email).map((row) => row.code)).toEqual([...member.roleCodes])
      const agent = new Agent(test.app)
      const signedIn = await agent.submit('/staff/sign-in', { email: member.email, password: demoStaffPassword })
      expect(signedIn.location, member.email).toBe('/staff')
    }
    const everyRole = (await test.database.db.selectFrom('roles').select('code').execute()).map((row) => row.code)
    expect(new Set(demoStaff.flatMap((member) => member.roleCodes))).toEqual(new Set(everyRole))
  })

  it('has residents who can sign in, two of them named tenants of the demo tenancies', async () => {
    for (const resident of demoResidents) {
      const agent = new Agent(test.app)
      const signedIn = await agent.submit('/sign-in', { email: resident.email, password: demoResidentPassword })
      expect(signedIn.location, resident.email).toBe('/account')
    }
    const alex = demoResidents[0]
    const tenancy = demoTenancies[0]
    expect({ givenName: alex.givenName, familyName: alex.familyName, dateOfBirth: alex.dateOfBirth }).toEqual({
      givenName: tenancy.givenName,
      familyName: tenancy.familyName,
      dateOfBirth: tenancy.dateOfBirth,
    })
  })
})
