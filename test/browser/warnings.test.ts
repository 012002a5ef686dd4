import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { expectNoAccessibilityViolations, launchBrowser, newContext, screenshot, startSite } from '../support/browser.ts'
import { person, property, repairDefinition } from '../integration/requests/factories.ts'

describe('warnings about a property, from the staff request page', () => {
  let browser: Browser
  let site: Awaited<ReturnType<typeof startSite>>
  const password = 'a very long officer password'
  const references: Record<string, string> = {}
  let nextUprn = 9500

  beforeAll(async () => {
    ;[browser, site] = await Promise.all([launchBrowser(), startSite()])
    await site.services.identity.staff.ensureTeam('housing-repairs', 'Housing repairs')
    await site.services.identity.staff.createStaffMember({ name: 'Olu Officer', email: 'olu@lowerwendle.example.gov.uk', password, roleCodes: ['officer'], teamCodes: ['housing-repairs'] })
    await site.services.catalogue.publishDefinition(repairDefinition())
    for (const label of ['js', 'no-js']) {
      const made = await site.services.requests.createRequest({
        serviceCode: 'test-repair',
        personId: await person(site.database.db),
        propertyUprn: await property(site.database.db, nextUprn++),
        answers: { problem: 'dripping-tap', details: 'It started last week' },
        channel: 'web',
      })
      references[label] = made.reference
    }
  })
  afterAll(async () => {
    await browser?.close()
    await site?.close()
  })

  async function loaded(page: Page, url: string | ((url: URL) => boolean)) {
    await page.waitForURL(url)
    await expectNoAccessibilityViolations(page)
  }

  for (const javaScript of [true, false]) {
    const label = javaScript ? 'js' : 'no-js'

    it(`lets an officer add a warning, put a mistake right, see it on the request and end it, ${javaScript ? 'with' : 'without'} JavaScript`, async () => {
      const context = await newContext(browser, { javaScript })
      const page = await context.newPage()
      const scriptErrors: string[] = []
      page.on('pageerror', (error) => scriptErrors.push(error.message))
      const reference = references[label]!
      const requestPage = `${site.baseUrl}/staff/requests/${reference}`

      await page.goto(`${site.baseUrl}/staff/sign-in?returnTo=${encodeURIComponent(`/staff/requests/${reference}`)}`)
      await page.getByLabel('Email address').fill('olu@lowerwendle.example.gov.uk')
      await page.getByLabel('Password').fill(password)
      await page.getByRole('button', { name: 'Sign in' }).click()
      await loaded(page, requestPage)

      await page.getByRole('link', { name: 'Add a warning about this property' }).click()
      await loaded(page, (url) => /^\/staff\/properties\/\d+\/warnings\/new$/.test(url.pathname))
      await page.getByLabel('What does someone visiting or phoning need to know?').fill('Dog at property – ask for it to be kept in another room')
      await page.getByRole('button', { name: 'Add warning' }).click()
      await expect.poll(() => page.locator('.govuk-error-summary').isVisible()).toBe(true)
      await expectNoAccessibilityViolations(page)
      expect(await page.getByLabel('What does someone visiting or phoning need to know?').inputValue()).toBe('Dog at property – ask for it to be kept in another room')
      await screenshot(page, `warning-new-error-${label}`)

      await page.getByLabel('Animal').check()
      await page.getByRole('button', { name: 'Add warning' }).click()
      await loaded(page, requestPage)
      expect(await page.locator('.govuk-notification-banner').textContent()).toContain('Warning added')
      expect(await page.locator('.app-warnings').textContent()).toContain('Dog at property')
      await screenshot(page, `warning-on-request-${label}`)

      await page.getByRole('link', { name: 'End this warning about the property: Animal' }).click()
      await loaded(page, (url) => /^\/staff\/warnings\/[0-9a-f-]+\/end$/.test(url.pathname))
      await page.getByLabel('Why is this warning no longer needed?').fill('The dog has been rehomed')
      await page.getByRole('button', { name: 'End warning' }).click()
      await loaded(page, requestPage)
      expect(await page.locator('.govuk-notification-banner').textContent()).toContain('Warning ended')
      expect(await page.locator('.app-warnings').count()).toBe(0)

      expect(scriptErrors).toEqual([])
      await context.close()
    })
  }
})
