import type { Services } from '../container.ts'
import type { Logger } from '../lib/log.ts'
import { loadDemoAccounts } from './accounts.ts'
import { generateDemoPlaces } from './places.ts'

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

/** Loads the fictional demo council on first start; a later start finds it there and does nothing. */
export async function loadDemoCouncil(services: Services, logger: Logger): Promise<void> {
  await loadDemoPlaces(services, logger)
  // Every start, so an edited definition file becomes a new version; an unchanged one adds nothing.
  await services.catalogue.seedDefinitions()
  if (await loadDemoAccounts(services)) logger.info('Created the demo council’s staff and resident accounts (listed in the README)')
}
