import { describe, expect, it } from 'vitest'
import { Open311Refusal, parseRequestsQuery, parseSubmittedRequest, parseSubmittedUpdate, parseW3cDateTime, windowOf } from '../../../src/modules/open-data/open311/parameters.ts'

const now = new Date('2026-11-24T12:00:00Z')

function refusal(action: () => unknown): string {
  try {
    action()
  } catch (error) {
    if (error instanceof Open311Refusal) return error.descriptions.join('; ')
    throw error
  }
  throw new Error('Expected a refusal')
}

describe('Open311 parameters', () => {
  it('reads W3C date-times with their offsets, and dates alone', () => {
    expect(parseW3cDateTime('2026-07-01T10:00:00+01:00', 'start_date').toISOString()).toBe('2026-07-01T09:00:00.000Z')
    expect(parseW3cDateTime('2026-07-01T10:00:00Z', 'start_date').toISOString()).toBe('2026-07-01T10:00:00.000Z')
    expect(parseW3cDateTime('2026-07-01T10:00:00.123-0500', 'start_date').toISOString()).toBe('2026-07-01T15:00:00.123Z')
    expect(parseW3cDateTime('2026-07-01', 'start_date').toISOString()).toBe('2026-07-01T00:00:00.000Z')
    expect(refusal(() => parseW3cDateTime('2026-07-01T10:00:00', 'start_date'))).toContain('start_date must end with its offset')
    expect(refusal(() => parseW3cDateTime('2026-02-30T10:00:00Z', 'end_date'))).toContain('end_date is not a real date')
    expect(refusal(() => parseW3cDateTime('yesterday', 'end_date'))).toContain('end_date must be a W3C date-time')
  })

  it('defaults to the last 90 days and refuses a longer or backwards window', () => {
    expect(windowOf({}, now)).toEqual({ from: new Date('2026-08-26T12:00:00Z'), to: now })
    expect(windowOf({ start_date: '2026-01-01T00:00:00Z' }, now)).toEqual({ from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-04-01T00:00:00Z') })
    expect(windowOf({ end_date: '2026-04-01T00:00:00Z' }, now)).toEqual({ from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-04-01T00:00:00Z') })
    expect(refusal(() => windowOf({ start_date: '2026-01-01T00:00:00Z', end_date: '2026-06-01T00:00:00Z' }, now))).toContain('at most 90 days apart')
    expect(refusal(() => windowOf({ start_date: '2026-06-01T00:00:00Z', end_date: '2026-01-01T00:00:00Z' }, now))).toContain('start_date must be before end_date')
    expect(refusal(() => windowOf({ start_date: ['2026-06-01', '2026-06-02'] }, now))).toContain('start_date was given more than once')
  })

  it('lets service_request_id override everything else, and reads comma lists', () => {
    expect(parseRequestsQuery({ service_request_id: 'GH-2345-6789, gh23456788,nonsense', status: 'bogus' }, now)).toEqual({ kind: 'references', references: ['GH-2345-6789', 'GH-2345-6788'] })
    expect(parseRequestsQuery({ service_code: 'pothole,graffiti', status: 'open' }, now)).toMatchObject({ kind: 'window', serviceCodes: ['pothole', 'graffiti'], statuses: ['open'] })
    expect(parseRequestsQuery({ service_code: ['pothole', 'graffiti,pothole'] }, now)).toMatchObject({ serviceCodes: ['pothole', 'graffiti'] })
    expect(refusal(() => parseRequestsQuery({ status: 'fixed' }, now))).toContain('status must be open or closed')
    expect(refusal(() => parseRequestsQuery({ service_request_id: ',' }, now))).toContain('must name at least one request')
  })

  it('reads a FixMyStreet request: attributes, repeated media_url and CRLF line endings', () => {
    const submitted = parseSubmittedRequest({
      service_code: 'pothole',
      lat: '53.4808',
      long: '-2.2426',
      description: 'title: Hole\r\n\r\ndetail: Deep\r\n',
      'attribute[depth]': 'deeper-than-5cm',
      'attribute[hazards][]': ['near-school', 'on-bend'],
      media_url: ['https://www.fixmystreet.com/photo/1.jpeg', 'https://www.fixmystreet.com/photo/2.jpeg'],
      email: 'resident@example.com',
      first_name: 'Sam',
      last_name: 'Jones',
      jurisdiction_id: 'lower-wendle',
    })
    expect(submitted).toMatchObject({
      serviceCode: 'pothole',
      place: { kind: 'point', latitude: 53.4808, longitude: -2.2426 },
      description: 'title: Hole\n\ndetail: Deep',
      attributes: { depth: 'deeper-than-5cm', hazards: ['near-school', 'on-bend'] },
      mediaUrls: ['https://www.fixmystreet.com/photo/1.jpeg', 'https://www.fixmystreet.com/photo/2.jpeg'],
      email: 'resident@example.com',
    })
  })

  it('names the parameter at fault', () => {
    expect(refusal(() => parseSubmittedRequest({}))).toContain('service_code is required')
    expect(refusal(() => parseSubmittedRequest({ service_code: 'pothole', lat: '53' }))).toContain('lat and long must be given together')
    expect(refusal(() => parseSubmittedRequest({ service_code: 'pothole', lat: '953', long: '0' }))).toContain('lat must be a decimal number')
    expect(refusal(() => parseSubmittedRequest({ service_code: 'pothole', address_id: '12ab' }))).toContain('address_id must be a property')
    expect(refusal(() => parseSubmittedRequest({ service_code: 'pothole', description: 'x'.repeat(4001) }))).toContain('description must be 4,000 characters or fewer')
    expect(refusal(() => parseSubmittedRequest({ service_code: 'pothole', media_url: 'file:///etc/passwd' }))).toContain('media_url must be a web address')
    expect(refusal(() => parseSubmittedUpdate({ service_request_id: 'GH-2345-6789', update_id: '1', status: 'FIXED' }))).toContain('updated_datetime is required')
  })

  it('refuses the NUL character, which no value can be stored or looked for with, naming where it was', () => {
    expect(refusal(() => parseSubmittedRequest({ service_code: 'pothole', first_name: 'Sam\u0000' }))).toContain('first_name must not contain the NUL character')
    expect(refusal(() => parseSubmittedRequest({ service_code: 'pothole', 'attribute[size]': ['big', 'x\u0000'] }))).toContain('attribute[size] must not contain the NUL character')
    expect(refusal(() => parseSubmittedRequest({ service_code: 'pothole', media_url: 'https://example.org/\u0000.jpg' }))).toContain('media_url must not contain the NUL character')
    expect(refusal(() => parseRequestsQuery({ service_code: 'pothole,\u0000' }, now))).toContain('service_code must not contain the NUL character')
    expect(refusal(() => parseSubmittedUpdate({ service_request_id: 'GH-2345-6789', update_id: '1\u0000', status: 'FIXED', updated_datetime: '2026-11-24' }))).toContain('update_id must not contain the NUL character')
  })

  it('takes a description of exactly 4,000 characters', () => {
    expect(parseSubmittedRequest({ service_code: 'pothole', description: 'x'.repeat(4000) }).description).toHaveLength(4000)
  })
})
