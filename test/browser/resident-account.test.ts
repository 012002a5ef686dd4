import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { expectNoAccessibilityViolations, launchBrowser, newContext, screenshot, startSite } from '../support/browser.ts'
import { address, addressCsv, tenancyCsv, tenant } from '../support/places.ts'

/** Each run registers as a named tenant of a tenancy of its own, so both can link theirs. */
const tenancies = {
  js: { reference: 'LW-T-000101', uprn: 2101, birth: ['2', '11', '1979'] },
  'no-js': { reference: 'LW-T-000102', uprn: 2102, birth: ['5', '5', '1990'] },
} as const

describe('a resident’s account, from creating it to linking a tenancy and signing out', () => {
  let browser: Browser
  let site: Awaited<ReturnType<typeof startSite>>
  beforeAll(async () => {
    ;[browser, site] = await Promise.all([launchBrowser(), startSite()])
    await site.services.places.importAddresses([addressCsv(Object.values(tenancies).map((tenancy) => address(tenancy.uprn)))])
    await site.services.places.importTenancies([
      tenancyCsv(
        Object.values(tenancies).map((tenancy) =>
          tenant(tenancy.reference, tenancy.uprn, {
            given_name: 'Priya',
            family_name: 'Shah',
            date_of_birth: `${tenancy.birth[2]}-${tenancy.birth[1].padStart(2, '0')}-${tenancy.birth[0].padStart(2, '0')}`,
          }),
        ),
      ),
    ])
  })
  afterAll(async () => {
    await browser?.close()
    await site?.close()
  })

  /** Every page the journey reaches is checked with axe as it arrives. */
  async function arrive(page: Page, heading: string | RegExp) {
    await expect.poll(() => page.locator('h1').first().textContent()).toMatch(heading)
    await expectNoAccessibilityViolations(page)
  }

  /**
   * Opens the demo outbox and returns the newest message to a recipient, once the job worker has
   * sent it. Links in messages carry the configured BASE_URL, so only their path is followed here.
   */
  async function readOutbox(page: Page, recipient: string, contains: string) {
    let message = page.locator('article.app-outbox-message').filter({ hasText: recipient }).filter({ hasText: contains }).first()
    await expect
      .poll(async () => {
        await page.goto(`${site.baseUrl}/dev/outbox`)
        message = page.locator('article.app-outbox-message').filter({ hasText: recipient }).filter({ hasText: contains }).first()
        return (await message.count()) > 0 && (await message.textContent())!.includes('Sent')
      })
      .toBe(true)
    await arrive(page, 'Messages outbox')
    return message
  }

  for (const javaScript of [true, false]) {
    const mode = javaScript ? 'js' : 'no-js'
    it(`works ${javaScript ? 'with' : 'without'} JavaScript`, async () => {
      const context = await newContext(browser, { javaScript })
      const page = await context.newPage()
      const email = `priya.${mode}@example.com`
      const mobile = javaScript ? '07700 900 501' : '07700 900 502'

      await page.goto(`${site.baseUrl}/`)
      await expectNoAccessibilityViolations(page)
      await page.locator('.govuk-service-navigation').getByRole('link', { name: 'Create an account' }).click()
      await arrive(page, 'Create an account')

      await page.getByRole('button', { name: 'Create account' }).click()
      await arrive(page, 'Create an account')
      expect(await page.locator('.govuk-error-summary').textContent()).toContain('Enter your first name')
      await screenshot(page, `resident-create-account-errors-${mode}`)

      await page.getByLabel('First name').fill('Priya')
      await page.getByLabel('Last name').fill('Shah')
      await page.getByLabel('Email address').fill(email)
      await page.getByLabel('Create a password').fill('lantern orchard velvet')
      await page.getByLabel('UK mobile phone number (optional)').fill(mobile)
      await page.getByRole('button', { name: 'Create account' }).click()
      await arrive(page, 'Check your email')
      expect(await page.locator('main').textContent()).toContain(email)

      const verification = await readOutbox(page, email, 'Confirm your email address')
      await screenshot(page, `resident-outbox-${mode}`)
      const link = new URL((await verification.locator('a.govuk-link').first().getAttribute('href'))!)
      await page.goto(`${site.baseUrl}${link.pathname}`)
      await arrive(page, 'Email address confirmed')

      await page.locator('main').getByRole('link', { name: 'Sign in', exact: true }).click()
      await arrive(page, 'Sign in')
      await page.getByLabel('Email address').fill(email)
      await page.getByLabel('Password', { exact: true }).fill('lantern orchard velvet')
      await page.getByRole('button', { name: 'Sign in' }).click()
      await arrive(page, 'Your account')
      expect(await page.locator('.govuk-summary-list').first().textContent()).toContain('Priya Shah')
      await screenshot(page, `resident-account-${mode}`)

      const tenancy = tenancies[mode]
      await page.getByRole('link', { name: 'Link your council tenancy' }).click()
      await arrive(page, 'Link your tenancy')
      await page.getByLabel('Tenancy reference').fill(tenancy.reference)
      await page.getByLabel('Postcode of your home').fill('LW1 5UP')
      await page.getByLabel('Day').fill(tenancy.birth[0])
      await page.getByLabel('Month').fill(tenancy.birth[1])
      await page.getByLabel('Year').fill(tenancy.birth[2])
      await page.getByRole('button', { name: 'Link tenancy' }).click()
      await arrive(page, 'Your tenancy')
      await page.goto(`${site.baseUrl}/account`)
      await arrive(page, 'Your account')
      expect(await page.locator('main').textContent()).toContain(tenancy.reference)
      await screenshot(page, `resident-account-with-tenancy-${mode}`)

      await page.getByRole('link', { name: 'Enter the code' }).click()
      await arrive(page, 'Check your phone')
      const text = await readOutbox(page, mobile.replace(/\s/g, ''), 'code to confirm your mobile number')
      const code = (await text.locator('.app-outbox-message__body').textContent())!.match(/\d{6}/)![0]
      await page.goto(`${site.baseUrl}/account/mobile/confirm`)
      await arrive(page, 'Check your phone')
      await page.getByLabel('Code').fill(code)
      await page.getByRole('button', { name: 'Confirm' }).click()
      await arrive(page, 'Your account')
      expect(await page.locator('.govuk-notification-banner--success').textContent()).toContain('Your mobile phone number is confirmed')

      await page.getByRole('link', { name: 'Change how we contact you' }).click()
      await arrive(page, 'How would you like us to contact you?')
      await page.getByLabel('Text message').check()
      await screenshot(page, `resident-contact-preference-${mode}`)
      await page.getByRole('button', { name: 'Save' }).click()
      await arrive(page, 'Your account')
      expect(await page.locator('.govuk-notification-banner--success').textContent()).toContain('We will contact you by text message')
      expect(await page.locator('.govuk-summary-list').first().textContent()).toContain('Text message')
      await screenshot(page, `resident-account-after-${mode}`)

      await page.locator('.govuk-service-navigation').getByRole('button', { name: 'Sign out' }).click()
      await arrive(page, 'You have signed out')
      expect(await page.locator('.govuk-service-navigation').textContent()).toContain('Sign in')
      await page.goto(`${site.baseUrl}/account`)
      await arrive(page, 'Sign in')
      await context.close()
    })
  }
})
