import { describe, expect, it } from 'vitest'
import type { DefinitionSource } from '../../../src/modules/catalogue/definition.ts'
import {
  InvalidDefinition,
  describeProblem,
  parseDefinition,
  validateDefinition,
  type DefinitionProblem,
} from '../../../src/modules/catalogue/validate-definition.ts'
import { definitionSource, statusLabels } from './factory.ts'

type Questions = DefinitionSource['questions']

function problemsWith(overrides: Partial<DefinitionSource> | Record<string, unknown>): DefinitionProblem[] {
  const result = validateDefinition({ ...definitionSource(), ...overrides })
  return result.valid ? [] : result.problems
}

const messages = (problems: DefinitionProblem[]) => problems.map(describeProblem)

const yesNo = (id: string, extra: Partial<Questions[number]> = {}) =>
  ({ id, kind: 'radios', label: `${id}?`, options: [{ value: 'yes', label: 'Yes' }, { value: 'no', label: 'No' }], ...extra }) as Questions[number]

describe('a valid definition', () => {
  it('is accepted and given back parsed', () => {
    const result = validateDefinition(definitionSource())
    expect(result.valid).toBe(true)
  })
})

describe('branching', () => {
  it('a definition whose branching points at a later question is refused with its path', () => {
    const problems = problemsWith({
      questions: [yesNo('depth', { showWhen: { question: 'surface', equals: 'yes' } }), yesNo('surface')],
      priority: { default: 'routine' },
    })
    expect(problems).toEqual([{ path: 'questions[0].showWhen', message: "refers to question 'surface' which comes later", question: 'depth' }])
    expect(messages(problems)).toEqual(["questions[0].showWhen refers to question 'surface' which comes later"])
  })

  it('points into nested conditions', () => {
    const problems = problemsWith({
      questions: [yesNo('first'), yesNo('second', { showWhen: { any: [{ question: 'first', equals: 'yes' }, { question: 'third', equals: 'yes' }] } })],
      priority: { default: 'routine' },
    })
    expect(messages(problems)).toEqual(["questions[1].showWhen.any[1] refers to question 'third', which does not exist"])
  })

  it('refuses an option the question does not offer', () => {
    const problems = problemsWith({
      questions: [yesNo('first'), yesNo('second', { showWhen: { question: 'first', in: ['yes', 'maybe'] } })],
      priority: { default: 'routine' },
    })
    expect(messages(problems)).toEqual(["questions[1].showWhen refers to 'maybe', which is not an option of question 'first'"])
  })

  it('refuses a question that depends on itself or on a question on the same page', () => {
    const problems = problemsWith({
      questions: [
        yesNo('first', { page: 'both' }),
        yesNo('second', { page: 'both', showWhen: { question: 'first', equals: 'yes' } }),
        yesNo('third', { showWhen: { question: 'third', equals: 'yes' } }),
      ],
      priority: { default: 'routine' },
    })
    expect(messages(problems)).toEqual([
      "questions[1].showWhen refers to question 'first', which is on the same page; it can only depend on answers from earlier pages",
      "questions[2].showWhen refers to its own question 'third'; a question can only depend on earlier answers",
    ])
  })

  it('only branches on radios and checkboxes, with the test that suits each', () => {
    const problems = problemsWith({
      questions: [
        { id: 'notes', kind: 'textarea', label: 'Notes' },
        { id: 'rooms', kind: 'checkboxes', label: 'Rooms', options: [{ value: 'kitchen', label: 'Kitchen' }] },
        yesNo('where'),
        yesNo('a', { showWhen: { question: 'notes', equals: 'yes' } }),
        yesNo('b', { showWhen: { question: 'rooms', in: ['kitchen'] } }),
        yesNo('c', { showWhen: { question: 'where', anyOf: ['yes'] } }),
      ],
      priority: { default: 'routine' },
    })
    expect(messages(problems)).toEqual([
      "questions[3].showWhen refers to question 'notes', which is a textarea question; only radios and checkboxes answers can be tested",
      'questions[4].showWhen uses "in" on checkboxes question \'rooms\'; use "anyOf" for ticked boxes',
      'questions[5].showWhen uses "anyOf" on radios question \'where\'; use "in" for one answer among several',
    ])
  })

  it('refuses a condition that mixes two forms', () => {
    const problems = problemsWith({
      questions: [yesNo('first'), yesNo('second', { showWhen: { question: 'first', equals: 'yes', in: ['no'] } as never })],
      priority: { default: 'routine' },
    })
    expect(problems[0]).toMatchObject({ path: 'questions[1].showWhen', message: expect.stringContaining('must be exactly one of') })
  })
})

describe('identifiers and options', () => {
  it('refuses two questions with one id', () => {
    const problems = problemsWith({ questions: [yesNo('same'), yesNo('same')], priority: { default: 'routine' } })
    expect(messages(problems)).toEqual(["questions[1].id is 'same', which questions[0] already uses"])
  })

  it('refuses two options with one value', () => {
    const problems = problemsWith({
      questions: [{ id: 'q', kind: 'radios', label: 'Q', options: [{ value: 'a', label: 'A' }, { value: 'a', label: 'Also A' }] }],
      priority: { default: 'routine' },
    })
    expect(messages(problems)).toEqual(["questions[0].options[1].value is 'a', which options[0] already uses"])
  })

  it('refuses ids that are not url-safe', () => {
    const problems = problemsWith({ code: 'Pot Hole' })
    expect(problems).toEqual([{ path: 'code', message: expect.stringContaining('lower-case letters, digits and single hyphens') }])
  })

  it('keeps exclusive options to checkboxes, one per question, and jobs to radios', () => {
    const problems = problemsWith({
      questions: [
        {
          id: 'q',
          kind: 'checkboxes',
          label: 'Q',
          options: [
            { value: 'a', label: 'A', exclusive: true },
            { value: 'b', label: 'B', exclusive: true, job: { code: 'SOR 1', trade: 'plumbing', priority: 'routine' } },
          ],
        },
        { id: 'r', kind: 'radios', label: 'R', options: [{ value: 'a', label: 'A', exclusive: true }, { value: 'b', label: 'B' }] },
      ],
      priority: { default: 'routine' },
    })
    expect(messages(problems)).toEqual([
      'questions[0].options[1].exclusive is also set on options[0]; only one option can exclude the others',
      'questions[0].options[1].job can only be on a radios option, where one answer describes one piece of work',
      'questions[1].options[0].exclusive only applies to checkboxes; radios allow one answer anyway',
    ])
  })
})

describe('pages and interruptions', () => {
  it('refuses questions of one page that are not next to each other', () => {
    const problems = problemsWith({
      questions: [yesNo('a', { page: 'shared' }), yesNo('b'), yesNo('c', { page: 'shared' })],
      priority: { default: 'routine' },
    })
    expect(messages(problems)).toEqual(["questions[2].page puts the question on page 'shared', but the questions of one page must come one after another"])
  })

  it('refuses page names the form keeps for itself', () => {
    expect(messages(problemsWith({ questions: [yesNo('check-answers')], priority: { default: 'routine' } }))).toEqual([
      "questions[0].id is 'check-answers', a name kept for the form's own pages",
    ])
  })

  it('refuses an interruption that would stop everyone, or that shares a page', () => {
    const problems = problemsWith({
      questions: [
        yesNo('gas', { page: 'screening' }),
        { id: 'stop', kind: 'interruption', page: 'screening', title: 'Stop', body: ['Call'], outcome: 'stopped' },
      ],
      priority: { default: 'routine' },
    })
    expect(messages(problems)).toEqual([
      "questions[1].page puts an interruption on page 'screening' with other questions; an interruption needs a page of its own",
      'questions[1].showWhen is required: an interruption that stops the journey without a condition would stop everyone',
    ])
  })

  it('allows an advice page for everyone when it does not stop the journey', () => {
    const problems = problemsWith({
      questions: [{ id: 'before-you-start', kind: 'interruption', title: 'Before you start', body: ['You will need a photo'], outcome: 'advice', stopsJourney: false }, yesNo('a')],
      priority: { default: 'routine' },
    })
    expect(problems).toEqual([])
  })

  it('refuses a placeholder the council profile does not fill in, pointing at the text', () => {
    const problems = problemsWith({
      questions: [
        yesNo('gas'),
        { id: 'stop', kind: 'interruption', title: 'Stop', body: ['Call {gasPhone} now'], outcome: 'stopped', showWhen: { question: 'gas', equals: 'yes' } },
      ],
      priority: { default: 'routine' },
    })
    expect(problems).toEqual([{ path: 'questions[1].body[0].en', message: expect.stringMatching(/^mentions \{gasPhone\}, which the council profile does not provide/), question: 'stop' }])
  })
})

describe('priority rules', () => {
  it('refuses a rule about a question that does not exist or an answer it cannot have', () => {
    const problems = problemsWith({
      priority: {
        default: 'routine',
        rules: [
          { when: { question: 'size', equals: 'big' }, priority: 'urgent' },
          { when: { all: [{ question: 'surface', equals: 'motorway' }] }, priority: 'urgent' },
        ],
      },
    })
    expect(messages(problems)).toEqual([
      "priority.rules[0].when refers to question 'size', which does not exist",
      "priority.rules[1].when.all[0] refers to 'motorway', which is not an option of question 'surface'",
    ])
  })

  it('only knows the four priorities', () => {
    const problems = problemsWith({ priority: { default: 'whenever' as never } })
    expect(messages(problems)).toEqual(['priority.default must be one of: immediate, emergency, urgent, routine'])
  })

  it('refuses a target given both in hours and in working days', () => {
    const problems = problemsWith({ targets: { urgent: { hours: 4, workingDays: 1 } as never } })
    expect(messages(problems)).toEqual(['targets.urgent must give either "hours" or "workingDays", not both'])
  })
})

describe('the rest of the shape', () => {
  it('needs a label for every status', () => {
    const withoutClosed = Object.fromEntries(Object.entries(statusLabels).filter(([state]) => state !== 'closed'))
    expect(messages(problemsWith({ statusLabels: withoutClosed as DefinitionSource['statusLabels'] }))).toEqual(['statusLabels.closed is required'])
  })

  it.each([
    [0, 'lgslCode must be a positive whole number'],
    [12.5, 'lgslCode must be a whole number'],
    ['524', 'lgslCode must be a number'],
  ])('refuses the LGSL code %j', (lgslCode, expected) => {
    expect(messages(problemsWith({ lgslCode: lgslCode as number }))).toEqual([expected])
  })

  it('keeps photo limits sensible', () => {
    const problems = problemsWith({
      questions: [{ id: 'photos', kind: 'photo', label: 'Photos', maxCount: 50, maxMegabytes: 0, types: ['image/gif' as never] }],
      priority: { default: 'routine' },
    })
    expect(messages(problems)).toEqual([
      'questions[0].maxCount must be between 1 and 10',
      'questions[0].maxMegabytes must be between 1 and 20',
      'questions[0].types[0] must be one of: image/jpeg, image/png, image/webp',
    ])
  })

  it('names fields the format does not know, such as a mistyped showWhen or a version number', () => {
    const problems = problemsWith({ version: 3, questions: [{ ...yesNo('a'), showwhen: {} } as never], priority: { default: 'routine' } })
    expect(messages(problems)).toEqual(['questions[0].showwhen is not part of the format', 'version is not part of the format'])
  })

  it('lists the kinds of question when one is unknown or missing', () => {
    const problems = problemsWith({ questions: [{ id: 'a', kind: 'slider', label: 'A' } as never, { id: 'b', label: 'B' } as never] })
    expect(messages(problems)).toEqual([
      expect.stringMatching(/^questions\[0\]\.kind must be one of: radios, checkboxes, text/),
      expect.stringMatching(/^questions\[1\]\.kind is required: one of radios, checkboxes/),
    ])
  })

  it('says when required text is missing or not text', () => {
    const problems = problemsWith({ name: undefined as never, description: 42 as never })
    expect(messages(problems)).toEqual(['name is required', 'description must be text, or { "en": "…", "cy": "…" } with the Welsh optional'])
  })

  it('refuses a pattern that is not a regular expression, and lengths the wrong way round', () => {
    const problems = problemsWith({
      questions: [{ id: 'ref', kind: 'text', label: 'Ref', maxLength: 5, minLength: 8, pattern: { regex: '([A-Z', message: 'Enter a reference' } }],
      priority: { default: 'routine' },
    })
    expect(messages(problems)).toEqual([
      'questions[0].minLength is 8, more than the maximum length of 5',
      expect.stringMatching(/^questions\[0\]\.pattern\.regex is not a regular expression/),
    ])
  })

  it('refuses an Open311 datatype that does not suit the question', () => {
    const problems = problemsWith({
      questions: [
        yesNo('a', { open311: { datatype: 'number' } }),
        { id: 'photos', kind: 'photo', label: 'Photos', open311: { description: 'Photos' } },
      ],
      priority: { default: 'routine' },
    })
    expect(messages(problems)).toEqual([
      "questions[0].open311.datatype is 'number', but a radios question can only be sent as singlevaluelist",
      "questions[1].open311 does not apply: photo questions are sent in Open311's own fields, not as attributes",
    ])
  })

  it('is refused whole by parseDefinition, which lists every problem', () => {
    let thrown: unknown
    try {
      parseDefinition({ ...definitionSource(), lgslCode: 0, owningTeam: 'Housing Repairs' })
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(InvalidDefinition)
    expect((thrown as InvalidDefinition).statusCode).toBe(400)
    expect((thrown as InvalidDefinition).problems.map((problem) => problem.path)).toEqual(['lgslCode', 'owningTeam'])
  })
})
