import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { gridToLatitudeLongitude } from '../../src/modules/places/index.ts'
import { expectNoAccessibilityViolations, launchBrowser, newContext, screenshot, startSite } from '../support/browser.ts'
import { formWalker, type FormWalker } from '../support/form-walker.ts'
import { address, addressCsv, sessionCookie, signedInResident } from '../support/places.ts'
import { sessionFor } from '../support/sessions.ts'

/** Mill Lane, in Abbey ward of the demo council. */
const millLane = { easting: 447_467.2, northing: 204_298 }

describe('the front door and street reports in the browser', () => {
  let browser: Browser
  let site: Awaited<ReturnType<typeof startSite>>
  beforeAll(async () => {
    // No map tiles are fetched in tests: the map still works on its blank background.
    ;[browser, site] = await Promise.all([launchBrowser(), startSite({ MAP_TILE_URL: '' })])
    await site.services.catalogue.seedDefinitions()
    await site.services.places.importAddresses([
      addressCsv([address(7001, { postcode: 'LW1 5UP', ...millLane }), address(7002, { postcode: 'LW1 5UP', easting: millLane.easting + 20, northing: millLane.northing })]),
    ])
    // Fly-tipping already reported on Mill Lane, for the journeys that are asked whether it is theirs.
    const reporter = await signedInResident(site.database.db, { givenName: 'First', familyName: 'Reporter' })
    await site.services.requests.createRequest({
      serviceCode: 'fly-tipping',
      personId: reporter.personId,
      channel: 'web',
      answers: { location: await locatedAt(millLane.easting + 5, millLane.northing), waste: ['black-bags'], amount: 'car-boot', witnessed: 'no', details: null, photo: null },
    })
  })
  afterAll(async () => {
    await browser?.close()
    await site?.close()
  })

  async function signedInPage(javaScript: boolean, name: string) {
    const resident = await signedInResident(site.database.db, { givenName: 'Robin', familyName: name })
    const context = await newContext(browser, { javaScript })
    await context.addCookies([{ name: sessionCookie, value: resident.sessionToken, url: site.baseUrl }])
    return { context, page: await context.newPage(), personId: resident.personId }
  }

  /** The fly-tipping questions after the place, answered as one person would, up to sending. */
  async function finishFlyTipping(walker: FormWalker, details: string) {
    const { arrive, choose, continueOn, page } = walker
    await arrive('What has been dumped?', 'waste')
    await choose('A mattress or bed')
    await arrive('How much has been dumped?', 'amount')
    await choose('About a car boot load')
    await arrive('Did you see who dumped it?', 'witnessed')
    await choose('No')
    await arrive('Describe the dumped rubbish', 'details')
    await page.getByLabel('Describe the dumped rubbish').fill(details)
    await continueOn()
    await arrive('Add photos of the dumped rubbish', 'photos')
    await continueOn()
    await arrive('Check your answers', 'check-answers')
  }

  /** Marks a point as the map does, by filling its hidden fields, for points a click cannot reach exactly. */
  async function markPoint(page: Page, point: { latitude: number; longitude: number }) {
    await expect.poll(() => page.locator('.app-location-map__canvas').isVisible()).toBe(true)
    await page.evaluate(({ latitude, longitude }) => {
      ;(document.querySelector('[data-map-latitude]') as HTMLInputElement).value = latitude.toFixed(6)
      ;(document.querySelector('[data-map-longitude]') as HTMLInputElement).value = longitude.toFixed(6)
      const submit = document.querySelector('[data-map-submit]') as HTMLButtonElement
      submit.disabled = false
      submit.setAttribute('aria-disabled', 'false')
    }, point)
    await page.getByRole('button', { name: 'Use this place' }).click()
  }

  for (const javaScript of [true, false]) {
    const suffix = javaScript ? 'js' : 'no-js'
    it(`finds fly-tipping by searching "flytip" and starts it ${javaScript ? 'with' : 'without'} JavaScript`, async () => {
      const { context, page } = await signedInPage(javaScript, `Searcher ${suffix}`)
      await page.goto(site.baseUrl)
      await expectNoAccessibilityViolations(page)
      await page.getByLabel('Search for a council service').fill('flytip')
      await page.getByRole('button', { name: 'Search' }).click()
      await expect.poll(() => page.locator('h1').textContent()).toBe('Search results for ‘flytip’')
      await expectNoAccessibilityViolations(page)
      await screenshot(page, `front-door-${suffix}-search`)
      await page.locator('.app-service-list a').first().click()
      await expect.poll(() => page.locator('h1').textContent()).toBe('Report fly-tipping')
      expect(await page.locator('main').textContent()).toContain('Other ways to do this')
      await expectNoAccessibilityViolations(page)
      await screenshot(page, `front-door-${suffix}-start-page`)
      await page.getByRole('button', { name: 'Start now' }).click()
      await expect.poll(() => page.locator('h1').first().textContent()).toMatch(/Report fly-tipping|Where is the dumped rubbish\?/)
      await context.close()
    })
  }

  it('reports fly-tipping by dropping a pin on the map', async () => {
    const { context, page, personId } = await signedInPage(true, 'Pin')
    const walker = formWalker(page, 'street-report-js-pin')
    await page.goto(`${site.baseUrl}/services/fly-tipping/location`)
    await walker.arrive('Where is the dumped rubbish?', 'location')
    const canvas = page.locator('.app-location-map__canvas')
    await expect.poll(() => canvas.isVisible()).toBe(true)
    const box = (await canvas.boundingBox())!
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2)
    await expect.poll(() => page.locator('[data-map-submit]').isEnabled()).toBe(true)
    await screenshot(page, 'street-report-js-pin-dropped')
    await page.getByRole('button', { name: 'Use this place' }).click()
    await finishFlyTipping(walker, 'A mattress against the wall')
    await page.getByRole('button', { name: 'Accept and send' }).click()
    await walker.arrive(/sent|received/i, 'confirmation')
    const request = await site.database.db.selectFrom('requests').selectAll().where('person_id', '=', personId).executeTakeFirstOrThrow()
    expect(request.location).not.toBeNull()
    expect(request.ward_code).toMatch(/^LWW\d\d$/)
    await context.close()
  })

  it('reports fly-tipping by postcode search without JavaScript, after being offered the report already made nearby', async () => {
    const { context, page, personId } = await signedInPage(false, 'Postcode')
    const walker = formWalker(page, 'street-report-no-js-postcode')
    await page.goto(`${site.baseUrl}/services/fly-tipping/location`)
    await walker.arrive('Where is the dumped rubbish?', 'location')
    await page.getByLabel('Or search for a street or postcode').fill('LW1 5UP')
    await page.getByRole('button', { name: 'Search' }).click()
    await expect.poll(() => page.locator('input[name="location"]').count()).toBeGreaterThan(0)
    await expectNoAccessibilityViolations(page)
    await screenshot(page, 'street-report-no-js-postcode-results')
    await page.getByLabel('2 Mill Lane, Lower Wendle').check()
    await page.getByRole('button', { name: 'Continue' }).click()
    await walker.arrive('Is it one of these?', 'nearby')
    await page.getByRole('button', { name: 'Continue with my report' }).click()
    await finishFlyTipping(walker, 'Bags of rubbish')
    await page.getByRole('button', { name: 'Accept and send' }).click()
    await walker.arrive(/sent|received/i, 'confirmation')
    expect(await site.database.db.selectFrom('requests').select('id').where('person_id', '=', personId).execute()).toHaveLength(1)
    await context.close()
  })

  for (const javaScript of [true, false]) {
    const suffix = javaScript ? 'js' : 'no-js'
    it(`offers the nearby report and follows it instead of making another ${javaScript ? 'with' : 'without'} JavaScript`, async () => {
      const { context, page, personId } = await signedInPage(javaScript, `Duplicate ${suffix}`)
      await page.goto(`${site.baseUrl}/services/fly-tipping/location`)
      if (javaScript) await markPoint(page, gridToLatitudeLongitude(millLane.easting + 10, millLane.northing + 10))
      else {
        await page.getByLabel('Or search for a street or postcode').fill('LW1 5UP')
        await page.getByRole('button', { name: 'Search' }).click()
        await page.getByLabel('1 Mill Lane, Lower Wendle').check()
        await page.getByRole('button', { name: 'Continue' }).click()
      }
      await expect.poll(() => page.locator('h1').textContent()).toBe('Is it one of these?')
      await expectNoAccessibilityViolations(page)
      await screenshot(page, `street-report-${suffix}-nearby`)
      await page.getByRole('button', { name: /add my support/ }).first().click()
      await expect.poll(() => page.locator('.govuk-notification-banner').textContent()).toContain('We have added your support')
      await expectNoAccessibilityViolations(page)
      await screenshot(page, `street-report-${suffix}-supported`)
      expect(await site.database.db.selectFrom('requests').select('id').where('person_id', '=', personId).execute()).toEqual([])
      const support = await site.database.db.selectFrom('request_followers').select('supports').where('person_id', '=', personId).executeTakeFirstOrThrow()
      expect(support.supports).toBe(true)
      await context.close()
    })
  }

  it('refuses a point outside the council’s area with a message that says so', async () => {
    const { context, page } = await signedInPage(true, 'Outside')
    await page.goto(`${site.baseUrl}/services/fly-tipping/location`)
    await markPoint(page, gridToLatitudeLongitude(440_000, 204_000))
    await expect.poll(() => page.locator('.govuk-error-summary').textContent()).toContain('outside our area')
    await expectNoAccessibilityViolations(page)
    await screenshot(page, 'street-report-js-outside')
    await context.close()
  })

  for (const staffJavaScript of [true, false]) {
    const staffSuffix = staffJavaScript ? 'js' : 'no-js'
  it(`shows a report’s words on the public list, page and map once a moderator approves them ${staffJavaScript ? 'with' : 'without'} JavaScript`, async () => {
    const moderatorId = await site.services.identity.staff.createStaffMember({
      name: 'Mo Moderator',
      email: `moderator.${staffSuffix}@lowerwendle.example.gov.uk`,
      password: null,
      roleCodes: ['moderator'],
      teamCodes: [],
      contractorCode: null,
    })
    const staff = await newContext(browser, { javaScript: staffJavaScript })
    await staff.addCookies([{ name: sessionCookie, value: await sessionFor(site.database.db, { kind: 'staff', id: moderatorId }), url: site.baseUrl }])
    const reporter = await signedInResident(site.database.db, { givenName: 'Robin', familyName: 'Words' })
    const reported = await site.services.requests.createRequest({
      serviceCode: 'graffiti',
      personId: reporter.personId,
      channel: 'web',
      answers: {
        location: await locatedAt(millLane.easting + 300, millLane.northing + 300),
        surface: 'bus-shelter',
        offensive: 'no',
        size: 'up-to-door',
        details: 'Tags all over the shelter, sprayed by Kim from number 4',
        photo: null,
      },
    })

    const page = await staff.newPage()
    await page.goto(`${site.baseUrl}/staff/moderation`)
    await expectNoAccessibilityViolations(page)
    await page.getByRole('link', { name: reported.reference }).click()
    await expect.poll(() => page.locator('textarea[name="publicText"]').inputValue()).toContain('sprayed by Kim')
    await expectNoAccessibilityViolations(page)
    await page.locator('textarea[name="publicText"]').fill('Tags all over the bus shelter')
    await screenshot(page, `moderation-${staffSuffix}-edit`)
    await page.getByRole('button', { name: 'Approve and publish' }).click()
    await expect.poll(() => page.locator('.govuk-notification-banner').textContent()).toContain(reported.reference)
    await expectNoAccessibilityViolations(page)
    await staff.close()

    for (const javaScript of [true, false]) {
      const publicContext = await newContext(browser, { javaScript })
      const visitor = await publicContext.newPage()
      await visitor.goto(`${site.baseUrl}/reports?service=graffiti`)
      await expect.poll(() => visitor.locator(`a[href="/reports/${reported.reference}"]`).count()).toBe(1)
      if (javaScript) await expect.poll(() => visitor.locator('.app-reports-map__canvas .leaflet-marker-icon').count(), { timeout: 10_000 }).toBeGreaterThan(0)
      await expectNoAccessibilityViolations(visitor)
      await screenshot(visitor, `public-reports-${staffSuffix}-${javaScript ? 'js' : 'no-js'}-list`)
      await visitor.locator(`a[href="/reports/${reported.reference}"]`).click()
      await expect.poll(() => visitor.locator('.app-public-text').textContent()).toBe('Tags all over the bus shelter')
      expect(await visitor.locator('main').textContent()).not.toContain('Kim')
      await expectNoAccessibilityViolations(visitor)
      await screenshot(visitor, `public-reports-${staffSuffix}-${javaScript ? 'js' : 'no-js'}-report`)
      await publicContext.close()
    }
  })
  }

  /** A place as a location answer records it, found as the map or search would find it. */
  async function locatedAt(easting: number, northing: number) {
    const location = await site.services.places.locate(gridToLatitudeLongitude(easting, northing))
    if (!location.inside) throw new Error('The place must be inside the demo council')
    const { usrn, ...place } = location.place
    return { ...place, ...(usrn ? { usrn } : {}) }
  }

  for (const javaScript of [true, false]) {
    const suffix = javaScript ? 'js' : 'no-js'
  it(`lets a guest send a report without an account, confirmed by the link from the outbox, ${javaScript ? 'with' : 'without'} JavaScript`, async () => {
    const context = await newContext(browser, { javaScript })
    const page = await context.newPage()
    const walker = formWalker(page, `street-report-${suffix}-guest`)
    await page.goto(`${site.baseUrl}/services/dog-fouling`)
    await page.getByRole('link', { name: 'Report without an account' }).click()
    await walker.arrive('What is your email address or mobile number?', 'contact')
    await page.getByLabel('What is your email address or mobile number?').fill(`guest.${suffix}@example.com`)
    await page.getByRole('button', { name: 'Continue' }).click()
    await expect.poll(() => page.locator('h1').first().textContent()).toMatch(/Report dog fouling|Where/)
    await page.goto(`${site.baseUrl}/services/dog-fouling/guest/location`)
    await page.getByLabel('Or search for a street or postcode').fill('Mill Lane')
    await page.getByRole('button', { name: 'Search' }).click()
    await page.getByLabel('Mill Lane, Lower Wendle').check()
    await page.getByRole('button', { name: 'Continue' }).click()
    // The other run's report is open on the same street, so this run is asked about it first.
    await expect.poll(() => page.locator('h1').first().textContent()).toMatch(/play area|school|Is it one of these/i)
    if ((await page.locator('h1').first().textContent()) === 'Is it one of these?') {
      await expectNoAccessibilityViolations(page)
      await page.getByRole('button', { name: 'Continue with my report' }).click()
    }
    await walker.arrive(/play area|school/i, 'near-children')
    await walker.choose('No')
    await walker.arrive(/How often/i, 'how-often')
    await walker.choose('I have only seen it once')
    await walker.arrive(/Is there anything else|Describe/i, 'details')
    await walker.continueOn()
    await walker.arrive(/photo/i, 'photo')
    await walker.continueOn()
    await walker.arrive('Check your answers', 'check-answers')
    await page.getByRole('button', { name: 'Accept and send' }).click()
    await walker.arrive('Check your email to send your report', 'sent')

    const message = await site.database.db
      .selectFrom('outbox_messages')
      .select('personalisation')
      .where('message_type', '=', 'guest-report-confirmation-email')
      .where('recipient', '=', `guest.${suffix}@example.com`)
      .executeTakeFirstOrThrow()
    const emailReader = await newContext(browser, { javaScript })
    const fromEmail = await emailReader.newPage()
    await fromEmail.goto(`${site.baseUrl}${new URL(message.personalisation.link!).pathname}`)
    await expectNoAccessibilityViolations(fromEmail)
    await fromEmail.getByRole('button', { name: 'Send my report' }).click()
    await expect.poll(() => fromEmail.locator('h1').textContent()).toContain('Report sent')
    await expectNoAccessibilityViolations(fromEmail)
    await screenshot(fromEmail, `street-report-${suffix}-guest-confirmed`)
    const reference = (await fromEmail.locator('.app-reference').textContent())!
    expect(await site.database.db.selectFrom('requests').select('service_code').where('reference', '=', reference).executeTakeFirstOrThrow()).toEqual({ service_code: 'dog-fouling' })
    await context.close()
    await emailReader.close()
  })
  }
})
