import type { FastifyReply, FastifyRequest } from 'fastify'

/** Someone reporting without an account, as their session remembers them. */
export interface Guest {
  personId: string
  channel: 'email' | 'sms'
  /** The email address or mobile number the confirmation goes to. */
  recipient: string
}

/** The form a guest sent and has still to confirm, for the page that asks for the texted code. */
export interface GuestHeld {
  id: string
  code: string
}

export function guestOf(request: FastifyRequest): Guest | undefined {
  return request.session.get<Guest>('guest')
}

/** Sends anyone who has not said how to reach them to the page that asks. */
export async function requireGuest(request: FastifyRequest, reply: FastifyReply) {
  if (guestOf(request)) return
  const { code } = request.params as { code?: string }
  return reply.redirect(`/services/${encodeURIComponent(code ?? '')}/guest`, 303)
}
