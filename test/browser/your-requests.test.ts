import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { expectNoAccessibilityViolations, launchBrowser, newContext, screenshot, startSite } from '../support/browser.ts'
import { sessionCookie, signedInResident } from '../support/places.ts'
import { repairDefinition, staffMember } from '../integration/requests/factories.ts'

describe('a resident following their requests in the browser', () => {
  let browser: Browser
  let site: Awaited<ReturnType<typeof startSite>>
  let officer: string
  beforeAll(async () => {
    ;[browser, site] = await Promise.all([launchBrowser(), startSite()])
    await site.services.catalogue.publishDefinition(repairDefinition())
    officer = await staffMember(site.database.db)
  })
  afterAll(async () => {
    await browser?.close()
    await site?.close()
  })

  /** Every page the journey reaches is checked with axe as it arrives. */
  async function arrive(page: Page, heading: string | RegExp, name: string) {
    await expect.poll(() => page.locator('h1').first().textContent()).toMatch(heading)
    await expectNoAccessibilityViolations(page)
    await screenshot(page, name)
  }

  for (const javaScript of [true, false]) {
    const suffix = javaScript ? 'js' : 'no-js'

    it(`views, adds to, cancels and rates requests ${javaScript ? 'with' : 'without'} JavaScript`, async () => {
      const resident = await signedInResident(site.database.db, { givenName: 'Priya', familyName: 'Shah' })
      const report = (details: string) =>
        site.services.requests.createRequest({
          serviceCode: 'test-repair',
          personId: resident.personId,
          propertyUprn: null,
          answers: { problem: 'dripping-tap', details },
          channel: 'web',
        })
      const finished = await report('The bath tap drips')
      for (const type of ['triage', 'complete'] as const) {
        const { rowVersion } = await site.services.requests.request(finished.id)
        await site.services.requests.changeStatus(finished.id, { type }, { actor: { kind: 'staff', id: officer }, expectedRowVersion: rowVersion })
      }
      const open = await report('The kitchen tap drips')

      const context = await newContext(browser, { javaScript })
      await context.addCookies([{ name: sessionCookie, value: resident.sessionToken, url: site.baseUrl }])
      const page = await context.newPage()

      await page.goto(`${site.baseUrl}/account`)
      await arrive(page, 'Your account', `your-requests-${suffix}-account`)
      await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Your requests' }).click()
      await arrive(page, 'Your requests', `your-requests-${suffix}-list`)
      expect(await page.locator('tbody tr').count()).toBe(2)

      await page.getByRole('link', { name: open.reference }).click()
      await arrive(page, 'Report a repair', `your-requests-${suffix}-request`)
      expect(await page.locator('main').textContent()).toContain('The kitchen tap drips')

      await page.getByLabel('Tell us anything that would help').fill('It is dripping faster now')
      await page.getByRole('button', { name: 'Add information' }).click()
      await expect.poll(() => page.locator('.govuk-notification-banner').textContent()).toContain('We have added your information')
      await arrive(page, 'Report a repair', `your-requests-${suffix}-information-added`)
      expect(await page.locator('.app-resident-timeline li').first().textContent()).toContain('It is dripping faster now')

      await page.getByRole('link', { name: 'Cancel this request' }).click()
      await arrive(page, `Are you sure you want to cancel request ${open.reference}?`, `your-requests-${suffix}-cancel`)
      await page.getByLabel('Why are you cancelling? (optional)').fill('A neighbour fixed it')
      await page.getByRole('button', { name: 'Yes, cancel this request' }).click()
      await expect.poll(() => page.locator('.govuk-notification-banner').textContent()).toContain('Your request has been cancelled.')
      await arrive(page, 'Report a repair', `your-requests-${suffix}-cancelled`)
      expect(await page.locator('.app-resident-timeline li').first().textContent()).toContain('You cancelled this request')
      expect(await page.getByRole('link', { name: 'Cancel this request' }).count()).toBe(0)

      await page.getByRole('link', { name: 'Back to your requests' }).click()
      await arrive(page, 'Your requests', `your-requests-${suffix}-list-after`)
      await page.getByRole('link', { name: finished.reference }).click()
      await arrive(page, 'Report a repair', `your-requests-${suffix}-survey`)
      await page.getByRole('button', { name: 'Send feedback' }).click()
      await expect.poll(() => page.locator('.govuk-error-summary').textContent()).toContain('Select how satisfied you are')
      await arrive(page, 'Report a repair', `your-requests-${suffix}-survey-error`)
      await page.getByLabel('Very satisfied').check()
      await page.getByLabel('Tell us more (optional)').fill('Fixed the same day')
      await page.getByRole('button', { name: 'Send feedback' }).click()
      await expect.poll(() => page.locator('.govuk-notification-banner').textContent()).toContain('Thank you for telling us how we did.')
      await arrive(page, 'Report a repair', `your-requests-${suffix}-survey-answered`)
      expect(await page.getByRole('button', { name: 'Send feedback' }).count()).toBe(0)
      await context.close()
    })
  }
})
