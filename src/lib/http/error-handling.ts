import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fastifyPlugin from 'fastify-plugin'
import { DomainError, InvalidInput, TooManyAttempts } from '../errors.ts'

const wantsJson = (request: FastifyRequest) =>
  request.url.startsWith('/api/') || request.url === '/health' || request.headers.accept === 'application/json'

function problem(reply: FastifyReply, status: number, title: string, extra: Record<string, unknown> = {}) {
  return reply.code(status).type('application/problem+json').send({ type: 'about:blank', title, status, ...extra })
}

/**
 * The one place errors become HTTP responses: a GOV.UK-style page for people, a problem+json
 * body for machines. Nobody ever sees a stack trace.
 */
async function errorHandling(app: FastifyInstance) {
  app.setNotFoundHandler((request, reply) => {
    if (wantsJson(request)) return problem(reply, 404, 'Not found')
    return reply.code(404).view('errors/not-found.njk')
  })

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof TooManyAttempts) {
      reply.header('retry-after', Math.max(1, Math.ceil((error.retryAt.getTime() - Date.now()) / 1000)))
    }
    if (error instanceof InvalidInput && wantsJson(request)) {
      return problem(reply, 400, 'Invalid input', { errors: error.fields })
    }
    if (error instanceof DomainError) {
      if (wantsJson(request)) return problem(reply, error.statusCode, error.message)
      return reply.code(error.statusCode).view('errors/problem.njk', { statusCode: error.statusCode, message: error.message })
    }
    if (error.code === 'FST_CSRF_INVALID_TOKEN' || error.code === 'FST_CSRF_MISSING_SECRET') {
      if (wantsJson(request)) return problem(reply, 403, 'The form was out of date; reload it and try again')
      return reply.code(403).view('errors/form-expired.njk')
    }
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500
    if (status === 500) {
      request.log.error({ err: error }, 'unhandled error')
      if (wantsJson(request)) return problem(reply, 500, 'Something went wrong on our side')
      return reply.code(500).view('errors/server-error.njk')
    }
    if (wantsJson(request)) return problem(reply, status, error.message)
    return reply.code(status).view('errors/problem.njk', { statusCode: status, message: request.t('errors.badRequest') })
  })
}

export const errorHandlingPlugin = fastifyPlugin(errorHandling, { name: 'error-handling', dependencies: ['views'] })
