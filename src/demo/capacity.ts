import type { ServiceDependencies, Services } from '../container.ts'
import { defaultCalendar } from '../lib/calendar/calendar.ts'
import { addDays, ukDateOf } from '../lib/calendar/index.ts'
import type { CapacityOwner } from '../modules/scheduling/index.ts'

/** How far ahead the demo's diaries are open, and how many visits each window takes. */
const weeksAhead = 4
const placesPerWindow: Record<string, number> = { morning: 3, afternoon: 3 }

/**
 * Opens the housing repairs team's and each contractor's diaries for the coming weeks, so a demo
 * tenant can book a visit. Run at every start: only days with no capacity yet are added, so the
 * diary rolls forward and what staff have changed is kept.
 */
export async function loadDemoCapacity({ db, config }: ServiceDependencies, services: Services): Promise<number> {
  const calendar = defaultCalendar.forRegion(config.council.bankHolidayRegion)
  const team = await db.selectFrom('teams').select('id').where('code', '=', 'housing-repairs').executeTakeFirst()
  const owners: CapacityOwner[] = [
    ...(team ? [{ kind: 'team' as const, id: team.id }] : []),
    ...(await services.identity.staff.contractors()).map((contractor) => ({ kind: 'contractor' as const, id: contractor.id })),
  ]
  const today = ukDateOf(new Date())
  const lastDay = addDays(today, weeksAhead * 7)
  let added = 0
  for (const owner of owners) {
    const existing = await db
      .selectFrom('capacity')
      .select(['date', 'window_code'])
      .where(owner.kind === 'team' ? 'team_id' : 'contractor_id', '=', owner.id)
      .where('date', '>', today)
      .where('date', '<=', lastDay)
      .execute()
    const has = new Set(existing.map((row) => `${row.date} ${row.window_code}`))
    for (let date = calendar.nextWorkingDay(today); date <= lastDay; date = calendar.nextWorkingDay(date)) {
      for (const [window, places] of Object.entries(placesPerWindow)) {
        if (has.has(`${date} ${window}`)) continue
        await services.scheduling.setCapacity(owner, { date, window }, places, { kind: 'system' })
        added += 1
      }
    }
  }
  return added
}
