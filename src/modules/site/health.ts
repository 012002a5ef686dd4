import type { FastifyInstance } from 'fastify'
import { databaseIsReachable, type DatabaseHandle } from '../../lib/database/connection.ts'

/** GET /health: 200 when the database answers, 503 when it does not, for load balancers and monitoring. */
export async function healthRoutes(app: FastifyInstance, { db }: { db: DatabaseHandle }) {
  app.get('/health', async (_request, reply) => {
    const databaseUp = await databaseIsReachable(db)
    return reply
      .code(databaseUp ? 200 : 503)
      .header('cache-control', 'no-store')
      .send({ status: databaseUp ? 'ok' : 'unavailable', database: databaseUp ? 'up' : 'down' })
  })
}
