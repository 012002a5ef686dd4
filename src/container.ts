import type { TaskList } from 'graphile-worker'
import type { Config } from './config.ts'
import { housekeepingSchedule, housekeepingTasks } from './lib/jobs/housekeeping.ts'
import type { DatabaseHandle } from './lib/database/connection.ts'
import type { Logger } from './lib/log.ts'
import { createJsonApiServices } from './modules/api/index.ts'
import { createCatalogueServices } from './modules/catalogue/index.ts'
import { createIdentityServices } from './modules/identity/index.ts'
import { createNotificationServices } from './modules/notifications/index.ts'
import { createOpenDataServices } from './modules/open-data/index.ts'
import { createPlacesServices } from './modules/places/index.ts'
import { createPublicReports, createReportAlerts, createRequestServices, createResidentMessages, createResponseTemplates, createSatisfactionSurvey } from './modules/requests/index.ts'
import { createSchedulingServices } from './modules/scheduling/index.ts'
import { createWarningServices } from './modules/warnings/index.ts'

/** The outermost dependencies: everything else is built from these. */
export interface ServiceDependencies {
  config: Config
  db: DatabaseHandle
  logger: Logger
}

/**
 * The one service layer that the resident site, the staff site, the APIs and the command-line
 * tools all use. Tests swap a service by spreading a partial object over the result.
 */
export function createServices(dependencies: ServiceDependencies) {
  const notifications = createNotificationServices(dependencies)
  const identity = createIdentityServices({ ...dependencies, notifications })
  const places = createPlacesServices(dependencies)
  const catalogue = createCatalogueServices(dependencies)
  const requests = createRequestServices({ ...dependencies, catalogue })
  const publicReports = createPublicReports({ ...dependencies, catalogue })
  const reportAlerts = createReportAlerts({ ...dependencies, catalogue, notifications })
  const residentMessages = createResidentMessages({ ...dependencies, catalogue, people: identity.residents, notifications })
  const scheduling = createSchedulingServices({ ...dependencies, requests, messages: residentMessages })
  requests.onStatusChange((changed) => scheduling.followRequestStatus(changed))
  const satisfaction = createSatisfactionSurvey(dependencies)
  const responseTemplates = createResponseTemplates(dependencies)
  const warnings = createWarningServices({ ...dependencies, people: identity.residents, places })
  const openData = createOpenDataServices({ ...dependencies, catalogue, requests, places, people: identity.residents })
  const jsonApi = createJsonApiServices({ ...dependencies, catalogue, requests, places, people: identity.residents, scheduling })
  const tasks: TaskList = { ...housekeepingTasks(dependencies.db), ...notifications.tasks, ...residentMessages.tasks, ...scheduling.tasks, ...reportAlerts.tasks, ...jsonApi.tasks }
  /** Recurring jobs, one graphile-worker crontab line each. */
  const schedule = [housekeepingSchedule, notifications.schedule, residentMessages.schedule, scheduling.schedule, reportAlerts.schedule, jsonApi.schedule].join('\n')
  return { notifications, identity, places, catalogue, requests, publicReports, reportAlerts, scheduling, residentMessages, satisfaction, responseTemplates, warnings, openData, jsonApi, tasks, schedule }
}

export type Services = ReturnType<typeof createServices>
