import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { defaultCalendar } from '../../src/lib/calendar/calendar.ts'
import { addDays, type PlainDate } from '../../src/lib/calendar/plain-date.ts'
import { ukDateOf } from '../../src/lib/calendar/uk-time.ts'
import { changeLinkToken, isBookableDay, type CapacityOwner } from '../../src/modules/scheduling/index.ts'
import { staffMember } from '../integration/requests/factories.ts'
import { expectNoAccessibilityViolations, launchBrowser, newContext, screenshot, startSite } from '../support/browser.ts'
import { describeRepair, formWalker, reportKitchenTap } from '../support/form-walker.ts'
import { address, addressCsv, sessionCookie, signedInResident, tenancyCsv, tenant } from '../support/places.ts'

describe('a tenant booking, moving and cancelling a repair appointment in the browser', () => {
  let browser: Browser
  let site: Awaited<ReturnType<typeof startSite>>
  let days: PlainDate[]

  beforeAll(async () => {
    ;[browser, site] = await Promise.all([launchBrowser(), startSite()])
    await site.services.catalogue.seedDefinitions()
    const { id } = await site.database.db.insertInto('teams').values({ code: 'housing-repairs', name: 'Housing repairs' }).returning('id').executeTakeFirstOrThrow()
    const team: CapacityOwner = { kind: 'team', id }
    const officer = { kind: 'staff' as const, id: await staffMember(site.database.db) }
    await site.services.places.importAddresses([addressCsv([address(3000, { address_line_1: 'Wendle Court' }), address(3001, { parent_uprn: 3000 }), address(3002, { parent_uprn: 3000 })])])
    await site.services.places.importTenancies([
      tenancyCsv([
        tenant('LW-T-000011', 3001, { given_name: 'Alex', family_name: 'Morgan', date_of_birth: '1985-03-14' }),
        tenant('LW-T-000012', 3002, { given_name: 'Priya', family_name: 'Shah', date_of_birth: '1979-11-02' }),
      ]),
    ])
    // The next three working days in the UK, whenever the test runs, each with room for both journeys.
    const today = ukDateOf(new Date())
    const calendar = defaultCalendar.forRegion(site.config.council.bankHolidayRegion)
    days = []
    for (let date = addDays(today, 1); days.length < 3; date = addDays(date, 1)) {
      if (isBookableDay(date, { today, calendar, closures: [] })) days.push(date)
    }
    for (const date of days) {
      for (const window of ['morning', 'afternoon']) await site.services.scheduling.setCapacity(team, { date, window }, 4, officer)
    }
  })
  afterAll(async () => {
    await browser?.close()
    await site?.close()
  })

  const journeys = [
    { javaScript: true, reference: 'LW-T-000011', givenName: 'Alex', familyName: 'Morgan', birth: ['14', '3', '1985'] },
    { javaScript: false, reference: 'LW-T-000012', givenName: 'Priya', familyName: 'Shah', birth: ['2', '11', '1979'] },
  ] as const

  /** A slot's radio as a screen reader names it: its day, then its hours. */
  const slotLabel = (date: PlainDate, window: string) => {
    const { day, times } = site.services.scheduling.describe({ date, window })
    return `${day}, ${times}`
  }

  for (const journey of journeys) {
    const suffix = journey.javaScript ? 'js' : 'no-js'

    it(`reports a routine repair, books a morning, moves it from the account, and cancels through the message’s link ${journey.javaScript ? 'with' : 'without'} JavaScript`, async () => {
      const resident = await signedInResident(site.database.db, journey)
      const [day, month, year] = journey.birth
      await site.services.places.linkTenancy(resident.personId, { reference: journey.reference, postcode: 'LW1 5UP', day, month, year })
      const context = await newContext(browser, { javaScript: journey.javaScript })
      await context.addCookies([{ name: sessionCookie, value: resident.sessionToken, url: site.baseUrl }])
      const page = await context.newPage()
      const walker = formWalker(page, `book-appointment-${suffix}`)
      const { arrive, choose, continueOn } = walker

      // (a) Report a routine repair and book a morning straight away.
      await page.goto(`${site.baseUrl}/services/housing-repair/gas`)
      await reportKitchenTap(walker, 'It drips or will not turn off fully')
      await describeRepair(walker, 'The cold tap in the kitchen drips all night.')
      await choose('Text message')
      await arrive('What mobile number should we text?', 'mobile')
      await page.getByLabel('What mobile number should we text?').fill('07700 900982')
      await continueOn()
      await arrive('Check your answers before sending', 'check-answers')
      await page.getByRole('button', { name: 'Accept and send' }).click()

      await arrive('When can we visit?', 'choose-time')
      const request = await site.database.db.selectFrom('requests').select(['id', 'reference']).where('person_id', '=', resident.personId).executeTakeFirstOrThrow()
      expect(await page.locator('.govuk-notification-banner').textContent()).toContain(`Repair reported – your reference is ${request.reference}`)
      expect(await page.locator('.govuk-inset-text').textContent()).toContain('A responsible adult aged 18 or over must be at home for the whole time')
      await page.getByRole('button', { name: 'Book appointment' }).click()
      await expect.poll(() => page.locator('.govuk-error-summary').textContent()).toContain('Select a time for us to visit')
      await arrive('When can we visit?', 'choose-time-error')
      await page.getByRole('link', { name: 'Select a time for us to visit' }).click()
      await page.getByLabel(slotLabel(days[0]!, 'morning'), { exact: true }).check()
      await page.getByRole('button', { name: 'Book appointment' }).click()

      await arrive('Appointment booked', 'booked')
      const booked = site.services.scheduling.describe({ date: days[0]!, window: 'morning' })
      expect(await page.locator('.govuk-panel').textContent()).toContain(booked.day)
      expect(await page.locator('.govuk-panel').textContent()).toContain('8am to midday')
      const calendarLink = page.getByRole('link', { name: 'Add the appointment to your calendar' })
      expect(await calendarLink.getAttribute('href')).toBe(`/account/requests/${request.reference}/appointment.ics`)
      expect(await site.services.scheduling.currentAppointment(request.id)).toMatchObject({ date: days[0], window: 'morning' })

      // (b) Reschedule from the account.
      await page.getByRole('link', { name: `Go to your request ${request.reference}` }).click()
      await arrive('Report a repair to your council home', 'request')
      expect(await page.locator('.app-appointment').textContent()).toContain(booked.day)
      await page.getByRole('link', { name: 'Change appointment' }).click()
      await arrive('Choose a new time for your visit', 'change-time')
      await page.getByLabel(slotLabel(days[1]!, 'afternoon'), { exact: true }).check()
      await page.getByRole('button', { name: 'Change appointment' }).click()
      await arrive('Appointment changed', 'changed')
      const moved = site.services.scheduling.describe({ date: days[1]!, window: 'afternoon' })
      expect(await page.locator('.govuk-panel').textContent()).toContain(moved.day)
      await page.getByRole('link', { name: `Go to your request ${request.reference}` }).click()
      await arrive('Report a repair to your council home', 'request-after-change')
      expect(await page.locator('.app-resident-timeline').textContent()).toContain(`Appointment changed to ${moved.day}, midday to 6pm`)
      await context.close()

      // (c) Cancel through the link in the message, in a browser that has never signed in.
      const message = await site.database.db
        .selectFrom('outbox_messages')
        .select('personalisation')
        .where('person_id', '=', resident.personId)
        .where('message_type', 'like', 'appointment-moved%')
        .executeTakeFirstOrThrow()
      const link = new URL(message.personalisation.link!)
      const stranger = await newContext(browser, { javaScript: journey.javaScript })
      const linkPage = await stranger.newPage()
      const linkWalker = formWalker(linkPage, `book-appointment-${suffix}-link`)
      await linkPage.goto(`${site.baseUrl}${link.pathname}`)
      await linkWalker.arrive('Your repair appointment', 'appointment')
      expect(await linkPage.locator('.govuk-summary-list').textContent()).toContain(moved.day)
      await linkPage.getByRole('link', { name: 'Cancel the appointment' }).click()
      await linkWalker.arrive('Are you sure you want to cancel your appointment?', 'cancel')
      await linkPage.getByRole('button', { name: 'Yes, cancel the appointment' }).click()
      await linkWalker.arrive('Your appointment has been cancelled', 'cancelled')
      expect(await site.services.scheduling.currentAppointment(request.id)).toBeUndefined()

      const spent = await linkPage.goto(`${site.baseUrl}${link.pathname}`)
      expect(spent?.status()).toBe(410)
      await linkWalker.arrive('This appointment has changed', 'link-spent')
      await stranger.close()
    })
  }

  it('shows a link that has expired as expired', async () => {
    const context = await newContext(browser, { javaScript: true })
    const page = await context.newPage()
    const appointment = await site.database.db.selectFrom('appointments').select(['id', 'version']).executeTakeFirstOrThrow()
    const token = changeLinkToken({ appointmentId: appointment.id, version: appointment.version, expiresAt: new Date(Date.now() - 1000) }, site.config.scheduling.changeLinkSecret!)
    const response = await page.goto(`${site.baseUrl}/appointments/${token}`)
    expect(response?.status()).toBe(410)
    expect(await page.locator('h1').textContent()).toBe('This link has expired')
    await expectNoAccessibilityViolations(page)
    await screenshot(page, 'book-appointment-link-expired')
    await context.close()
  })
})
