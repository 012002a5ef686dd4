import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addDays, daysBetween, defaultCalendar, ukDateOf, weekdayOf } from '../../../src/lib/calendar/index.ts'
import { dayText, type CapacityOwner } from '../../../src/modules/scheduling/index.ts'
import { errorSummary, type Agent, type AgentResponse } from '../../support/agent.ts'
import { createTestApp, type TestApp } from '../../support/app.ts'
import { signedInStaff } from '../../support/staff.ts'
import { person, repairDefinition } from '../requests/factories.ts'

let test: TestApp
let team: CapacityOwner
let contractor: CapacityOwner
let admin: Agent
const page = '/staff/appointments/capacity'
const ownerValue = (owner: CapacityOwner) => `${owner.kind}:${owner.id}`

beforeAll(async () => {
  test = await createTestApp()
  team = { kind: 'team', id: await test.services.identity.staff.ensureTeam('housing-repairs', 'Housing repairs') }
  contractor = { kind: 'contractor', id: await test.services.identity.staff.ensureContractor('wendle-property-maintenance', 'Wendle Property Maintenance Ltd') }
  await test.services.catalogue.publishDefinition(repairDefinition())
  admin = (await signedInStaff(test, ['administrator'])).agent
})
afterAll(async () => {
  await test?.close()
})

/** A Monday some weeks ahead, so the fortnight from it is wholly in the future. */
function mondayInWeeks(weeks: number): string {
  let date = addDays(ukDateOf(new Date()), weeks * 7)
  while (weekdayOf(date) !== 'Monday') date = addDays(date, 1)
  return date
}

const dateFields = (name: string, date: string) => {
  const [year, month, day] = date.split('-')
  return { [`${name}-day`]: String(Number(day)), [`${name}-month`]: String(Number(month)), [`${name}-year`]: year! }
}

const weekdays = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday']

async function capacityRows(owner: CapacityOwner, from: string, to: string) {
  return test.database.db
    .selectFrom('capacity')
    .select(['date', 'window_code', 'places', 'booked'])
    .where(owner.kind === 'team' ? 'team_id' : 'contractor_id', '=', owner.id)
    .where('date', '>=', from)
    .where('date', '<=', to)
    .orderBy('date')
    .execute()
}

const text = (response: AgentResponse, selector: string) => response.page(selector).text().replace(/\s+/g, ' ').trim()

describe('the capacity page', () => {
  it('lets an administrator choose a team or contractor without JavaScript, and shows their fortnight', async () => {
    const choose = await admin.get(page)
    expect(choose.status).toBe(200)
    expect(choose.page('form[method="get"] select#owner option').map((_, option) => choose.page(option).text().trim()).get()).toEqual([
      '',
      'Housing repairs',
      'Wendle Property Maintenance Ltd',
    ])
    expect(choose.page('.govuk-service-navigation a[href="/staff/appointments/capacity"]').text().trim()).toBe('Appointment capacity')

    // A bank holiday Monday (as 28 December 2026 is) shows as no working day, so the week after is used.
    let weeks = 3
    while (!defaultCalendar.isWorkingDay(mondayInWeeks(weeks), test.config.council.bankHolidayRegion)) weeks += 1
    const monday = mondayInWeeks(weeks)
    await test.services.scheduling.setCapacity(contractor, { date: monday, window: 'afternoon' }, 4, { kind: 'staff', id: null })
    const shown = await admin.get(`${page}?owner=${encodeURIComponent(ownerValue(contractor))}&from=${addDays(monday, 2)}`)
    expect(shown.status).toBe(200)
    expect(shown.page('h1').text().trim()).toBe('Capacity for Wendle Property Maintenance Ltd')
    const rows = shown.page('.app-capacity-table tbody tr')
    expect(rows).toHaveLength(14)
    // The fortnight starts on the Monday of the week asked for.
    expect(text(shown, '.app-capacity-table tbody tr:first-child')).toBe(`${dayText(monday)} No places 0 of 4 booked No places`)
    expect(text(shown, '.app-capacity-table tbody tr:nth-child(6)')).toBe(`${dayText(addDays(monday, 5))} Not a working day`)
    expect(shown.page('a[rel="next"]').attr('href')).toBe(`${page}?owner=${encodeURIComponent(ownerValue(contractor))}&from=${addDays(monday, 14)}`)
    expect(shown.page('a[rel="prev"]').attr('href')).toBe(`${page}?owner=${encodeURIComponent(ownerValue(contractor))}&from=${addDays(monday, -14)}`)
  })

  it('sets places on each chosen working day of a range, skipping weekends and bank holidays', async () => {
    const from = mondayInWeeks(5)
    const to = addDays(from, 13)
    await admin.get(`${page}?owner=${encodeURIComponent(ownerValue(team))}`)
    const set = await admin.post(page, { owner: ownerValue(team), showing: from, ...dateFields('from', from), ...dateFields('to', to), weekdays, window: 'morning', places: '3' })
    expect(set.status, errorSummary(set).join()).toBe(303)

    const region = test.config.council.bankHolidayRegion
    const expected = Array.from({ length: 14 }, (_, index) => addDays(from, index)).filter((date) => defaultCalendar.isWorkingDay(date, region))
    const rows = await capacityRows(team, from, to)
    expect(rows).toEqual(expected.map((date) => ({ date, window_code: 'morning', places: 3, booked: 0 })))
    expect(rows.some((row) => ['Saturday', 'Sunday'].includes(weekdayOf(row.date)))).toBe(false)
    const after = await admin.follow(set)
    expect(text(after, '.govuk-notification-banner')).toContain(`Places set on ${expected.length} days.`)
    // The first working day's row, which may not be the Monday: a bank holiday shows as not a working day.
    expect(text(after, `.app-capacity-table tbody tr:nth-child(${daysBetween(from, expected[0]!) + 1})`)).toBe(`${dayText(expected[0]!)} 0 of 3 booked No places No places`)
  })

  it('sets only the chosen weekdays', async () => {
    const from = mondayInWeeks(8)
    await admin.get(`${page}?owner=${encodeURIComponent(ownerValue(team))}`)
    const set = await admin.post(page, { owner: ownerValue(team), showing: from, ...dateFields('from', from), ...dateFields('to', addDays(from, 6)), weekdays: ['Tuesday', 'Thursday'], window: 'afternoon', places: '2' })
    expect(set.status).toBe(303)
    expect((await capacityRows(team, from, addDays(from, 6))).map((row) => weekdayOf(row.date))).toEqual(
      ['Tuesday', 'Thursday'].filter((day) => defaultCalendar.isWorkingDay(addDays(from, day === 'Tuesday' ? 1 : 3), test.config.council.bankHolidayRegion)),
    )
  })

  it('leaves days with more visits booked than the places asked for, says which, and sets the rest', async () => {
    const from = mondayInWeeks(11)
    const to = addDays(from, 4)
    const busy = addDays(from, 2)
    const actor = { kind: 'staff' as const, id: null }
    for (let day = 0; day < 5; day++) await test.services.scheduling.setCapacity(team, { date: addDays(from, day), window: 'all-day' }, 4, actor)
    // Two visits are already booked on the Wednesday.
    await test.database.db.updateTable('capacity').set({ booked: 2 }).where('team_id', '=', team.id).where('date', '=', busy).where('window_code', '=', 'all-day').execute()
    const workingDays = Array.from({ length: 5 }, (_, day) => addDays(from, day)).filter((date) => defaultCalendar.isWorkingDay(date, test.config.council.bankHolidayRegion))

    await admin.get(`${page}?owner=${encodeURIComponent(ownerValue(team))}`)
    const set = await admin.post(page, { owner: ownerValue(team), showing: from, ...dateFields('from', from), ...dateFields('to', to), weekdays, window: 'all-day', places: '1' })
    expect(set.status).toBe(303)
    const after = await admin.follow(set)
    expect(text(after, '.govuk-notification-banner')).toContain(`Places set on ${workingDays.length - 1} days.`)
    expect(text(after, '.app-capacity-unchanged')).toContain('Some days were left unchanged')
    expect(text(after, '.app-capacity-unchanged li')).toBe(`${dayText(busy)}: 2 visits are already booked in this slot. Enter 2 or more, or move some visits first.`)
    const rows = await capacityRows(team, from, to)
    expect(rows.filter((row) => row.window_code === 'all-day').map((row) => [row.date, row.places])).toEqual(workingDays.map((date) => [date, date === busy ? 4 : 1]))
    // The report is shown once.
    expect((await admin.get(after.page('a[rel="next"]').attr('href')!)).page('.app-capacity-unchanged')).toHaveLength(0)
  })

  it('refuses a range that ends before it starts, one over a year, and places that are not a number, with the error summary', async () => {
    const from = mondayInWeeks(14)
    const attempts = [
      { fields: { ...dateFields('from', from), ...dateFields('to', addDays(from, -1)), places: '2' }, error: 'The last day must be the same as or after the first day' },
      { fields: { ...dateFields('from', from), ...dateFields('to', addDays(from, 366)), places: '2' }, error: 'The range must be 366 days or fewer' },
      { fields: { ...dateFields('from', from), ...dateFields('to', addDays(from, 4)), places: 'lots' }, error: 'Enter the number of places as a whole number from 0 to 999' },
      { fields: { 'from-day': '31', 'from-month': '2', 'from-year': '2027', ...dateFields('to', addDays(from, 4)), places: '2' }, error: 'Enter a real first day' },
    ]
    for (const attempt of attempts) {
      await admin.get(`${page}?owner=${encodeURIComponent(ownerValue(team))}`)
      const refused = await admin.post(page, { owner: ownerValue(team), showing: from, weekdays, window: 'morning', ...attempt.fields })
      expect(refused.status).toBe(400)
      expect(errorSummary(refused)).toEqual([attempt.error])
      expect(refused.page('h1').text().trim()).toBe('Capacity for Housing repairs')
    }
    await admin.get(`${page}?owner=${encodeURIComponent(ownerValue(team))}`)
    const nothingChosen = await admin.post(page, { owner: ownerValue(team), showing: from, ...dateFields('from', from), ...dateFields('to', addDays(from, 4)), places: '2' })
    expect(errorSummary(nothingChosen)).toEqual(['Select at least one day of the week', 'Select a window'])
    expect(await capacityRows(team, addDays(from, -1), addDays(from, 400))).toEqual([])
  })

  it('adds a closure, so that day is no longer offered, and lists it with the council-wide ones', async () => {
    const region = test.config.council.bankHolidayRegion
    const firstDay = defaultCalendar.nextWorkingDay(ukDateOf(new Date()), region)
    const secondDay = defaultCalendar.nextWorkingDay(firstDay, region)
    const actor = { kind: 'staff' as const, id: null }
    for (const date of [firstDay, secondDay]) await test.services.scheduling.setCapacity(team, { date, window: 'morning' }, 2, actor)
    const personId = await person(test.database.db)
    const repair = await test.services.requests.createRequest({ serviceCode: 'test-repair', personId, answers: { problem: 'blocked-toilet', details: '' }, channel: 'web' })
    const offered = async () => (await test.services.scheduling.availableSlots(repair.id)).map((day) => day.date)
    expect(await offered()).toEqual(expect.arrayContaining([firstDay, secondDay]))

    await admin.get(`${page}?owner=${encodeURIComponent(ownerValue(team))}`)
    const added = await admin.post(`${page}/closures`, { owner: ownerValue(team), showing: firstDay, ...dateFields('closureDate', firstDay), reason: 'Team training day', scope: 'owner' })
    expect(added.status, errorSummary(added).join()).toBe(303)
    expect(await offered()).not.toContain(firstDay)
    expect(await offered()).toContain(secondDay)
    const shown = await admin.follow(added)
    expect(text(shown, '.govuk-notification-banner')).toContain(`No visits on ${dayText(firstDay)}: Team training day.`)

    // A council-wide closure stops the contractor's visits too.
    const everyone = await admin.post(`${page}/closures`, { owner: ownerValue(contractor), showing: firstDay, ...dateFields('closureDate', secondDay), reason: 'Council closed', scope: 'everyone' })
    expect(everyone.status).toBe(303)
    expect(await offered()).not.toContain(secondDay)

    const listed = await admin.get(`${page}?owner=${encodeURIComponent(ownerValue(team))}`)
    expect(listed.page('.app-closures-table tbody tr').map((_, row) => listed.page(row).text().replace(/\s+/g, ' ').trim()).get()).toEqual([
      `${dayText(firstDay)} Team training day Housing repairs`,
      `${dayText(secondDay)} Council closed Everyone`,
    ])
    const audited = await test.database.db.selectFrom('audit_events').select('action').where('action', '=', 'closure.add').execute()
    expect(audited).toHaveLength(2)
  })

  it('refuses a closure with no date, reason or scope, naming each', async () => {
    await admin.get(`${page}?owner=${encodeURIComponent(ownerValue(team))}`)
    const refused = await admin.post(`${page}/closures`, { owner: ownerValue(team), showing: '', 'closureDate-day': '', 'closureDate-month': '', 'closureDate-year': '', reason: ' ' })
    expect(refused.status).toBe(400)
    expect(errorSummary(refused)).toEqual(['Enter a real date', 'Enter why there are no visits that day', 'Select who the closure applies to'])
  })

  it('is only for staff with scheduling.manage: administrators, team leads and catalogue editors', async () => {
    const holders = await test.database.db
      .selectFrom('role_permissions')
      .innerJoin('roles', 'roles.id', 'role_permissions.role_id')
      .select('roles.code')
      .where('permission', '=', 'scheduling.manage')
      .execute()
    expect(holders.map((row) => row.code).sort()).toEqual(['administrator', 'catalogue-editor', 'team-lead'])

    const { agent: lead } = await signedInStaff(test, ['officer'])
    expect((await lead.get(page)).status).toBe(403)
    const home = await lead.get('/staff')
    expect(home.page('.govuk-service-navigation a[href="/staff/appointments/capacity"]')).toHaveLength(0)
    const from = mondayInWeeks(20)
    const refused = await lead.post(page, { owner: ownerValue(team), showing: from, ...dateFields('from', from), ...dateFields('to', from), weekdays, window: 'morning', places: '5' })
    expect(refused.status).toBe(403)
    expect(await capacityRows(team, from, from)).toEqual([])
  })

  it('refuses capacity and closure forms posted without the CSRF token', async () => {
    const from = mondayInWeeks(22)
    await admin.get(`${page}?owner=${encodeURIComponent(ownerValue(team))}`)
    const set = await admin.post(page, { owner: ownerValue(team), showing: from, ...dateFields('from', from), ...dateFields('to', from), weekdays, window: 'morning', places: '5' }, { csrf: null })
    expect(set.status).toBe(403)
    const closure = await admin.post(`${page}/closures`, { owner: ownerValue(team), showing: from, ...dateFields('closureDate', from), reason: 'Sneaky', scope: 'everyone' }, { csrf: 'forged-token' })
    expect(closure.status).toBe(403)
    expect(await capacityRows(team, from, from)).toEqual([])
    expect(await test.database.db.selectFrom('closures').select('id').where('reason', '=', 'Sneaky').execute()).toEqual([])
  })
})
