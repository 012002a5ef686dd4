import type { Channel } from './tables.ts'

/** A message as handed to a provider: both the type and personalisation (for providers that hold
 * their own templates, as GOV.UK Notify does) and the rendered words (for those that do not). */
export interface OutgoingMessage {
  id: string
  channel: Exclude<Channel, 'letter'>
  recipient: string
  messageType: string
  personalisation: Record<string, string>
  subject: string | undefined
  body: string
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
