import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { expectNoAccessibilityViolations, launchBrowser, newContext, screenshot, startSite } from '../support/browser.ts'
import { freePort } from '../support/global-setup.ts'
import { startOpenIdProvider, type LocalOpenIdProvider } from '../support/openid-provider.ts'

describe('signing in through the local OpenID provider', () => {
  let browser: Browser
  let provider: LocalOpenIdProvider
  let site: Awaited<ReturnType<typeof startSite>>

  beforeAll(async () => {
    const port = await freePort()
    const baseUrl = `http://127.0.0.1:${port}`
    ;[browser, provider] = await Promise.all([
      launchBrowser(),
      startOpenIdProvider({
        clients: [
          { clientId: 'one-login-client', clientSecret: 'one-login-secret', redirectUris: [`${baseUrl}/sign-in/one-login/callback`] },
          { clientId: 'directory-client', clientSecret: 'directory-secret', redirectUris: [`${baseUrl}/staff/sign-in/directory/callback`] },
        ],
      }),
    ])
    site = await startSite({
      PORT: String(port),
      BASE_URL: baseUrl,
      ONE_LOGIN_ISSUER: provider.issuer,
      ONE_LOGIN_CLIENT_ID: 'one-login-client',
      ONE_LOGIN_CLIENT_SECRET: 'one-login-secret',
      STAFF_SSO_ISSUER: provider.issuer,
      STAFF_SSO_CLIENT_ID: 'directory-client',
      STAFF_SSO_CLIENT_SECRET: 'directory-secret',
      STAFF_SSO_NAME: 'your Lower Wendle account',
    })
    await site.services.identity.staff.createStaffMember({
      name: 'Dee Directory',
      email: 'dee@lowerwendle.example.gov.uk',
      password: null,
      roleCodes: ['team-lead'],
      teamCodes: [],
    })
    provider.addAccount({ subject: 'directory-dee', email: 'dee@lowerwendle.example.gov.uk' })
    provider.addAccount({ subject: 'directory-stranger', email: 'stranger@lowerwendle.example.gov.uk' })
  })
  afterAll(async () => {
    await browser?.close()
    await site?.close()
    await provider?.close()
  })

  /** Signs in on the provider's own page, which is not ours to check with axe. */
  async function signInAtProvider(page: Page, email: string) {
    await page.waitForURL((url) => url.href.startsWith(provider.issuer))
    await page.getByLabel('Email address').fill(email)
    await page.getByRole('button', { name: 'Continue' }).click()
  }

  for (const javaScript of [true, false]) {
    const label = javaScript ? 'js' : 'no-js'

    it(`signs staff in with the council's directory and refuses strangers ${javaScript ? 'with' : 'without'} JavaScript`, async () => {
      const context = await newContext(browser, { javaScript })
      const page = await context.newPage()
      await page.goto(`${site.baseUrl}/staff/sign-in`)
      await expectNoAccessibilityViolations(page)
      await screenshot(page, `sign-on-staff-sign-in-${label}`)

      await page.getByRole('button', { name: 'Sign in with your Lower Wendle account' }).click()
      await signInAtProvider(page, 'dee@lowerwendle.example.gov.uk')
      await page.waitForURL(`${site.baseUrl}/staff`)
      await expectNoAccessibilityViolations(page)
      expect(await page.locator('h1').textContent()).toContain('Hello, Dee Directory')
      await page.getByRole('button', { name: 'Sign out' }).click()
      await page.waitForURL(`${site.baseUrl}/staff/sign-in`)
      await context.close()

      const strangerContext = await newContext(browser, { javaScript })
      const stranger = await strangerContext.newPage()
      await stranger.goto(`${site.baseUrl}/staff/sign-in`)
      await stranger.getByRole('button', { name: 'Sign in with your Lower Wendle account' }).click()
      await signInAtProvider(stranger, 'stranger@lowerwendle.example.gov.uk')
      await stranger.waitForURL((url) => url.pathname === '/staff/sign-in/directory/callback')
      await expectNoAccessibilityViolations(stranger)
      expect(await stranger.locator('h1').textContent()).toBe('You cannot sign in to the staff site')
      await screenshot(stranger, `sign-on-staff-refused-${label}`)
      await strangerContext.close()
    })

    it(`signs a resident in with GOV.UK One Login ${javaScript ? 'with' : 'without'} JavaScript`, async () => {
      provider.addAccount({ subject: `one-login-${label}`, email: `resident.${label}@example.com` })
      const context = await newContext(browser, { javaScript })
      const page = await context.newPage()
      await page.goto(`${site.baseUrl}/sign-in/one-login`)
      await signInAtProvider(page, `resident.${label}@example.com`)
      await page.waitForURL((url) => url.origin === site.baseUrl && !url.pathname.startsWith('/sign-in/one-login'))
      expect(new URL(page.url()).pathname).toBe('/account')
      await expectNoAccessibilityViolations(page)
      await screenshot(page, `sign-on-resident-account-${label}`)
      const account = await site.database.db
        .selectFrom('resident_accounts')
        .select('person_id')
        .where('one_login_subject', '=', `one-login-${label}`)
        .executeTakeFirst()
      expect(account).toBeDefined()
      await context.close()
    })
  }
})
