import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Config } from '../../config.ts'
import type { Services } from '../../container.ts'
import { NotFound } from '../../lib/errors.ts'
import { councilText } from './council-text.ts'
import type { FrontDoorEntry } from './front-door.ts'
import { topicById } from './topics.ts'

/** Longer queries are refused rather than cut short, so nobody is shown results for words they did not see searched. */
const longestQuery = 200

/** The resident site's ways in: search, the A to Z, topics and every service's start page. */
export async function frontDoorRoutes(app: FastifyInstance, { config, services }: { config: Config; services: Services }) {
  const { frontDoor } = services.catalogue
  const text = councilText(config.council)

  /** What a list of services shows of each entry. */
  const listed = (entry: FrontDoorEntry) => ({ code: entry.code, name: text(entry.name), description: text(entry.description), href: `/services/${entry.code}` })

  app.get<{ Querystring: { q?: unknown } }>('/search', async (request, reply) => {
    const query = typeof request.query.q === 'string' ? request.query.q.trim() : ''
    if (query.length > longestQuery) {
      const errors = { q: { message: request.t('catalogue.frontDoor.search.tooLong') } }
      return reply.code(400).view('catalogue/views/front-door/search.njk', { pageTitle: request.t('catalogue.frontDoor.search.title'), query, errors })
    }
    const results = query === '' ? undefined : (await frontDoor.search(query)).map(listed)
    return reply.view('catalogue/views/front-door/search.njk', {
      pageTitle: query === '' ? request.t('catalogue.frontDoor.search.title') : request.t('catalogue.frontDoor.search.resultsTitle', { query }),
      query,
      results,
    })
  })

  app.get('/services', async (request, reply) => {
    const letters = (await frontDoor.aToZ()).map((letter) => ({
      letter: letter.letter,
      entries: letter.entries.map((item) => ({ ...listed(item.entry), title: item.title, otherNameOf: item.isOtherName ? text(item.entry.name) : undefined })),
    }))
    return reply.view('catalogue/views/front-door/a-to-z.njk', { pageTitle: request.t('catalogue.frontDoor.aToZ.title'), letters })
  })

  app.get<{ Params: { topic: string } }>('/topics/:topic', async (request, reply) => {
    const found = (await frontDoor.topics()).find((listedTopic) => listedTopic.topic.id === request.params.topic)
    if (!found) throw new NotFound('topic')
    return reply.view('catalogue/views/front-door/topic.njk', {
      pageTitle: text(found.topic.name),
      description: text(found.topic.description),
      entries: found.entries.map(listed),
      backLink: '/',
    })
  })

  async function entryOf(request: FastifyRequest<{ Params: { code: string } }>): Promise<FrontDoorEntry> {
    const entry = await frontDoor.entry(request.params.code)
    if (!entry) throw new NotFound('service')
    return entry
  }

  app.get<{ Params: { code: string } }>('/services/:code', async (request, reply) => {
    const entry = await entryOf(request)
    return reply.view('catalogue/views/front-door/start-page.njk', {
      pageTitle: text(entry.name),
      description: text(entry.description),
      youWillNeed: entry.startPage.youWillNeed.map(text),
      takes: entry.startPage.takes && text(entry.startPage.takes),
      otherWays: entry.startPage.otherWays.map(text),
      elsewhere: entry.link !== undefined,
      forTenants: entry.audience === 'tenants',
      signedIn: request.session.principal?.kind === 'resident',
      startUrl: `/services/${entry.code}/go`,
      // Anyone may report a problem without an account; tenants' services need the tenancy linked.
      guestUrl: entry.link === undefined && entry.audience === 'residents' && request.session.principal?.kind !== 'resident' ? `/services/${entry.code}/guest` : undefined,
      topics: entry.topics.flatMap((id) => {
        const topic = topicById(id)
        return topic ? [{ name: text(topic.name), href: `/topics/${topic.id}` }] : []
      }),
    })
  })

  /**
   * Where every start button goes, so a start is counted once whichever kind of service it is: a
   * form carries on to its own first page, a service elsewhere to its website.
   */
  app.get<{ Params: { code: string } }>('/services/:code/go', async (request, reply) => {
    const entry = await entryOf(request)
    await frontDoor.recordStart(entry.code)
    return reply.redirect(entry.link ?? `/services/${entry.code}/start`, 303)
  })
}
