import { sql } from 'kysely'
import type { ServiceDependencies, Services } from '../container.ts'
import type { Answers } from '../modules/catalogue/index.ts'
import { gridToLatitudeLongitude } from '../modules/places/index.ts'
import { createRequestServices, type StatusChange } from '../modules/requests/index.ts'
import { demoStaff } from './accounts.ts'
import { SeededRandom } from './random.ts'
import { treatHistoryAsTold } from './requests.ts'

/**
 * Street reports for the public map and list, made through the same service as the website's:
 * a few hundred across the borough over the last three months, some already dealt with, most
 * with their descriptions approved by the moderator, and the home page's usage counts for the
 * last four weeks so its most-used services are the ones a council would expect.
 */
const reportCount = 150
const daysBack = 90

/** What people report, service by service: the answers a form would have made, and words they might write. */
const reports: Record<string, { answers: Answers[]; words: string[] }> = {
  pothole: {
    answers: [
      { position: 'road', size: 'plate-to-tyre', depth: 'yes', danger: 'no' },
      { position: 'cycle-lane', size: 'smaller-than-plate', depth: 'not-sure', danger: 'no' },
      { position: 'road', size: 'bigger-than-tyre', depth: 'yes', danger: 'yes' },
    ],
    words: ['Deep hole near the bus stop, cars swerving round it.', 'Getting bigger after the rain.', 'Right where cyclists ride, easy to miss at night.'],
  },
  'fly-tipping': {
    answers: [
      { waste: ['mattress', 'furniture'], amount: 'small-van', witnessed: 'no' },
      { waste: ['black-bags'], amount: 'car-boot', witnessed: 'no' },
      { waste: ['rubble'], amount: 'lorry', witnessed: 'no' },
    ],
    words: ['Old sofa and a mattress dumped by the recycling bins.', 'About ten black bags, some split open.', 'Pile of bricks and plasterboard blocking the alley.'],
  },
  graffiti: {
    answers: [
      { surface: 'bus-shelter', offensive: 'no', size: 'up-to-door' },
      { surface: 'building-wall', offensive: 'no', size: 'bigger-than-door' },
    ],
    words: ['Tags sprayed all over the shelter glass.', 'Large painted letters on the side wall of the community centre.'],
  },
  'street-light': {
    answers: [
      { fault: 'not-working', 'how-many': 'one' },
      { fault: 'flickering', 'how-many': 'one' },
      { fault: 'on-in-day', 'how-many': 'several' },
    ],
    words: ['Completely dark at night, the path is hard to see.', 'Flickers on and off all evening.', 'Three lights on all day long.'],
  },
  'abandoned-vehicle': {
    answers: [{ vehicle: 'Silver hatchback', 'how-long': 'more-than-month', condition: ['untaxed', 'flat-tyres'] }],
    words: ['Has not moved for weeks, two tyres flat and leaves piling up under it.'],
  },
  'dog-fouling': {
    answers: [
      { 'near-children': 'yes', 'how-often': 'regularly', 'worst-time': 'morning' },
      { 'near-children': 'no', 'how-often': 'once' },
    ],
    words: ['Every morning on the path to the school gate.', 'On the pavement outside the shops.'],
  },
  'blocked-drain': {
    answers: [
      { problem: 'flooded', blockage: 'leaves', smell: 'no' },
      { problem: 'not-draining', blockage: 'mud-or-silt', smell: 'yes' },
    ],
    words: ['Big puddle across the road whenever it rains.', 'Drain full of silt and it smells.'],
  },
  'dead-animal': {
    answers: [
      { animal: 'fox', place: 'road' },
      { animal: 'cat', place: 'pavement' },
    ],
    words: ['Dead fox in the middle of the lane.', 'A black and white cat, may have a collar.'],
  },
}

/** How many times each service was started on a typical day, for the home page's most-used services. */
const dailyStarts: Record<string, number> = {
  'pay-council-tax': 140,
  'missed-bin': 95,
  'housing-repair': 80,
  'bulky-waste-collection': 45,
  pothole: 40,
  'fly-tipping': 32,
  'parking-permits': 25,
  'housing-benefit': 18,
  'street-light': 12,
  graffiti: 6,
}

export async function loadDemoStreetReports(dependencies: ServiceDependencies, services: Services): Promise<number> {
  const { db } = dependencies
  const random = new SeededRandom(20_261_128)
  const now = Date.now()
  await sql`
    insert into service_starts (service_code, day, starts)
    select code, (current_date - offsets.day)::date, greatest(1, round(starts::numeric * (0.7 + 0.6 * random())::numeric))::integer
    from jsonb_each_text(${JSON.stringify(dailyStarts)}::jsonb) as usage(code, starts)
      cross join generate_series(0, 27) as offsets(day)
    where exists (select 1 from services where services.code = usage.code)
    on conflict do nothing
  `.execute(db)

  const places = await db
    .selectFrom('properties')
    .select(['easting', 'northing'])
    .where('parent_uprn', 'is', null)
    .orderBy('uprn')
    .execute()
  const reporters = await services.identity.residents.recordPeople(
    Array.from({ length: 60 }, (_, index) => ({ givenName: 'Demo', familyName: `Reporter ${index + 1}`, email: `street.reporter.${index + 1}@example.com` })),
  )
  const staffRows = await db.selectFrom('staff_members').select(['id', 'email']).execute()
  const staffId = (email: string) => staffRows.find((row) => row.email === email)!.id
  const officer = staffId(demoStaff[4].email)
  const moderator = staffId(demoStaff[6].email)

  let clock = new Date(now - daysBack * 86_400_000)
  const requests = createRequestServices({ ...dependencies, catalogue: services.catalogue }, { now: () => clock })
  const codes = Object.keys(reports)
  for (let made = 0; made < reportCount; made += 1) {
    clock = new Date(now - daysBack * 86_400_000 + Math.floor((made / reportCount) * (daysBack - 1) * 86_400_000) + random.integer(0, 36_000_000))
    const code = random.pick(codes)
    const kind = reports[code]!
    const place = random.pick(places)
    // A little way off the house the point is near, as a pin dropped in the street would be.
    const easting = place.easting + random.integer(-15, 15)
    const northing = place.northing + random.integer(-15, 15)
    const located = await services.places.locate(gridToLatitudeLongitude(easting, northing))
    if (!located.inside) continue
    const { usrn, ...where } = located.place
    const words = random.chance(0.75) ? random.pick(kind.words) : undefined
    const given: Answers = { location: usrn === undefined ? where : { ...where, usrn }, ...random.pick(kind.answers), ...(words ? { details: words } : {}) }
    // Questions left blank are answered "nothing", as the form records a skipped optional question.
    const { definition } = (await services.catalogue.currentDefinition(code))!
    const answers: Answers = Object.fromEntries(definition.questions.filter((question) => question.kind !== 'interruption').map((question) => [question.id, given[question.id] ?? null]))
    const created = await requests.createRequest({ serviceCode: code, personId: random.pick(reporters), answers, channel: 'web' })
    if (words && random.chance(0.85)) await services.publicReports.moderate(moderator, created.reference, { approve: words })
    const age = (now - clock.getTime()) / 86_400_000
    const steps: StatusChange[] = age > 20 && random.chance(0.8) ? [{ type: 'triage' }, { type: 'complete' }] : age > 3 && random.chance(0.6) ? [{ type: 'triage' }] : []
    let rowVersion = 1
    for (const change of steps) {
      clock = new Date(clock.getTime() + random.integer(2, 72) * 3_600_000)
      rowVersion = (await requests.changeStatus(created.id, change, { actor: { kind: 'staff', id: officer }, expectedRowVersion: rowVersion })).rowVersion
    }
  }
  await treatHistoryAsTold(db)
  return reportCount
}
