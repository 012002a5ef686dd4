import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { createTestApp, type TestApp } from './app.ts'

/**
 * A local stand-in for GOV.UK Notify that speaks its real v2 API, so the real client library can
 * be tested against it: JWT authentication, sending texts, emails and letters, listing and
 * fetching notifications, faults on demand, and delivery receipts sent back to a callback URL.
 */

export type NotificationType = 'sms' | 'email' | 'letter'
export type DeliveryStatus = 'delivered' | 'permanent-failure' | 'temporary-failure' | 'technical-failure'

export interface StubTemplate {
  id: string
  type: NotificationType
  body: string
  subject?: string
}

export interface StubNotification {
  id: string
  reference: string | null
  type: NotificationType
  templateId: string
  /** The phone number, the email address, or a letter's address lines joined by newlines. */
  recipient: string
  personalisation: Record<string, string>
  /** The one-click unsubscribe address an email was sent with, which Notify turns into List-Unsubscribe headers. */
  oneClickUnsubscribeUrl: string | null
  status: string
  createdAt: string
  completedAt: string | null
}

/**
 * What the stub does with one call: answer late, never answer (before or after accepting a
 * message, so a client cannot tell which), or answer with an error status.
 */
export type Fault =
  | { kind: 'delay'; milliseconds: number }
  | { kind: 'hang' }
  | { kind: 'accept-then-hang' }
  | { kind: 'status'; status: 403 | 429 | 500 }

export interface StubCall {
  method: string
  path: string
}

export interface NotifyStub {
  baseUrl: string
  serviceId: string
  /** An API key in Notify's format, `{key_name}-{service_id}-{secret}`. */
  apiKey: string
  templates: StubTemplate[]
  notifications: StubNotification[]
  /** Every call received, answered or not. */
  calls: StubCall[]
  /** The faults for the next calls, one each, in order. */
  queueFaults(...faults: Fault[]): void
  /** Decides a fault for every call once the queued ones are used up; undefined answers normally. */
  setFaultPolicy(policy: ((call: StubCall) => Fault | undefined) | undefined): void
  sendDeliveryReceipt(notificationId: string, status: DeliveryStatus, callback: { url: string; bearerToken: string }): Promise<Response>
  /** The environment that points Guildhall at this stub, with the stub's template for each message type. */
  environmentFor(templateFor: Record<string, StubTemplate>): Record<string, string>
  close(): Promise<void>
}

const tokenLeewaySeconds = 30

function base64UrlJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'))
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/** Checks a bearer token as Notify does: HS256 with the key's secret, iss the service, iat recent. */
function authenticationProblem(header: string | undefined, serviceId: string, secret: string): string | undefined {
  const token = /^Bearer (.+)$/.exec(header ?? '')?.[1]
  if (!token) return 'Unauthorized: authentication token must be provided'
  const [encodedHeader, encodedClaims, signature] = token.split('.')
  if (!encodedHeader || !encodedClaims || !signature) return 'Invalid token: signature, api token not found'
  if (base64UrlJson(encodedHeader)?.alg !== 'HS256') return 'Invalid token: algorithm used is not HS256'
  const expected = createHmac('sha256', secret).update(`${encodedHeader}.${encodedClaims}`).digest()
  const given = Buffer.from(signature, 'base64url')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'Invalid token: signature, api token not found'
  const claims = base64UrlJson(encodedClaims)
  if (claims?.iss !== serviceId) return 'Invalid token: service not found'
  if (typeof claims.iat !== 'number' || Math.abs(Date.now() / 1000 - claims.iat) > tokenLeewaySeconds) {
    return 'Error: Your system clock must be accurate to within 30 seconds'
  }
  return undefined
}

function errorBody(status: number, error: string, message: string) {
  return { status_code: status, errors: [{ error, message }] }
}

const mostAddressLines = 7
const ukPostcode = /^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$/i

/**
 * A letter's address from its personalisation as Notify reads it (address_line_1 to _7, blank
 * lines skipped), or the message of the ValidationError Notify answers with.
 */
function letterAddress(personalisation: Record<string, unknown>): string[] | { problem: string } {
  if (typeof personalisation.address_line_1 !== 'string') return { problem: 'personalisation address_line_1 is a required property' }
  const lines = Array.from({ length: mostAddressLines }, (_unused, index) => personalisation[`address_line_${index + 1}`])
    .filter((line): line is string => typeof line === 'string')
    .flatMap((line) => line.split('\n'))
    .map((line) => line.trim())
    .filter((line) => line !== '')
  if (lines.length < 3) return { problem: 'Address must be at least 3 lines' }
  if (lines.length > mostAddressLines) return { problem: 'Address must be no more than 7 lines' }
  if (!ukPostcode.test(lines.at(-1)!)) return { problem: 'Must be a real UK postcode' }
  return lines
}

/** Why Notify refuses a send request: BadRequestError unless another error is named. */
interface Refusal {
  error?: string
  problem: string
}

const faultAnswers: Record<403 | 429 | 500, [string, string]> = {
  403: ['AuthError', 'Invalid token: API key not found'],
  429: ['RateLimitError', 'Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds'],
  500: ['Exception', 'Internal server error'],
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    return undefined
  }
}

export async function startNotifyStub(options: { templates: StubTemplate[] }): Promise<NotifyStub> {
  const serviceId = randomUUID()
  const secret = randomUUID()
  const notifications: StubNotification[] = []
  const calls: StubCall[] = []
  const queuedFaults: Fault[] = []
  let faultPolicy: ((call: StubCall) => Fault | undefined) | undefined
  const sockets = new Set<Socket>()
  let baseUrl = ''

  function json(response: ServerResponse, status: number, body: unknown) {
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
  }

  /** Where a notification went, in the fields Notify names: a letter's address as line_1 to line_7. */
  function destination(notification: StubNotification) {
    if (notification.type === 'sms') return { phone_number: notification.recipient }
    if (notification.type === 'email') return { email_address: notification.recipient }
    const lines = notification.recipient.split('\n')
    return Object.fromEntries(Array.from({ length: mostAddressLines }, (_unused, index) => [`line_${index + 1}`, lines[index] ?? null]))
  }

  function describe(notification: StubNotification) {
    return {
      id: notification.id,
      reference: notification.reference,
      type: notification.type,
      status: notification.status,
      template: { id: notification.templateId, version: 1, uri: `${baseUrl}/v2/template/${notification.templateId}` },
      created_at: notification.createdAt,
      completed_at: notification.completedAt,
      ...destination(notification),
    }
  }

  /** Whom a send request is for, or why Notify refuses it: a letter's address is in its personalisation. */
  function recipientOf(type: NotificationType, fields: Record<string, unknown>): { recipient: string } | Refusal {
    if (type === 'letter') {
      const address = letterAddress((fields.personalisation ?? {}) as Record<string, unknown>)
      return 'problem' in address ? { error: 'ValidationError', problem: address.problem } : { recipient: address.join('\n') }
    }
    const field = type === 'sms' ? 'phone_number' : 'email_address'
    const recipient = fields[field]
    if (typeof recipient !== 'string' || recipient === '') return { problem: `${field} is a required property` }
    if (type === 'sms' && /[^\d\s()+-]/.test(recipient)) return { error: 'ValidationError', problem: 'phone_number Must not contain letters or symbols' }
    if (type === 'email' && !recipient.includes('@')) return { problem: 'email_address Not a valid email address' }
    return { recipient }
  }

  /** Records a new notification from a send request, or returns the 400 Notify would give. */
  function accept(type: NotificationType, body: unknown): StubNotification | Refusal {
    const fields = (body ?? {}) as Record<string, unknown>
    const template = options.templates.find((candidate) => candidate.id === fields.template_id)
    if (typeof fields.template_id !== 'string' || !template) return { problem: 'Template not found' }
    if (template.type !== type) return { problem: `${type} template is not suitable for ${template.type} notification` }
    const addressee = recipientOf(type, fields)
    if ('problem' in addressee) return addressee
    const { recipient } = addressee
    const notification: StubNotification = {
      id: randomUUID(),
      reference: typeof fields.reference === 'string' ? fields.reference : null,
      type,
      templateId: template.id,
      recipient,
      personalisation: (fields.personalisation ?? {}) as Record<string, string>,
      oneClickUnsubscribeUrl: typeof fields.one_click_unsubscribe_url === 'string' ? fields.one_click_unsubscribe_url : null,
      status: 'created',
      createdAt: new Date().toISOString(),
      completedAt: null,
    }
    notifications.push(notification)
    return notification
  }

  function render(text: string, personalisation: Record<string, string>) {
    return text.replace(/\(\(([^)]+)\)\)/g, (whole, name: string) => personalisation[name] ?? whole)
  }

  function sendResponse(notification: StubNotification) {
    const template = options.templates.find((candidate) => candidate.id === notification.templateId)!
    const body = render(template.body, notification.personalisation)
    const subject = render(template.subject ?? '', notification.personalisation)
    const common = {
      id: notification.id,
      reference: notification.reference,
      uri: `${baseUrl}/v2/notifications/${notification.id}`,
      template: { id: template.id, version: 1, uri: `${baseUrl}/v2/template/${template.id}` },
    }
    switch (notification.type) {
      case 'sms':
        return { ...common, content: { body, from_number: 'LWENDLE' } }
      case 'email':
        return { ...common, content: { body, subject, from_email: 'lower.wendle@notifications.service.gov.uk' } }
      case 'letter':
        return { ...common, content: { body, subject }, scheduled_for: null }
    }
  }

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const url = new URL(request.url ?? '/', 'http://stub')
    const call = { method: request.method ?? 'GET', path: url.pathname }
    calls.push(call)
    const fault = queuedFaults.shift() ?? faultPolicy?.(call)
    if (fault?.kind === 'hang') return
    if (fault?.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.milliseconds))
    if (fault?.kind === 'status') return json(response, fault.status, errorBody(fault.status, ...faultAnswers[fault.status]))

    const problem = authenticationProblem(request.headers.authorization, serviceId, secret)
    if (problem) return json(response, 403, errorBody(403, 'AuthError', problem))

    const send = /^\/v2\/notifications\/(sms|email|letter)$/.exec(url.pathname)
    if (request.method === 'POST' && send) {
      const outcome = accept(send[1] as NotificationType, await readJson(request))
      if ('problem' in outcome) return json(response, 400, errorBody(400, outcome.error ?? 'BadRequestError', outcome.problem))
      if (fault?.kind === 'accept-then-hang') return
      return json(response, 201, sendResponse(outcome))
    }
    if (request.method === 'GET' && url.pathname === '/v2/notifications') {
      const filters = { reference: url.searchParams.get('reference'), status: url.searchParams.get('status'), type: url.searchParams.get('template_type') }
      const found = notifications.filter(
        (notification) =>
          (!filters.reference || notification.reference === filters.reference) &&
          (!filters.status || notification.status === filters.status) &&
          (!filters.type || notification.type === filters.type),
      )
      return json(response, 200, { notifications: found.reverse().map(describe), links: { current: `${baseUrl}${url.pathname}${url.search}` } })
    }
    const single = /^\/v2\/notifications\/([0-9a-f-]{36})$/.exec(url.pathname)
    if (request.method === 'GET' && single) {
      const notification = notifications.find((candidate) => candidate.id === single[1])
      if (!notification) return json(response, 404, errorBody(404, 'NoResultFound', 'No result found'))
      return json(response, 200, describe(notification))
    }
    return json(response, 404, errorBody(404, 'NotFound', 'Not found'))
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => json(response, 500, errorBody(500, 'Exception', String(error))))
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  return {
    baseUrl,
    serviceId,
    apiKey: `guildhall_test-${serviceId}-${secret}`,
    templates: options.templates,
    notifications,
    calls,
    environmentFor: (templateFor) => ({
      NOTIFICATIONS_PROVIDER: 'notify',
      NOTIFY_API_KEY: `guildhall_test-${serviceId}-${secret}`,
      NOTIFY_BASE_URL: baseUrl,
      NOTIFY_TEMPLATE_IDS: JSON.stringify(Object.fromEntries(Object.entries(templateFor).map(([messageType, template]) => [messageType, template.id]))),
    }),
    queueFaults: (...faults) => queuedFaults.push(...faults),
    setFaultPolicy: (policy) => (faultPolicy = policy),
    async sendDeliveryReceipt(notificationId, status, callback) {
      const notification = notifications.find((candidate) => candidate.id === notificationId)
      if (!notification) throw new Error(`The stub has no notification ${notificationId}`)
      const now = new Date().toISOString()
      notification.status = status
      notification.completedAt = now
      return fetch(callback.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${callback.bearerToken}` },
        body: JSON.stringify({
          id: notification.id,
          reference: notification.reference,
          to: notification.recipient,
          status,
          created_at: notification.createdAt,
          completed_at: now,
          sent_at: now,
          notification_type: notification.type,
          template_id: notification.templateId,
          template_version: 1,
        }),
      })
    },
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/**
 * The real application with GOV.UK Notify as its message provider, pointed at a stub of its own
 * that holds a template for each message type named. Closing the application closes the stub.
 */
export async function createTestAppWithNotifyStub(
  templateFor: Record<string, StubTemplate>,
  environment: Record<string, string> = {},
): Promise<{ test: TestApp; stub: NotifyStub }> {
  const stub = await startNotifyStub({ templates: [...new Set(Object.values(templateFor))] })
  const test = await createTestApp({ environment: { ...stub.environmentFor(templateFor), NOTIFY_TIMEOUT_MS: '1000', ...environment } })
  const closeApp = test.close
  test.close = async () => {
    await closeApp()
    await stub.close()
  }
  return { test, stub }
}
