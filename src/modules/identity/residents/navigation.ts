import type { FastifyInstance } from 'fastify'
import fastifyPlugin from 'fastify-plugin'

/**
 * The resident site's service navigation on every page outside /staff: what a visitor can do
 * depends on whether they are signed in. Wrapped with fastify-plugin so the hook reaches the
 * site's other pages, not only the routes of this module. Signing out is a form button (see
 * signOut in the layout), never a link, so another site cannot sign a resident out.
 */
async function navigation(app: FastifyInstance) {
  app.addHook('onRequest', async (request, reply) => {
    const path = reply.locals.currentPath
    if (path === '/staff' || path.startsWith('/staff/')) return
    const t = request.t
    const home = { href: '/', text: t('identity.residents.navigation.home') }
    if (request.session.principal?.kind === 'resident') {
      reply.locals.serviceNavigation = [
        home,
        { href: '/account', text: t('identity.residents.navigation.account') },
        { href: '/account/requests', text: t('requests.resident.navigation') },
      ]
      reply.locals.signOut = { action: '/sign-out', text: t('identity.residents.navigation.signOut') }
    } else {
      reply.locals.serviceNavigation = [
        home,
        { href: '/sign-in', text: t('identity.residents.navigation.signIn') },
        { href: '/create-account', text: t('identity.residents.navigation.createAccount') },
      ]
    }
  })
}

export const residentNavigation = fastifyPlugin(navigation, { name: 'resident-navigation', dependencies: ['views', 'sessions'] })
