import { describe, expect, it } from 'vitest'
import { isChoiceQuestion, placeholdersIn, type ChoiceQuestion } from '../../../src/modules/catalogue/definition.ts'
import { nextPage, pages, type Answers } from '../../../src/modules/catalogue/questions.ts'
import { validateEntry } from '../../../src/modules/catalogue/validate-definition.ts'
import { readSeed, seed, seedFiles } from './factory.ts'

describe('seed definitions', () => {
  it('include the repair journey, the nine street reports and services that live elsewhere', () => {
    const streetReports = ['pothole', 'fly-tipping', 'graffiti', 'street-light', 'missed-bin', 'abandoned-vehicle', 'dog-fouling', 'blocked-drain', 'dead-animal']
    expect(seedFiles()).toEqual(expect.arrayContaining(['housing-repair.json', ...streetReports.map((code) => `${code}.json`), 'pay-council-tax.json']))
  })

  it.each(seedFiles())('%s is a valid entry named after its file', (file) => {
    const result = validateEntry(readSeed(file))
    expect(result.valid ? [] : result.problems).toEqual([])
    expect(result.valid && `${result.entry.code}.json`).toBe(file)
  })

  const publicReports = seedFiles().filter((file) => (readSeed(file) as { recordVisibility?: string }).recordVisibility === 'public')
  it.each(publicReports)('%s is a public report that asks where the problem is first', (file) => {
    expect((readSeed(file) as { questions: { kind: string }[] }).questions[0]!.kind).toBe('location')
  })
})

describe('the housing repair definition', () => {
  const repair = seed('housing-repair')
  const choices = repair.questions.filter(isChoiceQuestion)
  const problemQuestions = choices.filter((question) => question.id.endsWith('-problem'))

  function followUpOf(question: ChoiceQuestion, value: string): ChoiceQuestion | undefined {
    return choices.find((candidate) => {
      const condition = candidate.showWhen
      if (!condition) return false
      const tests = 'any' in condition ? condition.any : [condition]
      return tests.some((test) => 'equals' in test && test.question === question.id && test.equals === value)
    })
  }

  it('is for tenants only and its records are private', () => {
    expect(repair).toMatchObject({ audience: 'tenants', recordVisibility: 'private', owningTeam: 'housing-repairs' })
  })

  it('describes at least 40 common repairs, each with a job code, a trade and a default priority', () => {
    const repairs = choices.flatMap((question) => question.options.filter((option) => option.job).map((option) => `${question.id}:${option.value}`))
    expect(repairs.length).toBeGreaterThanOrEqual(40)
    const codes = new Set(choices.flatMap((question) => question.options.flatMap((option) => (option.job ? [option.job.code] : []))))
    expect(codes.size).toBeGreaterThanOrEqual(40)
  })

  it('leads every problem to a job, a more exact description with jobs, or the "something else" path', () => {
    for (const question of problemQuestions) {
      expect(question.options.map((option) => option.value)).toContain('something-else')
      for (const option of question.options) {
        if (option.job || option.value === 'something-else') continue
        const followUp = followUpOf(question, option.value)
        expect(followUp, `${question.id}: ${option.value}`).toBeDefined()
        expect(followUp!.options.every((detail) => detail.job), followUp!.id).toBe(true)
      }
    }
  })

  it("marks the damp and mould path for Awaab's Law and gives each extent a job", () => {
    const area = choices.find((question) => question.id === 'area')!
    expect(area.options.find((option) => option.value === 'damp-and-mould')?.regime).toBe('awaabs-law')
    const extent = choices.find((question) => question.id === 'damp-extent')!
    expect(extent.options.every((option) => option.job?.trade === 'damp-and-mould')).toBe(true)
  })

  it("takes phone numbers from the council profile rather than writing them in", () => {
    const text = JSON.stringify(readSeed('housing-repair.json'))
    expect(new Set(placeholdersIn(text))).toEqual(new Set(['gasEmergencyPhone', 'repairsPhone', 'outOfHoursPhone']))
    expect(text).not.toMatch(/\b0\d{3} ?\d{3} ?\d{3,4}\b/)
  })

  it('walks a tenant reporting a kitchen tap leak through one page at a time to check your answers', () => {
    const answers: Answers = {
      gas: 'no',
      emergency: ['none'],
      where: 'own-home',
      area: 'kitchen',
      'kitchen-problem': 'taps',
      'kitchen-tap': 'dripping',
      description: 'The cold tap drips all the time.',
      photos: ['upload-1'],
      access: 'A friendly dog',
      'contact-method': 'email',
      email: 'tenant@example.com',
    }
    const visited = [pages(repair, answers)[0]!.id]
    for (let to = nextPage(repair, answers, visited[0]!); to.kind === 'page'; to = nextPage(repair, answers, to.page.id)) {
      visited.push(to.page.id)
    }
    expect(visited).toEqual([
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
      'email',
    ])
    expect(nextPage(repair, answers, 'email')).toEqual({ kind: 'check-answers' })
  })
})

describe('the missed bin definition', () => {
  const bins = seed('missed-bin')

  // Where a missed bin was left is the reporter's own home, so these reports are never on the public map.
  it('is a private street report found by location', () => {
    expect(bins).toMatchObject({ audience: 'residents', recordVisibility: 'private', owningTeam: 'waste' })
    expect(bins.questions[0]).toMatchObject({ kind: 'location', required: true })
  })

  it('stops a report of a bin put out after the crew came', () => {
    const answers = { bins: ['rubbish'], 'collection-date': '2026-03-02', 'out-in-time': 'no' }
    expect(pages(bins, answers).at(-1)).toMatchObject({ kind: 'interruption', id: 'put-out-late' })
  })
})
