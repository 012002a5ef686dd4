import { describe, expect, it } from 'vitest'
import { bodyAsHtml, fillPlaceholders, placeholdersIn, renderMessage } from '../../../src/modules/notifications/templates.ts'
import { messageText } from '../../../src/modules/notifications/sender.ts'
import { messageTypes } from '../../../src/modules/notifications/message-types.ts'
import { translator } from '../../../src/lib/i18n/index.ts'

describe('message templates', () => {
  it('fills in ((placeholders)) as GOV.UK Notify does', () => {
    expect(fillPlaceholders('Dear ((name)), your code is ((code)).', { name: 'Sam', code: '123456' })).toBe('Dear Sam, your code is 123456.')
  })

  it('refuses to send a message with a placeholder left empty', () => {
    expect(() => fillPlaceholders('Dear ((name))', {})).toThrow('No value for ((name))')
  })

  it('has words for every message type, using exactly the personalisation the type declares', () => {
    const t = translator('en')
    for (const [name, type] of Object.entries(messageTypes)) {
      const text = messageText(t, name, 'Borough of Lower Wendle Council')
      const used = placeholdersIn(`${text.subject ?? ''} ${text.body}`).sort()
      expect(used, name).toEqual([...type.personalisation].sort())
      expect(text.subject === undefined, name).toBe(type.channel === 'sms')
      expect(text.body, name).toContain('Borough of Lower Wendle Council')
    }
  })

  it('renders the subject and body together', () => {
    expect(renderMessage({ subject: 'Hello ((name))', body: 'Code ((code))' }, { name: 'Sam', code: '1' })).toEqual({ subject: 'Hello Sam', body: 'Code 1' })
  })

  it('shows a body as escaped HTML paragraphs with clickable web addresses', () => {
    const html = bodyAsHtml('Dear <Sam>,\n\nFollow https://example.org/confirm-email/abc?x=1&y=2 now.\nThanks')
    expect(html).toBe(
      '<p class="govuk-body">Dear &lt;Sam&gt;,</p>\n' +
        '<p class="govuk-body">Follow <a class="govuk-link" href="https://example.org/confirm-email/abc?x=1&amp;y=2">https://example.org/confirm-email/abc?x=1&amp;y=2</a> now.<br>Thanks</p>',
    )
  })
})
