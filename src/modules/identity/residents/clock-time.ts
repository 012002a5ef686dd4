import { ukTimeOfDayText } from '../../../lib/calendar/index.ts'

const dayOfMonth = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', timeZone: 'Europe/London' })
const londonDay = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: 'Europe/London' })

export interface ClockTime {
  /** "2:45pm", "midday", "12:05am" just after midnight, in UK time. */
  time: string
  /** "24 November" when the moment is not today in the UK, otherwise undefined. */
  day: string | undefined
}

/** A moment as GOV.UK style writes it for a resident, in UK time, whatever the server's zone. */
export function clockTime(moment: Date, now: Date): ClockTime {
  const time = ukTimeOfDayText(moment)
  return { time, day: londonDay.format(moment) === londonDay.format(now) ? undefined : dayOfMonth.format(moment) }
}

/** The time in words through the caller's translation, e.g. "2:45pm" or "9:15am on 24 November". */
export function clockTimeText(t: (key: string, values?: Record<string, string>) => string, moment: Date, now: Date): string {
  const { time, day } = clockTime(moment, now)
  return day === undefined ? time : t('identity.residents.time.timeOnDay', { time, day })
}
