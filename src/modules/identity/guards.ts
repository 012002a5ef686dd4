import type { FastifyReply, FastifyRequest } from 'fastify'

/**
 * A route guard for pages that belong to a signed-in resident: anyone else is sent to sign in
 * and brought back afterwards.
 */
export async function requireResident(request: FastifyRequest, reply: FastifyReply) {
  if (request.session.principal?.kind === 'resident') return
  const returnTo = request.method === 'GET' ? request.url : '/account'
  return reply.redirect(`/sign-in?returnTo=${encodeURIComponent(returnTo)}`)
}

/** The signed-in resident's person id; only call behind requireResident. */
export function residentId(request: FastifyRequest): string {
  const principal = request.session.principal
  if (principal?.kind !== 'resident') throw new Error('residentId called without requireResident')
  return principal.id
}
