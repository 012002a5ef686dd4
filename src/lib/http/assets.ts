import path from 'node:path'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance } from 'fastify'
import fastifyStatic from '@fastify/static'
import type { Config } from '../../config.ts'

const require = createRequire(import.meta.url)
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
const govukFrontend = path.join(path.dirname(require.resolve('govuk-frontend/package.json')), 'dist', 'govuk')

/** Darkens a #rrggbb colour, for the header's bottom border. */
export function darken(hex: string, amount: number): string {
  const channels = [1, 3, 5].map((start) => parseInt(hex.slice(start, start + 2), 16))
  return `#${channels.map((value) => Math.round(value * (1 - amount)).toString(16).padStart(2, '0')).join('')}`
}

/** Serves our own assets and GOV.UK Frontend's from this app: no CDN, nothing fetched elsewhere. */
export async function assetsPlugin(app: FastifyInstance, { config }: { config: Config }) {
  const maxAge = config.environment === 'production' ? 86_400_000 : 0
  await app.register(fastifyStatic, { root: path.join(root, 'public'), prefix: '/public/', maxAge })
  await app.register(fastifyStatic, {
    root: path.join(govukFrontend, 'assets'),
    prefix: '/assets/',
    decorateReply: false,
    maxAge,
  })
  await app.register(fastifyStatic, {
    root: govukFrontend,
    prefix: '/govuk-frontend/',
    decorateReply: false,
    allowedPath: (pathName) => pathName === '/govuk-frontend.min.js',
    maxAge,
  })

  // Leaflet draws the maps where people mark a place; only the files the map needs are served.
  await app.register(fastifyStatic, {
    root: path.join(root, 'node_modules', 'leaflet', 'dist'),
    prefix: '/leaflet/',
    decorateReply: false,
    allowedPath: (pathName) => pathName === '/leaflet-src.esm.js' || pathName === '/leaflet.css' || pathName.startsWith('/images/'),
    maxAge,
  })

  const theme = `:root{--app-brand-colour:${config.council.brandColour};--app-brand-colour-dark:${darken(config.council.brandColour, 0.35)}}`
  app.get('/public/theme.css', async (_request, reply) => reply.type('text/css').header('cache-control', 'public, max-age=3600').send(theme))
}
