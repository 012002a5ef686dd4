export interface MessageText {
  subject: string | undefined
  body: string
}

const placeholder = /\(\(([\w-]+)\)\)/g

/** The ((placeholders)) a piece of text uses, each once. */
export function placeholdersIn(text: string): string[] {
  return [...new Set([...text.matchAll(placeholder)].map((match) => match[1]!))]
}

/**
 * Fills in ((placeholders)) as GOV.UK Notify does. A placeholder without a value is an error:
 * sending "Dear ((name))" to a resident is worse than not sending.
 */
export function fillPlaceholders(text: string, personalisation: Record<string, string>): string {
  return text.replace(placeholder, (_whole, name: string) => {
    const value = personalisation[name]
    if (value === undefined) throw new Error(`No value for ((${name}))`)
    return value
  })
}

export function renderMessage(text: MessageText, personalisation: Record<string, string>): MessageText {
  return {
    subject: text.subject === undefined ? undefined : fillPlaceholders(text.subject, personalisation),
    body: fillPlaceholders(text.body, personalisation),
  }
}

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (character) => escapes[character]!)

/**
 * A message body as HTML for people reading the demo outbox: escaped, split into paragraphs, with
 * web addresses made into links so a tester can follow a verification link.
 */
export function bodyAsHtml(body: string): string {
  return body
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.trim())
    .filter((paragraph) => paragraph !== '')
    .map((paragraph) => {
      const html = escapeHtml(paragraph)
        .replace(/https?:\/\/[^\s<]+/g, (address) => `<a class="govuk-link" href="${address}">${address}</a>`)
        .replace(/\n/g, '<br>')
      return `<p class="govuk-body">${html}</p>`
    })
    .join('\n')
}
