import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { expectNoAccessibilityViolations, launchBrowser, newContext, screenshot, startSite } from '../support/browser.ts'

describe('the staff site', () => {
  let browser: Browser
  let site: Awaited<ReturnType<typeof startSite>>
  const password = 'a very long administrator password'

  beforeAll(async () => {
    ;[browser, site] = await Promise.all([launchBrowser(), startSite()])
    const staff = site.services.identity.staff
    await staff.ensureTeam('housing-repairs', 'Housing repairs')
    await staff.ensureTeam('waste', 'Waste')
    await staff.ensureContractor('fixit', 'Fixit Property Services')
    await staff.createStaffMember({ name: 'Ada Administrator', email: 'ada@lowerwendle.example.gov.uk', password, roleCodes: ['administrator'], teamCodes: [] })
  })
  afterAll(async () => {
    await browser?.close()
    await site?.close()
  })

  /** Goes to a page on the site and checks it with axe. */
  async function visit(page: Page, path: string) {
    await page.goto(`${site.baseUrl}${path}`)
    await expectNoAccessibilityViolations(page)
  }

  for (const javaScript of [true, false]) {
    const label = javaScript ? 'js' : 'no-js'

    it(`lets an administrator create a staff account and set its password, and that person sign in and change it, ${javaScript ? 'with' : 'without'} JavaScript`, async () => {
      const context = await newContext(browser, { javaScript })
      const page = await context.newPage()
      const scriptErrors: string[] = []
      page.on('pageerror', (error) => scriptErrors.push(error.message))

      await visit(page, '/staff/sign-in')
      await screenshot(page, `staff-sign-in-${label}`)
      await page.getByRole('button', { name: 'Sign in' }).click()
      await expect.poll(() => page.locator('.govuk-error-summary').isVisible()).toBe(true)
      await expectNoAccessibilityViolations(page)
      await screenshot(page, `staff-sign-in-errors-${label}`)

      await page.getByLabel('Email address').fill('ada@lowerwendle.example.gov.uk')
      await page.getByLabel('Password').fill(password)
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.waitForURL(`${site.baseUrl}/staff`)
      await expectNoAccessibilityViolations(page)
      expect(await page.locator('h1').textContent()).toContain('Hello, Ada Administrator')
      await screenshot(page, `staff-home-${label}`)

      await page.getByRole('link', { name: 'Staff accounts' }).first().click()
      await page.waitForURL(`${site.baseUrl}/staff/accounts`)
      await expectNoAccessibilityViolations(page)
      await page.getByRole('button', { name: 'Create a staff account' }).click()
      await page.waitForURL(`${site.baseUrl}/staff/accounts/new`)
      await expectNoAccessibilityViolations(page)
      await screenshot(page, `staff-new-account-${label}`)

      await page.getByRole('button', { name: 'Create account' }).click()
      await expect.poll(() => page.locator('.govuk-error-summary').isVisible()).toBe(true)
      await expectNoAccessibilityViolations(page)
      await screenshot(page, `staff-new-account-errors-${label}`)

      const email = `olu.${label}@lowerwendle.example.gov.uk`
      await page.getByLabel('Name').fill(`Olu Officer ${label}`)
      await page.getByLabel('Email address').fill(email)
      await page.getByLabel('With a password').check()
      await page.getByLabel('Initial password').fill('an initial password for olu')
      await page.getByLabel('Officer', { exact: true }).check()
      await page.getByLabel('Housing repairs').check()
      await page.getByRole('button', { name: 'Create account' }).click()
      await expect.poll(() => page.locator('h1').textContent()).toBe(`Olu Officer ${label}`)
      await expectNoAccessibilityViolations(page)
      expect(await page.locator('.govuk-notification-banner').textContent()).toContain(`Account created for Olu Officer ${label}`)
      await screenshot(page, `staff-account-${label}`)

      await page.getByRole('button', { name: 'Set new password' }).click()
      await expect.poll(() => page.locator('.govuk-error-summary').isVisible()).toBe(true)
      await expectNoAccessibilityViolations(page)
      await page.getByLabel('New password').fill('a replacement password for olu')
      await page.getByRole('button', { name: 'Set new password' }).click()
      await expect.poll(() => page.locator('.govuk-notification-banner').textContent()).toContain(`New password set for Olu Officer ${label}`)
      await expectNoAccessibilityViolations(page)

      await visit(page, '/staff/teams')
      await visit(page, '/staff/contractors')
      await visit(page, '/staff/roles')
      await screenshot(page, `staff-roles-${label}`)
      await visit(page, '/staff/roles/officer')
      await screenshot(page, `staff-role-${label}`)
      await visit(page, '/staff/audit')
      await screenshot(page, `staff-audit-${label}`)
      await visit(page, '/staff/audit?from-day=31&from-month=2&from-year=2026')

      await page.getByRole('button', { name: 'Sign out' }).click()
      await page.waitForURL(`${site.baseUrl}/staff/sign-in`)
      await expectNoAccessibilityViolations(page)

      await page.getByLabel('Email address').fill(email)
      await page.getByLabel('Password').fill('a replacement password for olu')
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.waitForURL(`${site.baseUrl}/staff`)
      expect(await page.locator('h1').textContent()).toContain(`Hello, Olu Officer ${label}`)

      await page.getByRole('link', { name: 'Change your password' }).click()
      await page.waitForURL(`${site.baseUrl}/staff/password`)
      await expectNoAccessibilityViolations(page)
      await page.getByLabel('Current password').fill('not the password')
      await page.getByLabel('New password').fill('a password olu chose himself')
      await page.getByRole('button', { name: 'Change password' }).click()
      await expect.poll(() => page.locator('.govuk-error-summary').isVisible()).toBe(true)
      await expectNoAccessibilityViolations(page)
      await screenshot(page, `staff-change-password-errors-${label}`)
      await page.getByLabel('Current password').fill('a replacement password for olu')
      await page.getByLabel('New password').fill('a password olu chose himself')
      await page.getByRole('button', { name: 'Change password' }).click()
      await page.waitForURL(`${site.baseUrl}/staff`)
      expect(await page.locator('.govuk-notification-banner').textContent()).toContain('Your password has been changed')
      await expectNoAccessibilityViolations(page)
      await visit(page, '/staff/accounts')
      expect(await page.locator('h1').textContent()).toBe('You do not have permission to see this page')
      await screenshot(page, `staff-forbidden-${label}`)

      expect(scriptErrors).toEqual([])
      await context.close()
    })
  }
})
