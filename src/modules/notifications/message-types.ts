import type { Channel } from './tables.ts'

export interface MessageType {
  channel: Channel
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
  // Letters go to people with neither an email address nor a mobile number, to the property's
  // address (the message's recipient, one line of the address to a line), and carry no links.
  'request-received-letter': { channel: 'letter', personalisation: ['name', 'reference', 'service', 'phone'] },
  'appointment-booked-email': { channel: 'email', personalisation: ['name', 'reference', 'service', 'date', 'window', 'link'] },
  'appointment-booked-sms': { channel: 'sms', personalisation: ['reference', 'date', 'window', 'link'] },
  'appointment-booked-letter': { channel: 'letter', personalisation: ['name', 'reference', 'service', 'date', 'window', 'phone'] },
  'appointment-moved-email': { channel: 'email', personalisation: ['name', 'reference', 'service', 'date', 'window', 'link'] },
  'appointment-moved-sms': { channel: 'sms', personalisation: ['reference', 'date', 'window', 'link'] },
  'appointment-moved-letter': { channel: 'letter', personalisation: ['name', 'reference', 'service', 'date', 'window', 'phone'] },
  'appointment-cancelled-email': { channel: 'email', personalisation: ['name', 'reference', 'service', 'date', 'window', 'link'] },
  'appointment-cancelled-sms': { channel: 'sms', personalisation: ['reference', 'date', 'window', 'link'] },
  'appointment-cancelled-letter': { channel: 'letter', personalisation: ['name', 'reference', 'service', 'date', 'window', 'phone'] },
  'appointment-reminder-email': { channel: 'email', personalisation: ['name', 'reference', 'service', 'date', 'window', 'link'] },
  'appointment-reminder-sms': { channel: 'sms', personalisation: ['reference', 'date', 'window', 'link'] },
  'appointment-no-access-email': { channel: 'email', personalisation: ['name', 'reference', 'service', 'date', 'link'] },
  'appointment-no-access-sms': { channel: 'sms', personalisation: ['reference', 'date', 'link'] },
  'appointment-no-access-letter': { channel: 'letter', personalisation: ['name', 'reference', 'service', 'date', 'phone'] },
  // Someone reporting without an account confirms their report with a link, or a code by text.
  'guest-report-confirmation-email': { channel: 'email', personalisation: ['service', 'link'] },
  'guest-report-confirmation-sms': { channel: 'sms', personalisation: ['code'] },
  // Emails about public reports, to anyone who asked for them; each carries its own unsubscribe link.
  'report-alert-confirmation-email': { channel: 'email', personalisation: ['area', 'link'] },
  'report-new-email': { channel: 'email', personalisation: ['service', 'place', 'area', 'link', 'unsubscribe'] },
  'report-followed-update-email': { channel: 'email', personalisation: ['reference', 'service', 'place', 'status', 'link', 'unsubscribe'] },
} as const satisfies Record<string, MessageType>

export type MessageTypeName = keyof typeof messageTypes

export function isMessageType(name: string): name is MessageTypeName {
  return Object.hasOwn(messageTypes, name)
}
