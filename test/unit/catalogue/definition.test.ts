import { describe, expect, it } from 'vitest'
import {
  fillPlaceholders,
  open311Attributes,
  open311DatatypeOf,
  placeholdersIn,
  textIn,
} from '../../../src/modules/catalogue/definition.ts'
import { definition, seed } from './factory.ts'

describe('the format as parsed', () => {
  it('stores plain text as English and keeps Welsh where it is given', () => {
    const parsed = definition({ name: { en: 'Report a pothole', cy: 'Rhoi gwybod am dwll yn y ffordd' }, description: 'Potholes' })
    expect(parsed.description).toEqual({ en: 'Potholes' })
    expect(textIn(parsed.name, 'cy')).toBe('Rhoi gwybod am dwll yn y ffordd')
    expect(textIn(parsed.description, 'cy')).toBe('Potholes')
  })

  it('fills in the defaults an author may leave out', () => {
    const parsed = definition({
      questions: [
        { id: 'what', kind: 'text', label: 'What?' },
        { id: 'notes', kind: 'textarea', label: 'Notes' },
        { id: 'photos', kind: 'photo', label: 'Photos' },
        { id: 'mobile', kind: 'phone', label: 'Mobile' },
        { id: 'yes-no', kind: 'radios', label: 'Yes or no', options: [{ value: 'yes', label: 'Yes' }, { value: 'no', label: 'No' }] },
        { id: 'stop', kind: 'interruption', title: 'Stop', body: ['Call us'], outcome: 'stopped', showWhen: { question: 'yes-no', equals: 'yes' } },
      ],
      priority: { default: 'routine' },
    })
    expect(parsed.synonyms).toEqual([])
    expect(parsed.targets).toEqual({})
    expect(parsed.priority.rules).toEqual([])
    expect(parsed.questions[0]).toMatchObject({ required: true, maxLength: 100 })
    expect(parsed.questions[1]).toMatchObject({ maxLength: 1200 })
    expect(parsed.questions[2]).toMatchObject({ maxCount: 3, maxMegabytes: 10, types: ['image/jpeg', 'image/png', 'image/webp'] })
    expect(parsed.questions[3]).toMatchObject({ mobileOnly: false })
    expect(parsed.questions[5]).toMatchObject({ stopsJourney: true })
  })
})

describe('placeholders', () => {
  it('fills in values from the council profile and leaves unknown ones visible', () => {
    expect(fillPlaceholders('Call {repairsPhone}, or {outOfHoursPhone} at night', { repairsPhone: '01632 960100' })).toBe(
      'Call 01632 960100, or {outOfHoursPhone} at night',
    )
    expect(placeholdersIn('Call {gasEmergencyPhone} or {repairsPhone}')).toEqual(['gasEmergencyPhone', 'repairsPhone'])
  })
})

describe('Open311 service definitions', () => {
  it('describes a street report with the standard fields, leaving out the location and photo', () => {
    expect(open311Attributes(seed('missed-bin'))).toEqual([
      {
        variable: true,
        code: 'bins',
        datatype: 'multivaluelist',
        required: true,
        datatype_description: 'Select all that apply.',
        order: 1,
        description: 'Which bins were not emptied?',
        values: [
          { key: 'rubbish', name: 'General rubbish' },
          { key: 'recycling', name: 'Recycling' },
          { key: 'food-waste', name: 'Food waste' },
          { key: 'garden-waste', name: 'Garden waste' },
        ],
      },
      {
        variable: true,
        code: 'collection-date',
        datatype: 'datetime',
        required: true,
        datatype_description: 'For example, 27 3 2026',
        order: 2,
        description: 'When should the bin have been emptied?',
      },
      {
        variable: true,
        code: 'out-in-time',
        datatype: 'singlevaluelist',
        required: true,
        datatype_description: '',
        order: 3,
        description: 'Was the bin out by 6am on collection day?',
        values: [
          { key: 'yes', name: 'Yes' },
          { key: 'no', name: 'No' },
        ],
      },
      {
        variable: true,
        code: 'collection-point',
        datatype: 'singlevaluelist',
        required: true,
        datatype_description: '',
        order: 4,
        description: 'Where do we usually collect the bin from?',
        values: [
          { key: 'kerbside', name: 'The edge of the pavement' },
          { key: 'property-boundary', name: 'The boundary of the property' },
          { key: 'assisted', name: 'From my home, because I have an assisted collection' },
        ],
      },
      {
        variable: true,
        code: 'details',
        datatype: 'text',
        required: false,
        datatype_description: 'For example, a parked car blocked the bin or it was not put back. You can leave this blank.',
        order: 5,
        description: 'Is there anything else we should know?',
      },
    ])
  })

  it('never makes a branching question required, because Open311 cannot branch', () => {
    const attributes = open311Attributes(seed('housing-repair'))
    expect(attributes.find((attribute) => attribute.code === 'gas')?.required).toBe(true)
    expect(attributes.find((attribute) => attribute.code === 'kitchen-tap')?.required).toBe(false)
    expect(attributes.map((attribute) => attribute.code)).not.toContain('gas-emergency')
    expect(attributes.map((attribute) => attribute.code)).not.toContain('photos')
  })

  it('fills placeholders and uses Welsh where asked', () => {
    const parsed = definition({
      questions: [{ id: 'where', kind: 'text', label: { en: 'Where?', cy: 'Ble?' }, hint: 'Or call {councilPhone}' }],
      priority: { default: 'routine' },
    })
    expect(open311Attributes(parsed, { locale: 'cy', placeholders: { councilPhone: '01632 960000' } })[0]).toMatchObject({
      description: 'Ble?',
      datatype_description: 'Or call 01632 960000',
    })
  })

  it('derives the datatype from the kind of question unless the question names one', () => {
    const parsed = definition({
      questions: [
        { id: 'bags', kind: 'text', label: 'Bags', open311: { datatype: 'number', description: 'Number of bags' } },
        { id: 'name', kind: 'text', label: 'Name' },
        { id: 'notes', kind: 'textarea', label: 'Notes' },
        { id: 'phone', kind: 'phone', label: 'Phone' },
        { id: 'place', kind: 'location', label: 'Place' },
      ],
      priority: { default: 'routine' },
    })
    expect(parsed.questions.map(open311DatatypeOf)).toEqual(['number', 'string', 'text', 'string', undefined])
    expect(open311Attributes(parsed)[0]).toMatchObject({ description: 'Number of bags', datatype: 'number' })
  })
})
