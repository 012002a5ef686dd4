import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { expectNoAccessibilityViolations, launchBrowser, newContext, screenshot, startSite } from '../support/browser.ts'
import { person, property, repairDefinition } from '../integration/requests/factories.ts'

describe('the staff repairs queue and request page', () => {
  let browser: Browser
  let site: Awaited<ReturnType<typeof startSite>>
  const password = 'a very long officer password'
  const overdue: Record<string, string> = {}
  let nextUprn = 9000

  beforeAll(async () => {
    ;[browser, site] = await Promise.all([launchBrowser(), startSite()])
    const staff = site.services.identity.staff
    await staff.ensureTeam('housing-repairs', 'Housing repairs')
    await staff.ensureContractor('fixit', 'Fixit Property Services')
    await staff.createStaffMember({ name: 'Tola Team Lead', email: 'tola@lowerwendle.example.gov.uk', password, roleCodes: ['team-lead'], teamCodes: ['housing-repairs'] })
    await site.services.catalogue.publishDefinition(repairDefinition())
    for (const label of ['js', 'no-js']) {
      for (const problem of ['dripping-tap', 'blocked-toilet', 'damp-and-mould']) {
        const made = await site.services.requests.createRequest({
          serviceCode: 'test-repair',
          personId: await person(site.database.db, { givenName: 'Sam', familyName: 'Tenant' }),
          propertyUprn: await property(site.database.db, nextUprn++),
          answers: { problem, details: 'It started last week' },
          channel: 'web',
        })
        if (problem === 'damp-and-mould') {
          overdue[label] = made.reference
          await site.database.db.updateTable('requests').set({ target_at: new Date(Date.now() - 3_600_000) }).where('id', '=', made.id).execute()
        }
      }
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

    it(`lets an officer filter the queue to overdue work, add an internal note and change the status, ${javaScript ? 'with' : 'without'} JavaScript`, async () => {
      const context = await newContext(browser, { javaScript })
      const page = await context.newPage()
      const scriptErrors: string[] = []
      page.on('pageerror', (error) => scriptErrors.push(error.message))

      await page.goto(`${site.baseUrl}/staff/sign-in`)
      await expectNoAccessibilityViolations(page)
      await page.getByLabel('Email address').fill('tola@lowerwendle.example.gov.uk')
      await page.getByLabel('Password').fill(password)
      await page.getByRole('button', { name: 'Sign in' }).click()
      await loaded(page, `${site.baseUrl}/staff`)

      await page.getByRole('link', { name: 'Requests' }).first().click()
      await loaded(page, `${site.baseUrl}/staff/requests`)
      await screenshot(page, `staff-queue-${label}`)

      await page.getByLabel('Overdue only').check()
      await page.getByRole('button', { name: 'Apply filters' }).click()
      await loaded(page, (url) => url.pathname === '/staff/requests' && url.searchParams.get('overdue') === 'yes')
      await expect.poll(() => page.locator('table.app-queue tbody tr').count()).toBe(2)
      expect(await page.locator('table.app-queue').textContent()).toContain('Overdue')
      await screenshot(page, `staff-queue-overdue-${label}`)

      const reference = overdue[label]!
      await page.getByRole('link', { name: reference }).click()
      await loaded(page, `${site.baseUrl}/staff/requests/${reference}`)
      expect(await page.locator('h1').textContent()).toContain(reference)
      await screenshot(page, `staff-request-${label}`)

      await page.getByRole('button', { name: 'Add note' }).click()
      await expect.poll(() => page.locator('.govuk-error-summary').isVisible()).toBe(true)
      await expectNoAccessibilityViolations(page)
      await screenshot(page, `staff-request-note-error-${label}`)

      await page.getByLabel('Staff only (internal note)').check()
      await page.getByLabel('Note', { exact: true }).fill('Tenant has asthma; treat as a priority visit')
      await page.getByRole('button', { name: 'Add note' }).click()
      await expect.poll(() => page.locator('.govuk-notification-banner').textContent()).toContain('Note added')
      await expectNoAccessibilityViolations(page)
      expect(await page.locator('.app-timeline').textContent()).toContain('Tenant has asthma')

      await page.getByLabel('Work started').check()
      await page.getByRole('button', { name: 'Change status' }).click()
      await expect.poll(() => page.locator('.govuk-notification-banner').textContent()).toContain('Status changed')
      await expectNoAccessibilityViolations(page)
      expect(await page.locator('.govuk-summary-list').first().textContent()).toContain('In progress')
      await screenshot(page, `staff-request-changed-${label}`)

      expect(scriptErrors).toEqual([])
      await context.close()
    })
  }
})
