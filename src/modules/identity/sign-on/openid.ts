import { webcrypto } from 'node:crypto'
import * as openid from 'openid-client'
import type { AssertionAlgorithm, ClientAuthentication, OpenIdProviderConfig } from '../../../config.ts'

/** What the provider vouches for about the person who signed in. */
export interface OpenIdIdentity {
  subject: string
  email: string | undefined
  emailVerified: boolean
}

/** The one-time values of a sign-in in progress, kept in the person's session until the provider sends them back. */
export interface PendingSignIn {
  state: string
  nonce: string
  codeVerifier: string
}

export interface OpenIdClientOptions {
  provider: OpenIdProviderConfig
  scope: string
  /** Plain http issuers are for a provider run locally in development and tests, never production. */
  allowInsecureIssuer: boolean
}

const signingKeyParameters: Record<AssertionAlgorithm, webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams> = {
  RS256: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
  ES256: { name: 'ECDSA', namedCurve: 'P-256' },
  ES384: { name: 'ECDSA', namedCurve: 'P-384' },
  ES512: { name: 'ECDSA', namedCurve: 'P-521' },
}

/** How the client proves itself at the token endpoint: a secret in the form, or a signed JWT assertion. */
async function clientAuthentication(authentication: ClientAuthentication): Promise<openid.ClientAuth> {
  if (authentication.method === 'client-secret') return openid.ClientSecretPost(authentication.secret)
  // openid-client signs with WebCrypto keys; importing the PKCS#8 bytes works on every supported Node.
  const key = await webcrypto.subtle.importKey(
    'pkcs8',
    authentication.key.export({ type: 'pkcs8', format: 'der' }),
    signingKeyParameters[authentication.algorithm],
    false,
    ['sign'],
  )
  return openid.PrivateKeyJwt(key)
}

/**
 * An OpenID Connect relying party for one provider, using the authorization code flow with PKCE,
 * state and nonce. The provider's metadata is discovered on first use and kept; a failed discovery
 * is tried again on the next sign-in.
 */
export function createOpenIdClient({ provider, scope, allowInsecureIssuer }: OpenIdClientOptions) {
  let configuration: Promise<openid.Configuration> | undefined
  const insecure = new URL(provider.issuer).protocol === 'http:'

  function configure(): Promise<openid.Configuration> {
    configuration ??= clientAuthentication(provider.authentication)
      .then((authentication) =>
        openid.discovery(
          new URL(provider.issuer),
          provider.clientId,
          undefined,
          authentication,
          insecure && allowInsecureIssuer ? { execute: [openid.allowInsecureRequests], timeout: 10 } : { timeout: 10 },
        ),
      )
      .catch((error: unknown) => {
        configuration = undefined
        throw error
      })
    return configuration
  }

  return {
    /** Where to send the person to sign in, and what to remember until they come back. */
    async start(redirectUri: string): Promise<{ url: string; pending: PendingSignIn }> {
      const config = await configure()
      const pending: PendingSignIn = {
        state: openid.randomState(),
        nonce: openid.randomNonce(),
        codeVerifier: openid.randomPKCECodeVerifier(),
      }
      const url = openid.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope,
        state: pending.state,
        nonce: pending.nonce,
        code_challenge: await openid.calculatePKCECodeChallenge(pending.codeVerifier),
        code_challenge_method: 'S256',
      })
      return { url: url.href, pending }
    },

    /** Checks the provider's answer against what was remembered and exchanges the code for who signed in. */
    async finish(callbackUrl: URL, pending: PendingSignIn): Promise<OpenIdIdentity> {
      const config = await configure()
      const tokens = await openid.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      })
      const claims = tokens.claims()!
      let email = typeof claims.email === 'string' ? claims.email : undefined
      let emailVerified = claims.email_verified === true
      // Some providers, GOV.UK One Login among them, give the email address only from the userinfo endpoint.
      if (email === undefined) {
        const userInfo = await openid.fetchUserInfo(config, tokens.access_token, claims.sub)
        email = typeof userInfo.email === 'string' ? userInfo.email : undefined
        emailVerified = userInfo.email_verified === true
      }
      return { subject: claims.sub, email, emailVerified }
    },
  }
}

export type OpenIdClient = ReturnType<typeof createOpenIdClient>

/** The provider said no, or the person cancelled: nothing to retry automatically. */
export function isProviderRefusal(error: unknown): boolean {
  return error instanceof openid.AuthorizationResponseError
}
