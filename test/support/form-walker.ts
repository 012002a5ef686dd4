import { expect } from 'vitest'
import type { Page } from 'playwright-core'
import { expectNoAccessibilityViolations, screenshot } from './browser.ts'

/**
 * Walks a form the way a person does, checking every page with axe and photographing it as it is
 * reached, numbered in order under the given name.
 */
export function formWalker(page: Page, name: string) {
  let step = 0
  const continueOn = () => page.getByRole('button', { name: 'Continue' }).click()
  return {
    page,
    async arrive(heading: string | RegExp, pageName: string) {
      await expect.poll(() => page.locator('h1').first().textContent()).toMatch(heading)
      await expectNoAccessibilityViolations(page)
      await screenshot(page, `${name}-${String(++step).padStart(2, '0')}-${pageName}`)
    },
    continueOn,
    async choose(label: string) {
      await page.getByLabel(label, { exact: true }).check()
      await continueOn()
    },
  }
}

export type FormWalker = ReturnType<typeof formWalker>

/** The housing repair form's safety questions, answered for a repair at home with no danger, up to "Where in your home". */
export async function answerScreeningForHome(walker: FormWalker): Promise<void> {
  const { arrive, choose } = walker
  await arrive('Can you smell gas?', 'gas')
  await choose('No')
  await arrive('Do you have any of these problems right now?', 'emergency')
  await choose('None of these')
  await arrive('Where is the repair needed?', 'where')
  await choose('In my home')
}

/**
 * The housing repair form from "Can you smell gas?" to the description page, for a kitchen tap
 * with the given fault, answering each page and checking it as it goes.
 */
export async function reportKitchenTap(walker: FormWalker, fault: string): Promise<void> {
  const { arrive, choose } = walker
  await answerScreeningForHome(walker)
  await arrive('Where in your home is the problem?', 'area')
  await choose('Kitchen')
  await arrive('What is the problem in your kitchen?', 'kitchen-problem')
  await choose('A tap')
  await arrive('What is wrong with the tap?', 'kitchen-tap')
  await choose(fault)
}

/** Signs in to the staff site with a password, checking the sign-in page and the staff home. */
export async function signInToStaffSite(walker: FormWalker, baseUrl: string, member: { email: string; password: string; name: string }): Promise<void> {
  const { page, arrive } = walker
  await page.goto(`${baseUrl}/staff/sign-in`)
  await arrive('Sign in to the staff site', 'sign-in')
  await page.getByLabel('Email address').fill(member.email)
  await page.getByLabel('Password').fill(member.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await arrive(`Hello, ${member.name}`, 'staff-home')
}

/**
 * The housing repair form from the description to the question of how to send updates: the
 * description given, a photo if one is given, and nothing to know before the visit.
 */
export async function describeRepair(walker: FormWalker, description: string, photo?: { name: string; mimeType: string; buffer: Buffer }): Promise<void> {
  const { page, arrive, continueOn } = walker
  await arrive('Describe the problem', 'description')
  await page.getByLabel('Describe the problem').fill(description)
  await continueOn()
  await arrive('Add photos of the problem', 'photos')
  if (photo) await page.getByLabel('Choose photos').setInputFiles(photo)
  await continueOn()
  await arrive('Is there anything we should know before we visit?', 'access')
  await continueOn()
  await arrive('How should we send you updates about this repair?', 'contact-method')
}

/** From the staff site, finds a caller by what they give and opens "Link or record" for the named tenant of that tenancy. */
export async function findNamedTenant(walker: FormWalker, search: string, tenancy: { reference: string; name: string }): Promise<void> {
  const { page, arrive } = walker
  await page.getByRole('link', { name: 'People', exact: true }).click()
  await arrive('Find a person', 'find-a-person')
  await page.getByLabel('Name, address, postcode, tenancy reference or email address').fill(search)
  await page.getByRole('button', { name: 'Search' }).click()
  await expect.poll(() => page.locator('table.app-people-results').textContent()).toContain(tenancy.reference)
  await arrive('Find a person', 'search-results')
  await page.getByRole('link', { name: `Link or record ${tenancy.name}` }).click()
  await arrive(`Link or record ${tenancy.name}`, 'named-tenant')
}
