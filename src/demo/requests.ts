import { sql } from 'kysely'
import type { ServiceDependencies, Services } from '../container.ts'
import { addDays, ukDateOf, ukInstant, ukWallClock } from '../lib/calendar/index.ts'
import { isWeekend } from '../lib/calendar/plain-date.ts'
import type { DatabaseHandle } from '../lib/database/connection.ts'
import {
  answerAll,
  jobFor,
  priorityDecision,
  regimesFor,
  routeFor,
  type AnswerQuestion,
  type Answers,
  type LocationAnswer,
  type ServiceDefinition,
} from '../modules/catalogue/index.ts'
import type { Actor } from '../modules/identity/index.ts'
import {
  createRequestServices,
  createSatisfactionSurvey,
  type ClosureReason,
  type Priority,
  type RequestServices,
  type SatisfactionAnswer,
  type StatusChange,
} from '../modules/requests/index.ts'
import { demoResidents, demoStaff } from './accounts.ts'
import { demoTenancies } from './places.ts'
import { SeededRandom } from './random.ts'

/**
 * The demo council's requests: about 300 housing repairs and 60 missed bins over the last 120
 * days, in every state, so the staff queue and "Your requests" look lived in on first start. Each
 * is made and moved on through the real requests service, with a clock set to when each thing
 * happened, so timelines, targets, holds and the audit log are all real. What happens to which
 * home is decided up front from a seed, counting back from the moment of loading, so the demo
 * looks the same from one first start to the next; only the references differ, because they are
 * random by design.
 */

const hour = 60 * 60 * 1000
const day = 24 * hour
const historyDays = 120
const housingRepairs = 300
const missedBins = 60
/** Requests made at once, each by a worker with a connection of its own; more only queue for the database. */
const workersAtOnce = 4

type Role = 'lead' | 'officer' | 'waste' | 'agent' | 'operative' | 'resident'
type StaffRole = Exclude<Role, 'resident'>
type FinalState = 'reported' | 'triaged' | 'scheduled' | 'in-progress' | 'completed' | 'no-access' | 'on-hold' | 'cancelled' | 'closed'

type Step =
  | { kind: 'triage'; by: StaffRole; priority: Priority }
  | { kind: 'assign'; team: 'housing-repairs'; officer: StaffRole; contractor: boolean }
  | { kind: 'change'; by: Role; change: StatusChange; note?: string; appointment?: boolean }
  | { kind: 'note'; by: Role; body: string; visibility: 'public' | 'internal' }
  | { kind: 'survey'; rating: SatisfactionAnswer['rating']; comment: string }
  | { kind: 'milestone'; by: StaffRole; milestone: PlannedMilestone }

/** An Awaab's Law milestone, recorded at the moment its step happens. */
type PlannedMilestone =
  | { kind: 'investigation-concluded'; hazardFound: 'significant' | 'none'; furtherWorkNeeded: false }
  | { kind: 'written-summary-given' | 'safety-work-done' }

/** A step and how long after the one before it it usually happens, for routine work. */
interface PlannedStep {
  step: Step
  typicalHours: readonly [number, number]
}

interface Reporter {
  givenName: string
  familyName: string
  email: string
  dateOfBirth?: string
}

/** One request as it will be made: who, where, what they answered, and everything that happened after. */
interface RequestStory {
  serviceCode: 'housing-repair' | 'missed-bin'
  reporter: number
  uprn: number | null
  answers: Answers
  channel: 'web' | 'phone' | 'counter'
  reportedAt: Date
  steps: { step: Step; at: Date }[]
}

interface DemoHome {
  reference: string
  uprn: number
  isFlat: boolean
  wardCode: string | null
  givenName: string
  familyName: string
  dateOfBirth: string
  /** Where a missed bin at this home was left, as the form's address finder would give it. */
  location: LocationAnswer
}

export interface DemoRequestsReport {
  requests: number
  people: number
}

const tradeDescriptions: Record<string, readonly string[]> = {
  plumbing: [
    'Water keeps dripping and I have had to put a bowl underneath.',
    'It has been getting worse all week. I tried tightening it but it made no difference.',
    'There is water on the floor every morning.',
  ],
  electrical: [
    'It stopped working suddenly. Nothing has tripped at the fuse box.',
    'It has been flickering for a while and now it does not work at all.',
  ],
  carpentry: ['It is hanging loose and I am worried the children will hurt themselves.', 'It has been getting worse since the winter.'],
  glazing: ['The room gets very cold and there is a draught all the time.', 'It happened in the storm at the weekend.'],
  heating: ['The room is freezing even with the heating turned right up.', 'It makes a banging noise and then goes cold.'],
  roofing: ['Water runs down the outside wall whenever it rains heavily.', 'I can see it from the garden and it is getting worse.'],
  drainage: ['There is a bad smell outside the back door and water pools around the drain.'],
  'damp-and-mould': [
    'Black mould keeps coming back however often I wipe it, and the room smells damp.',
    'The wall is wet to touch and the mould has spread onto the curtains.',
    'We keep the windows open but the mould is getting worse, and my son has asthma.',
  ],
  lifts: ['The lift has been out of order for two days and my neighbour cannot manage the stairs.'],
  'door-entry': ['Visitors cannot buzz in and deliveries keep being missed.'],
  locksmith: ['It is very hard to lock and I am worried the key will snap.'],
}
const generalDescriptions = [
  'It has been like this for about two weeks and is getting worse.',
  'I noticed it last week. Please can someone come and have a look.',
  'It started after the heavy rain and has not got any better.',
]
const somethingElse = ['The curtain rail has come off the wall', 'A shelf in the airing cupboard has collapsed', 'The loft hatch will not close']
const accessNotes = [
  'We have a dog. Please knock and wait while I put him in the garden.',
  'Nobody is in on Tuesday mornings.',
  'Please phone before you come: the doorbell does not work.',
  'I work nights, so afternoons are best.',
]
const binDetails = ['The crew emptied the other bins in the street but missed ours.', 'The bin was out at the kerb from the night before.']
const internalNotes = [
  'Tenant asked for a morning appointment.',
  'Called the tenant to confirm access.',
  'Vulnerable tenant: phone before visiting.',
  'Checked the property history before booking.',
  'Operative to take a second person: heavy lifting.',
]
const publicUpdates = [
  'We have ordered the part and will be in touch when it arrives.',
  'Our operative will need a second visit to finish the work.',
  'Thank you for your patience. The work is booked in with our contractor.',
]
const residentInformation = ['It has got worse since I reported it.', 'I am at home all day on Thursday if that helps.', 'The photo does not show it well: it is behind the cupboard.']
const holdNotes: Record<string, string> = {
  'awaiting-resident': 'We have tried to call you to arrange a visit. Please call us so we can book it.',
  'resident-asked-to-wait': 'As you asked, we will come back to this after you return.',
  'awaiting-materials': 'We are waiting for a replacement part. We will book a visit when it arrives.',
  'awaiting-specialist': 'This needs a specialist. We have asked them to inspect and will update you.',
  'awaiting-other-work': 'We need to finish other work at your home first, then we will come back to this.',
}
const closureNotes: Record<Exclude<ClosureReason, 'completed'>, string> = {
  duplicate: 'A neighbour reported this already; we are dealing with it under that report.',
  'not-councils-responsibility': 'This is the tenant’s responsibility under the tenancy agreement.',
  'no-further-action': 'Inspected: no repair is needed at the moment.',
  withdrawn: 'The tenant told us the problem has gone.',
}
const noAccessNote = 'Nobody was in when we called. We left a card with our phone number.'
const binNoAccessNote = 'The crew went back but the bin was behind a locked gate.'
const surveyComments = ['Quick and tidy, thank you.', 'The operative was friendly and explained everything.', 'It took three visits to fix.', 'Nobody told me when they were coming.']

const appointmentDay = new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', timeZone: 'Europe/London' })

/** Which state a request ends in, by how many days ago it was made: older work is mostly finished. */
const repairOutcomes: readonly { olderThanDays: number; weights: Record<FinalState, number> }[] = [
  { olderThanDays: 30, weights: { reported: 0.5, triaged: 1, scheduled: 2, 'in-progress': 1, completed: 7, 'no-access': 1, 'on-hold': 3, cancelled: 6, closed: 78.5 } },
  { olderThanDays: 10, weights: { reported: 3, triaged: 7, scheduled: 15, 'in-progress': 7, completed: 25, 'no-access': 6, 'on-hold': 10, cancelled: 5, closed: 22 } },
  { olderThanDays: 2, weights: { reported: 8, triaged: 17, scheduled: 30, 'in-progress': 10, completed: 15, 'no-access': 5, 'on-hold': 8, cancelled: 4, closed: 3 } },
  { olderThanDays: 0, weights: { reported: 45, triaged: 30, scheduled: 15, 'in-progress': 5, completed: 0, 'no-access': 0, 'on-hold': 0, cancelled: 5, closed: 0 } },
]
const binOutcomes: readonly { olderThanDays: number; weights: Partial<Record<FinalState, number>> }[] = [
  { olderThanDays: 4, weights: { completed: 10, closed: 75, 'no-access': 5, cancelled: 5, triaged: 3, reported: 2 } },
  { olderThanDays: 0, weights: { reported: 40, triaged: 25, scheduled: 20, completed: 15 } },
]

/** Emergencies and urgent work move faster than routine work; a missed bin is collected within days. */
const pace: Record<Priority, number> = { immediate: 0.04, emergency: 0.08, urgent: 0.35, routine: 1 }
const binPace = 0.2
const officeOpens = 8 * 60
const officeCloses = 18 * 60

function weighted<T extends string>(random: SeededRandom, weights: Partial<Record<T, number>>): T {
  const entries = Object.entries(weights) as [T, number][]
  let roll = random.next() * entries.reduce((sum, [, weight]) => sum + weight, 0)
  for (const [value, weight] of entries) {
    roll -= weight
    if (roll < 0) return value
  }
  return entries.at(-1)![0]
}

/**
 * Fills in a form the way a person would, page by page as the form engine shows them, choosing
 * with `choose` wherever `preset` does not say. Every answer goes through the engine's own checks,
 * so a demo request is always one the web form could have made.
 */
function fillIn(definition: ServiceDefinition, preset: Answers, choose: (question: AnswerQuestion) => unknown, today: string): Answers {
  const filled = answerAll(definition, (question) => (question.id in preset ? preset[question.id] : choose(question)), { today })
  if (filled.kind === 'stopped') throw new Error(`A demo ${definition.code} form stopped at an interruption`)
  if (filled.kind === 'refused') throw new Error(`The demo answer to "${filled.errors[0]!.question.id}" is refused: ${filled.errors[0]!.error.key}`)
  return filled.answers
}

/** The choices a person makes where nothing was preset: any option at all, since the presets steer clear of emergencies. */
function choiceMaker(random: SeededRandom, reporter: Reporter, mobile: string) {
  return (question: AnswerQuestion): unknown => {
    switch (question.kind) {
      case 'radios':
        return random.pick(question.options).value
      case 'checkboxes': {
        const options = question.options.filter((option) => !option.exclusive)
        return random.shuffled(options).slice(0, random.integer(1, 2)).map((option) => option.value)
      }
      case 'text':
        return random.pick(somethingElse)
      case 'textarea':
        return question.required ? random.pick(generalDescriptions) : random.chance(0.3) ? random.pick(accessNotes) : ''
      case 'phone':
        return mobile
      case 'email':
        return reporter.email
      default:
        return undefined
    }
  }
}

/** The steps from a new request to its final state, each with its usual delay for routine work. */
function storyTo(final: FinalState, random: SeededRandom, options: { priority: Priority; isBin: boolean; contractor: boolean; routedToContractor: boolean; damp: boolean }): PlannedStep[] {
  const { priority, isBin } = options
  const worker: Role = isBin ? 'waste' : options.contractor ? 'operative' : 'officer'
  const steps: PlannedStep[] = []
  const add = (step: Step, typicalHours: readonly [number, number]) => steps.push({ step, typicalHours })
  const triage = () => {
    const regraded = !isBin && random.chance(0.12)
    const upgraded = priority === 'routine' ? 'urgent' : priority === 'urgent' ? 'emergency' : 'immediate'
    add({ kind: 'triage', by: isBin ? 'waste' : random.pick<StaffRole>(['lead', 'officer']), priority: regraded ? upgraded : priority }, [1, 30])
  }
  // A missed bin stays with the waste team it was made for, and many repairs with their team (and
  // the contractor the routing rules chose) without a named officer.
  const assign = () => {
    if (isBin) return
    if (options.contractor !== options.routedToContractor || random.chance(0.6)) {
      add({ kind: 'assign', team: 'housing-repairs', officer: random.pick<StaffRole>(['officer', 'officer', 'lead']), contractor: options.contractor }, [0.1, 2])
    }
    if (random.chance(0.2)) add({ kind: 'note', by: 'officer', body: random.pick(internalNotes), visibility: 'internal' }, [0.5, 24])
  }
  const schedule = () => add({ kind: 'change', by: isBin ? 'waste' : 'officer', change: { type: 'schedule' }, appointment: !isBin }, [2, 48])
  const hold = (reason: string) =>
    add({ kind: 'change', by: 'officer', change: { type: 'put-on-hold', holdReason: reason }, note: holdNotes[reason] }, [2, 72])
  // Damp and mould is inspected at the first visit, which starts the Awaab's Law steps that follow.
  const hazardFound = random.chance(0.8) ? 'significant' : 'none'
  const madeSafe = () => {
    if (options.damp && hazardFound !== 'none') add({ kind: 'milestone', by: 'officer', milestone: { kind: 'safety-work-done' } }, [0.5, 4])
  }
  const inspected = (safeAtOnce: boolean) => {
    if (!options.damp) return
    add({ kind: 'milestone', by: 'officer', milestone: { kind: 'investigation-concluded', hazardFound, furtherWorkNeeded: false } }, [0.5, 6])
    if (safeAtOnce) madeSafe()
    add({ kind: 'milestone', by: 'officer', milestone: { kind: 'written-summary-given' } }, [24, 72])
  }
  const startWork = () => {
    add({ kind: 'change', by: worker, change: { type: 'start-work' } }, [24, 240])
    inspected(false)
  }
  const complete = () => {
    add({ kind: 'change', by: worker, change: { type: 'complete' } }, [1, 8])
    madeSafe()
  }
  const workedThrough = () => {
    triage()
    assign()
    schedule()
    if (!isBin && random.chance(0.12)) {
      add({ kind: 'change', by: worker, change: { type: 'record-no-access' }, note: noAccessNote }, [24, 240])
      schedule()
    }
    // Most jobs are finished at the first visit; one needing parts or a second visit is under way in between.
    if (isBin || random.chance(0.65)) {
      add({ kind: 'change', by: worker, change: { type: 'complete' } }, [24, 240])
      inspected(true)
      return
    }
    startWork()
    if (random.chance(0.15)) {
      hold('awaiting-materials')
      add({ kind: 'change', by: 'officer', change: { type: 'resume' } }, [48, 240])
      if (random.chance(0.5)) add({ kind: 'note', by: 'officer', body: random.pick(publicUpdates), visibility: 'public' }, [1, 24])
    }
    complete()
  }
  const survey = () => {
    if (!random.chance(0.35)) return
    const rating = weighted<SatisfactionAnswer['rating']>(random, { 'very-satisfied': 40, satisfied: 30, neither: 12, dissatisfied: 10, 'very-dissatisfied': 8 })
    add({ kind: 'survey', rating, comment: random.chance(0.3) ? random.pick(surveyComments) : '' }, [2, 72])
  }

  switch (final) {
    case 'reported':
      break
    case 'triaged':
      triage()
      assign()
      break
    case 'scheduled':
      triage()
      assign()
      schedule()
      break
    case 'in-progress':
      // An emergency is attended first and looked at afterwards.
      if (priority === 'emergency' && random.chance(0.5)) add({ kind: 'change', by: 'officer', change: { type: 'start-work' } }, [0.5, 3])
      else {
        triage()
        assign()
        schedule()
        startWork()
      }
      break
    case 'no-access':
      triage()
      assign()
      schedule()
      add({ kind: 'change', by: worker, change: { type: 'record-no-access' }, note: isBin ? binNoAccessNote : noAccessNote }, [24, 240])
      break
    case 'on-hold': {
      triage()
      assign()
      const reason = weighted(random, { 'awaiting-materials': 4, 'awaiting-resident': 3, 'awaiting-specialist': 2, 'resident-asked-to-wait': 2, 'awaiting-other-work': 1 })
      if (reason === 'awaiting-materials') {
        schedule()
        startWork()
      } else if (reason !== 'awaiting-resident') schedule()
      hold(reason)
      break
    }
    case 'cancelled':
      if (random.chance(0.5)) {
        triage()
        add({ kind: 'change', by: 'resident', change: { type: 'cancel' }, note: 'Sorted now, thank you.' }, [2, 120])
      } else add({ kind: 'change', by: isBin ? 'waste' : 'agent', change: { type: 'cancel' }, note: 'The resident phoned to cancel: the problem has been fixed.' }, [2, 120])
      break
    case 'completed':
      workedThrough()
      if (!isBin) survey()
      break
    case 'closed': {
      const reason = weighted<ClosureReason>(random, isBin ? { completed: 90, duplicate: 10 } : { completed: 75, duplicate: 7, 'not-councils-responsibility': 7, 'no-further-action': 6, withdrawn: 5 })
      if (reason === 'completed') {
        workedThrough()
        if (!isBin) survey()
        add({ kind: 'change', by: isBin ? 'waste' : 'officer', change: { type: 'close', closureReason: 'completed' } }, [48, 240])
      } else {
        if (reason === 'no-further-action') triage()
        add({ kind: 'change', by: isBin ? 'waste' : 'lead', change: { type: 'close', closureReason: reason }, note: closureNotes[reason] }, [2, 72])
      }
      break
    }
  }
  if (!isBin && final !== 'reported' && random.chance(0.1)) {
    // Before the last step: nobody adds to a request they have just seen finished.
    steps.splice(random.integer(0, steps.length - 1), 0, { step: { kind: 'note', by: 'resident', body: random.pick(residentInformation), visibility: 'public' }, typicalHours: [1, 48] })
  }
  return steps
}

/**
 * Times for the steps: each after the one before by its usual delay at the request's pace, the
 * rest squeezed in proportion whenever they would not fit between the last step and now.
 */
function timed(steps: PlannedStep[], reportedAt: Date, now: Date, speed: number, random: SeededRandom): { step: Step; at: Date }[] {
  const gaps = steps.map(({ typicalHours: [least, most] }) => (least + random.next() * (most - least)) * speed * hour)
  // Emergencies are attended day and night; everything else waits for the office to open.
  const outOfHours = speed <= pace.emergency
  const latest = new Date(now.getTime() - 60_000)
  let at = reportedAt
  return steps.map(({ step }, index) => {
    const stillToCome = gaps.slice(index).reduce((sum, gap) => sum + gap, 0)
    const room = (latest.getTime() - at.getTime()) * 0.95
    at = new Date(at.getTime() + gaps[index]! * Math.min(1, room / stillToCome))
    const byStaff = step.kind !== 'survey' && !('by' in step && step.by === 'resident')
    if (byStaff && !outOfHours) at = whenStaffAreIn(at, latest)
    return { step, at }
  })
}

/**
 * The moment itself when staff are at work, Monday to Friday from 8am to 6pm UK time, or some time
 * on their next working day (spread by the minute it would have been, so the seeded plan stays the
 * same whatever day it is made); never later than `latest`, so a story never runs into the future.
 */
function whenStaffAreIn(instant: Date, latest: Date): Date {
  const clock = ukWallClock(instant)
  if (!isWeekend(clock.date) && clock.minutes >= officeOpens && clock.minutes < officeCloses) return instant
  let date = clock.minutes >= officeCloses ? addDays(clock.date, 1) : clock.date
  while (isWeekend(date)) date = addDays(date, 1)
  const minutesIn = Math.floor(instant.getTime() / 60_000) % (officeCloses - officeOpens - 30)
  const arrival = new Date(ukInstant(date, '08:00').getTime() + minutesIn * 60_000)
  return arrival.getTime() < latest.getTime() ? arrival : instant
}

const emailOf = (givenName: string, familyName: string, number: number) =>
  `${givenName}.${familyName}.${number}@example.com`.toLowerCase().replace(/[^a-z0-9.@]/g, '')

/** The plan: every request's reporter, home, answers and story, decided from the seed alone. */
function planStories(homes: DemoHome[], definitions: Record<RequestStory['serviceCode'], ServiceDefinition>, now: Date, seed = 20_261_125) {
  const random = new SeededRandom(seed)
  const reporters: Reporter[] = []
  const stories: RequestStory[] = []
  const shuffledHomes = random.shuffled(homes)
  let nextHome = 0
  const reporterAt = (home: DemoHome) => {
    reporters.push({ givenName: home.givenName, familyName: home.familyName, dateOfBirth: home.dateOfBirth, email: emailOf(home.givenName, home.familyName, reporters.length + 1) })
    return reporters.length - 1
  }

  const tell = (input: { serviceCode: RequestStory['serviceCode']; home: DemoHome; reporter: number; reportedAt: Date; preset?: Answers; final?: FinalState }) => {
    const { serviceCode, home, reporter } = input
    const isBin = serviceCode === 'missed-bin'
    const channel = random.chance(isBin ? 0.15 : 0.2) ? 'phone' : !isBin && random.chance(0.04) ? 'counter' : 'web'
    // People report online at any hour; the phone lines and the counter keep office hours.
    const reportedAt = channel === 'web' ? input.reportedAt : whenStaffAreIn(input.reportedAt, new Date(now.getTime() - hour))
    const definition = definitions[serviceCode]
    const person = reporters[reporter]!
    const mobile = `07700 900${String(reporter % 1000).padStart(3, '0')}`
    const preset: Answers = isBin
      ? {
          location: home.location,
          'collection-date': ukDateOf(new Date(reportedAt.getTime() - random.integer(0, 1) * day)),
          'out-in-time': 'yes',
          'collection-point': weighted(random, { kerbside: 70, 'property-boundary': 22, assisted: 8 }),
          details: random.chance(0.3) ? random.pick(binDetails) : '',
          ...input.preset,
        }
      : {
          gas: 'no',
          emergency: ['none'],
          where: home.isFlat && random.chance(0.3) ? 'communal' : 'own-home',
          'contact-method': random.chance(0.7) ? 'email' : 'text',
          ...input.preset,
        }
    const answers = fillIn(definition, preset, choiceMaker(random, person, mobile), ukDateOf(reportedAt))
    const job = jobFor(definition, answers)
    const description = isBin ? undefined : random.pick(tradeDescriptions[job?.trade ?? ''] ?? generalDescriptions)
    const finalAnswers = description === undefined || 'description' in (input.preset ?? {}) ? answers : { ...answers, description }
    const priority = priorityDecision(definition, finalAnswers).priority
    const ageDays = (now.getTime() - reportedAt.getTime()) / day
    const outcomes = isBin ? binOutcomes : repairOutcomes
    // An emergency is seldom still open days later; when one is, the queue shows it overdue.
    const mostly = random.chance(0.9)
    const settled = (priority === 'emergency' || priority === 'immediate') && ageDays > 3 && mostly
    const final = input.final ?? (settled ? weighted<FinalState>(random, { closed: 85, completed: 10, cancelled: 5 }) : weighted(random, outcomes.find((outcome) => ageDays > outcome.olderThanDays)!.weights))
    // Work the routing rules give the contractor stays with it; officers send it some of the rest.
    const routedToContractor = routeFor(definition, { trade: job?.trade ?? null, wardCode: home.wardCode }).contractorCode !== null
    const steps = storyTo(final, random, {
      priority,
      isBin,
      contractor: !isBin && (routedToContractor || random.chance(0.3)),
      routedToContractor,
      damp: regimesFor(definition, finalAnswers).includes('awaabs-law'),
    })
    stories.push({
      serviceCode,
      reporter,
      uprn: isBin ? null : home.uprn,
      answers: finalAnswers,
      channel,
      reportedAt,
      steps: timed(steps, reportedAt, now, isBin ? binPace : pace[priority], random),
    })
  }

  /** Mostly recent: the queue is busier with this month's reports than with last quarter's. */
  const someTimeAgo = () => new Date(now.getTime() - Math.max(0.05, historyDays * random.next() ** 1.6) * day)

  for (let made = 0; made < housingRepairs; ) {
    const home = shuffledHomes[nextHome++]!
    const reporter = reporterAt(home)
    const reportedAt = someTimeAgo()
    tell({ serviceCode: 'housing-repair', home, reporter, reportedAt })
    made += 1
    // A few homes have the same problem again: a repeat the staff page points out.
    if (made % 37 === 0 && made < housingRepairs) {
      const first = stories.at(-1)!
      const again = new Date(Math.min(now.getTime() - 2 * hour, reportedAt.getTime() + random.integer(14, 50) * day))
      const repeated = Object.fromEntries(Object.entries(first.answers).filter(([id]) => id !== 'description'))
      tell({ serviceCode: 'housing-repair', home, reporter, reportedAt: again, preset: { ...repeated, description: 'The same problem is back again after the last repair.' } })
      made += 1
    }
  }
  // Emergencies reported this morning: due within the day, so the queue marks them nearly due.
  const emergencies: Answers[] = [
    { area: 'kitchen', 'kitchen-problem': 'taps', 'kitchen-tap': 'will-not-turn-off' },
    { area: 'living-areas', 'living-problem': 'electrics', electrics: 'scorched' },
    { area: 'bedroom', 'bedroom-problem': 'window', window: 'smashed' },
  ]
  for (const preset of emergencies) {
    const home = shuffledHomes[nextHome++]!
    tell({ serviceCode: 'housing-repair', home, reporter: reporterAt(home), reportedAt: new Date(now.getTime() - random.integer(4, 16) * hour), preset: { where: 'own-home', ...preset }, final: random.pick(['reported', 'triaged'] as const) })
  }
  for (let made = 0; made < missedBins; made += 1) {
    const home = shuffledHomes[nextHome++]!
    tell({ serviceCode: 'missed-bin', home, reporter: reporterAt(home), reportedAt: someTimeAgo() })
  }
  return { reporters, stories }
}

/**
 * The demo resident Alex Morgan's own repairs, one in each stage a tenant most often sees: done
 * (with the survey still to answer), booked, on hold and just reported.
 */
function alexStories(now: Date, personIndex: number, uprn: number, definition: ServiceDefinition, email: string): RequestStory[] {
  const random = new SeededRandom(14_031_985)
  const ago = (days: number) => new Date(now.getTime() - days * day)
  const alex: Reporter = { givenName: 'Alex', familyName: 'Morgan', email }
  const repair = (preset: Answers, reportedAt: Date, steps: PlannedStep[], priority: Priority): RequestStory => ({
    serviceCode: 'housing-repair',
    reporter: personIndex,
    uprn,
    answers: fillIn(definition, { gas: 'no', emergency: ['none'], where: 'own-home', 'contact-method': 'email', access: '', ...preset }, choiceMaker(random, alex, ''), ukDateOf(reportedAt)),
    channel: 'web',
    reportedAt,
    steps: timed(steps, reportedAt, now, pace[priority], random),
  })
  const change = (by: Role, statusChange: StatusChange, typicalHours: readonly [number, number], note?: string, appointment?: boolean): PlannedStep => ({
    step: { kind: 'change', by, change: statusChange, ...(note ? { note } : {}), ...(appointment ? { appointment } : {}) },
    typicalHours,
  })
  const triage = (priority: Priority): PlannedStep => ({ step: { kind: 'triage', by: 'officer', priority }, typicalHours: [2, 20] })
  const assign = (contractor: boolean): PlannedStep => ({ step: { kind: 'assign', team: 'housing-repairs', officer: 'officer', contractor }, typicalHours: [0.2, 1] })

  return [
    repair(
      { area: 'bathroom', 'bathroom-problem': 'extractor-fan', description: 'The fan in the bathroom has stopped working and the mirror stays steamed up for hours.' },
      ago(31),
      [triage('routine'), assign(true), change('officer', { type: 'schedule' }, [4, 24], undefined, true), change('operative', { type: 'start-work' }, [72, 120]), change('operative', { type: 'complete' }, [1, 2])],
      'routine',
    ),
    repair(
      {
        area: 'damp-and-mould',
        'damp-rooms': ['bedroom'],
        'damp-extent': 'large',
        'damp-leak': 'not-sure',
        'damp-health': 'no',
        description: 'There is black mould on the wall behind the bed and it comes back a week after I clean it.',
      },
      ago(6),
      [triage('urgent'), assign(false), change('officer', { type: 'schedule' }, [20, 30], undefined, true), { step: { kind: 'note', by: 'officer', body: 'A surveyor will look at the cause of the damp and tell you in writing what we found.', visibility: 'public' }, typicalHours: [1, 2] }],
      'urgent',
    ),
    repair(
      { area: 'kitchen', 'kitchen-problem': 'window', window: 'handle-or-hinge', description: 'The handle on the kitchen window has snapped, so the window will not open.' },
      ago(19),
      [triage('routine'), assign(true), change('officer', { type: 'schedule' }, [4, 24], undefined, true), change('operative', { type: 'start-work' }, [48, 96]), change('officer', { type: 'put-on-hold', holdReason: 'awaiting-materials' }, [2, 4], holdNotes['awaiting-materials'])],
      'routine',
    ),
    repair(
      { area: 'stairs-and-hallway', 'hallway-problem': 'outside-door', 'outside-door': 'letterbox', description: 'The letterbox flap has come off and there is a draught through the door.' },
      ago(1),
      [],
      'routine',
    ),
  ]
}

/** The tenancies the demo's repairs come from: every current one but the three kept for testers. */
async function demoHomes({ db }: ServiceDependencies): Promise<DemoHome[]> {
  const rows = await db
    .selectFrom('tenancies')
    .innerJoin('tenants', 'tenants.tenancy_id', 'tenancies.id')
    .innerJoin('properties', 'properties.uprn', 'tenancies.uprn')
    .select([
      'tenancies.reference',
      'tenancies.uprn',
      'properties.parent_uprn',
      'properties.ward_code',
      'properties.address_line_1',
      'properties.address_line_2',
      'properties.town',
      'properties.postcode',
      'properties.usrn',
      'properties.easting',
      'properties.northing',
      'properties.latitude',
      'properties.longitude',
      'tenants.given_name',
      'tenants.family_name',
      'tenants.date_of_birth',
    ])
    .where('tenancies.end_date', 'is', null)
    .where('tenancies.reference', 'not in', demoTenancies.map((tenancy) => tenancy.reference))
    .orderBy('tenancies.reference')
    .orderBy('tenants.family_name')
    .orderBy('tenants.given_name')
    .execute()
  const homes = new Map<string, DemoHome>()
  for (const row of rows) {
    if (homes.has(row.reference)) continue
    homes.set(row.reference, {
      reference: row.reference,
      uprn: Number(row.uprn),
      isFlat: row.parent_uprn !== null,
      wardCode: row.ward_code,
      givenName: row.given_name,
      familyName: row.family_name,
      dateOfBirth: row.date_of_birth,
      location: {
        latitude: row.latitude,
        longitude: row.longitude,
        easting: row.easting,
        northing: row.northing,
        ...(row.usrn === null ? {} : { usrn: String(row.usrn) }),
        description: [row.address_line_1, row.address_line_2, row.town, row.postcode].filter((line) => line.trim() !== '').join(', '),
      },
    })
  }
  return [...homes.values()]
}

/**
 * Runs the work on every item, a few at a time, each worker on a connection of its own with
 * synchronous commit off. The demo makes a few thousand small changes, and waiting for the disk
 * after each would be most of the first start; should the machine fail part way, PostgreSQL stays
 * consistent and only the last moments of made-up history are lost.
 */
async function inTurns<T>(db: DatabaseHandle, items: readonly T[], work: (item: T, connection: DatabaseHandle) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(workersAtOnce, items.length) }, () =>
      db.connection().execute(async (connection) => {
        await sql`set synchronous_commit = off`.execute(connection)
        try {
          while (next < items.length) await work(items[next++]!, connection)
        } finally {
          await sql`reset synchronous_commit`.execute(connection)
        }
      }),
    ),
  )
}

/**
 * Makes the demo's requests, once: a database that already has requests gets none. Returns what
 * it made, or undefined when it made nothing.
 */
export async function loadDemoRequests(dependencies: ServiceDependencies, services: Services): Promise<DemoRequestsReport | undefined> {
  const { db } = dependencies
  if (await db.selectFrom('requests').select('id').limit(1).executeTakeFirst()) return undefined

  const now = new Date()
  const [repair, bin] = await Promise.all([services.catalogue.currentDefinition('housing-repair'), services.catalogue.currentDefinition('missed-bin')])
  if (!repair || !bin) throw new Error('The demo requests need the housing-repair and missed-bin services in the catalogue')
  const definitions = { 'housing-repair': repair.definition, 'missed-bin': bin.definition }
  const versions = { 'housing-repair': repair.id, 'missed-bin': bin.id }

  const staffRows = await db.selectFrom('staff_members').select(['id', 'email']).execute()
  const staffId = (email: string) => {
    const found = staffRows.find((row) => row.email === email)
    if (!found) throw new Error(`The demo requests need the demo staff member ${email}`)
    return found.id
  }
  const staffByRole: Record<StaffRole, string> = {
    lead: staffId(demoStaff[1].email),
    officer: staffId(demoStaff[2].email),
    waste: staffId(demoStaff[3].email),
    agent: staffId(demoStaff[5].email),
    operative: staffId(demoStaff[9].email),
  }
  const teams = new Map((await services.identity.staff.teams()).map((team) => [team.code, team.id]))
  // The demo council has the one contractor.
  const contractorId = (await services.identity.staff.contractors())[0]?.id ?? null

  const { reporters, stories } = planStories(await demoHomes(dependencies), definitions, now)
  const personIds = await services.identity.residents.recordPeople(reporters)

  // Alex's own tenancy is linked, so the demo resident can report a repair straight away.
  const alex = demoResidents[0]
  const alexRow = await db.selectFrom('people').select('id').where('email', '=', alex.email).executeTakeFirstOrThrow()
  const [year, month, dayOfMonth] = alex.dateOfBirth.split('-')
  const alexTenancy = await services.places.linkTenancy(alexRow.id, {
    reference: demoTenancies[0].reference,
    postcode: demoTenancies[0].postcode,
    day: dayOfMonth,
    month,
    year,
  })
  personIds.push(alexRow.id)
  stories.push(...alexStories(now, personIds.length - 1, alexTenancy.address.uprn, definitions['housing-repair'], alex.email))

  await inTurns(db, stories, async (story, connection) => {
    const clock = { now: story.reportedAt }
    // The catalogue stays on the pool: the service reads definitions while its transaction holds the connection.
    const requests: RequestServices = createRequestServices({ ...dependencies, db: connection, catalogue: services.catalogue }, { now: () => clock.now })
    const personId = personIds[story.reporter]!
    const actor = (role: Role): Actor => (role === 'resident' ? { kind: 'resident', id: personId } : { kind: 'staff', id: staffByRole[role] })
    const created = await requests.createRequest({
      serviceCode: story.serviceCode,
      definitionVersionId: versions[story.serviceCode],
      personId,
      propertyUprn: story.uprn,
      answers: story.answers,
      channel: story.channel,
      raisedByStaffId: story.channel === 'web' ? null : staffByRole.agent,
    })
    let rowVersion = 1
    let underAwaabsLaw: boolean | undefined
    for (const [index, { step, at }] of story.steps.entries()) {
      clock.now = at
      switch (step.kind) {
        case 'triage':
          rowVersion = (await requests.triage(created.id, { priority: step.priority }, { actor: actor(step.by), expectedRowVersion: rowVersion })).rowVersion
          break
        case 'assign':
          rowVersion = (
            await requests.assign(
              created.id,
              { teamId: teams.get(step.team) ?? null, staffId: staffByRole[step.officer], contractorId: step.contractor ? contractorId : null },
              { actor: actor('lead'), expectedRowVersion: rowVersion },
            )
          ).rowVersion
          break
        case 'change': {
          const appointment = step.appointment ? story.steps[index + 1]?.at ?? new Date(at.getTime() + 3 * day) : undefined
          const note = appointment ? `We have booked a visit for ${appointmentDay.format(appointment)}, between 8am and 6pm.` : step.note
          rowVersion = (await requests.changeStatus(created.id, step.change, { actor: actor(step.by), expectedRowVersion: rowVersion, ...(note ? { note } : {}) })).rowVersion
          break
        }
        case 'note':
          rowVersion = (await requests.addNote(created.id, { actor: actor(step.by), body: step.body, visibility: step.visibility, expectedRowVersion: rowVersion })).rowVersion
          break
        case 'milestone':
          // The law runs only in the nations that have it; elsewhere the inspection is just a visit.
          underAwaabsLaw ??= (await requests.awaabsLaw(created.id)) !== undefined
          if (!underAwaabsLaw) break
          rowVersion = (await requests.recordAwaabsLawMilestone(created.id, { ...step.milestone, at }, { actor: actor(step.by), expectedRowVersion: rowVersion })).rowVersion
          break
        case 'survey': {
          const record = await requests.request(created.id)
          await createSatisfactionSurvey({ ...dependencies, db: connection }).answer(record, { rating: step.rating, comment: step.comment })
          break
        }
      }
    }
  })

  await treatHistoryAsTold(db)
  return { requests: stories.length, people: reporters.length }
}

/**
 * The demo's history happened before anyone could read the outbox; a message for each of its
 * hundreds of past changes, all sent at once on first start, would bury the messages a tester's
 * own actions send. Each past change counts as told when it happened, to residents, followers and
 * alerts alike.
 */
export async function treatHistoryAsTold(db: DatabaseHandle): Promise<void> {
  await db
    .updateTable('request_events')
    .set((update) => ({ resident_notified_at: update.ref('occurred_at') }))
    .where('notify_resident', '=', true)
    .where('resident_notified_at', 'is', null)
    .execute()
  await db
    .updateTable('request_events')
    .set((update) => ({ followers_told_at: update.ref('occurred_at') }))
    .where('followers_told_at', 'is', null)
    .execute()
  await db.updateTable('requests').set((update) => ({ alerts_sent_at: update.ref('created_at') })).where('alerts_sent_at', 'is', null).execute()
}
