import type { FastifyInstance } from 'fastify'
import type { Services } from '../../container.ts'
import { requireStaffPermission, staffActor } from '../identity/index.ts'

const failuresShown = 50

/**
 * /staff/notifications: whether messages are being sent. When GOV.UK Notify has refused the
 * council's key, sending pauses; once the key is put right an administrator resumes it here rather
 * than waiting for the pause to end. The messages that failed for good are listed below.
 */
export async function notificationStaffRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const notifications = services.notifications
  const canManage = requireStaffPermission('notifications.manage')

  app.get('/staff/notifications', { preHandler: canManage }, async (request, reply) => {
    const flash = request.session.get<string>('staffFlash')
    if (flash) request.session.delete('staffFlash')
    const [pause, failures] = await Promise.all([notifications.sendingPause(), notifications.recentPermanentFailures(failuresShown)])
    return reply.header('cache-control', 'no-store').view('notifications/views/staff/sending.njk', { pause, failures, failuresShown, flash })
  })

  app.post('/staff/notifications/resume', { preHandler: canManage }, async (request, reply) => {
    const woken = await notifications.resumeSendingAs(staffActor(request))
    request.session.set('staffFlash', woken === 1 ? request.t('notifications.staff.resumedOne') : request.t('notifications.staff.resumed', { count: woken }))
    return reply.redirect('/staff/notifications', 303)
  })
}
