import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { demoStaffPassword, loadDemoAccounts } from '../../src/demo/accounts.ts'
import { generateDemoPlaces } from '../../src/demo/places.ts'
import { defaultCalendar, ukDateOf } from '../../src/lib/calendar/index.ts'
import { launchBrowser, newContext, startSite } from '../support/browser.ts'
import { describeRepair, findNamedTenant, formWalker, reportKitchenTap, signInToStaffSite } from '../support/form-walker.ts'

describe('an officer books an appointment for a tenant who phoned', () => {
  let browser: Browser
  let site: Awaited<ReturnType<typeof startSite>>
  /** The first day with free places: the next working day. */
  let firstDay: string

  /** The demo council, with the contractor that mends taps offering places on the next ten working days. */
  beforeAll(async () => {
    ;[browser, site] = await Promise.all([launchBrowser(), startSite()])
    const places = generateDemoPlaces()
    await site.services.places.importAddresses([places.addressesCsv])
    await site.services.places.importTenancies([places.tenanciesCsv])
    await site.services.catalogue.seedDefinitions()
    await loadDemoAccounts(site.services)
    const contractor = await site.services.identity.staff.ensureContractor('wendle-property-maintenance', 'Wendle Property Maintenance Ltd')
    const region = site.config.council.bankHolidayRegion
    firstDay = defaultCalendar.nextWorkingDay(ukDateOf(new Date()), region)
    let day = firstDay
    for (let count = 0; count < 10; count++, day = defaultCalendar.nextWorkingDay(day, region)) {
      for (const window of ['morning', 'afternoon']) {
        await site.services.scheduling.setCapacity({ kind: 'contractor', id: contractor }, { date: day, window }, 3, { kind: 'staff', id: null })
      }
    }
  })
  afterAll(async () => {
    await browser?.close()
    await site?.close()
  })

  const journeys = [
    { javaScript: true, reference: 'LW-T-000003', name: 'Chris Evans', email: 'chris.evans@example.com' },
    { javaScript: false, reference: 'LW-T-000002', name: 'Priya Shah', email: undefined },
  ] as const

  for (const journey of journeys) {
    const label = journey.javaScript ? 'js' : 'no-js'

    it(`raises a routine repair by phone and books the first morning from the confirmation page, ${journey.javaScript ? 'with' : 'without'} JavaScript`, async () => {
      const context = await newContext(browser, { javaScript: journey.javaScript })
      const page = await context.newPage()
      const scriptErrors: string[] = []
      page.on('pageerror', (error) => scriptErrors.push(error.message))
      const walker = formWalker(page, `officer-books-${label}`)
      const { arrive, choose, continueOn } = walker

      await signInToStaffSite(walker, site.baseUrl, { email: 'repairs.officer@lowerwendle.example', password: demoStaffPassword, name: 'Olu Bakare' })

      await findNamedTenant(walker, journey.reference, { reference: journey.reference, name: journey.name })
      if (journey.email) {
        await page.getByLabel('Email', { exact: true }).check()
        await page.getByLabel('Email address').fill(journey.email)
        await page.getByRole('button', { name: 'Record person and link them to the tenancy' }).click()
      } else {
        // Priya Shah has an online account already, so the officer links it.
        await page.getByRole('button', { name: `Link ${journey.name} to this tenancy` }).click()
      }
      await arrive(journey.name, 'person')

      await page.getByRole('button', { name: `Raise a request for ${journey.name}` }).click()
      await arrive(`Raise a request for ${journey.name}`, 'raise')
      await page.getByLabel('Report a repair to your council home').check()
      await page.getByLabel('Phone', { exact: true }).check()
      await continueOn()
      await arrive('Report a repair to your council home', 'start')
      await page.getByRole('button', { name: 'Start now' }).click()

      await reportKitchenTap(walker, 'It drips or will not turn off fully')
      await describeRepair(walker, 'The kitchen tap drips all night.')
      await choose('Email')
      await arrive('What email address should we use?', 'email')
      await continueOn()
      await arrive('Check the answers before sending', 'check-answers')
      await page.getByRole('button', { name: 'Send the report' }).click()

      await arrive('Report sent', 'confirmation')
      const reference = (await page.locator('.app-reference').textContent())!.trim()
      await page.getByRole('button', { name: 'Book an appointment' }).click()

      await arrive('Choose a time for the visit', 'choose-time')
      const day = site.services.scheduling.describe({ date: firstDay, window: 'morning' }).day
      // Each radio's name carries its day, so a screen reader user hears which day the time is on.
      await page.getByLabel(`${day}, 8am to midday`).check()
      await page.getByRole('button', { name: 'Book appointment' }).click()

      await arrive(reference, 'request-with-appointment')
      expect(await page.locator('.govuk-notification-banner').textContent()).toContain(`Appointment booked for ${day}, 8am to midday. The tenant has been sent a message about it.`)
      const visit = (await page.locator('.app-current-appointment').textContent())!.replace(/\s+/g, ' ')
      expect(visit).toContain(day)
      expect(visit).toContain('8am to midday')
      expect(visit).toContain('Olu Bakare')
      expect(await page.locator('.app-timeline').textContent()).toContain(`Appointment booked for ${day} (8am to midday)`)

      const request = await site.database.db.selectFrom('requests').select('id').where('reference', '=', reference).executeTakeFirstOrThrow()
      expect(await site.services.scheduling.currentAppointment(request.id)).toMatchObject({ date: firstDay, window: 'morning', status: 'booked' })

      expect(scriptErrors).toEqual([])
      await context.close()
      // Without JavaScript every page is checked in a second browser context, so the long journey needs longer.
    }, 180_000)
  }

  it('shows an administrator the contractor’s capacity, with the places booked, and refuses a bad range on the page', async () => {
    const context = await newContext(browser, { javaScript: false })
    const page = await context.newPage()
    const { arrive } = formWalker(page, 'capacity-no-js')
    await page.goto(`${site.baseUrl}/staff/sign-in`)
    await page.getByLabel('Email address').fill('admin@lowerwendle.example')
    await page.getByLabel('Password').fill(demoStaffPassword)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await arrive('Hello, Ada Adeyemi', 'staff-home')

    await page.getByRole('link', { name: 'Appointment capacity' }).click()
    await arrive('Appointment capacity', 'choose-owner')
    await page.getByLabel('Team or contractor').selectOption({ label: 'Wendle Property Maintenance Ltd' })
    await page.getByRole('button', { name: 'Show capacity' }).click()
    await arrive('Capacity for Wendle Property Maintenance Ltd', 'fortnight')
    expect(await page.locator('.app-capacity-table').textContent()).toContain('of 3 booked')

    await page.getByRole('group', { name: 'First day' }).getByLabel('Day').fill('10')
    await page.getByRole('group', { name: 'First day' }).getByLabel('Month').fill('6')
    await page.getByRole('group', { name: 'First day' }).getByLabel('Year').fill('2030')
    await page.getByRole('group', { name: 'Last day' }).getByLabel('Day').fill('1')
    await page.getByRole('group', { name: 'Last day' }).getByLabel('Month').fill('6')
    await page.getByRole('group', { name: 'Last day' }).getByLabel('Year').fill('2030')
    await page.getByLabel('8am to midday').check()
    await page.getByLabel('Places', { exact: true }).fill('two')
    await page.getByRole('button', { name: 'Set places' }).click()
    await arrive('Capacity for Wendle Property Maintenance Ltd', 'set-places-errors')
    expect(await page.locator('.govuk-error-summary').textContent()).toContain('The last day must be the same as or after the first day')
    await context.close()
  }, 120_000)
})
