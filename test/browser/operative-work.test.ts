import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { LocalFileStorage } from '../../src/lib/files/local-storage.ts'
import { storePhotos } from '../../src/lib/files/photo-uploads.ts'
import { translator } from '../../src/lib/i18n/index.ts'
import { expectNoAccessibilityViolations, launchBrowser, newContext, screenshot, startSite } from '../support/browser.ts'
import { pictureOf } from '../support/multipart.ts'
import { sessionCookie, signedInResident } from '../support/places.ts'
import { sessionFor } from '../support/sessions.ts'
import { property, repairDefinition } from '../integration/requests/factories.ts'

describe('photos and an operative’s work in the browser', () => {
  let browser: Browser
  let site: Awaited<ReturnType<typeof startSite>>
  let uploads: string
  let nextUprn = 9500

  beforeAll(async () => {
    uploads = await mkdtemp(path.join(tmpdir(), 'guildhall-browser-photos-'))
    ;[browser, site] = await Promise.all([launchBrowser(), startSite({ UPLOADS_DIR: uploads })])
    await site.services.identity.staff.ensureContractor('fixit', 'Fixit Property Services')
    const photoQuestion = { id: 'photos', kind: 'photo' as const, label: 'Photos of the problem', required: false }
    await site.services.catalogue.publishDefinition(repairDefinition({ questions: [...repairDefinition().questions, photoQuestion] }))
  })
  afterAll(async () => {
    await browser?.close()
    await site?.close()
    await rm(uploads, { recursive: true, force: true })
  })

  async function arrive(page: Page, heading: string | RegExp, name: string) {
    await expect.poll(() => page.locator('h1').first().textContent()).toMatch(heading)
    await expectNoAccessibilityViolations(page)
    await screenshot(page, name)
  }

  /** A scheduled repair reported with one photo, given to Fixit, and the tenant who reported it. */
  async function scheduledRepairWithPhoto() {
    const tenant = await signedInResident(site.database.db, { givenName: 'Chris', familyName: 'Evans' })
    const stored = await storePhotos(new LocalFileStorage(uploads), [await pictureOf('#996633')], {
      folder: 'requests',
      limits: { maxCount: 3, maxMegabytes: 10 },
      t: translator('en'),
    })
    const made = await site.services.requests.createRequest({
      serviceCode: 'test-repair',
      personId: tenant.personId,
      propertyUprn: await property(site.database.db, nextUprn++),
      answers: { problem: 'blocked-toilet', details: 'Water rises to the rim', photos: 'keys' in stored ? stored.keys : [] },
      channel: 'web',
    })
    const fixit = (await site.database.db.selectFrom('contractors').select('id').where('code', '=', 'fixit').executeTakeFirstOrThrow()).id
    const lead = await site.services.identity.staff.createStaffMember({ name: 'Lee Lead', email: `lead${nextUprn}@lowerwendle.example.gov.uk`, password: null, roleCodes: ['team-lead'], teamCodes: [] })
    let { rowVersion } = await site.services.requests.request(made.id)
    ;({ rowVersion } = await site.services.requests.assign(made.id, { teamId: null, staffId: null, contractorId: fixit }, { actor: { kind: 'staff', id: lead }, expectedRowVersion: rowVersion }))
    await site.services.requests.changeStatus(made.id, { type: 'schedule' }, { actor: { kind: 'staff', id: lead }, expectedRowVersion: rowVersion })
    return { made, tenant }
  }

  for (const javaScript of [true, false]) {
    const suffix = javaScript ? 'js' : 'no-js'

    it(`lets an operative record no access with a photo, and the tenant see and add photos, ${javaScript ? 'with' : 'without'} JavaScript`, async () => {
      const { made, tenant } = await scheduledRepairWithPhoto()
      const operative = await site.services.identity.staff.createStaffMember({
        name: `Operative ${suffix}`,
        email: `operative-${suffix}@fixit.example`,
        password: null,
        roleCodes: ['contractor-operative'],
        teamCodes: [],
        contractorCode: 'fixit',
      })

      const staffContext = await newContext(browser, { javaScript })
      await staffContext.addCookies([{ name: sessionCookie, value: await sessionFor(site.database.db, { kind: 'staff', id: operative }), url: site.baseUrl }])
      const staffPage = await staffContext.newPage()
      const scriptErrors: string[] = []
      staffPage.on('pageerror', (error) => scriptErrors.push(error.message))

      await staffPage.goto(`${site.baseUrl}/staff`)
      await staffPage.getByRole('link', { name: 'Your jobs' }).first().click()
      await arrive(staffPage, 'Your jobs', `work-list-${suffix}`)
      await staffPage.getByRole('link', { name: made.reference }).click()
      await arrive(staffPage, made.reference, `work-job-${suffix}`)
      await expect.poll(() => staffPage.locator('.app-photos img').evaluate((image: HTMLImageElement) => image.naturalWidth)).toBeGreaterThan(0)

      await staffPage.getByLabel('No access').check()
      await staffPage.getByRole('button', { name: 'Record outcome' }).click()
      await expect.poll(() => staffPage.locator('.govuk-error-summary').textContent()).toContain('Enter what happened when you could not get in')
      await expectNoAccessibilityViolations(staffPage)
      await screenshot(staffPage, `work-job-error-${suffix}`)

      await staffPage.getByLabel('What happened').fill('Nobody answered at 9am. Card left.')
      await staffPage.getByLabel('Photos (optional)').setInputFiles({ name: 'card.png', mimeType: 'image/png', buffer: await pictureOf('#ffffff') })
      await staffPage.getByRole('button', { name: 'Record outcome' }).click()
      await expect.poll(() => staffPage.locator('.govuk-notification-banner').textContent()).toContain(`Job ${made.reference} recorded as no access`)
      await arrive(staffPage, 'Your jobs', `work-recorded-${suffix}`)
      expect(scriptErrors).toEqual([])
      await staffContext.close()

      const residentContext = await newContext(browser, { javaScript })
      await residentContext.addCookies([{ name: sessionCookie, value: tenant.sessionToken, url: site.baseUrl }])
      const residentPage = await residentContext.newPage()
      await residentPage.goto(`${site.baseUrl}/account/requests/${made.reference}`)
      await arrive(residentPage, 'Report a repair', `request-photos-${suffix}`)
      expect(await residentPage.locator('.app-photos img').evaluateAll((images) => images.map((image) => image.getAttribute('alt')))).toEqual(['Photo 1 of 1 you sent'])
      expect(await residentPage.locator('main').textContent()).toContain('Nobody answered at 9am. Card left.')

      await residentPage.getByLabel('Add photos (optional)').setInputFiles({ name: 'toilet.png', mimeType: 'image/png', buffer: await pictureOf('#336699') })
      await residentPage.getByRole('button', { name: 'Add information' }).click()
      await expect.poll(() => residentPage.locator('.govuk-notification-banner').textContent()).toContain('We have added your information')
      await arrive(residentPage, 'Report a repair', `request-photo-added-${suffix}`)
      expect(await residentPage.locator('.app-photos img').evaluateAll((images) => images.map((image) => image.getAttribute('alt')))).toEqual([
        'Photo 1 of 2 you sent',
        'Photo 2 of 2 you sent',
      ])
      await residentPage.getByRole('link', { name: 'Photo 2 of 2 you sent' }).click()
      await expect.poll(() => residentPage.url()).toMatch(/\/requests\/photos\/[0-9a-f-]{36}$/)
      await residentContext.close()
    })
  }
})
