import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../../config.ts'
import type { Services } from '../../../container.ts'
import { residentReturnPath, staffReturnPath } from '../return-paths.ts'
import { isProviderRefusal, type OpenIdClient, type PendingSignIn } from './openid.ts'

/** What is kept in the session between sending someone to a provider and their return. */
interface SessionSignOn extends PendingSignIn {
  returnTo: string
}

const sessionKeys = { resident: 'oneLoginSignIn', staff: 'staffDirectorySignIn' } as const

const callbackPaths = {
  resident: '/sign-in/one-login/callback',
  staff: '/staff/sign-in/directory/callback',
} as const

/** Only a path on the resident site may be a place to come back to after signing in. */
/**
 * Single sign-on through OpenID Connect. Each journey starts with a plain link (a GET), because the
 * Content-Security-Policy lets forms post only to this site, and a form's redirect to the provider
 * would be blocked.
 */
export async function singleSignOnRoutes(app: FastifyInstance, { config, services }: { config: Config; services: Services }) {
  const signOn = services.identity.signOn
  const staffDirectoryName = config.staffSignOn?.name ?? ''

  const problem = (reply: FastifyReply, status: number, heading: string, message: string, next: { href: string; text: string }) =>
    reply.code(status).view('identity/views/sign-on/problem.njk', { heading, message, nextHref: next.href, nextText: next.text })

  async function start(request: FastifyRequest, reply: FastifyReply, client: OpenIdClient, kind: 'resident' | 'staff', returnTo: string) {
    let started
    try {
      started = await client.start(`${config.baseUrl}${callbackPaths[kind]}`)
    } catch (error) {
      request.log.warn({ err: error }, `${kind} single sign-on provider unavailable`)
      return unavailable(request, reply, kind)
    }
    const remembered: SessionSignOn = { ...started.pending, returnTo }
    request.session.set(sessionKeys[kind], remembered)
    return reply.redirect(started.url, 303)
  }

  function unavailable(request: FastifyRequest, reply: FastifyReply, kind: 'resident' | 'staff') {
    const t = request.t
    return problem(reply, 503, t('identity.signOn.failedTitle'), t('identity.signOn.unavailable'), retryLink(request, kind))
  }

  function retryLink(request: FastifyRequest, kind: 'resident' | 'staff') {
    return kind === 'staff'
      ? { href: '/staff/sign-in', text: request.t('identity.signOn.staffSignIn') }
      : { href: '/sign-in', text: request.t('identity.signOn.tryAgain') }
  }

  /** Checks the provider's answer; undefined means a problem page has already been sent. */
  async function finish(request: FastifyRequest, reply: FastifyReply, client: OpenIdClient, kind: 'resident' | 'staff') {
    const t = request.t
    const remembered = request.session.get<SessionSignOn>(sessionKeys[kind])
    request.session.delete(sessionKeys[kind])
    const query = request.query as Record<string, unknown>
    if (!remembered || typeof query.error === 'string') {
      await problem(reply, 400, t('identity.signOn.failedTitle'), t('identity.signOn.cancelled'), retryLink(request, kind))
      return undefined
    }
    try {
      const identity = await client.finish(new URL(request.url, config.baseUrl), remembered)
      return { identity, returnTo: remembered.returnTo }
    } catch (error) {
      if (!isProviderRefusal(error)) request.log.warn({ err: error }, `${kind} single sign-on could not finish`)
      await problem(reply, 400, t('identity.signOn.failedTitle'), t('identity.signOn.failed'), retryLink(request, kind))
      return undefined
    }
  }

  const oneLogin = signOn.oneLogin
  if (oneLogin) {
    app.get('/sign-in/one-login', async (request, reply) =>
      start(request, reply, oneLogin, 'resident', residentReturnPath((request.query as Record<string, unknown>).returnTo)),
    )

    app.get(callbackPaths.resident, async (request, reply) => {
      const finished = await finish(request, reply, oneLogin, 'resident')
      if (!finished) return reply
      const t = request.t
      const result = await signOn.signInResident(finished.identity, request.ip)
      if (result.outcome === 'email-not-verified') {
        return problem(reply, 403, t('identity.signOn.failedTitle'), t('identity.signOn.emailNotVerified'), retryLink(request, 'resident'))
      }
      if (result.outcome === 'linked-elsewhere') {
        return problem(reply, 403, t('identity.signOn.failedTitle'), t('identity.signOn.alreadyLinked'), retryLink(request, 'resident'))
      }
      request.session.signIn({ kind: 'resident', id: result.personId })
      return reply.redirect(finished.returnTo, 303)
    })
  }

  const staffDirectory = signOn.staffDirectory
  if (staffDirectory) {
    app.get('/staff/sign-in/directory', async (request, reply) =>
      start(request, reply, staffDirectory, 'staff', staffReturnPath((request.query as Record<string, unknown>).returnTo)),
    )

    app.get(callbackPaths.staff, async (request, reply) => {
      const finished = await finish(request, reply, staffDirectory, 'staff')
      if (!finished) return reply
      const t = request.t
      const result = await services.identity.staff.signInWithDirectory({
        subject: finished.identity.subject,
        email: finished.identity.email,
        ipAddress: request.ip,
      })
      if (result.outcome !== 'signed-in') {
        const message =
          result.outcome === 'disabled' ? t('identity.signOn.disabledStaff') : t('identity.signOn.unknownStaff', { name: staffDirectoryName })
        return problem(reply, 403, t('identity.signOn.refusedTitle'), message, retryLink(request, 'staff'))
      }
      request.session.signIn({ kind: 'staff', id: result.staffMemberId })
      return reply.redirect(finished.returnTo, 303)
    })
  }
}
