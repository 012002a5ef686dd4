import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import fastifyCookie from '@fastify/cookie'
import fastifyFormbody from '@fastify/formbody'
import fastifyMultipart from '@fastify/multipart'
import qs from 'node:querystring'
import type { Config } from './config.ts'
import type { DatabaseHandle } from './lib/database/connection.ts'
import type { Logger } from './lib/log.ts'
import type { Services } from './container.ts'
import { viewsPlugin } from './lib/http/views.ts'
import { securityPlugin } from './lib/http/security.ts'
import { sessionsPlugin } from './lib/http/sessions.ts'
import { assetsPlugin } from './lib/http/assets.ts'
import { errorHandlingPlugin } from './lib/http/error-handling.ts'
import { healthRoutes } from './modules/site/health.ts'
import { siteRoutes } from './modules/site/routes.ts'
import { identityRoutes } from './modules/identity/index.ts'
import { placesRoutes } from './modules/places/index.ts'
import { catalogueEditorRoutes, formRoutes, frontDoorRoutes, guestRoutes } from './modules/catalogue/index.ts'
import { notificationRoutes, notificationStaffRoutes } from './modules/notifications/index.ts'
import { moderationRoutes, publicReportRoutes, reportAlertRoutes, requestPhotoRoutes, residentRequestRoutes, responseTemplateRoutes, staffRequestRoutes, workRoutes } from './modules/requests/index.ts'
import { warningRoutes } from './modules/warnings/index.ts'
import { open311Routes } from './modules/open-data/index.ts'
import { jsonApiRoutes } from './modules/api/index.ts'
import { residentAppointmentRoutes, schedulingStaffRoutes } from './modules/scheduling/index.ts'

export interface AppDependencies {
  config: Config
  db: DatabaseHandle
  logger: Logger
  services: Services
  /** Secret that signs the CSRF cookie; the embedded demo keeps a generated one in DATA_DIR. */
  cookieSecret: string
}

/** The origin map tiles come from, which pages must be allowed to load images from; {s} subdomains become a wildcard. */
function tileSources(tileUrl: string): string[] {
  const origin = /^https:\/\/[^/]+/.exec(tileUrl)?.[0]
  return origin ? [origin.replace('{s}', '*')] : []
}

/** Builds the web application. The order of the steps below is the order a request meets them. */
export async function buildApp(dependencies: AppDependencies): Promise<FastifyInstance> {
  const { config, db, logger, services, cookieSecret } = dependencies
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    trustProxy: config.trustProxy,
    bodyLimit: 1_048_576,
  })

  await app.register(healthRoutes, { db })
  await app.register(fastifyCookie, { secret: cookieSecret })
  await app.register(viewsPlugin, { config })
  await app.register(sessionsPlugin, { db, secureCookies: config.secureCookies, idleMinutes: 60 })
  await app.register(fastifyFormbody, { parser: (body) => qs.parse(body) })
  await app.register(fastifyMultipart, {
    attachFieldsToBody: 'keyValues',
    limits: { fileSize: 10 * 1024 * 1024, files: 3, fields: 100 },
  })
  await app.register(securityPlugin, { secureCookies: config.secureCookies, imageSources: tileSources(config.map.tileUrl) })
  await app.register(assetsPlugin, { config })
  await app.register(errorHandlingPlugin)

  await app.register(siteRoutes, { config, services })
  await app.register(frontDoorRoutes, { config, services })
  await app.register(catalogueEditorRoutes, { db, services })
  await app.register(guestRoutes, { config, db, services })
  await app.register(identityRoutes, { config, services })
  await app.register(staffRequestRoutes, { config, db, services })
  await app.register(workRoutes, { config, db, services })
  await app.register(warningRoutes, { services })
  await app.register(schedulingStaffRoutes, { services })
  await app.register(residentRequestRoutes, { config, services })
  await app.register(publicReportRoutes, { config, services })
  await app.register(reportAlertRoutes, { db, services })
  await app.register(residentAppointmentRoutes, { config, services })
  await app.register(requestPhotoRoutes, { config, services })
  await app.register(responseTemplateRoutes, { services })
  await app.register(moderationRoutes, { services })
  await app.register(placesRoutes, { config, services })
  await app.register(formRoutes, { config, db, services })
  await app.register(notificationRoutes, { config, services })
  await app.register(notificationStaffRoutes, { services })
  await app.register(open311Routes, { services })
  await app.register(jsonApiRoutes, { config, services })

  return app
}
