import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { launchBrowser, newContext, startSite } from '../support/browser.ts'
import { answerScreeningForHome, describeRepair, formWalker, reportKitchenTap, type FormWalker } from '../support/form-walker.ts'
import { address, addressCsv, sessionCookie, signedInResident, tenancyCsv, tenant } from '../support/places.ts'

/**
 * The whole repair, as the people in it see it: a tenant reports a leaking kitchen tap with a photo,
 * a team lead triages it as urgent and gives it to the contractor, the contractor's operative
 * records it done, and the tenant follows every public step and says how it went. Then a damp and
 * mould report and its Awaab's Law clocks.
 */
describe('a housing repair from report to rating', () => {
  let browser: Browser
  let site: Awaited<ReturnType<typeof startSite>>
  let photo: Buffer
  const password = 'a very long staff password'
  const contractor = 'wendle-property-maintenance'
  const tenants = [
    { reference: 'LW-T-000011', uprn: 2011, givenName: 'Alex', familyName: 'Morgan', birth: ['14', '3', '1985'] },
    { reference: 'LW-T-000012', uprn: 2012, givenName: 'Priya', familyName: 'Shah', birth: ['2', '11', '1979'] },
    { reference: 'LW-T-000013', uprn: 2013, givenName: 'Sam', familyName: 'Jones', birth: ['20', '1', '1990'] },
  ] as const

  beforeAll(async () => {
    ;[browser, site] = await Promise.all([launchBrowser(), startSite()])
    const staff = site.services.identity.staff
    await staff.ensureTeam('housing-repairs', 'Housing repairs')
    await staff.ensureContractor(contractor, 'Wendle Property Maintenance Ltd')
    await staff.createStaffMember({ name: 'Tola Team Lead', email: 'tola@lowerwendle.example.gov.uk', password, roleCodes: ['team-lead'], teamCodes: ['housing-repairs'] })
    await staff.createStaffMember({ name: 'Owen Operative', email: 'owen@wendle-maintenance.example', password, roleCodes: ['contractor-operative'], teamCodes: [], contractorCode: contractor })
    await site.services.catalogue.seedDefinitions()
    await site.services.places.importAddresses([
      addressCsv([address(2010, { address_line_1: 'Wendle Court' }), ...tenants.map((home) => address(home.uprn, { parent_uprn: 2010 }))]),
    ])
    await site.services.places.importTenancies([
      tenancyCsv(tenants.map((home) => tenant(home.reference, home.uprn, { given_name: home.givenName, family_name: home.familyName, date_of_birth: home.birth.toReversed().map((part) => part.padStart(2, '0')).join('-') }))),
    ])
    photo = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#4a7a9c' } }).jpeg().toBuffer()
  })
  afterAll(async () => {
    await browser?.close()
    await site?.close()
  })

  /** A signed-in tenant linked to their tenancy, in a browser of their own. */
  async function tenantBrowser(home: (typeof tenants)[number], javaScript: boolean): Promise<{ context: BrowserContext; page: Page; personId: string }> {
    const resident = await signedInResident(site.database.db, home)
    const [day, month, year] = home.birth
    await site.services.places.linkTenancy(resident.personId, { reference: home.reference, postcode: 'LW1 5UP', day, month, year })
    const context = await newContext(browser, { javaScript })
    await context.addCookies([{ name: sessionCookie, value: resident.sessionToken, url: site.baseUrl }])
    return { context, page: await context.newPage(), personId: resident.personId }
  }

  /** A member of staff signed in through the sign-in page. */
  async function staffBrowser(email: string, javaScript: boolean): Promise<{ context: BrowserContext; page: Page }> {
    const context = await newContext(browser, { javaScript })
    const page = await context.newPage()
    await page.goto(`${site.baseUrl}/staff/sign-in`)
    await page.getByLabel('Email address').fill(email)
    await page.getByLabel('Password').fill(password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL(`${site.baseUrl}/staff`)
    return { context, page }
  }

  const banner = (page: Page) => page.locator('.govuk-notification-banner').textContent()

  /** Opens the repair form at its start page and starts it. */
  async function startReport(page: Page, walker: FormWalker) {
    await page.goto(`${site.baseUrl}/services/housing-repair/start`)
    await walker.arrive('Report a repair to your council home', 'start')
    await page.getByRole('button', { name: 'Start now' }).click()
  }

  /** The form's last pages, from the description to the reference. */
  async function finishReport(page: Page, walker: FormWalker, description: string, withPhoto: boolean): Promise<string> {
    const { arrive, choose } = walker
    await describeRepair(walker, description, withPhoto ? { name: 'leak.jpg', mimeType: 'image/jpeg', buffer: photo } : undefined)
    await choose('Email')
    await arrive('What email address should we use?', 'email')
    await page.getByLabel('What email address should we use?').fill('tenant@example.com')
    await page.getByRole('button', { name: 'Continue' }).click()
    await arrive('Check your answers before sending', 'check-answers')
    await page.getByRole('button', { name: 'Accept and send' }).click()
    await arrive('Report sent', 'confirmation')
    return (await page.locator('.app-reference').textContent())!.trim()
  }

  for (const javaScript of [true, false]) {
    const suffix = javaScript ? 'js' : 'no-js'
    const home = tenants[javaScript ? 0 : 1]

    it(`takes a leaking kitchen tap from report to the tenant’s rating, ${javaScript ? 'with' : 'without'} JavaScript`, async () => {
      const scriptErrors: string[] = []
      const resident = await tenantBrowser(home, javaScript)
      resident.page.on('pageerror', (error) => scriptErrors.push(error.message))
      const residentWalker = formWalker(resident.page, `lifecycle-${suffix}-tenant`)
      await startReport(resident.page, residentWalker)
      await reportKitchenTap(residentWalker, 'Water keeps running and will not turn off')
      const reference = await finishReport(resident.page, residentWalker, 'The kitchen cold tap leaks from the base and will not turn off.', true)

      // The team lead finds it with its photo, triages it as urgent and gives it to the contractor.
      const lead = await staffBrowser('tola@lowerwendle.example.gov.uk', javaScript)
      const leadArrives = formWalker(lead.page, `lifecycle-${suffix}-lead`).arrive
      await lead.page.goto(`${site.baseUrl}/staff/requests/${reference}`)
      await leadArrives(reference, 'request')
      await expect.poll(() => lead.page.locator('main img').count()).toBe(1)
      expect(await lead.page.locator('main img').evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth > 0)).toBe(true)
      await lead.page.getByLabel('Urgent').check()
      await lead.page.getByRole('button', { name: 'Save triage' }).click()
      await expect.poll(() => banner(lead.page)).toContain('Triage saved')
      await leadArrives(reference, 'triaged')
      expect(await lead.page.locator('.govuk-summary-list').first().textContent()).toContain('Urgent')
      await lead.page.getByLabel('Contractor').selectOption({ label: 'Wendle Property Maintenance Ltd' })
      await lead.page.getByRole('button', { name: 'Save assignment' }).click()
      await expect.poll(() => banner(lead.page)).toContain('Assignment saved')
      await lead.page.getByLabel('Scheduled').check()
      await lead.page.getByRole('button', { name: 'Change status' }).click()
      await expect.poll(() => banner(lead.page)).toContain('Status changed')
      await leadArrives(reference, 'scheduled')
      await lead.context.close()

      // The operative sees the job among their contractor's and records it done.
      const operative = await staffBrowser('owen@wendle-maintenance.example', javaScript)
      const operativeArrives = formWalker(operative.page, `lifecycle-${suffix}-operative`).arrive
      await operative.page.getByRole('link', { name: 'Your jobs' }).first().click()
      await operativeArrives('Your jobs', 'jobs')
      await operative.page.getByRole('link', { name: reference }).click()
      await operativeArrives(reference, 'job')
      expect(await operative.page.locator('main').textContent()).toContain('The kitchen cold tap leaks from the base')
      await operative.page.getByLabel('Completed').check()
      await operative.page.getByRole('button', { name: 'Record outcome' }).click()
      await expect.poll(() => banner(operative.page)).toContain(`Job ${reference} recorded as completed`)
      await operativeArrives('Your jobs', 'recorded')
      await operative.context.close()

      // The tenant sees each public step, never who did it, and rates the work.
      await resident.page.goto(`${site.baseUrl}/account/requests/${reference}`)
      await residentWalker.arrive('Report a repair', 'followed')
      const timeline = await resident.page.locator('.app-resident-timeline').textContent()
      for (const step of ['Request received', 'Checked by our repairs team', 'Appointment booked', 'Repair done']) expect(timeline).toContain(step)
      expect(timeline).not.toContain('Wendle')
      expect(await resident.page.locator('main img').count()).toBe(1)
      await resident.page.getByLabel('Very satisfied').check()
      await resident.page.getByLabel('Tell us more (optional)').fill('Fixed the same day. Thank you.')
      await resident.page.getByRole('button', { name: 'Send feedback' }).click()
      await expect.poll(() => banner(resident.page)).toContain('Thank you for telling us how we did.')
      await residentWalker.arrive('Report a repair', 'rated')

      // Each public step sent the tenant a message, to the email address they gave for this repair.
      const messagesSent = () =>
        site.database.db
          .selectFrom('outbox_messages')
          .select(['message_type', 'recipient'])
          .where('person_id', '=', resident.personId)
          .orderBy('created_at')
          .execute()
      await expect.poll(messagesSent, { timeout: 15_000 }).toEqual([
        { message_type: 'request-received-email', recipient: 'tenant@example.com' },
        ...Array(3).fill({ message_type: 'request-status-changed-email', recipient: 'tenant@example.com' }),
      ])
      expect(scriptErrors).toEqual([])
      await resident.context.close()
    })
  }

  it('tracks a damp and mould report’s Awaab’s Law clocks', async () => {
    const resident = await tenantBrowser(tenants[2], true)
    const walker = formWalker(resident.page, 'lifecycle-damp-tenant')
    const { arrive, choose } = walker
    await startReport(resident.page, walker)
    await answerScreeningForHome(walker)
    await arrive('Where in your home is the problem?', 'area')
    await choose('Damp or mould')
    await arrive('Which rooms have damp or mould?', 'rooms')
    await choose('One or more bedrooms')
    await arrive('How much damp or mould is there?', 'extent')
    await choose('Larger patches')
    await arrive('Is water coming in from a leak, the roof or a window?', 'leak')
    await choose('No')
    await arrive('Does anyone living with you have a health condition that damp or mould could make worse?', 'health')
    await choose('Yes')
    await arrive('What happens next with damp and mould', 'next-steps')
    await walker.continueOn()
    const reference = await finishReport(resident.page, walker, 'Black mould on the bedroom wall behind the wardrobe.', false)
    await resident.context.close()

    const lead = await staffBrowser('tola@lowerwendle.example.gov.uk', true)
    const leadArrives = formWalker(lead.page, 'lifecycle-damp-lead').arrive
    await lead.page.goto(`${site.baseUrl}/staff/requests/${reference}`)
    await leadArrives(reference, 'request')
    const clocks = lead.page.locator('#awaabs-law ~ table').first()
    expect(await clocks.locator('tbody tr').allTextContents()).toEqual([expect.stringMatching(/Investigate.*Running/s)])

    await lead.page.getByRole('button', { name: 'Record milestone' }).click()
    await expect.poll(() => lead.page.locator('.govuk-error-summary').textContent()).toContain('Select what has been done')
    await leadArrives(reference, 'milestone-error')

    // The surveyor went yesterday: the report is moved back two days so yesterday is after it.
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 60 * 60 * 1000)
    await site.database.db.updateTable('request_awaabs_law').set({ became_aware_at: twoDaysAgo }).where('request_id', 'in', site.database.db.selectFrom('requests').select('id').where('reference', '=', reference)).execute()
    const [year, month, day] = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date(Date.now() - 24 * 60 * 60 * 1000)).split('-')
    await lead.page.getByLabel('Investigation concluded').check()
    await lead.page.getByLabel('Significant hazard').check()
    await lead.page.getByLabel('Day').fill(day!)
    await lead.page.getByLabel('Month').fill(month!)
    await lead.page.getByLabel('Year').fill(year!)
    await lead.page.getByLabel('Time').fill('12:00')
    await lead.page.getByRole('button', { name: 'Record milestone' }).click()
    await expect.poll(() => banner(lead.page)).toContain("Awaab's Law milestone recorded")
    await leadArrives(reference, 'investigated')
    const duties = await clocks.locator('tbody tr td:first-child').allTextContents()
    expect(duties.map((duty) => duty.trim())).toEqual(['Investigate', 'Give the tenant a written summary', 'Do the safety work'])
    await lead.context.close()
  })
})
