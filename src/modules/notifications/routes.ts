import type { FastifyInstance } from 'fastify'
import type { Config } from '../../config.ts'
import type { Services } from '../../container.ts'

/**
 * /dev/outbox: what the demo would have sent, so a tester can read a message and follow its link.
 * It exists only in demo mode; elsewhere the address is an ordinary 404.
 */
export async function notificationRoutes(app: FastifyInstance, { config, services }: { config: Config; services: Services }) {
  if (!config.demoMode) return
  app.get('/dev/outbox', async (request, reply) => {
    const messages = await services.notifications.recentMessages(request.t)
    return reply
      .header('cache-control', 'no-store')
      .view('notifications/views/outbox.njk', { pageTitle: request.t('notifications.outbox.title'), messages })
  })
}
