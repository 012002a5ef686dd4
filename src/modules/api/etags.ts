import { createHash } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'

/** The entity tag of a body: the same body always has the same tag, whichever instance sends it. */
export function etagOf(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`
}

function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false
  if (header.trim() === '*') return true
  return header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === etag)
}

/**
 * Every successful GET carries an ETag; a client that sends it back as If-None-Match is told
 * "not modified" without the body, which saves an app on a slow connection from reading it again.
 */
export function withEtag(request: FastifyRequest, reply: FastifyReply, payload: unknown): unknown {
  if (request.method !== 'GET' || reply.statusCode !== 200 || typeof payload !== 'string') return payload
  const etag = etagOf(payload)
  reply.header('etag', etag)
  reply.header('cache-control', 'private, no-cache')
  if (matches(request.headers['if-none-match'], etag)) {
    reply.code(304)
    return ''
  }
  return payload
}
