import type { FastifyInstance } from 'fastify'
import type { Config } from '../../config.ts'
import type { Services } from '../../container.ts'
import { csrfCookieName } from '../../lib/http/security.ts'
import { sessionCookieName } from '../../lib/http/sessions.ts'
import { councilText } from '../catalogue/index.ts'

const contentPages = ['accessibility', 'privacy', 'cookies', 'contact'] as const

/**
 * Every cookie the site sets, named from the code that sets it, so the cookies page cannot fall
 * out of step with what a visitor's browser actually holds.
 */
const essentialCookies = [
  { name: sessionCookieName, key: 'session' },
  { name: csrfCookieName, key: 'csrf' },
]

/** The front page and the council's standing pages (accessibility, privacy, cookies, contact). */
export async function siteRoutes(app: FastifyInstance, { config, services }: { config: Config; services: Services }) {
  const { frontDoor } = services.catalogue
  const text = councilText(config.council)

  app.get('/', async (request, reply) => {
    const [topTasks, topics] = await Promise.all([frontDoor.topTasks(), frontDoor.topics()])
    return reply.view('site/views/home.njk', {
      pageTitle: request.t('site.home.title'),
      signedIn: request.session.principal?.kind === 'resident',
      topTasks: topTasks.map((entry) => ({ name: text(entry.name), href: `/services/${entry.code}` })),
      topics: topics.map(({ topic }) => ({ name: text(topic.name), description: text(topic.description), href: `/topics/${topic.id}` })),
    })
  })

  for (const page of contentPages) {
    app.get(`/${page}`, async (request, reply) =>
      reply.view(`site/views/${page}.njk`, { pageTitle: request.t(`site.${page}.title`), essentialCookies }),
    )
  }
}
