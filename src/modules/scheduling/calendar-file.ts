/**
 * An appointment as an iCalendar file (RFC 5545), so a tenant can add the visit to their own
 * calendar. Times are written in UTC, which every calendar program turns into local time.
 */
export interface CalendarEvent {
  /** Stays the same for one appointment, so adding the file twice updates the entry instead of doubling it. */
  uid: string
  starts: Date
  ends: Date
  summary: string
  description: string
  location: string | undefined
  /** When the file was made. */
  stamp: Date
}

function utcStamp(moment: Date): string {
  return moment.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')
}

/** Backslashes, semicolons, commas and line breaks are escaped in text values. */
function escapeText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n')
}

/** Lines longer than 75 octets are folded: broken and continued on a line starting with a space. */
function fold(line: string): string {
  const bytes = Buffer.from(line, 'utf8')
  if (bytes.length <= 75) return line
  const parts: string[] = []
  let current = ''
  for (const character of line) {
    const limit = parts.length === 0 ? 75 : 74
    if (Buffer.byteLength(current + character, 'utf8') > limit) {
      parts.push(current)
      current = ''
    }
    current += character
  }
  parts.push(current)
  return parts.join('\r\n ')
}

export function calendarFile(event: CalendarEvent, producer: string): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    `PRODID:-//${escapeText(producer)}//Guildhall//EN`,
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    'BEGIN:VEVENT',
    `UID:${event.uid}`,
    `DTSTAMP:${utcStamp(event.stamp)}`,
    `DTSTART:${utcStamp(event.starts)}`,
    `DTEND:${utcStamp(event.ends)}`,
    `SUMMARY:${escapeText(event.summary)}`,
    `DESCRIPTION:${escapeText(event.description)}`,
    ...(event.location ? [`LOCATION:${escapeText(event.location)}`] : []),
    'END:VEVENT',
    'END:VCALENDAR',
  ]
  return `${lines.map(fold).join('\r\n')}\r\n`
}
