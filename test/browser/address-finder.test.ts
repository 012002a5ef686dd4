import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { expectNoAccessibilityViolations, launchBrowser, newContext, screenshot, startSite } from '../support/browser.ts'
import { address, addressCsv } from '../support/places.ts'

describe('the address finder', () => {
  let browser: Browser
  let site: Awaited<ReturnType<typeof startSite>>
  beforeAll(async () => {
    ;[browser, site] = await Promise.all([launchBrowser(), startSite()])
    await site.services.places.importAddresses([
      addressCsv([
        address(1001, { address_line_1: '1 Mill Lane' }),
        address(1002, { address_line_1: '2 Mill Lane' }),
        address(1003, { address_line_1: 'Heron Court', address_line_2: '3 Mill Lane' }),
        address(1004, { parent_uprn: 1003, address_line_1: 'Flat 1, Heron Court', address_line_2: '3 Mill Lane' }),
      ]),
    ])
  })
  afterAll(async () => {
    await browser?.close()
    await site?.close()
  })

  async function open(javaScript: boolean) {
    const context = await newContext(browser, { javaScript })
    const page = await context.newPage()
    const scriptErrors: string[] = []
    page.on('pageerror', (error) => scriptErrors.push(error.message))
    return { context, page, scriptErrors }
  }

  async function checked(page: Page, name?: string) {
    await expectNoAccessibilityViolations(page)
    if (name) await screenshot(page, name)
  }

  it('works without JavaScript: postcode, error, list, choice, and entering an address by hand', async () => {
    const { context, page } = await open(false)
    await page.goto(`${site.baseUrl}/find-an-address`)
    await checked(page, 'address-finder-no-js-start')

    await page.getByLabel('Postcode').fill('LW1 ZZZ')
    await page.getByRole('button', { name: 'Find address' }).click()
    await expect.poll(() => page.locator('.govuk-error-summary').textContent()).toContain('Enter a real postcode, like LW1 4QT')
    await checked(page, 'address-finder-no-js-error')

    await page.getByLabel('Postcode').fill('lw15up')
    await page.getByRole('button', { name: 'Find address' }).click()
    await expect.poll(() => page.locator('h1').textContent()).toBe('Select an address')
    expect(new URL(page.url()).searchParams.get('postcode')).toBe('lw15up')
    await checked(page, 'address-finder-no-js-list')

    await page.getByRole('button', { name: 'Use this address' }).click()
    await expect.poll(() => page.locator('.govuk-error-summary').textContent()).toContain('Select an address')
    await checked(page)

    await page.getByLabel('Flat 1, Heron Court, 3 Mill Lane, Lower Wendle, LW1 5UP').check()
    await page.getByRole('button', { name: 'Use this address' }).click()
    await expect.poll(() => page.locator('h1').textContent()).toBe('Address chosen')
    expect(await page.locator('.govuk-summary-list').textContent()).toContain('1004')
    await checked(page, 'address-finder-no-js-chosen')

    await page.goBack()
    await page.getByRole('link', { name: 'I cannot find the address in the list' }).click()
    await expect.poll(async () => (await page.locator('h1').textContent())?.trim()).toBe('Enter the address')
    expect(await page.getByLabel('Postcode').inputValue()).toBe('LW1 5UP')
    await checked(page)
    await page.getByRole('button', { name: 'Use this address' }).click()
    await expect.poll(() => page.locator('.govuk-error-summary').textContent()).toContain('Enter address line 1')
    await checked(page, 'address-finder-no-js-manual-errors')
    await page.getByLabel('Address line 1').fill('Narrowboat Kestrel')
    await page.getByLabel('Town or city').fill('Lower Wendle')
    await page.getByRole('button', { name: 'Use this address' }).click()
    await expect.poll(() => page.locator('h1').textContent()).toBe('Address chosen')
    await checked(page)
    await context.close()
  })

  it('lists addresses in the page with JavaScript, and still shows the server’s message for a bad postcode', async () => {
    const { context, page, scriptErrors } = await open(true)
    await page.goto(`${site.baseUrl}/find-an-address`)
    await checked(page)
    // A mark on the window survives only if the page was never reloaded.
    await page.evaluate(() => Object.assign(window, { stillTheSamePage: true }))

    await page.getByLabel('Postcode').fill('LW1 5UP')
    await page.getByRole('button', { name: 'Find address' }).click()
    await expect.poll(() => page.locator('[data-address-results] .govuk-radios__item').count()).toBe(4)
    expect(await page.evaluate(() => 'stillTheSamePage' in window)).toBe(true)
    expect(await page.locator('[data-address-results] [role="status"]').textContent()).toBe('4 addresses found for LW1 5UP.')
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Select an address')
    await checked(page, 'address-finder-js-list')

    await page.getByLabel('2 Mill Lane, Lower Wendle, LW1 5UP').check()
    await page.getByRole('button', { name: 'Use this address' }).click()
    await expect.poll(() => page.locator('h1').textContent()).toBe('Address chosen')
    expect(await page.locator('.govuk-summary-list').textContent()).toContain('1002')
    await checked(page)

    await page.goto(`${site.baseUrl}/find-an-address`)
    await page.getByLabel('Postcode').fill('not a postcode')
    await page.getByRole('button', { name: 'Find address' }).click()
    await expect.poll(() => page.locator('.govuk-error-summary').textContent()).toContain('Enter a real postcode, like LW1 4QT')
    await checked(page, 'address-finder-js-error')
    expect(scriptErrors).toEqual([])
    await context.close()
  })
})
