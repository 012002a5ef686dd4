import { describe, expect, it } from 'vitest'
import { jobFor, priorityDecision, priorityFor, regimesFor, serviceTarget } from '../../../src/modules/catalogue/priority-rules.ts'
import type { Answers } from '../../../src/modules/catalogue/questions.ts'
import { definition, seed } from './factory.ts'

const repair = seed('housing-repair')
const inMyHome: Answers = { gas: 'no', emergency: ['none'], where: 'own-home' }
const damp = (extent: string, health: string): Answers => ({
  ...inMyHome,
  area: 'damp-and-mould',
  'damp-rooms': ['bedroom'],
  'damp-extent': extent,
  'damp-leak': 'no',
  'damp-health': health,
})

describe('the job a report describes', () => {
  it('a dripping kitchen tap is routine plumbing work', () => {
    const answers = { ...inMyHome, area: 'kitchen', 'kitchen-problem': 'taps', 'kitchen-tap': 'dripping' }
    expect(jobFor(repair, answers)).toEqual({ code: 'SOR 201001', trade: 'plumbing', priority: 'routine', question: 'kitchen-tap', option: 'dripping' })
    expect(priorityDecision(repair, answers)).toMatchObject({ priority: 'routine', reason: { kind: 'job' } })
  })

  it('takes the most specific description when a broader answer also carries a job', () => {
    const shared = definition({
      questions: [
        {
          id: 'problem',
          kind: 'radios',
          label: 'Problem',
          options: [
            { value: 'roof', label: 'Roof', job: { code: 'SOR 902000', trade: 'roofing', priority: 'routine' } },
            { value: 'other', label: 'Other' },
          ],
        },
        {
          id: 'roof',
          kind: 'radios',
          label: 'Roof',
          showWhen: { question: 'problem', equals: 'roof' },
          options: [
            { value: 'leak', label: 'Leak', job: { code: 'SOR 902001', trade: 'roofing', priority: 'urgent' } },
            { value: 'other', label: 'Other' },
          ],
        },
      ],
      priority: { default: 'routine' },
    })
    expect(jobFor(shared, { problem: 'roof', roof: 'leak' })?.code).toBe('SOR 902001')
    expect(jobFor(shared, { problem: 'roof', roof: 'other' })?.code).toBe('SOR 902000')
  })

  it('water coming through the ceiling is an emergency', () => {
    const answers = { ...inMyHome, area: 'bedroom', 'bedroom-problem': 'walls-and-ceiling', 'walls-and-ceiling': 'water-coming-through' }
    expect(priorityFor(repair, answers)).toBe('emergency')
  })

  it("'something else' has no job, so staff triage it from the default priority", () => {
    const answers = { ...inMyHome, area: 'outside', 'outside-problem': 'something-else', 'something-else': 'Broken washing line' }
    expect(jobFor(repair, answers)).toBeUndefined()
    expect(priorityDecision(repair, answers)).toEqual({ priority: 'routine', reason: { kind: 'default' } })
  })

  it('ignores answers to questions no longer shown', () => {
    const answers = { ...inMyHome, area: 'bathroom', 'kitchen-problem': 'taps', 'kitchen-tap': 'will-not-turn-off' }
    expect(jobFor(repair, answers)).toBeUndefined()
    expect(priorityFor(repair, answers)).toBe('routine')
  })
})

describe('priority rules', () => {
  it('widespread mould in a home where someone is vulnerable is an emergency, whatever the job says', () => {
    expect(priorityDecision(repair, damp('widespread', 'yes'))).toMatchObject({ priority: 'emergency', reason: { kind: 'rule', index: 0 } })
  })

  it('a small patch of mould is raised to urgent when someone is at risk', () => {
    expect(priorityDecision(repair, damp('small', 'yes'))).toMatchObject({ priority: 'urgent', reason: { kind: 'rule', index: 1 } })
    expect(priorityDecision(repair, damp('small', 'no'))).toMatchObject({ priority: 'routine', reason: { kind: 'job' } })
  })

  it('the first rule that holds wins', () => {
    const ordered = definition({
      priority: {
        default: 'routine',
        rules: [
          { when: { question: 'surface', equals: 'road' }, priority: 'emergency' },
          { when: { question: 'depth', equals: 'deep' }, priority: 'urgent' },
        ],
      },
    })
    expect(priorityFor(ordered, { surface: 'road', depth: 'deep' })).toBe('emergency')
    expect(priorityFor(ordered, { surface: 'pavement' })).toBe('routine')
  })
})

describe('legal regimes', () => {
  it("a damp and mould report brings in Awaab's Law", () => {
    expect(regimesFor(repair, damp('large', 'no'))).toEqual(['awaabs-law'])
  })

  it("other repairs do not, and neither does a damp answer that was changed away", () => {
    expect(regimesFor(repair, { ...inMyHome, area: 'kitchen', 'kitchen-problem': 'taps' })).toEqual([])
    expect(regimesFor(repair, { ...damp('large', 'no'), where: 'communal' })).toEqual([])
  })
})

describe('target times', () => {
  it("uses the service's own target where it has one, and the council's otherwise", () => {
    expect(serviceTarget(seed('missed-bin'), 'routine')).toEqual({ workingDays: 2 })
    expect(serviceTarget(seed('missed-bin'), 'emergency')).toBeUndefined()
    expect(serviceTarget(repair, 'urgent')).toBeUndefined()
  })
})
