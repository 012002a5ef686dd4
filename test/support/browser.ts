import { mkdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import type { Runner } from 'graphile-worker'
import { expect } from 'vitest'
import { startWorker } from '../../src/lib/jobs/queue.ts'
import { createLogger } from '../../src/lib/log.ts'
import { createTestApp, type TestApp } from './app.ts'

const require = createRequire(import.meta.url)
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8')
const screenshotFolder = path.resolve('test-results', 'screenshots')

export const chromiumFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
]

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: chromiumFlags })
}

export interface RunningSite extends TestApp {
  baseUrl: string
}

/**
 * The real application listening on a free port, with the job worker, as a person would meet it.
 * Pass PORT (with a matching BASE_URL) when something outside must know the address beforehand,
 * such as an OpenID provider's registered redirect address.
 */
export async function startSite(environment: Record<string, string> = {}): Promise<RunningSite & { worker: Runner }> {
  const test = await createTestApp({ environment })
  const address = await test.app.listen({ port: environment.PORT ? test.config.port : 0, host: '127.0.0.1' })
  const worker = await startWorker({
    connectionString: test.database.connectionString,
    tasks: test.services.tasks,
    logger: createLogger('silent'),
    concurrency: 2,
  })
  return {
    ...test,
    baseUrl: address,
    worker,
    async close() {
      await worker.stop()
      await test.close()
    },
  }
}

const javaScriptSetting = new WeakMap<BrowserContext, boolean>()

const axeRun = `axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } })
  .then((results) => JSON.stringify(results.violations.map((violation) => ({
    rule: violation.id,
    help: violation.help,
    elements: violation.nodes.map((node) => node.target.join(' ')),
  }))))`

async function runAxe(page: Page): Promise<unknown> {
  const session = await page.context().newCDPSession(page)
  try {
    await session.send('Runtime.evaluate', { expression: `if (!window.axe) { ${axeSource} }` })
    const result = await session.send('Runtime.evaluate', { expression: axeRun, awaitPromise: true, returnByValue: true })
    if (result.exceptionDetails) throw new Error(`axe did not run: ${result.exceptionDetails.text}`)
    return JSON.parse(result.result.value as string)
  } finally {
    await session.detach()
  }
}

/**
 * A page seen with JavaScript off cannot run axe (its timers never fire), so the same HTML, with
 * its scripts removed, is shown at the same address in a second page that can.
 */
async function runAxeWithoutPageScripts(page: Page): Promise<unknown> {
  const html = (await page.content()).replace(/<script\b[\s\S]*?<\/script>/gi, '')
  const url = page.url()
  const browser = page.context().browser()!
  const inspector = await browser.newContext()
  try {
    const copy = await inspector.newPage()
    await copy.route(url, (route) => route.fulfill({ body: html, contentType: 'text/html; charset=utf-8', status: 200 }))
    await copy.goto(url)
    return await runAxe(copy)
  } finally {
    await inspector.close()
  }
}

/**
 * Runs axe-core on the page as it stands and fails the test on any violation, naming each rule
 * and the elements that break it. It runs through the debugging protocol, so the page's own
 * Content-Security-Policy stays as strict as in production.
 */
export async function expectNoAccessibilityViolations(page: Page): Promise<void> {
  const javaScript = javaScriptSetting.get(page.context()) ?? true
  const violations = javaScript ? await runAxe(page) : await runAxeWithoutPageScripts(page)
  expect(violations, `Accessibility violations on ${page.url()}`).toEqual([])
}

/** Saves a full-page screenshot under test-results/screenshots for a person to look at. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotFolder, { recursive: true })
  const file = path.join(screenshotFolder, `${name}.png`)
  await page.screenshot({ path: file, fullPage: true })
  return file
}

/** A fresh browser context, remembering whether its JavaScript is on for the accessibility check. */
export async function newContext(browser: Browser, { javaScript }: { javaScript: boolean }): Promise<BrowserContext> {
  const context = await browser.newContext({ javaScriptEnabled: javaScript })
  javaScriptSetting.set(context, javaScript)
  return context
}

/**
 * Opens a page in a fresh context (with or without JavaScript) and checks every page the journey
 * visits with axe as it loads.
 */
export async function newJourney(browser: Browser, { javaScript }: { javaScript: boolean }): Promise<{ context: BrowserContext; page: Page; visited: string[] }> {
  const context = await newContext(browser, { javaScript })
  const page = await context.newPage()
  const visited: string[] = []
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) visited.push(frame.url())
  })
  return { context, page, visited }
}
