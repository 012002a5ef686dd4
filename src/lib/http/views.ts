import path from 'node:path'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance, FastifyReply } from 'fastify'
import fastifyPlugin from 'fastify-plugin'
import nunjucks from 'nunjucks'
import type { Config } from '../../config.ts'
import { translator, type Translate } from '../i18n/index.ts'
import type { FieldErrors } from '../errors.ts'
import { ukTimeOfDayText, ukWallClock } from '../calendar/index.ts'

const require = createRequire(import.meta.url)
const sourceRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const govukFrontend = path.dirname(require.resolve('govuk-frontend/package.json'))

export interface NavigationItem {
  href: string
  text: string
}

/** What every page needs besides its own context; filled in by hooks as the request passes. */
export interface PageLocals {
  cspNonce: string
  serviceNavigation: NavigationItem[]
  currentPath: string
  [name: string]: unknown
}

declare module 'fastify' {
  interface FastifyReply {
    locals: PageLocals
    view(template: string, context?: Record<string, unknown>): FastifyReply
  }
  interface FastifyRequest {
    t: Translate
  }
}

export function createTemplateEnvironment(config: Config) {
  const environment = nunjucks.configure(
    [path.join(sourceRoot, 'views'), path.join(sourceRoot, 'modules'), path.join(govukFrontend, 'dist')],
    { autoescape: true, throwOnUndefined: false, noCache: config.environment === 'development' },
  )
  environment.addGlobal('council', config.council)
  environment.addGlobal('demoMode', config.demoMode)
  environment.addFilter('errorSummary', errorSummaryItems)
  environment.addFilter('fieldError', (errors: FieldErrors | undefined, field: string) =>
    errors?.[field] ? { text: errors[field] } : undefined,
  )
  environment.addFilter('navigationItems', (items: NavigationItem[], currentPath: string) => {
    // Only the most specific match is active, so "Staff home" at /staff is not lit on /staff/roles.
    const matches = (href: string | undefined) =>
      href !== undefined && (href === '/' ? currentPath === '/' : currentPath === href || currentPath.startsWith(`${href}/`))
    const active = items.filter((item) => matches(item.href)).sort((a, b) => b.href.length - a.href.length)[0]
    return items.map((item) => ({ ...item, active: item === active }))
  })
  // Options for govukSelect from { code, name } pairs, with the chosen one selected.
  environment.addFilter('selectItems', (options: { code: string; name: string }[], selected: string | undefined) =>
    options.map((option) => ({ value: option.code, text: option.name, selected: option.code === selected })),
  )
  environment.addFilter('date', (value: Date | string | null | undefined) => formatDate(value))
  environment.addFilter('dateTime', (value: Date | string | null | undefined) => formatDateTime(value))
  environment.addFilter('deadline', (value: Date | null | undefined) => formatDeadline(value))
  return environment
}

function errorSummaryItems(errors: FieldErrors | undefined) {
  return Object.entries(errors ?? {}).map(([field, text]) => ({ text, href: `#${field}` }))
}

const ukDate = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' })
export function formatDate(value: Date | string | null | undefined): string {
  if (!value) return ''
  const date = typeof value === 'string' ? new Date(`${value.slice(0, 10)}T12:00:00Z`) : value
  return ukDate.format(date)
}

/** "23 November 2026 at 2:45pm", in UK time. */
export function formatDateTime(value: Date | string | null | undefined): string {
  if (!value) return ''
  const moment = typeof value === 'string' ? new Date(value) : value
  return `${ukDate.format(moment)} at ${ukTimeOfDayText(moment)}`
}

/**
 * A deadline as a person reads it: one that falls at midnight is the end of the day before
 * ("End of 4 December 2026"), not the first moment of the next.
 */
export function formatDeadline(value: Date | null | undefined): string {
  if (!value) return ''
  if (ukWallClock(value).minutes !== 0) return formatDateTime(value)
  return `End of ${ukDate.format(new Date(value.getTime() - 1))}`
}

const pageTokens = new WeakMap<FastifyReply, string>()

/**
 * One CSRF token for every form on a page. A visitor without the CSRF cookie yet would otherwise get
 * a fresh secret, and a cookie overwriting the last, for each form, so all but one form would fail.
 */
export function csrfTokenFor(reply: FastifyReply): string {
  let token = pageTokens.get(reply)
  if (!token) {
    token = reply.generateCsrf()
    pageTokens.set(reply, token)
  }
  return token
}

async function views(app: FastifyInstance, { config }: { config: Config }) {
  const environment = createTemplateEnvironment(config)
  const english = translator('en')
  environment.addGlobal('t', english)

  app.decorateRequest('t', null as unknown as Translate)
  app.decorateReply('locals', null as unknown as PageLocals)
  app.addHook('onRequest', async (request, reply) => {
    request.t = english
    reply.locals = { cspNonce: '', serviceNavigation: [], currentPath: request.url.split('?')[0] ?? '/' }
  })

  app.decorateReply('view', function (this: FastifyReply, template: string, context: Record<string, unknown> = {}) {
    const html = environment.render(template, {
      ...this.locals,
      t: this.request.t,
      csrfToken: () => csrfTokenFor(this),
      ...context,
    })
    return this.type('text/html; charset=utf-8').send(html)
  })
}

export const viewsPlugin = fastifyPlugin(views, { name: 'views' })
