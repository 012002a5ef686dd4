import { randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import * as cheerio from 'cheerio'
import sharp from 'sharp'
import { csrfCookieName } from '../../src/lib/http/security.ts'
import type { Agent, AgentResponse } from './agent.ts'
import { sessionCookie } from './sessions.ts'

export interface UploadedFile {
  name: string
  filename: string
  type: string
  data: Buffer
}

/** A multipart form as a browser sends it, with the fields first and any files after. */
export function multipartForm(fields: Record<string, string>, files: UploadedFile[]) {
  const boundary = `----form${randomBytes(8).toString('hex')}`
  const parts: Buffer[] = []
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`))
  }
  for (const file of files) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.name}"; filename="${file.filename}"\r\nContent-Type: ${file.type}\r\n\r\n`))
    parts.push(file.data, Buffer.from('\r\n'))
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`))
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` }
}

/** Sends a multipart form with the agent's cookies, exactly the fields given, as a browser sends a file upload. */
export async function postMultipart(app: FastifyInstance, agent: Agent, action: string, fields: Record<string, string>, files: UploadedFile[]): Promise<AgentResponse> {
  const body = multipartForm(fields, files)
  const cookie = [sessionCookie, csrfCookieName].flatMap((name) => (agent.cookie(name) ? [`${name}=${agent.cookie(name)}`] : [])).join('; ')
  const response = await app.inject({ method: 'POST', url: action, payload: body.payload, headers: { 'content-type': body.contentType, cookie } })
  return {
    status: response.statusCode,
    headers: response.headers,
    body: response.body,
    page: cheerio.load(response.body),
    location: response.headers.location as string | undefined,
  }
}

/**
 * Fetches the form page, then sends the form with files as the browser would, with the page's
 * CSRF token and the agent's cookies.
 */
export async function submitMultipart(
  app: FastifyInstance,
  agent: Agent,
  pageUrl: string,
  action: string,
  fields: Record<string, string>,
  files: UploadedFile[],
): Promise<AgentResponse> {
  const page = await agent.get(pageUrl)
  const csrf = page.page('input[name="_csrf"]').first().attr('value')
  if (!csrf) throw new Error(`${pageUrl} has no form with a CSRF token`)
  return postMultipart(app, agent, action, { _csrf: csrf, ...fields }, files)
}

/** A small real picture, in one colour, as a phone or camera might send it. */
export function pictureOf(colour: string, format: 'png' | 'jpeg' = 'png'): Promise<Buffer> {
  const picture = sharp({ create: { width: 48, height: 36, channels: 3, background: colour } })
  return (format === 'png' ? picture.png() : picture.jpeg()).toBuffer()
}

export const photoFile = (data: Buffer, filename = 'photo.png', type = 'image/png'): UploadedFile => ({ name: 'photos', filename, type, data })
