import { randomBytes } from 'node:crypto'
import type { Config } from '../../../src/config.ts'
import type { DatabaseHandle } from '../../../src/lib/database/connection.ts'
import { createLogger } from '../../../src/lib/log.ts'
import { createCatalogueServices, type DefinitionSource } from '../../../src/modules/catalogue/index.ts'
import { requestStatuses } from '../../../src/modules/requests/lifecycle.ts'
import { createIdentityServices } from '../../../src/modules/identity/index.ts'
import { createNotificationServices } from '../../../src/modules/notifications/index.ts'
import { createRequestServices, createResidentMessages } from '../../../src/modules/requests/index.ts'
import { createSchedulingServices, type CapacityOwner, type Slot } from '../../../src/modules/scheduling/index.ts'
import { testConfig } from '../../support/app.ts'

/** A small repair service: one choice of problem, each with its job, and an optional description. */
export function repairDefinition(changes: Partial<DefinitionSource> = {}): DefinitionSource {
  return {
    code: 'test-repair',
    name: 'Report a repair',
    description: 'Tell us about a repair in your home.',
    lgslCode: 1150,
    owningTeam: 'housing-repairs',
    audience: 'tenants',
    recordVisibility: 'private',
    questions: [
      {
        id: 'problem',
        kind: 'radios',
        label: 'What is the problem?',
        options: [
          { value: 'dripping-tap', label: 'A dripping tap', job: { code: 'SOR 201003', trade: 'plumbing', priority: 'routine' } },
          { value: 'blocked-toilet', label: 'A blocked toilet', job: { code: 'SOR 202001', trade: 'plumbing', priority: 'urgent' } },
          { value: 'damp-and-mould', label: 'Damp or mould', regime: 'awaabs-law', job: { code: 'SOR 900100', trade: 'damp', priority: 'urgent' } },
        ],
      },
      { id: 'details', kind: 'textarea', label: 'Tell us more', required: false },
    ],
    priority: { default: 'routine' },
    statusLabels: Object.fromEntries(requestStatuses.map((status) => [status, status])) as DefinitionSource['statusLabels'],
    ...changes,
  }
}

/** The clock the services read, moved on by each test as it needs. */
export interface TestClock {
  now: Date
}

export function requestServicesFor(db: DatabaseHandle, clock: TestClock, config: Config = testConfig()) {
  const logger = createLogger('silent')
  const catalogue = createCatalogueServices({ config, db, logger })
  const requests = createRequestServices({ config, db, logger, catalogue }, { now: () => clock.now })
  return { catalogue, requests }
}

/** The requests services with scheduling on the same clock, its messages queued in the real outbox. */
export function schedulingServicesFor(db: DatabaseHandle, clock: TestClock, config: Config = testConfig()) {
  const logger = createLogger('silent')
  const { catalogue, requests } = requestServicesFor(db, clock, config)
  const notifications = createNotificationServices({ config, db, logger })
  const identity = createIdentityServices({ config, db, logger, notifications })
  const messages = createResidentMessages({ config, db, logger, catalogue, people: identity.residents, notifications })
  const scheduling = createSchedulingServices({ config, db, logger, requests, messages }, { now: () => clock.now })
  return { catalogue, requests, scheduling, notifications }
}

export async function person(db: DatabaseHandle, name: { givenName?: string; familyName?: string } = {}): Promise<string> {
  const row = await db
    .insertInto('people')
    .values({ given_name: name.givenName ?? 'Alex', family_name: name.familyName ?? 'Morgan', email: null, mobile: null, date_of_birth: null })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

export async function staffMember(db: DatabaseHandle, name = 'Olu Officer'): Promise<string> {
  const row = await db
    .insertInto('staff_members')
    .values({ name, email: `${randomBytes(4).toString('hex')}@council.example.gov.uk`, password_hash: null, directory_subject: null, contractor_id: null })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

export async function property(db: DatabaseHandle, uprn: number): Promise<number> {
  await db
    .insertInto('properties')
    .values({
      uprn,
      parent_uprn: null,
      address_line_1: `${uprn % 1000} Mill Lane`,
      town: 'Lower Wendle',
      postcode: 'LW1 5UP',
      ward_code: null,
      usrn: null,
      easting: 447_467,
      northing: 204_298,
      grid_position: '(447467,204298)',
      latitude: 51.7,
      longitude: -1.3,
    })
    .execute()
  return uprn
}

/** How many places a team's or contractor's slot has, and how many are booked. */
export async function placesOf(db: DatabaseHandle, owner: CapacityOwner, slot: Slot): Promise<{ places: number; booked: number }> {
  return db
    .selectFrom('capacity')
    .select(['places', 'booked'])
    .where(owner.kind === 'team' ? 'team_id' : 'contractor_id', '=', owner.id)
    .where('date', '=', slot.date)
    .where('window_code', '=', slot.window)
    .executeTakeFirstOrThrow()
}
