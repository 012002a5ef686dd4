import { timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { Config } from '../../config.ts'
import type { Services } from '../../container.ts'
import { notifyDeliveryReceiptSchema } from './delivery-receipts.ts'

/** Compares in constant time, so the answer's timing gives away nothing of the token. */
function bearerTokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer (.+)$/.exec(header ?? '')?.[1] ?? '')
  const expected = Buffer.from(token)
  return given.length === expected.length && timingSafeEqual(given, expected)
}

function jsonError(reply: FastifyReply, status: number, message: string) {
  return reply.code(status).header('cache-control', 'no-store').send({ error: message })
}

/**
 * /dev/outbox: what the demo would have sent, so a tester can read a message and follow its link.
 * It exists only in demo mode; elsewhere the address is an ordinary 404.
 *
 * /notifications/delivery-receipts: where GOV.UK Notify reports what became of each message. It is
 * a machine's call, so it carries Notify's bearer token instead of a form's CSRF token, and always
 * answers in JSON.
 */
export async function notificationRoutes(app: FastifyInstance, { config, services }: { config: Config; services: Services }) {
  const callbackToken = config.notify?.callbackToken
  if (callbackToken) {
    app.post('/notifications/delivery-receipts', {
      config: { csrf: false },
      // A body that is not JSON fails before the handler and is the caller's mistake. Anything else
      // (the database unreachable) answers 503, so Notify sends the receipt again later.
      errorHandler: (error, request, reply) => {
        if (error.statusCode && error.statusCode < 500) {
          return jsonError(reply, error.statusCode, 'The body must be a GOV.UK Notify delivery receipt in JSON')
        }
        request.log.error({ err: error }, 'a delivery receipt could not be recorded')
        return jsonError(reply, 503, 'The receipt could not be recorded; send it again later')
      },
      handler: async (request, reply) => {
        if (!bearerTokenMatches(request.headers.authorization, callbackToken)) {
          return jsonError(reply, 401, 'A valid bearer token is required')
        }
        const receipt = notifyDeliveryReceiptSchema.safeParse(request.body)
        if (!receipt.success) return jsonError(reply, 400, 'The body must be a GOV.UK Notify delivery receipt in JSON')
        const recorded = await services.notifications.recordDeliveryReceipt(receipt.data)
        if (!recorded) request.log.info({ notifyId: receipt.data.id, status: receipt.data.status }, 'a delivery receipt changed no message')
        return reply.code(204).send()
      },
    })
  }

  if (!config.demoMode) return
  app.get('/dev/outbox', async (request, reply) => {
    const messages = await services.notifications.recentMessages(request.t)
    return reply
      .header('cache-control', 'no-store')
      .view('notifications/views/outbox.njk', { pageTitle: request.t('notifications.outbox.title'), messages })
  })
}
