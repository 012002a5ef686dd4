import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { DomainError, InvalidInput, TooManyAttempts } from '../../lib/errors.ts'

/** An error in RFC 9457's terms, which every JSON API error is sent as. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail ?? title)
  }
}

const titles: Record<number, string> = {
  400: 'Invalid input',
  401: 'Sign-in needed',
  403: 'Not allowed',
  404: 'Not found',
  409: 'Conflict',
  412: 'Changed since you read it',
  413: 'Too large',
  415: 'Unsupported body',
  422: 'Idempotency key reused',
  429: 'Too many requests',
}

export function sendProblem(reply: FastifyReply, status: number, title: string, detail?: string, extra: Record<string, unknown> = {}) {
  return reply
    .code(status)
    .type('application/problem+json')
    .send({ type: 'about:blank', title, status, ...(detail ? { detail } : {}), ...extra })
}

/** A method and path the API does not have. */
export function sendNoSuchRoute(request: FastifyRequest, reply: FastifyReply) {
  return sendProblem(reply, 404, titles[404]!, `There is no ${request.method} ${request.url.split('?')[0]} in the API; see /api/v1/openapi.json`)
}

/** Every error below the API's routes, as problem+json: what went wrong and, for input, which field. */
export function apiErrorHandler(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof ApiProblem) return sendProblem(reply, error.status, error.title, error.detail, error.extra)
  if (error instanceof TooManyAttempts) {
    reply.header('retry-after', Math.max(1, Math.ceil((error.retryAt.getTime() - Date.now()) / 1000)))
    return sendProblem(reply, 429, titles[429]!, error.message)
  }
  if (error instanceof InvalidInput) return sendProblem(reply, 400, titles[400]!, error.message, { errors: error.fields })
  if (error instanceof DomainError) return sendProblem(reply, error.statusCode, titles[error.statusCode] ?? 'Refused', error.message)
  const statusCode = (error as FastifyError).statusCode
  if ((error as FastifyError).validation) return sendProblem(reply, 400, titles[400]!, error.message)
  if (statusCode && statusCode >= 400 && statusCode < 500) return sendProblem(reply, statusCode, titles[statusCode] ?? 'Refused', error.message)
  request.log.error({ err: error }, 'unhandled error in the JSON API')
  return sendProblem(reply, 500, 'Something went wrong on our side', 'Try again later')
}
