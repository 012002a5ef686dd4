import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { expectNoAccessibilityViolations, launchBrowser, newContext, screenshot, startSite } from '../support/browser.ts'

const password = 'a long resident password for apps'
const administratorPassword = 'a very long administrator password'

describe('apps signed in to a resident’s account', () => {
  let browser: Browser
  let site: Awaited<ReturnType<typeof startSite>>
  beforeAll(async () => {
    ;[browser, site] = await Promise.all([launchBrowser(), startSite()])
    await site.services.catalogue.seedDefinitions()
    await site.services.identity.staff.createStaffMember({
      name: 'Ada Administrator',
      email: 'ada@lowerwendle.example.gov.uk',
      password: administratorPassword,
      roleCodes: ['administrator'],
      teamCodes: [],
    })
  })
  afterAll(async () => {
    await browser?.close()
    await site?.close()
  })

  async function arrive(page: Page, heading: string | RegExp, name: string) {
    await expect.poll(() => page.locator('h1').first().textContent()).toMatch(heading)
    await expectNoAccessibilityViolations(page)
    await screenshot(page, name)
  }

  /** The council's app signs in through the JSON API, as it would on a phone. */
  async function appSignsIn(email: string, name: string): Promise<string> {
    const response = await fetch(`${site.baseUrl}/api/v1/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password, name }),
    })
    expect(response.status).toBe(201)
    return ((await response.json()) as { token: string }).token
  }

  const accountStatus = async (token: string) => (await fetch(`${site.baseUrl}/api/v1/account`, { headers: { authorization: `Bearer ${token}` } })).status

  for (const javaScript of [true, false]) {
    const suffix = javaScript ? 'js' : 'no-js'

    it(`lists them and signs one out ${javaScript ? 'with' : 'without'} JavaScript`, async () => {
      const email = `sam.${suffix}@example.com`
      await site.services.identity.residents.createVerifiedResident({ givenName: 'Sam', familyName: 'Okafor', email, password })
      const phone = await appSignsIn(email, 'Lower Wendle app on a phone')
      const tablet = await appSignsIn(email, 'Lower Wendle app on a tablet')

      const context = await newContext(browser, { javaScript })
      const page = await context.newPage()
      await page.goto(`${site.baseUrl}/sign-in`)
      await arrive(page, 'Sign in', `apps-${suffix}-sign-in`)
      await page.getByLabel('Email address').fill(email)
      await page.getByLabel('Password', { exact: true }).fill(password)
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.goto(`${site.baseUrl}/account`)
      await arrive(page, 'Your account', `apps-${suffix}-account`)

      const apps = page.locator('table').filter({ hasText: 'Lower Wendle app' })
      expect(await apps.locator('tbody tr').count()).toBe(2)
      await page.getByRole('button', { name: 'Sign out Lower Wendle app on a phone' }).click()
      await arrive(page, 'Your account', `apps-${suffix}-signed-out`)
      expect(await page.locator('.govuk-notification-banner').textContent()).toContain('Lower Wendle app on a phone')
      expect(await apps.locator('tbody tr').count()).toBe(1)

      expect(await accountStatus(phone)).toBe(401)
      expect(await accountStatus(tablet)).toBe(200)
      await context.close()
    })
  }

  /** A partner's system calls Open311 with the key. */
  const open311Status = async (key: string) => (await fetch(`${site.baseUrl}/open311/v2/services.json?api_key=${key}`)).status

  for (const javaScript of [true, false]) {
    const suffix = javaScript ? 'js' : 'no-js'

    it(`lets an administrator issue a key, shown once, and revoke it ${javaScript ? 'with' : 'without'} JavaScript`, async () => {
      const context = await newContext(browser, { javaScript })
      const page = await context.newPage()
      await page.goto(`${site.baseUrl}/staff/sign-in`)
      await page.getByLabel('Email address').fill('ada@lowerwendle.example.gov.uk')
      await page.getByLabel('Password', { exact: true }).fill(administratorPassword)
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.waitForURL(`${site.baseUrl}/staff`)

      await page.getByRole('navigation').getByRole('link', { name: 'API keys' }).click()
      await arrive(page, 'API keys', `api-keys-${suffix}-list`)
      await page.getByRole('button', { name: 'Create an API key' }).click()
      await arrive(page, 'Create an API key', `api-keys-${suffix}-new`)

      await page.getByLabel('Chosen services').check()
      await page.getByLabel('Can change the status of requests').check()
      await page.getByRole('button', { name: 'Create API key' }).click()
      await expect.poll(() => page.locator('.govuk-error-summary').isVisible()).toBe(true)
      await expectNoAccessibilityViolations(page)
      await screenshot(page, `api-keys-${suffix}-errors`)
      expect((await page.locator('.govuk-error-summary__list li').allTextContents()).map((text) => text.trim())).toEqual([
        'Enter a name for the API key',
        'Select ‘All services’ or at least one service',
        'A key can change the status of requests only if it can also send updates',
      ])

      const name = `FixMyStreet ${suffix}`
      await page.getByLabel('Name', { exact: true }).fill(name)
      await page.getByLabel('Report a pothole').check()
      await page.getByLabel('Can send requests and updates').check()
      await page.getByRole('button', { name: 'Create API key' }).click()
      await arrive(page, 'Your API key', `api-keys-${suffix}-issued`)
      const key = (await page.locator('code').first().textContent())!.trim()
      expect(key).toMatch(/^gh_[A-Za-z0-9_-]{43}$/)
      expect(await open311Status(key)).toBe(200)

      await page.getByRole('link', { name: 'Back to API keys' }).click()
      await arrive(page, 'API keys', `api-keys-${suffix}-listed`)
      expect(await page.content()).not.toContain(key)
      const row = page.locator('tbody tr').filter({ hasText: name })
      await row.getByRole('link', { name: /Revoke/ }).click()
      await arrive(page, `Are you sure you want to revoke ${name}?`, `api-keys-${suffix}-revoke`)
      await page.getByRole('button', { name: 'Revoke API key' }).click()
      await arrive(page, 'API keys', `api-keys-${suffix}-revoked`)
      expect(await page.locator('.govuk-notification-banner').textContent()).toContain(`API key ${name} revoked`)
      expect(await open311Status(key)).toBe(403)
      await context.close()
    })
  }
})
