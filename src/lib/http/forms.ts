import type { FastifyRequest } from 'fastify'

/** One field of a posted form as text: the first of several, and empty when it was not sent. */
export function formField(request: FastifyRequest, name: string): string {
  const value = (request.body as Record<string, unknown> | undefined)?.[name]
  if (Array.isArray(value)) return typeof value[0] === 'string' ? value[0] : ''
  return typeof value === 'string' ? value : ''
}

/** Every value of a repeated field, such as a group of checkboxes; none when it was not sent. */
export function formFields(request: FastifyRequest, name: string): string[] {
  const value = (request.body as Record<string, unknown> | undefined)?.[name]
  const values = Array.isArray(value) ? value : [value]
  return values.filter((item): item is string => typeof item === 'string' && item !== '')
}

/** The message a page left for the next page to show once, after a redirect. */
export function takeFlash(request: FastifyRequest, key: string): string | undefined {
  const message = request.session.get<string>(key)
  if (message) request.session.delete(key)
  return message
}
