import { describe, expect, it } from 'vitest'
import {
  allPages,
  checkAnswers,
  conditionHolds,
  interruptionFor,
  isComplete,
  lastPage,
  nextPage,
  pages,
  previousPage,
  pruneHiddenAnswers,
  resumeAt,
  visiblePage,
  visibleQuestions,
  type Answers,
  type Destination,
} from '../../../src/modules/catalogue/questions.ts'
import { definition, seed } from './factory.ts'

const repair = seed('housing-repair')

const noEmergency: Answers = { gas: 'no', emergency: ['none'] }

const drippingKitchenTap: Answers = {
  ...noEmergency,
  where: 'own-home',
  area: 'kitchen',
  'kitchen-problem': 'taps',
  'kitchen-tap': 'dripping',
  description: 'The cold tap in the kitchen drips all the time.',
  photos: ['upload-1'],
  access: null,
  'contact-method': 'text',
  mobile: '07700900982',
}

const pageIds = (answers: Answers) => pages(repair, answers).map((page) => page.id)
const destination = (to: Destination) => (to.kind === 'page' ? to.page.id : to.kind)

describe('branching', () => {
  it('before anything is answered, lists only the pages everyone is asked', () => {
    expect(pageIds({})).toEqual(['gas', 'emergency', 'where', 'description', 'photos', 'access', 'contact-method'])
  })

  it('a smell of gas stops the journey before anything else is asked', () => {
    const answers = { gas: 'yes' }
    expect(pageIds(answers)).toEqual(['gas', 'gas-emergency'])
    expect(destination(nextPage(repair, answers, 'gas'))).toBe('gas-emergency')
    expect(nextPage(repair, answers, 'gas-emergency')).toMatchObject({ kind: 'stopped', interruption: { outcome: 'gas-emergency-shown' } })
    expect(interruptionFor(repair, answers)?.outcome).toBe('gas-emergency-shown')
    expect(isComplete(repair, answers)).toBe(false)
  })

  it('any problem from the emergency list stops the journey with the call-us-now page', () => {
    const answers = { gas: 'no', emergency: ['no-water', 'alarm-beeping'] }
    expect(pageIds(answers)).toEqual(['gas', 'emergency', 'call-us-now'])
    expect(interruptionFor(repair, answers)?.outcome).toBe('emergency-call-shown')
    expect(visiblePage(repair, answers, 'where')).toBeUndefined()
  })

  it('with no smell of gas and none of the emergencies, the journey goes on to where the repair is', () => {
    expect(destination(nextPage(repair, noEmergency, 'emergency'))).toBe('where')
    expect(interruptionFor(repair, noEmergency)).toBeUndefined()
  })

  it('narrows from area to problem to description and asks nothing about other rooms', () => {
    expect(pageIds(drippingKitchenTap)).toEqual([
      'gas',
      'emergency',
      'where',
      'area',
      'kitchen-problem',
      'kitchen-tap',
      'description',
      'photos',
      'access',
      'contact-method',
      'mobile',
    ])
  })

  it('reaches a shared question, such as the window, from any room that has windows', () => {
    for (const [area, problem] of [
      ['bedroom', 'bedroom-problem'],
      ['living-areas', 'living-problem'],
      ['kitchen', 'kitchen-problem'],
    ] as const) {
      const answers = { ...noEmergency, where: 'own-home', area, [problem]: 'window' }
      expect(pageIds(answers)).toContain('window')
    }
  })

  it('for a shared area of the building, skips the rooms of the home', () => {
    const answers = { ...noEmergency, where: 'communal' }
    expect(pageIds(answers)).toContain('communal-problem')
    expect(pageIds(answers)).not.toContain('area')
  })

  it('shows the damp and mould advice page without stopping the journey', () => {
    const answers = { ...noEmergency, where: 'own-home', area: 'damp-and-mould' }
    expect(pageIds(answers).slice(3, 9)).toEqual(['area', 'damp-rooms', 'damp-extent', 'damp-leak', 'damp-health', 'damp-next-steps'])
    expect(destination(nextPage(repair, answers, 'damp-next-steps'))).toBe('description')
    expect(interruptionFor(repair, answers)).toBeUndefined()
  })

  it('judges conditions only on answers to questions still shown, so a chain of branches collapses together', () => {
    const answers = { ...drippingKitchenTap, area: 'bathroom' }
    const shown = visibleQuestions(repair, answers).map((question) => question.id)
    expect(shown).not.toContain('kitchen-problem')
    expect(shown).not.toContain('kitchen-tap')
    expect(shown).toContain('bathroom-problem')
  })
})

describe('conditions', () => {
  it('treats "equals" on checkboxes as "this box is ticked"', () => {
    expect(conditionHolds({ question: 'rooms', equals: 'kitchen' }, { rooms: ['bathroom', 'kitchen'] })).toBe(true)
    expect(conditionHolds({ question: 'rooms', equals: 'kitchen' }, { rooms: ['bathroom'] })).toBe(false)
  })

  it('"in" matches one answer among several and "anyOf" any ticked box among several', () => {
    expect(conditionHolds({ question: 'where', in: ['communal', 'own-home'] }, { where: 'communal' })).toBe(true)
    expect(conditionHolds({ question: 'rooms', anyOf: ['loft', 'kitchen'] }, { rooms: ['kitchen'] })).toBe(true)
    expect(conditionHolds({ question: 'rooms', anyOf: ['loft'] }, { rooms: ['kitchen'] })).toBe(false)
  })

  it('combines with all and any, and an unanswered question satisfies nothing', () => {
    const both = { all: [{ question: 'a', equals: 'yes' }, { question: 'b', equals: 'yes' }] }
    const either = { any: [{ question: 'a', equals: 'yes' }, { question: 'b', equals: 'yes' }] }
    expect(conditionHolds(both, { a: 'yes', b: 'yes' })).toBe(true)
    expect(conditionHolds(both, { a: 'yes' })).toBe(false)
    expect(conditionHolds(either, { b: 'yes' })).toBe(true)
    expect(conditionHolds(either, {})).toBe(false)
    expect(conditionHolds({ question: 'a', equals: 'yes' }, { a: null })).toBe(false)
  })
})

describe('pages and navigation', () => {
  const contactDetails = definition({
    questions: [
      { id: 'name', kind: 'text', label: 'Your name' },
      { id: 'phone', kind: 'phone', label: 'Phone number', page: 'contact', required: false },
      { id: 'email', kind: 'email', label: 'Email address', page: 'contact', required: false },
      { id: 'notes', kind: 'textarea', label: 'Anything else', required: false },
    ],
    priority: { default: 'routine' },
  })

  it('asks questions that share a page together, and each other question on a page of its own', () => {
    const shown = pages(contactDetails, {})
    expect(shown.map((page) => page.id)).toEqual(['name', 'contact', 'notes'])
    const contact = shown[1]!
    expect(contact.kind === 'questions' && contact.questions.map((question) => question.id)).toEqual(['phone', 'email'])
    expect(allPages(contactDetails)).toHaveLength(3)
  })

  it('goes forward to the next page shown and, after the last, to check your answers', () => {
    expect(destination(nextPage(repair, drippingKitchenTap, 'area'))).toBe('kitchen-problem')
    expect(destination(nextPage(repair, drippingKitchenTap, 'contact-method'))).toBe('mobile')
    expect(nextPage(repair, drippingKitchenTap, 'mobile')).toEqual({ kind: 'check-answers' })
  })

  it('goes back through the pages actually shown, and from the first page to the start', () => {
    expect(previousPage(repair, drippingKitchenTap, 'kitchen-tap')?.id).toBe('kitchen-problem')
    expect(previousPage(repair, drippingKitchenTap, 'description')?.id).toBe('kitchen-tap')
    expect(previousPage(repair, drippingKitchenTap, 'where')?.id).toBe('emergency')
    expect(previousPage(repair, drippingKitchenTap, 'gas')).toBeUndefined()
    expect(lastPage(repair, drippingKitchenTap)?.id).toBe('mobile')
  })

  it('moves forward from a page that has just been hidden by a changed answer', () => {
    const changed = { ...drippingKitchenTap, area: 'bathroom' }
    expect(destination(nextPage(repair, changed, 'kitchen-tap'))).toBe('bathroom-problem')
  })

  it('picks the journey up at the first question not yet asked', () => {
    expect(destination(resumeAt(repair, {}))).toBe('gas')
    expect(destination(resumeAt(repair, { ...noEmergency, where: 'own-home', area: 'kitchen' }))).toBe('kitchen-problem')
    expect(resumeAt(repair, drippingKitchenTap)).toEqual({ kind: 'check-answers' })
    expect(isComplete(repair, drippingKitchenTap)).toBe(true)
  })

  it('after a change from check your answers, asks the questions the change revealed', () => {
    const changed = { ...drippingKitchenTap, 'contact-method': 'email' }
    expect(destination(resumeAt(repair, changed))).toBe('email')
  })

  it('counts an optional question left blank as asked', () => {
    const withoutAccess = Object.fromEntries(Object.entries(drippingKitchenTap).filter(([id]) => id !== 'access'))
    expect(destination(resumeAt(repair, withoutAccess))).toBe('access')
    expect(resumeAt(repair, { ...withoutAccess, access: null })).toEqual({ kind: 'check-answers' })
  })

  it('returns to a stopping interruption when the journey is resumed', () => {
    expect(destination(resumeAt(repair, { gas: 'yes' }))).toBe('gas-emergency')
  })
})

describe('answers that no longer apply', () => {
  it("changing 'where' from communal to own home drops the answers that no longer apply", () => {
    const communal = { ...noEmergency, where: 'communal', 'communal-problem': 'lift', description: 'The lift has been stuck on floor 3 since Monday.' }
    const changed = { ...communal, where: 'own-home', area: 'kitchen', 'kitchen-problem': 'extractor-fan' }
    expect(pruneHiddenAnswers(repair, changed)).toEqual({
      ...noEmergency,
      where: 'own-home',
      area: 'kitchen',
      'kitchen-problem': 'extractor-fan',
      description: 'The lift has been stuck on floor 3 since Monday.',
    })
  })

  it('drops answers to questions the definition does not have', () => {
    expect(pruneHiddenAnswers(repair, { ...noEmergency, injected: 'value' })).toEqual(noEmergency)
  })
})

describe('check your answers', () => {
  it('lists every question shown, with its short label, its answer and the page that changes it', () => {
    const rows = checkAnswers(repair, { ...drippingKitchenTap, 'communal-problem': 'lift' })
    expect(rows.map((row) => row.question.id)).toEqual([
      'gas',
      'emergency',
      'where',
      'area',
      'kitchen-problem',
      'kitchen-tap',
      'description',
      'photos',
      'access',
      'contact-method',
      'mobile',
    ])
    const byId = Object.fromEntries(rows.map((row) => [row.question.id, row]))
    expect(byId.gas).toMatchObject({ label: { en: 'Smell of gas' }, pageId: 'gas', display: { kind: 'choices', labels: [{ en: 'No' }] } })
    expect(byId['kitchen-tap']!.display).toEqual({ kind: 'choices', labels: [{ en: 'It drips or will not turn off fully' }] })
    expect(byId.description!.display).toEqual({ kind: 'text', text: 'The cold tap in the kitchen drips all the time.' })
    expect(byId.photos!.display).toEqual({ kind: 'photos', count: 1 })
    expect(byId.access!.display).toEqual({ kind: 'not-answered' })
    expect(byId.mobile!.label).toEqual({ en: 'Mobile number' })
  })

  it('shows places and dates in a form the page can present', () => {
    const bins = seed('missed-bin')
    const rows = checkAnswers(bins, {
      location: { latitude: 52.1, longitude: -1.2, easting: 450000, northing: 250000, usrn: '12345678', description: 'Outside 4 Mill Lane' },
      bins: ['recycling'],
      'collection-date': '2026-03-02',
    })
    expect(rows[0]!.display).toEqual({ kind: 'place', text: 'Outside 4 Mill Lane' })
    expect(rows[2]!.display).toEqual({ kind: 'date', isoDate: '2026-03-02' })
  })
})
