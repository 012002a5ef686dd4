import * as openid from 'openid-client'
import type { OpenIdProviderConfig } from '../../../config.ts'

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

/**
 * An OpenID Connect relying party for one provider, using the authorization code flow with PKCE,
 * state and nonce. The provider's metadata is discovered on first use and kept; a failed discovery
 * is tried again on the next sign-in.
 */
export function createOpenIdClient({ provider, scope, allowInsecureIssuer }: OpenIdClientOptions) {
  let configuration: Promise<openid.Configuration> | undefined
  const insecure = new URL(provider.issuer).protocol === 'http:'

  function configure(): Promise<openid.Configuration> {
    configuration ??= openid
      .discovery(
        new URL(provider.issuer),
        provider.clientId,
        provider.clientSecret,
        undefined,
        insecure && allowInsecureIssuer ? { execute: [openid.allowInsecureRequests], timeout: 10 } : { timeout: 10 },
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
