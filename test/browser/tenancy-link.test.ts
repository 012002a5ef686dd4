import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { expectNoAccessibilityViolations, launchBrowser, newContext, screenshot, startSite } from '../support/browser.ts'
import { address, addressCsv, sessionCookie, signedInResident, tenancyCsv, tenant } from '../support/places.ts'

describe('linking a tenancy in the browser', () => {
  let browser: Browser
  let site: Awaited<ReturnType<typeof startSite>>
  beforeAll(async () => {
    ;[browser, site] = await Promise.all([launchBrowser(), startSite()])
    await site.services.places.importAddresses([addressCsv([address(1001), address(1002)])])
    await site.services.places.importTenancies([
      tenancyCsv([
        tenant('LW-T-000001', 1001, { given_name: 'Alex', family_name: 'Morgan', date_of_birth: '1985-03-14' }),
        tenant('LW-T-000002', 1002, { given_name: 'Priya', family_name: 'Shah', date_of_birth: '1979-11-02' }),
      ]),
    ])
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
    it(`links a tenancy after one wrong try ${journey.javaScript ? 'with' : 'without'} JavaScript`, async () => {
      const resident = await signedInResident(site.database.db, journey)
      const context = await newContext(browser, { javaScript: journey.javaScript })
      await context.addCookies([{ name: sessionCookie, value: resident.sessionToken, url: site.baseUrl }])
      const page = await context.newPage()
      const suffix = journey.javaScript ? 'js' : 'no-js'

      await page.goto(`${site.baseUrl}/account/tenancy`)
      expect(await page.locator('h1').textContent()).toBe('Link your tenancy')
      await expectNoAccessibilityViolations(page)
      await screenshot(page, `tenancy-link-${suffix}-form`)

      const fill = async (birthYear: string) => {
        await page.getByLabel('Tenancy reference').fill(journey.reference)
        await page.getByLabel('Postcode of your home').fill('LW1 5UP')
        await page.getByLabel('Day').fill(journey.birth[0])
        await page.getByLabel('Month').fill(journey.birth[1])
        await page.getByLabel('Year').fill(birthYear)
        await page.getByRole('button', { name: 'Link tenancy' }).click()
      }
      await fill('1900')
      await expect.poll(() => page.locator('.govuk-error-summary').textContent()).toContain('do not match a current council tenancy')
      await expectNoAccessibilityViolations(page)
      await screenshot(page, `tenancy-link-${suffix}-no-match`)

      await fill(journey.birth[2])
      await expect.poll(() => page.locator('h1').textContent()).toBe('Your tenancy')
      expect(await page.locator('.govuk-notification-banner').textContent()).toContain('Your tenancy is now linked to your account.')
      expect(await page.locator('.govuk-summary-list').textContent()).toContain(journey.reference)
      await expectNoAccessibilityViolations(page)
      await screenshot(page, `tenancy-link-${suffix}-linked`)
      await context.close()
    })
  }
})
