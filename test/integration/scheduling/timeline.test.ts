import { afterAll, beforeAll, expect, it } from 'vitest'
import { defaultCalendar, ukDateOf } from '../../../src/lib/calendar/index.ts'
import { createTestApp, type TestApp } from '../../support/app.ts'
import { signedInStaff } from '../../support/staff.ts'
import { person, repairDefinition } from '../requests/factories.ts'

let test: TestApp

beforeAll(async () => {
  test = await createTestApp()
  await test.services.identity.staff.ensureTeam('housing-repairs', 'Housing repairs')
  await test.services.catalogue.publishDefinition(repairDefinition())
})
afterAll(async () => {
  await test?.close()
})

it('shows booking, moving and cancelling on the request’s staff page', async () => {
  const { scheduling, requests } = test.services
  const { id: officer, agent } = await signedInStaff(test, ['officer'], { teamCodes: ['housing-repairs'] })

  // An urgent repair is due within 5 working days, so the next working day is always before its target.
  const made = await requests.createRequest({ serviceCode: 'test-repair', personId: await person(test.database.db), answers: { problem: 'blocked-toilet', details: '' }, channel: 'web' })
  const { assignedTeamId } = await requests.request(made.id)
  const day = defaultCalendar.nextWorkingDay(ukDateOf(new Date()), test.config.council.bankHolidayRegion)
  const actor = { kind: 'staff' as const, id: officer }
  for (const window of ['morning', 'afternoon']) await scheduling.setCapacity({ kind: 'team', id: assignedTeamId! }, { date: day, window }, 1, actor)

  const booked = await scheduling.book(made.id, { date: day, window: 'morning' }, actor)
  const moved = await scheduling.move(booked.id, { date: day, window: 'afternoon' }, actor, booked.version)
  await scheduling.cancel(moved.id, actor, moved.version)

  const page = await agent.get(`/staff/requests/${made.reference}`)
  expect(page.status).toBe(200)
  const headings = page.page('.app-timeline__entry h3').map((_, heading) => page.page(heading).text().replace(/\s+/g, ' ').trim()).get()
  expect(headings.filter((heading) => heading.startsWith('Appointment'))).toEqual([
    expect.stringMatching(/^Appointment on \w+ \d{1,2} \w+ \d{4} \(midday to 6pm\) cancelled/),
    expect.stringMatching(/^Appointment moved to \w+ \d{1,2} \w+ \d{4} \(midday to 6pm\)/),
    expect.stringMatching(/^Appointment booked for \w+ \d{1,2} \w+ \d{4} \(8am to midday\)/),
  ])
})
