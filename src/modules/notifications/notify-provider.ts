import axios, { isAxiosError } from 'axios'
import { NotifyClient } from 'notifications-node-client'
import type { NotifyConfig } from '../../config.ts'
import { addressProblem, notifyAddressPersonalisation } from './letters.ts'
import {
  PermanentDeliveryFailure,
  ProviderConfigurationFailure,
  type DeliveryReceipt,
  type MessageProvider,
  type OutgoingMessage,
} from './provider.ts'

interface NotifyErrorBody {
  errors?: { error?: string; message?: string }[]
}

/** Notify's own words for a refusal, such as "BadRequestError: Template not found". */
function notifyProblem(body: unknown): string {
  const errors = (body as NotifyErrorBody | undefined)?.errors ?? []
  return errors.map((error) => `${error.error ?? 'Error'}: ${error.message ?? ''}`).join('; ') || 'no details given'
}

/**
 * Sorts a failed call by what can help: a 400 is the message's own fault (permanent); 401 or 403
 * is ours (the key is wrong or revoked); a 429, a 5xx, a timeout or a network error may pass.
 */
export function classifyNotifyError(error: unknown): Error {
  if (!isAxiosError(error)) return error instanceof Error ? error : new Error(String(error))
  const status = error.response?.status
  if (status === undefined) return new Error(`GOV.UK Notify did not answer (${error.code ?? error.message})`)
  const problem = `GOV.UK Notify answered ${status}: ${notifyProblem(error.response?.data)}`
  if (status === 400) return new PermanentDeliveryFailure(problem)
  if (status === 401 || status === 403) return new ProviderConfigurationFailure(problem)
  return new Error(problem)
}

/**
 * What a letter template is sent: the message's own personalisation and the address lines Notify
 * prints on the envelope window. An address Notify cannot print is refused before calling it.
 */
export function letterPersonalisation(message: Pick<OutgoingMessage, 'recipient' | 'personalisation'>): Record<string, string> {
  const problem = addressProblem(message.recipient)
  if (problem) throw new PermanentDeliveryFailure(problem)
  return { ...message.personalisation, ...notifyAddressPersonalisation(message.recipient) }
}

/**
 * The GOV.UK Notify adapter, on Notify's own client library. Each message type has a Notify
 * template of the same shape; the outbox message id goes as Notify's reference, which is how a
 * retry finds out whether an attempt that timed out reached Notify after all.
 */
export function createNotifyProvider(config: Pick<NotifyConfig, 'apiKey' | 'baseUrl' | 'timeoutMilliseconds' | 'templateIds'>): MessageProvider {
  const client = new NotifyClient(config.baseUrl, config.apiKey)
  // The library waits for ever by default; a sender holds its lease for two minutes, so a call
  // must give up well within it.
  // The library's types name axios's CommonJS build and ours its ES module build: the same code.
  client.setClient(axios.create({ timeout: config.timeoutMilliseconds }) as unknown as Parameters<NotifyClient['setClient']>[0])

  async function alreadySent(reference: string): Promise<string | undefined> {
    const response = await client.getNotifications(undefined, undefined, reference)
    return response.data.notifications[0]?.id
  }

  async function send(message: OutgoingMessage, templateId: string, personalisation: Record<string, string>): Promise<string> {
    const options = { personalisation, reference: message.id }
    switch (message.channel) {
      case 'sms':
        return (await client.sendSms(templateId, message.recipient, options)).data.id
      case 'email': {
        const unsubscribe = message.unsubscribeUrl ? { oneClickUnsubscribeURL: message.unsubscribeUrl } : {}
        return (await client.sendEmail(templateId, message.recipient, { ...options, ...unsubscribe })).data.id
      }
      case 'letter':
        // A letter has no recipient field: Notify prints the address from the personalisation.
        return (await client.sendLetter(templateId, options)).data.id
    }
  }

  return {
    name: 'notify',
    async send(message: OutgoingMessage): Promise<DeliveryReceipt> {
      const templateId = config.templateIds[message.messageType]
      if (!templateId) throw new PermanentDeliveryFailure(`No GOV.UK Notify template is configured for ${message.messageType}`)
      const personalisation = message.channel === 'letter' ? letterPersonalisation(message) : message.personalisation
      try {
        // Notify does not de-duplicate, so a message that may have gone already is looked up first.
        const existing = message.mayAlreadyHaveBeenSent ? await alreadySent(message.id) : undefined
        return { provider: 'notify', reference: existing ?? (await send(message, templateId, personalisation)) }
      } catch (error) {
        throw classifyNotifyError(error)
      }
    },
  }
}
