import type { ServiceDependencies, Services } from '../container.ts'
import type { Logger } from '../lib/log.ts'
import { loadDemoAccounts } from './accounts.ts'
import { loadDemoCapacity } from './capacity.ts'
import { loadDemoResponseTemplates } from './response-templates.ts'
import { generateDemoPlaces } from './places.ts'
import { loadDemoRequests } from './requests.ts'
import { loadDemoStreetReports } from './street-reports.ts'
import { loadDemoWarnings } from './warnings.ts'

/**
 * Loads the fictional demo council's places through the same importers a council uses for its
 * own files, so the demo exercises the real path.
 */
async function loadDemoPlaces(services: Services, logger: Logger): Promise<void> {
  if (await services.places.hasProperties()) return
  const started = performance.now()
  const places = generateDemoPlaces()
  const addresses = await services.places.importAddresses([places.addressesCsv])
  const tenancies = await services.places.importTenancies([places.tenanciesCsv])
  logger.info(
    { properties: addresses.rows, councilHomes: places.councilHomes, tenancies: tenancies.tenanciesAdded, milliseconds: Math.round(performance.now() - started) },
    'Loaded the demo council’s places',
  )
}

/**
 * Loads the fictional demo council on first start; a later start finds it there and does nothing.
 * The demo's requests are made with a clock of their own, so they need the outermost dependencies
 * as well as the services.
 */
export async function loadDemoCouncil(services: Services, dependencies: ServiceDependencies): Promise<void> {
  const { logger } = dependencies
  await loadDemoPlaces(services, logger)
  // Every start, so an edited definition file becomes a new version; an unchanged one adds nothing.
  await services.catalogue.seedDefinitions()
  if (await loadDemoAccounts(services)) {
    await loadDemoResponseTemplates(services)
    await loadDemoWarnings(dependencies, services)
    logger.info('Created the demo council’s staff and resident accounts (listed in the README) and response templates')
    const started = performance.now()
    const requests = await loadDemoRequests(dependencies, services)
    if (requests) logger.info({ ...requests, milliseconds: Math.round(performance.now() - started) }, 'Made the demo council’s requests')
    const reportsStarted = performance.now()
    const streetReports = await loadDemoStreetReports(dependencies, services)
    logger.info({ streetReports, milliseconds: Math.round(performance.now() - reportsStarted) }, 'Made the demo council’s street reports')
  }
  const slots = await loadDemoCapacity(dependencies, services)
  if (slots > 0) logger.info({ slots }, 'Opened the demo diaries for the coming weeks')
}
