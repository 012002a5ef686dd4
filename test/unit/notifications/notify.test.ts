import { AxiosError, AxiosHeaders } from 'axios'
import { describe, expect, it } from 'vitest'
import { ConfigurationError, loadConfig } from '../../../src/config.ts'
import { messageTypes } from '../../../src/modules/notifications/message-types.ts'
import { classifyNotifyError } from '../../../src/modules/notifications/notify-provider.ts'
import { PermanentDeliveryFailure, ProviderConfigurationFailure } from '../../../src/modules/notifications/provider.ts'

const apiKey = 'guildhall_test-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0'
const templateId = 'f33517ff-2a88-4f6e-b855-c550268ce08a'

const problemWith = (environment: Record<string, string>) => {
  try {
    loadConfig(environment)
  } catch (error) {
    if (error instanceof ConfigurationError) return error.message
    throw error
  }
  throw new Error('expected a configuration error')
}

const production = { NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40), DATABASE_URL: 'postgres://db/guildhall' }
const allTemplates = JSON.stringify(Object.fromEntries(Object.keys(messageTypes).map((type) => [type, templateId])))

describe('GOV.UK Notify configuration', () => {
  it('reads the key, the address, the timeout, the templates and the callback token', () => {
    const config = loadConfig({
      NOTIFICATIONS_PROVIDER: 'notify',
      NOTIFY_API_KEY: apiKey,
      NOTIFY_TIMEOUT_MS: '2500',
      NOTIFY_TEMPLATE_IDS: JSON.stringify({ 'password-reset': templateId }),
      NOTIFY_CALLBACK_TOKEN: 'a-long-callback-token',
    })
    expect(config.notify).toEqual({
      apiKey,
      baseUrl: 'https://api.notifications.service.gov.uk',
      timeoutMilliseconds: 2500,
      templateIds: { 'password-reset': templateId },
      callbackToken: 'a-long-callback-token',
    })
  })

  it('leaves Notify unset for the local provider', () => {
    expect(loadConfig({}).notify).toBeUndefined()
  })

  it('says what is wrong with each Notify setting, in one line', () => {
    expect(problemWith({ NOTIFICATIONS_PROVIDER: 'notify' })).toBe('NOTIFY_API_KEY is required when NOTIFICATIONS_PROVIDER is notify')
    expect(problemWith({ NOTIFICATIONS_PROVIDER: 'notify', NOTIFY_API_KEY: 'secret' })).toMatch(/^NOTIFY_API_KEY must be a GOV.UK Notify API key/)
    const withKey = { NOTIFICATIONS_PROVIDER: 'notify', NOTIFY_API_KEY: apiKey }
    expect(problemWith({ ...withKey, NOTIFY_TEMPLATE_IDS: '[1]' })).toMatch(/^NOTIFY_TEMPLATE_IDS must be a JSON object/)
    expect(problemWith({ ...withKey, NOTIFY_TEMPLATE_IDS: '{"birthday":"x"}' })).toMatch(/^NOTIFY_TEMPLATE_IDS names "birthday", which is not a message type/)
    expect(problemWith({ ...withKey, NOTIFY_TEMPLATE_IDS: '{"password-reset":"nope"}' })).toMatch(/^NOTIFY_TEMPLATE_IDS has "nope" for password-reset/)
    expect(problemWith({ ...withKey, NOTIFY_CALLBACK_TOKEN: 'short' })).toMatch(/^NOTIFY_CALLBACK_TOKEN must be at least 10 characters/)
  })

  it('accepts Notify in production only with a template for every message type', () => {
    const notify = { ...production, NOTIFICATIONS_PROVIDER: 'notify', NOTIFY_API_KEY: apiKey }
    expect(problemWith({ ...notify, NOTIFY_TEMPLATE_IDS: JSON.stringify({ 'password-reset': templateId }) })).toMatch(
      /^NOTIFY_TEMPLATE_IDS has no Notify template for email-verification, /,
    )
    expect(loadConfig({ ...notify, NOTIFY_TEMPLATE_IDS: allTemplates }).notificationsProvider).toBe('notify')
  })
})

function answered(status: number, body: unknown) {
  const config = { headers: new AxiosHeaders() }
  return new AxiosError('failed', 'ERR_BAD_RESPONSE', config, {}, { status, statusText: '', headers: {}, config, data: body })
}

describe('sorting the failures GOV.UK Notify reports', () => {
  const body = (error: string, message: string) => ({ status_code: 0, errors: [{ error, message }] })

  it('treats a refused message as permanent, with Notify’s reason', () => {
    const failure = classifyNotifyError(answered(400, body('BadRequestError', 'Template not found')))
    expect(failure).toBeInstanceOf(PermanentDeliveryFailure)
    expect(failure.message).toBe('GOV.UK Notify answered 400: BadRequestError: Template not found')
  })

  it('treats refused credentials as our configuration being wrong', () => {
    expect(classifyNotifyError(answered(403, body('AuthError', 'Invalid token')))).toBeInstanceOf(ProviderConfigurationFailure)
  })

  it('treats rate limits, server errors, timeouts and network errors as passing', () => {
    for (const error of [
      answered(429, body('RateLimitError', 'Exceeded rate limit')),
      answered(500, body('Exception', 'Internal server error')),
      new AxiosError('timeout of 300ms exceeded', 'ECONNABORTED'),
      new AxiosError('connect ECONNREFUSED', 'ECONNREFUSED'),
    ]) {
      const failure = classifyNotifyError(error)
      expect(failure).not.toBeInstanceOf(PermanentDeliveryFailure)
      expect(failure).not.toBeInstanceOf(ProviderConfigurationFailure)
    }
    expect(classifyNotifyError(new AxiosError('timeout of 300ms exceeded', 'ECONNABORTED')).message).toBe('GOV.UK Notify did not answer (ECONNABORTED)')
  })
})
