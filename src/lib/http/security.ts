import type { FastifyInstance } from 'fastify'
import fastifyPlugin from 'fastify-plugin'
import helmet from '@fastify/helmet'
import csrfProtection from '@fastify/csrf-protection'

export interface SecurityOptions {
  secureCookies: boolean
  /** Extra origins pages may load images from (map tiles, later). */
  imageSources?: string[]
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** False for machine-to-machine routes, which authenticate their callers another way. */
    csrf?: boolean
  }
}

const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

export const csrfCookieName = 'guildhall_csrf'

/**
 * Security headers with a strict Content-Security-Policy: scripts run only from our own origin or
 * with this response's nonce, and no inline styles at all.
 */
async function security(app: FastifyInstance, options: SecurityOptions) {
  await app.register(helmet, {
    enableCSPNonces: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', ...(options.imageSources ?? [])],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        ...(options.secureCookies ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    hsts: options.secureCookies ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'same-origin' },
    // The same rule as frame-ancestors 'none', for browsers that only know the older header.
    frameguard: { action: 'deny' },
    crossOriginEmbedderPolicy: false,
  })

  app.addHook('onRequest', async (_request, reply) => {
    reply.locals.cspNonce = reply.cspNonce.script
  })

  await app.register(csrfProtection, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: csrfCookieName,
    cookieOpts: { path: '/', httpOnly: true, sameSite: 'lax', secure: options.secureCookies, signed: true },
  })

  // Every form in the site is protected. Machine-to-machine routes (APIs, provider callbacks)
  // opt out with `config: { csrf: false }` and authenticate their callers another way. An address
  // with no route has nothing to protect, and is answered "not found" as it is.
  app.addHook('preHandler', (request, reply, done) => {
    if (!unsafeMethods.has(request.method) || request.is404 || request.routeOptions.config.csrf === false) return done()
    app.csrfProtection(request, reply, done)
  })
}

export const securityPlugin = fastifyPlugin(security, {
  name: 'security',
  dependencies: ['@fastify/cookie', 'views'],
})
