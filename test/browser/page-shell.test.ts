import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { expectNoAccessibilityViolations, launchBrowser, newContext, screenshot, startSite } from '../support/browser.ts'

const pages = [
  { path: '/', name: 'home', heading: 'Borough of Lower Wendle Council' },
  { path: '/accessibility', name: 'accessibility', heading: 'Accessibility statement for Borough of Lower Wendle Council online services' },
  { path: '/privacy', name: 'privacy', heading: 'Privacy notice' },
  { path: '/cookies', name: 'cookies', heading: 'Cookies' },
  { path: '/contact', name: 'contact', heading: 'Contact us' },
  { path: '/missing-page', name: 'not-found', heading: 'Page not found' },
]

describe('the page shell', () => {
  let browser: Browser
  let site: Awaited<ReturnType<typeof startSite>>
  beforeAll(async () => {
    ;[browser, site] = await Promise.all([launchBrowser(), startSite()])
  })
  afterAll(async () => {
    await browser?.close()
    await site?.close()
  })

  for (const javaScript of [true, false]) {
    it(`shows the council's pages accessibly ${javaScript ? 'with' : 'without'} JavaScript`, async () => {
      const context = await newContext(browser, { javaScript })
      const page = await context.newPage()
      const scriptErrors: string[] = []
      page.on('pageerror', (error) => scriptErrors.push(error.message))
      page.on('console', (message) => {
        // The browser reports the missing page's 404 status on the console; that one is expected.
        if (message.type() === 'error' && !message.text().includes('404')) scriptErrors.push(message.text())
      })
      for (const { path, name, heading } of pages) {
        await page.goto(`${site.baseUrl}${path}`)
        expect(await page.locator('h1').textContent(), path).toBe(heading)
        expect(await page.title(), path).toMatch(/ – Borough of Lower Wendle Council$/)
        await expectNoAccessibilityViolations(page)
        await screenshot(page, `${name}-${javaScript ? 'js' : 'no-js'}`)
      }
      if (javaScript) expect(await page.evaluate(() => document.body.classList.contains('govuk-frontend-supported'))).toBe(true)
      expect(scriptErrors).toEqual([])
      await context.close()
    })
  }

  it('reaches every standing page from the footer, and the main journeys from the home page', async () => {
    const context = await newContext(browser, { javaScript: false })
    const page = await context.newPage()
    await page.goto(`${site.baseUrl}/`)
    const footer = page.locator('footer')
    for (const [link, heading] of [
      ['Accessibility statement', pages[1]!.heading],
      ['Privacy notice', 'Privacy notice'],
      ['Cookies', 'Cookies'],
      ['Contact us', 'Contact us'],
    ] as const) {
      await footer.getByRole('link', { name: link, exact: true }).click()
      expect(await page.locator('h1').textContent()).toBe(heading)
    }

    await page.goto(`${site.baseUrl}/`)
    const main = page.locator('main')
    expect(await main.getByRole('button', { name: 'Create an account' }).getAttribute('href')).toBe('/create-account')
    expect(await main.getByRole('link', { name: 'sign in', exact: true }).getAttribute('href')).toBe('/sign-in')
    expect(await main.getByRole('link', { name: 'Find an address' }).getAttribute('href')).toBe('/find-an-address')
    expect(await main.textContent()).toContain(site.config.council.phone)

    await page.goto(`${site.baseUrl}/cookies`)
    const cookieNames = await page.locator('main h3').allTextContents()
    expect(cookieNames.map((name) => name.trim())).toEqual(['guildhall_session', 'guildhall_csrf'])
    await context.close()
  })
})
