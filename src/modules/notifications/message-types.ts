import type { Channel } from './tables.ts'

export interface MessageType {
  channel: Exclude<Channel, 'letter'>
  /** Every ((placeholder)) the text uses; a message missing one is refused before it is queued. */
  personalisation: readonly string[]
}

/**
 * The messages the council sends, as data. Their words live in locales/LOCALE.json under
 * "messages.TYPE" (subject and body, with ((placeholders)) as GOV.UK Notify templates have them),
 * so a Notify adapter can map each type to a Notify template of the same shape.
 */
export const messageTypes = {
  'email-verification': { channel: 'email', personalisation: ['name', 'link'] },
  'account-already-exists': { channel: 'email', personalisation: ['name', 'signInLink', 'resetLink'] },
  'password-reset': { channel: 'email', personalisation: ['name', 'link'] },
  'password-changed': { channel: 'email', personalisation: ['name'] },
  'account-locked': { channel: 'email', personalisation: ['name', 'until', 'resetLink'] },
  'mobile-confirmation-code': { channel: 'sms', personalisation: ['code'] },
  // A type is sent by one channel, so each message about a request has an email and a text form.
  'request-received-email': { channel: 'email', personalisation: ['name', 'reference', 'service', 'link'] },
  'request-received-sms': { channel: 'sms', personalisation: ['reference', 'link'] },
  'request-status-changed-email': { channel: 'email', personalisation: ['name', 'reference', 'service', 'status', 'link'] },
  'request-status-changed-sms': { channel: 'sms', personalisation: ['reference', 'status', 'link'] },
  'request-update-email': { channel: 'email', personalisation: ['name', 'reference', 'service', 'update', 'link'] },
  'request-update-sms': { channel: 'sms', personalisation: ['reference', 'link'] },
} as const satisfies Record<string, MessageType>

export type MessageTypeName = keyof typeof messageTypes

export function isMessageType(name: string): name is MessageTypeName {
  return Object.hasOwn(messageTypes, name)
}
