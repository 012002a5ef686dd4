import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { expectNoAccessibilityViolations, launchBrowser, newContext, screenshot, startSite } from '../support/browser.ts'
import { formWalker, reportKitchenTap } from '../support/form-walker.ts'
import { address, addressCsv, sessionCookie, signedInResident, tenancyCsv, tenant } from '../support/places.ts'

describe('reporting a repair in the browser', () => {
  let browser: Browser
  let site: Awaited<ReturnType<typeof startSite>>
  let photo: Buffer
  beforeAll(async () => {
    ;[browser, site] = await Promise.all([launchBrowser(), startSite()])
    await site.services.catalogue.seedDefinitions()
    await site.services.places.importAddresses([
      addressCsv([address(2000, { address_line_1: 'Wendle Court' }), address(2001, { parent_uprn: 2000 }), address(2002, { parent_uprn: 2000 }), address(2003, { parent_uprn: 2000 })]),
    ])
    await site.services.places.importTenancies([
      tenancyCsv([
        tenant('LW-T-000001', 2001, { given_name: 'Alex', family_name: 'Morgan', date_of_birth: '1985-03-14' }),
        tenant('LW-T-000002', 2002, { given_name: 'Priya', family_name: 'Shah', date_of_birth: '1979-11-02' }),
        tenant('LW-T-000003', 2003, { given_name: 'Sam', family_name: 'Jones', date_of_birth: '1990-01-20' }),
      ]),
    ])
    photo = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#6b8fb3' } }).jpeg().toBuffer()
  })
  afterAll(async () => {
    await browser?.close()
    await site?.close()
  })

  const journeys = [
    { javaScript: true, reference: 'LW-T-000001', givenName: 'Alex', familyName: 'Morgan', birth: ['14', '3', '1985'] },
    { javaScript: false, reference: 'LW-T-000002', givenName: 'Priya', familyName: 'Shah', birth: ['2', '11', '1979'] },
  ] as const

  for (const journey of journeys) {
    it(`reports a dripping kitchen tap ${journey.javaScript ? 'with' : 'without'} JavaScript`, async () => {
      const resident = await signedInResident(site.database.db, journey)
      const [day, month, year] = journey.birth
      await site.services.places.linkTenancy(resident.personId, { reference: journey.reference, postcode: 'LW1 5UP', day, month, year })
      const context = await newContext(browser, { javaScript: journey.javaScript })
      await context.addCookies([{ name: sessionCookie, value: resident.sessionToken, url: site.baseUrl }])
      const page = await context.newPage()
      const walker = formWalker(page, `report-a-repair-${journey.javaScript ? 'js' : 'no-js'}`)
      const { arrive, choose, continueOn } = walker

      await page.goto(`${site.baseUrl}/services/housing-repair/start`)
      await arrive('Report a repair to your council home', 'start')
      await page.getByRole('button', { name: 'Start now' }).click()

      await arrive('Can you smell gas?', 'gas')
      await continueOn()
      await expect.poll(() => page.locator('.govuk-error-summary').textContent()).toContain('Select yes if you can smell gas')
      await arrive('Can you smell gas?', 'gas-error')
      await reportKitchenTap(walker, 'It drips or will not turn off fully')

      await arrive('Describe the problem', 'description')
      await page.getByLabel('Describe the problem').fill('The cold tap in the kitchen drips all night, for about two weeks now.')
      await continueOn()

      await arrive('Add photos of the problem', 'photos')
      await page.getByLabel('Choose photos').setInputFiles({ name: 'tap.jpg', mimeType: 'image/jpeg', buffer: photo })
      await continueOn()

      await arrive('Is there anything we should know before we visit?', 'access')
      await page.getByLabel('Is there anything we should know before we visit?').fill('We have a friendly dog.')
      await continueOn()
      await arrive('How should we send you updates about this repair?', 'contact-method')
      await choose('Text message')
      await arrive('What mobile number should we text?', 'mobile')
      await page.getByLabel('What mobile number should we text?').fill('07700 900982')
      await continueOn()

      await arrive('Check your answers before sending', 'check-answers')
      const summary = await page.locator('.govuk-summary-list').textContent()
      expect(summary).toContain('It drips or will not turn off fully')
      expect(summary).toContain('1 photo added')
      expect(summary).toContain('07700900982')
      await page.getByRole('button', { name: 'Accept and send' }).click()

      await arrive('Report sent', 'confirmation')
      const reference = (await page.locator('.app-reference').textContent())?.trim()
      const request = await site.database.db
        .selectFrom('requests')
        .select(['reference', 'property_uprn'])
        .where('person_id', '=', resident.personId)
        .executeTakeFirstOrThrow()
      expect(reference).toBe(request.reference)
      await context.close()
    })
  }

  it('finds where a missed bin was left by postcode without JavaScript', async () => {
    const resident = await signedInResident(site.database.db, { givenName: 'Jo', familyName: 'Bloggs' })
    const context = await newContext(browser, { javaScript: false })
    await context.addCookies([{ name: sessionCookie, value: resident.sessionToken, url: site.baseUrl }])
    const page = await context.newPage()
    await page.goto(`${site.baseUrl}/services/missed-bin/start`)
    await expectNoAccessibilityViolations(page)
    await page.getByRole('button', { name: 'Start now' }).click()
    await expect.poll(() => page.locator('h1').textContent()).toBe('Where was the bin left for collection?')
    await expectNoAccessibilityViolations(page)
    await page.getByLabel('Or search for a street or postcode').fill('LW1 5UP')
    await page.getByRole('button', { name: 'Search' }).click()
    await expect.poll(() => page.locator('input[name="location"]').count()).toBeGreaterThan(0)
    await expectNoAccessibilityViolations(page)
    await screenshot(page, 'report-a-missed-bin-no-js-location')
    await page.getByRole('button', { name: 'Continue' }).click()
    await expect.poll(() => page.locator('.govuk-error-summary').textContent()).toContain('Choose where the bin was left')
    await expectNoAccessibilityViolations(page)
    await screenshot(page, 'report-a-missed-bin-no-js-location-error')
    await page.locator('input[name="location"]').first().check()
    await page.getByRole('button', { name: 'Continue' }).click()
    await expect.poll(() => page.locator('h1').textContent()).toContain('Which bins were not emptied?')
    await expectNoAccessibilityViolations(page)
    await context.close()
  })

  it('stops at the gas emergency page with nothing more to fill in', async () => {
    const resident = await signedInResident(site.database.db, { givenName: 'Sam', familyName: 'Jones' })
    await site.services.places.linkTenancy(resident.personId, { reference: 'LW-T-000003', postcode: 'LW1 5UP', day: '20', month: '1', year: '1990' })
    const context = await newContext(browser, { javaScript: true })
    await context.addCookies([{ name: sessionCookie, value: resident.sessionToken, url: site.baseUrl }])
    const page = await context.newPage()
    await page.goto(`${site.baseUrl}/services/housing-repair/gas`)
    await page.getByLabel('Yes', { exact: true }).check()
    await page.getByRole('button', { name: 'Continue' }).click()
    await expect.poll(() => page.locator('h1').textContent()).toBe('Call the National Gas Emergency Service now')
    expect(await page.locator('main').textContent()).toContain('Call 0800 111 999 now.')
    expect(await page.locator('main').getByRole('button').count()).toBe(0)
    await expectNoAccessibilityViolations(page)
    await screenshot(page, 'report-a-repair-gas-emergency')
    await context.close()
  })
})
