import type { FastifyInstance } from 'fastify'
import type { Config } from '../../config.ts'
import type { Services } from '../../container.ts'
import { requireResident, residentId } from '../identity/index.ts'
import { reportsFeed } from './atom-feed.ts'
import type { MapBox, ReportFilters, ReportState } from './public-reports.ts'
import { takeFlash } from '../../lib/http/forms.ts'

type ListQuery = { service?: unknown; state?: unknown; ward?: unknown; page?: unknown }
type Params = { Params: { reference: string } }

const reportStates: readonly ReportState[] = ['open', 'closed']
/** The widest view the map may ask for, about the size of a county: wider asks are refused, not slowly answered. */
const widestViewDegrees = 1

const textOf = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined)

/**
 * Reports of the services the council publishes, for anyone: the list and map with filters, each
 * report's own page with its public timeline, following a report, and an Atom feed for each ward.
 */
export async function publicReportRoutes(app: FastifyInstance, { config, services }: { config: Config; services: Services }) {
  const { publicReports, catalogue, places } = services

  /** The filters as asked for, keeping only values that name a public service, a state or a ward. */
  async function filtersOf(query: ListQuery): Promise<{ filters: ReportFilters; serviceOptions: { code: string; name: string }[]; wardOptions: { code: string; name: string }[] }> {
    const [summaries, wards] = await Promise.all([catalogue.listServices(), places.wards()])
    const serviceOptions = summaries.filter((summary) => summary.recordVisibility === 'public').map((summary) => ({ code: summary.code, name: summary.name.en }))
    const service = textOf(query.service)
    const state = textOf(query.state)
    const ward = textOf(query.ward)
    return {
      filters: {
        serviceCode: serviceOptions.some((option) => option.code === service) ? service : undefined,
        state: reportStates.find((known) => known === state),
        wardCode: wards.some((known) => known.code === ward) ? ward : undefined,
      },
      serviceOptions,
      wardOptions: wards,
    }
  }

  app.get<{ Querystring: ListQuery }>('/reports', async (request, reply) => {
    const { filters, serviceOptions, wardOptions } = await filtersOf(request.query)
    const page = Number(textOf(request.query.page) ?? 1)
    const listed = await publicReports.list(filters, Number.isFinite(page) ? page : 1)
    const filterQuery = new URLSearchParams(
      Object.entries({ service: filters.serviceCode, state: filters.state, ward: filters.wardCode }).flatMap(([name, value]) => (value ? [[name, value]] : [])),
    )
    const pageUrl = (number: number) => `/reports?${new URLSearchParams([...filterQuery, ['page', String(number)]]).toString()}`
    return reply.view('requests/views/public/list.njk', {
      pageTitle: request.t('requests.public.list.title'),
      ...listed,
      filters,
      serviceOptions,
      wardOptions,
      pagination: {
        previous: listed.page > 1 ? { href: pageUrl(listed.page - 1) } : undefined,
        next: listed.page < listed.pages ? { href: pageUrl(listed.page + 1) } : undefined,
        items: Array.from({ length: listed.pages }, (_, index) => index + 1)
          .filter((number) => number === 1 || number === listed.pages || Math.abs(number - listed.page) <= 2)
          // A gap in the page numbers shows as an ellipsis, as the GOV.UK pagination component does.
          .flatMap((number, index, shown) => [
            ...(index > 0 && number - shown[index - 1]! > 1 ? [{ ellipsis: true }] : []),
            { number, href: pageUrl(number), current: number === listed.page },
          ]),
      },
      map: { ...config.map, area: await places.area(), dataUrl: `/reports/map.json?${filterQuery.toString()}` },
    })
  })

  app.get<{ Querystring: ListQuery & { west?: unknown; south?: unknown; east?: unknown; north?: unknown } }>('/reports/map.json', async (request, reply) => {
    const box = Object.fromEntries((['west', 'south', 'east', 'north'] as const).map((side) => [side, Number(textOf(request.query[side]))])) as unknown as MapBox
    const problems = mapBoxProblems(box)
    if (problems.length > 0) return reply.code(400).type('application/problem+json').send({ title: 'The map view is not one we can show', status: 400, detail: problems.join('; ') })
    const { filters } = await filtersOf(request.query)
    return reply.header('cache-control', 'public, max-age=60').send(await publicReports.mapData(box, filters))
  })

  app.get<Params>('/reports/:reference', async (request, reply) => {
    const report = await publicReports.report(request.params.reference)
    const personId = request.session.principal?.kind === 'resident' ? request.session.principal.id : undefined
    return reply.view('requests/views/public/report.njk', {
      pageTitle: `${report.serviceName}: ${report.place}`,
      report,
      flash: takeFlash(request, 'reportFlash'),
      signedIn: personId !== undefined,
      following: personId !== undefined && (await publicReports.isFollowing(report.reference, personId)),
      map: { ...config.map, area: await places.area() },
      backLink: '/reports',
    })
  })

  app.post<Params>('/reports/:reference/follow', { preHandler: requireResident }, async (request, reply) => {
    await publicReports.follow(request.params.reference, residentId(request))
    request.session.set('reportFlash', request.t('requests.public.report.followed'))
    return reply.redirect(`/reports/${encodeURIComponent(request.params.reference)}`, 303)
  })

  app.post<Params>('/reports/:reference/unfollow', { preHandler: requireResident }, async (request, reply) => {
    await publicReports.unfollow(request.params.reference, residentId(request))
    request.session.set('reportFlash', request.t('requests.public.report.unfollowed'))
    return reply.redirect(`/reports/${encodeURIComponent(request.params.reference)}`, 303)
  })

  app.get<{ Params: { ward: string } }>('/wards/:ward/reports.atom', async (request, reply) => {
    const ward = (await places.wards()).find((known) => known.code === request.params.ward)
    if (!ward) return reply.callNotFound()
    const { reports } = await publicReports.list({ wardCode: ward.code })
    return reply
      .type('application/atom+xml; charset=utf-8')
      .header('cache-control', 'public, max-age=300')
      .send(reportsFeed({ baseUrl: config.baseUrl, council: config.council.name, ward, reports }))
  })
}

/** What is wrong with a map's view, in words: missing sides, sides the wrong way round, or a view too wide. */
export function mapBoxProblems(box: MapBox): string[] {
  const problems: string[] = []
  for (const side of ['west', 'south', 'east', 'north'] as const) {
    if (!Number.isFinite(box[side])) problems.push(`${side} must be a number of degrees`)
  }
  if (problems.length > 0) return problems
  if (Math.abs(box.south) > 90 || Math.abs(box.north) > 90) problems.push('south and north must be between -90 and 90')
  if (Math.abs(box.west) > 180 || Math.abs(box.east) > 180) problems.push('west and east must be between -180 and 180')
  if (box.west >= box.east) problems.push('west must be less than east')
  if (box.south >= box.north) problems.push('south must be less than north')
  if (box.east - box.west > widestViewDegrees || box.north - box.south > widestViewDegrees) problems.push(`the view must be at most ${widestViewDegrees} degree across`)
  return problems
}
