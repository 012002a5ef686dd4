import type { Channel } from './tables.ts'

/** A message as handed to a provider: both the type and personalisation (for providers that hold
 * their own templates, as GOV.UK Notify does) and the rendered words (for those that do not). */
export interface OutgoingMessage {
  id: string
  channel: Channel
  /** An email address, a mobile number, or a postal address with one line to a line, postcode last. */
  recipient: string
  messageType: string
  personalisation: Record<string, string>
  /** An email's subject, or a letter's heading; a text has none. */
  subject: string | undefined
  /** Where one click stops emails like this one, for the List-Unsubscribe header. */
  unsubscribeUrl?: string | undefined
  body: string
  /**
   * An earlier attempt may have reached the provider without an answer coming back (a timeout, or
   * a sender that died mid-send), so a provider that does not de-duplicate checks before sending.
   */
  mayAlreadyHaveBeenSent: boolean
}

export interface DeliveryReceipt {
  provider: string
  /** The provider's own id for the message, to match delivery receipts against later. */
  reference: string
}

/** The port every message provider implements. */
export interface MessageProvider {
  readonly name: string
  send(message: OutgoingMessage): Promise<DeliveryReceipt>
}

/**
 * A provider raises this when trying again cannot help (an invalid number, a rejected address).
 * Anything else it throws is treated as temporary and the message is retried.
 */
export class PermanentDeliveryFailure extends Error {}

/**
 * A provider raises this when it refuses us rather than the message (a revoked or wrong API key):
 * every message would fail the same way, so sending pauses until the configuration is put right.
 */
export class ProviderConfigurationFailure extends Error {}
