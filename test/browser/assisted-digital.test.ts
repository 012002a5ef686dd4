import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { demoStaffPassword, loadDemoAccounts } from '../../src/demo/accounts.ts'
import { generateDemoPlaces } from '../../src/demo/places.ts'
import { launchBrowser, newContext, startSite } from '../support/browser.ts'
import { describeRepair, findNamedTenant, formWalker, reportKitchenTap, signInToStaffSite } from '../support/form-walker.ts'

describe('a contact-centre agent raises a repair for a caller', () => {
  let browser: Browser
  let site: Awaited<ReturnType<typeof startSite>>

  /** The demo council's places, services and accounts: its contact-centre agent and its tenants, none linked yet. */
  beforeAll(async () => {
    ;[browser, site] = await Promise.all([launchBrowser(), startSite()])
    const places = generateDemoPlaces()
    await site.services.places.importAddresses([places.addressesCsv])
    await site.services.places.importTenancies([places.tenanciesCsv])
    await site.services.catalogue.seedDefinitions()
    await loadDemoAccounts(site.services)
  })
  afterAll(async () => {
    await browser?.close()
    await site?.close()
  })

  const journeys = [
    { javaScript: true, reference: 'LW-T-000001', name: 'Alex Morgan', knownAs: 'alex.morgan@example.com', channel: 'Phone', by: 'by phone' },
    { javaScript: false, reference: 'LW-T-000003', name: 'Chris Evans', knownAs: undefined, channel: 'Face to face', by: 'face to face' },
  ] as const

  for (const journey of journeys) {
    const label = journey.javaScript ? 'js' : 'no-js'

    it(`finds the tenant by tenancy reference and raises a kitchen tap leak repair ${journey.by}, ${journey.javaScript ? 'with' : 'without'} JavaScript`, async () => {
      const context = await newContext(browser, { javaScript: journey.javaScript })
      const page = await context.newPage()
      const scriptErrors: string[] = []
      page.on('pageerror', (error) => scriptErrors.push(error.message))
      const walker = formWalker(page, `assisted-digital-${label}`)
      const { arrive, choose, continueOn } = walker

      await signInToStaffSite(walker, site.baseUrl, { email: 'contact.centre@lowerwendle.example', password: demoStaffPassword, name: 'Cara Lewis' })

      await findNamedTenant(walker, journey.reference.toLowerCase(), { reference: journey.reference, name: journey.name })
      if (journey.knownAs) {
        // The demo tenant has an online account, so the agent links it rather than recording them twice.
        expect(await page.locator('.app-same-name').textContent()).toContain(journey.knownAs)
        await page.getByRole('button', { name: `Link ${journey.name} to this tenancy` }).click()
      } else {
        await page.getByRole('button', { name: 'Record person and link them to the tenancy' }).click()
        await expect.poll(() => page.locator('.govuk-error-summary').textContent()).toContain('Select how they want us to send updates')
        await arrive(`Link or record ${journey.name}`, 'named-tenant-errors')
        await page.getByLabel('Email', { exact: true }).check()
        await page.getByLabel('Email address').fill('chris.evans@example.com')
        await page.getByRole('button', { name: 'Record person and link them to the tenancy' }).click()
      }
      await arrive(journey.name, 'person')
      expect(await page.locator('.govuk-notification-banner').textContent()).toContain(`${journey.name} is linked to tenancy ${journey.reference}`)

      await page.getByRole('button', { name: `Raise a request for ${journey.name}` }).click()
      await arrive(`Raise a request for ${journey.name}`, 'raise')
      await page.getByLabel('Report a repair to your council home').check()
      await page.getByLabel(journey.channel, { exact: true }).check()
      await continueOn()

      await arrive('Report a repair to your council home', 'start')
      expect(await page.locator('.app-assisted').textContent()).toBe(`For ${journey.name}, ${journey.by}`)
      await page.getByRole('button', { name: 'Start now' }).click()

      await reportKitchenTap(walker, 'It drips or will not turn off fully')
      await describeRepair(walker, 'The kitchen cold tap leaks at the base and drips all night.')
      await choose('Email')
      await arrive('What email address should we use?', 'email')
      const email = journey.knownAs ?? 'chris.evans@example.com'
      expect(await page.getByLabel('What email address should we use?').inputValue()).toBe(email)
      await continueOn()

      await arrive('Check the answers before sending', 'check-answers')
      const summary = await page.locator('.govuk-summary-list').textContent()
      expect(summary).toContain('It drips or will not turn off fully')
      expect(summary).toContain(email)
      await page.getByRole('button', { name: 'Send the report' }).click()

      await arrive('Report sent', 'confirmation')
      const reference = (await page.locator('.app-reference').textContent())?.trim()
      const request = await site.database.db
        .selectFrom('requests')
        .innerJoin('people', 'people.id', 'requests.person_id')
        .innerJoin('staff_members', 'staff_members.id', 'requests.raised_by_staff_id')
        .select(['requests.reference', 'requests.channel', 'staff_members.email as agent', 'people.given_name', 'people.family_name'])
        .where('requests.reference', '=', reference!)
        .executeTakeFirstOrThrow()
      expect(request).toEqual({
        reference,
        channel: journey.javaScript ? 'phone' : 'counter',
        agent: 'contact.centre@lowerwendle.example',
        given_name: journey.name.split(' ')[0],
        family_name: journey.name.split(' ')[1],
      })
      expect(await page.locator('main').textContent()).toContain(`Read the reference to ${journey.name}`)

      await page.getByRole('link', { name: `Back to ${journey.name}` }).click()
      await arrive(journey.name, 'person-with-request')
      expect(await page.locator('main table').textContent()).toContain(reference)

      expect(scriptErrors).toEqual([])
      await context.close()
      // Without JavaScript every page is checked in a second browser context, so the long journey needs longer.
    }, 180_000)
  }
})
