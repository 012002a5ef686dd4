import { describe, expect, it } from 'vitest'
import { dateFromParts, parseCalendarDate, todayInLondon } from '../../../src/modules/places/dates.ts'
import { decideLink, isCurrentTenancy, type LinkCandidate } from '../../../src/modules/places/tenancy-linking.ts'

describe('dates', () => {
  it('reads ISO and UK dates and refuses unreal ones', () => {
    expect(parseCalendarDate('2024-02-29')).toBe('2024-02-29')
    expect(parseCalendarDate('1/3/2024')).toBe('2024-03-01')
    expect(parseCalendarDate('2023-02-29')).toBeUndefined()
    expect(parseCalendarDate('03/31/2024')).toBeUndefined()
    expect(parseCalendarDate('yesterday')).toBeUndefined()
  })

  it('checks a GOV.UK date input the way the design system describes', () => {
    const today = '2026-06-01'
    expect(dateFromParts({ day: '14', month: '3', year: '1985' }, today)).toEqual({ valid: true, date: '1985-03-14' })
    expect(dateFromParts({ day: '', month: '', year: '' }, today)).toEqual({ valid: false, problem: 'missing' })
    expect(dateFromParts({ day: '14', month: '', year: '' }, today)).toEqual({ valid: false, problem: 'incomplete', missing: ['month', 'year'] })
    expect(dateFromParts({ day: '30', month: '2', year: '1985' }, today)).toEqual({ valid: false, problem: 'notReal' })
    expect(dateFromParts({ day: '1', month: '1', year: '85' }, today)).toEqual({ valid: false, problem: 'notReal' })
    expect(dateFromParts({ day: '1', month: '6', year: '2026' }, today)).toEqual({ valid: false, problem: 'notInPast' })
  })

  it('knows today in the UK, even just after midnight in summer time', () => {
    expect(todayInLondon(new Date('2026-06-30T23:30:00Z'))).toBe('2026-07-01')
  })
})

describe('who may link to a tenancy', () => {
  const person = { id: 'person-1', givenName: 'Priya', familyName: 'Shah' }
  const tenant = (tenantId: string, personId: string | null, givenName = 'Priya'): LinkCandidate => ({ tenantId, personId, givenName, familyName: 'Shah' })

  it('finds nothing to link when no tenant matched', () => {
    expect(decideLink([], person)).toEqual({ outcome: 'noMatch' })
  })

  it('links an unlinked matching tenant, preferring one with the person’s name', () => {
    expect(decideLink([tenant('a', null, 'Daniel'), tenant('b', null)], person)).toEqual({ outcome: 'link', tenantId: 'b' })
    expect(decideLink([tenant('a', null, 'Daniel')], person)).toEqual({ outcome: 'link', tenantId: 'a' })
  })

  it('treats linking again as already done', () => {
    expect(decideLink([tenant('a', 'person-1')], person)).toEqual({ outcome: 'alreadyLinked', tenantId: 'a' })
  })

  it('refuses a tenant already linked to someone else', () => {
    expect(decideLink([tenant('a', 'person-2')], person)).toEqual({ outcome: 'linkedToSomeoneElse' })
  })

  it('counts a tenancy as current from its start date to its end date inclusive', () => {
    expect(isCurrentTenancy({ startDate: '2020-01-01', endDate: null }, '2026-01-01')).toBe(true)
    expect(isCurrentTenancy({ startDate: '2026-02-01', endDate: null }, '2026-01-01')).toBe(false)
    expect(isCurrentTenancy({ startDate: '2020-01-01', endDate: '2026-01-01' }, '2026-01-01')).toBe(true)
    expect(isCurrentTenancy({ startDate: '2020-01-01', endDate: '2025-12-31' }, '2026-01-01')).toBe(false)
  })
})
