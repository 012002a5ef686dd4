import type { FastifyInstance } from 'fastify'
import * as cheerio from 'cheerio'

export interface AgentResponse {
  status: number
  headers: Record<string, string | string[] | number | undefined>
  body: string
  /** The page parsed, for finding headings, error messages and links. */
  page: cheerio.CheerioAPI
  location: string | undefined
}

/**
 * A person's browser without the browser: keeps cookies between requests and fills in the CSRF
 * token from the form it last fetched, so a test posts forms exactly as the pages do.
 */
export class Agent {
  private cookies = new Map<string, string>()
  private lastCsrfToken: string | undefined

  constructor(private app: FastifyInstance) {}

  cookie(name: string): string | undefined {
    return this.cookies.get(name)
  }

  /** Sets a cookie as if the site had, e.g. a session a test created directly in the database. */
  setCookie(name: string, value: string) {
    this.cookies.set(name, value)
  }

  private remember(setCookie: string | string[] | undefined) {
    for (const header of [setCookie ?? []].flat()) {
      const [pair] = header.split(';')
      const [name, ...value] = pair!.split('=')
      if (/expires=Thu, 01 Jan 1970/i.test(header) || value.join('=') === '') this.cookies.delete(name!.trim())
      else this.cookies.set(name!.trim(), value.join('='))
    }
  }

  private cookieHeader() {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }

  private wrap(response: { statusCode: number; headers: AgentResponse['headers']; body: string }): AgentResponse {
    this.remember(response.headers['set-cookie'] as string | string[] | undefined)
    const page = cheerio.load(response.body)
    const token = page('input[name="_csrf"]').first().attr('value')
    if (token) this.lastCsrfToken = token
    return {
      status: response.statusCode,
      headers: response.headers,
      body: response.body,
      page,
      location: response.headers.location as string | undefined,
    }
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<AgentResponse> {
    const response = await this.app.inject({ method: 'GET', url, headers: { cookie: this.cookieHeader(), ...headers } })
    return this.wrap(response)
  }

  /** Posts a form as the page would, with the CSRF token from the last page fetched. */
  async post(url: string, fields: Record<string, string | string[]> = {}, options: { csrf?: string | null } = {}): Promise<AgentResponse> {
    const csrf = options.csrf === undefined ? this.lastCsrfToken : options.csrf
    const form = new URLSearchParams()
    for (const [name, value] of Object.entries(fields)) for (const item of [value].flat()) form.append(name, item)
    if (csrf !== null && csrf !== undefined) form.append('_csrf', csrf)
    const response = await this.app.inject({
      method: 'POST',
      url,
      headers: { cookie: this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
      payload: form.toString(),
    })
    return this.wrap(response)
  }

  /** Fetches the form page, then submits it: the usual way a person fills in a form. */
  async submit(formUrl: string, fields: Record<string, string | string[]>, action = formUrl): Promise<AgentResponse> {
    await this.get(formUrl)
    return this.post(action, fields)
  }

  /** Follows a redirect response to its page. */
  async follow(response: AgentResponse): Promise<AgentResponse> {
    if (!response.location) throw new Error(`Expected a redirect but got ${response.status}`)
    return this.get(response.location)
  }
}

/** The text of the GOV.UK error summary's items, in order. */
export function errorSummary(response: AgentResponse): string[] {
  return response.page('.govuk-error-summary__list li').map((_, item) => response.page(item).text().trim()).get()
}
