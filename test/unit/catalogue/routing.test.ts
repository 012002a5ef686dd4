import { describe, expect, it } from 'vitest'
import { jobsOf, propertyFor } from '../../../src/modules/catalogue/priority-rules.ts'
import { routeFor, tradesOf } from '../../../src/modules/catalogue/routing.ts'
import { validateDefinition } from '../../../src/modules/catalogue/validate-definition.ts'
import { definition, definitionSource, seed } from './factory.ts'

const job = (code: string, trade: string) => ({ code, trade, priority: 'routine' as const })

const jobs = {
  questions: [
    {
      id: 'problem',
      kind: 'radios' as const,
      label: 'Problem',
      options: [
        { value: 'tap', label: 'A dripping tap', job: job('SOR 201001', 'plumbing') },
        { value: 'socket', label: 'A broken socket', job: job('SOR 301001', 'electrical') },
        { value: 'basin', label: 'A leaking basin', job: job('SOR 201001', 'plumbing') },
        { value: 'other', label: 'Something else' },
      ],
    },
  ],
  priority: { default: 'routine' as const },
}

describe('routing a new request', () => {
  const routed = definition({
    ...jobs,
    owningTeam: 'housing-repairs',
    routing: [
      { trades: ['plumbing'], wards: ['E05000001', 'E05000002'], contractor: 'north-plumbing' },
      { trades: ['plumbing'], contractor: 'south-plumbing' },
      { wards: ['E05000003'], team: 'estates-east' },
    ],
  })

  it('sends it by the first rule whose trade and ward both hold', () => {
    expect(routeFor(routed, { trade: 'plumbing', wardCode: 'E05000002' })).toEqual({ teamCode: 'housing-repairs', contractorCode: 'north-plumbing', ruleIndex: 0 })
    expect(routeFor(routed, { trade: 'plumbing', wardCode: 'E05000009' })).toEqual({ teamCode: 'housing-repairs', contractorCode: 'south-plumbing', ruleIndex: 1 })
  })

  it('treats a housing patch as the wards it covers, whatever the trade', () => {
    expect(routeFor(routed, { trade: 'electrical', wardCode: 'E05000003' })).toEqual({ teamCode: 'estates-east', contractorCode: null, ruleIndex: 2 })
  })

  it('leaves it with the owning team when no rule holds, or a rule needs a ward the request does not have', () => {
    expect(routeFor(routed, { trade: 'electrical', wardCode: null })).toEqual({ teamCode: 'housing-repairs', contractorCode: null, ruleIndex: null })
    expect(routeFor(routed, { trade: null, wardCode: null })).toEqual({ teamCode: 'housing-repairs', contractorCode: null, ruleIndex: null })
  })

  it('refuses a rule that names a trade no job has, or sends the request nowhere', () => {
    const result = validateDefinition(definitionSource({ ...jobs, routing: [{ trades: ['plumbin'], contractor: 'x' }, { wards: ['E05000001'] }] }))
    expect(result.valid).toBe(false)
    if (result.valid) return
    expect(result.problems.map((problem) => `${problem.path} ${problem.message}`)).toEqual([
      'routing[1] must name a "team" or a "contractor" to send the request to',
    ])
    const typo = validateDefinition(definitionSource({ ...jobs, routing: [{ trades: ['plumbin'], contractor: 'x' }] }))
    expect(typo.valid ? [] : typo.problems.map((problem) => `${problem.path} ${problem.message}`)).toEqual([
      "routing[0].trades[0] is 'plumbin', which no job in this service has (its trades: electrical, plumbing)",
    ])
  })

  it('routes the demo council’s plumbing to its contractor and damp and mould to its own team', () => {
    const repair = seed('housing-repair')
    expect(tradesOf(repair).has('plumbing')).toBe(true)
    expect(routeFor(repair, { trade: 'plumbing', wardCode: null }).contractorCode).toBe('wendle-property-maintenance')
    expect(routeFor(repair, { trade: 'damp-and-mould', wardCode: null })).toMatchObject({ teamCode: 'housing-repairs', contractorCode: null })
  })
})

describe('the jobs offered at triage', () => {
  it('lists each job once, in the order asked, described by the answer that first names it', () => {
    expect(jobsOf(definition(jobs)).map((offered) => [offered.code, offered.trade, offered.label.en])).toEqual([
      ['SOR 201001', 'plumbing', 'A dripping tap'],
      ['SOR 301001', 'electrical', 'A broken socket'],
    ])
  })

  it('offers every job in the demo repair tree', () => {
    const codes = jobsOf(seed('housing-repair')).map((offered) => offered.code)
    expect(codes.length).toBeGreaterThanOrEqual(40)
    expect(new Set(codes).size).toBe(codes.length)
  })
})

describe('the property a tenant’s request is about', () => {
  const repair = seed('housing-repair')
  const flat = { uprn: 2001, parentUprn: 2000 }

  it('is their home, or the block when they chose its shared areas', () => {
    expect(propertyFor(repair, { gas: 'no', emergency: ['none'], where: 'own-home' }, flat)).toBe(2001)
    expect(propertyFor(repair, { gas: 'no', emergency: ['none'], where: 'communal' }, flat)).toBe(2000)
  })

  it('stays their home when the home is not in a block, or nothing says which place', () => {
    expect(propertyFor(repair, { gas: 'no', emergency: ['none'], where: 'communal' }, { uprn: 3001, parentUprn: null })).toBe(3001)
    expect(propertyFor(definition(jobs), { problem: 'tap' }, flat)).toBe(2001)
  })
})
