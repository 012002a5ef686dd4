import type { FastifyInstance } from 'fastify'
import type { TaskList } from 'graphile-worker'
import type { Config } from '../../config.ts'
import type { Services, ServiceDependencies } from '../../container.ts'

export function createNotificationServices(_dependencies: ServiceDependencies) {
  return { tasks: {} as TaskList }
}

export type NotificationServices = ReturnType<typeof createNotificationServices>

export async function notificationRoutes(_app: FastifyInstance, _options: { config: Config; services: Services }) {}
