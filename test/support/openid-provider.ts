import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { generateKeyPairSync, randomBytes, type JsonWebKey } from 'node:crypto'
import type { AddressInfo } from 'node:net'

/**
 * A real OpenID Connect provider (oidc-provider) run locally, standing in for GOV.UK One Login or
 * the council's staff directory. Its sign-in page is deliberately plain: a person, or a test, types
 * the email of one of the accounts the test has added and the provider signs that account in.
 */

export interface TestAccount {
  subject: string
  email: string
  emailVerified?: boolean
  name?: string
}

/** A client that authenticates with a shared secret, or with a JWT signed by one of its private keys. */
export type TestClient = { clientId: string; redirectUris: string[] } & ({ clientSecret: string } | { publicKeys: JsonWebKey[] })

export interface LocalOpenIdProvider {
  issuer: string
  addAccount(account: TestAccount): void
  /**
   * Follows an authorization URL through the provider's pages, signing in as the account with this
   * email, and returns the URL the provider sends the browser back to (our callback, with its code).
   */
  signIn(authorizationUrl: string, email: string): Promise<URL>
  close(): Promise<void>
}

// oidc-provider ships no type declarations; these are the few parts used here.
interface InteractionDetails {
  uid: string
  params: { client_id: string; scope?: string }
  prompt: { name: string; details: { missingOIDCScope?: string[]; missingOIDCClaims?: string[] } }
}
interface Grant {
  addOIDCScope(scope: string): void
  addOIDCClaims(claims: string[]): void
  save(): Promise<string>
}
interface Provider {
  callback(): (request: IncomingMessage, response: ServerResponse) => void
  interactionDetails(request: IncomingMessage, response: ServerResponse): Promise<InteractionDetails>
  interactionFinished(request: IncomingMessage, response: ServerResponse, result: Record<string, unknown>, options?: { mergeWithLastSubmission: boolean }): Promise<void>
  Grant: new (properties: { accountId: string; clientId: string }) => Grant
}
type ProviderConstructor = new (issuer: string, configuration: Record<string, unknown>) => Provider

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`)

function signInPage(uid: string, problem?: string) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test identity provider</title></head>
<body><main><h1>Test identity provider</h1>
${problem ? `<p role="alert">${escapeHtml(problem)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}">
<label for="email">Email address</label> <input id="email" name="email" type="email">
<button type="submit">Continue</button></form></main></body></html>`
}

async function formFields(request: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
}

export async function startOpenIdProvider({ clients }: { clients: TestClient[] }): Promise<LocalOpenIdProvider> {
  const { default: Provider } = (await import('oidc-provider' as string)) as { default: ProviderConstructor }
  const accounts = new Map<string, TestAccount>()
  const bySubject = () => new Map([...accounts.values()].map((account) => [account.subject, account]))

  const server: Server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' })
  const provider = new Provider(issuer, {
    clients: clients.map((client) => ({
      client_id: client.clientId,
      redirect_uris: client.redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      ...('clientSecret' in client
        ? { client_secret: client.clientSecret, token_endpoint_auth_method: 'client_secret_post' }
        : { jwks: { keys: client.publicKeys }, token_endpoint_auth_method: 'private_key_jwt' }),
    })),
    jwks: { keys: [{ ...signingKey, kid: 'test-signing-key', use: 'sig', alg: 'RS256' }] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    features: { devInteractions: { enabled: false } },
    pkce: { required: () => true },
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 600, IdToken: 600, Interaction: 600, Session: 600 },
    interactions: { url: (_context: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    async findAccount(_context: unknown, subject: string) {
      const account = bySubject().get(subject)
      if (!account) return undefined
      return {
        accountId: subject,
        async claims() {
          return { sub: subject, email: account.email, email_verified: account.emailVerified ?? true, name: account.name ?? account.email }
        },
      }
    },
  })

  const providerCallback = provider.callback()
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', issuer)
    const interaction = /^\/interaction\/([\w-]+)$/.exec(url.pathname)
    if (!interaction) return providerCallback(request, response)
    void (async () => {
      try {
        const details = await provider.interactionDetails(request, response)
        if (request.method === 'GET') {
          response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(signInPage(details.uid))
          return
        }
        const email = (await formFields(request)).get('email')?.trim().toLowerCase() ?? ''
        const account = accounts.get(email)
        if (!account) {
          response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(signInPage(details.uid, 'No test account has that email address.'))
          return
        }
        // The test provider consents on the person's behalf to everything the client asked for.
        const grant = new provider.Grant({ accountId: account.subject, clientId: details.params.client_id })
        grant.addOIDCScope(details.params.scope ?? 'openid')
        if (details.prompt.details.missingOIDCClaims) grant.addOIDCClaims(details.prompt.details.missingOIDCClaims)
        const grantId = await grant.save()
        await provider.interactionFinished(request, response, { login: { accountId: account.subject }, consent: { grantId } }, { mergeWithLastSubmission: false })
      } catch (error) {
        response.writeHead(500, { 'content-type': 'text/plain' }).end(String(error))
      }
    })()
  })

  return {
    issuer,
    addAccount(account) {
      accounts.set(account.email.toLowerCase(), account)
    },
    async signIn(authorizationUrl, email) {
      const cookies = new Map<string, string>()
      const send = async (url: string, init: RequestInit = {}) => {
        const response = await fetch(url, {
          ...init,
          redirect: 'manual',
          headers: { ...(init.headers as Record<string, string>), cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') },
        })
        for (const header of response.headers.getSetCookie()) {
          const [pair] = header.split(';')
          const separator = pair!.indexOf('=')
          cookies.set(pair!.slice(0, separator).trim(), pair!.slice(separator + 1))
        }
        return response
      }
      let url = authorizationUrl
      for (let step = 0; step < 10; step++) {
        if (!url.startsWith(issuer)) return new URL(url)
        const response = await send(url)
        if (response.status >= 300 && response.status < 400) {
          url = new URL(response.headers.get('location')!, url).href
          continue
        }
        const interaction = /^\/interaction\/([\w-]+)$/.exec(new URL(url).pathname)
        if (response.status !== 200 || !interaction) throw new Error(`The provider answered ${response.status}: ${await response.text()}`)
        const submitted = await send(url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ email }).toString(),
        })
        if (submitted.status !== 303) throw new Error(`The provider refused ${email}: ${await submitted.text()}`)
        url = new URL(submitted.headers.get('location')!, url).href
      }
      throw new Error('The provider redirected too many times')
    },
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
