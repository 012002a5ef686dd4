import { describe, expect, it } from 'vitest'
import { calendarFile } from '../../../src/modules/scheduling/calendar-file.ts'

const event = {
  uid: 'b1946ac9-2fe0-4b55-a3c1-36b2a5fbd6d0@guildhall.example',
  starts: new Date('2026-07-15T07:00:00Z'),
  ends: new Date('2026-07-15T11:00:00Z'),
  summary: 'Repair visit: HR-2026-000123',
  description: 'A responsible adult must be at home.\nTo change it, call 01632 960000; or sign in, then choose the request.',
  location: 'Flat 2, 10 Mill Lane, Lower Wendle, LW1 2AB',
  stamp: new Date('2026-07-01T09:30:15.123Z'),
}

describe('calendarFile', () => {
  const file = calendarFile(event, 'Borough of Lower Wendle Council')

  it('is an iCalendar event with UTC times and CRLF line endings', () => {
    expect(file.endsWith('\r\n')).toBe(true)
    expect(file.replace(/\r\n/g, '')).not.toContain('\n')
    const lines = file.split('\r\n')
    expect(lines.slice(0, 2)).toEqual(['BEGIN:VCALENDAR', 'VERSION:2.0'])
    expect(lines).toContain('DTSTART:20260715T070000Z')
    expect(lines).toContain('DTEND:20260715T110000Z')
    expect(lines).toContain('DTSTAMP:20260701T093015Z')
    expect(lines).toContain(`UID:${event.uid}`)
  })

  it('escapes commas, semicolons and line breaks in text', () => {
    const unfolded = file.replace(/\r\n /g, '')
    expect(unfolded).toContain('LOCATION:Flat 2\\, 10 Mill Lane\\, Lower Wendle\\, LW1 2AB')
    expect(unfolded).toContain('DESCRIPTION:A responsible adult must be at home.\\nTo change it\\, call 01632 960000\\; or sign in\\, then choose the request.')
  })

  it('folds lines longer than 75 octets without splitting a character', () => {
    const long = calendarFile({ ...event, description: 'é'.repeat(100) }, 'Council')
    for (const line of long.split('\r\n')) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75)
    expect(long.replace(/\r\n /g, '')).toContain(`DESCRIPTION:${'é'.repeat(100)}`)
  })
})
