import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { expectNoAccessibilityViolations, launchBrowser, newContext, screenshot, startSite } from '../support/browser.ts'

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
        if (message.type() === 'error') scriptErrors.push(message.text())
      })
      for (const path of ['/', '/accessibility', '/privacy', '/cookies', '/contact', '/missing-page']) {
        await page.goto(`${site.baseUrl}${path}`)
        await expectNoAccessibilityViolations(page)
      }
      await page.goto(`${site.baseUrl}/`)
      await screenshot(page, `home-${javaScript ? 'js' : 'no-js'}`)
      expect(await page.locator('h1').textContent()).toContain(site.config.council.name)
      if (javaScript) expect(await page.evaluate(() => document.body.classList.contains('govuk-frontend-supported'))).toBe(true)
      expect(scriptErrors.filter((message) => !message.includes('404'))).toEqual([])
      await context.close()
    })
  }
})
