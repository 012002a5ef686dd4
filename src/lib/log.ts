import pino, { type Logger } from 'pino'

/**
 * Logs carry no personal data: request logs record method, route and status only, and any
 * field that might hold personal data is redacted if it is ever passed in.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: ['email', 'password', 'mobile', 'name', 'address', '*.email', '*.password', '*.mobile', 'req.headers.cookie', 'req.headers.authorization'],
      censor: '[redacted]',
    },
    serializers: {
      req: (request: { method: string; routeOptions?: { url?: string }; url: string; id: string }) => ({
        id: request.id,
        method: request.method,
        route: request.routeOptions?.url ?? 'unmatched',
      }),
      res: (reply: { statusCode: number }) => ({ statusCode: reply.statusCode }),
    },
  })
}

export type { Logger }
