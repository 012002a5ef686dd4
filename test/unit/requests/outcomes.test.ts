import { describe, expect, it } from 'vitest'
import type { RequestState } from '../../../src/modules/requests/lifecycle.ts'
import { outcomeProblems, outcomesAllowed } from '../../../src/modules/requests/outcomes.ts'

describe('what an operative may record at a job', () => {
  it('offers only the outcomes the lifecycle allows from the job’s status', () => {
    const offered = (state: RequestState) => outcomesAllowed(state)
    expect(offered({ status: 'reported' })).toEqual(['start-work'])
    expect(offered({ status: 'triaged' })).toEqual(['complete', 'start-work'])
    expect(offered({ status: 'scheduled' })).toEqual(['complete', 'record-no-access', 'start-work'])
    expect(offered({ status: 'in-progress' })).toEqual(['complete'])
    expect(offered({ status: 'no-access' })).toEqual(['start-work'])
    expect(offered({ status: 'on-hold', resumeTo: 'scheduled', holdReason: 'awaiting-materials' })).toEqual([])
    expect(offered({ status: 'completed' })).toEqual([])
  })

  it('needs an outcome, and a note saying what happened when there was no access', () => {
    expect(outcomeProblems({ outcome: '', note: '' })).toEqual({ outcome: 'requests.work.errors.outcomeMissing' })
    expect(outcomeProblems({ outcome: 'close', note: '' })).toEqual({ outcome: 'requests.work.errors.outcomeMissing' })
    expect(outcomeProblems({ outcome: 'record-no-access', note: '   ' })).toEqual({ note: 'requests.work.errors.noAccessNoteMissing' })
    expect(outcomeProblems({ outcome: 'record-no-access', note: 'Nobody answered; card left' })).toEqual({})
    expect(outcomeProblems({ outcome: 'complete', note: '' })).toEqual({})
  })
})
