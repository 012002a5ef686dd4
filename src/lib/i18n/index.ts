import { readFileSync, readdirSync, existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const supportedLocales = ['en'] as const
export type Locale = (typeof supportedLocales)[number]

type Messages = { [key: string]: string | Messages }
export type Translate = (key: string, values?: Record<string, string | number>) => string

const sourceRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

/**
 * Shared text lives in src/locales/LOCALE.json; each module keeps its own text in
 * src/modules/NAME/locales/LOCALE.json (or several files, LOCALE.PART.json, merged), reached as
 * "NAME.key".
 */
function loadMessages(locale: Locale): Messages {
  const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Messages
  const messages: Messages = read(path.join(sourceRoot, 'locales', `${locale}.json`))
  const modules = path.join(sourceRoot, 'modules')
  const localeFile = new RegExp(`^${locale}(\\.[\\w-]+)?\\.json$`)
  for (const module of readdirSync(modules)) {
    const folder = path.join(modules, module, 'locales')
    if (!existsSync(folder)) continue
    const parts = readdirSync(folder).filter((file) => localeFile.test(file)).sort()
    messages[module] = Object.assign({}, ...parts.map((file) => read(path.join(folder, file))))
  }
  return messages
}

function lookup(messages: Messages, key: string): string | undefined {
  let node: string | Messages | undefined = messages
  for (const part of key.split('.')) {
    if (typeof node !== 'object') return undefined
    node = node[part]
  }
  return typeof node === 'string' ? node : undefined
}

const catalogues = new Map<Locale, Messages>()

export function translator(locale: Locale = 'en'): Translate {
  let messages = catalogues.get(locale)
  if (!messages) {
    messages = loadMessages(locale)
    catalogues.set(locale, messages)
  }
  const loaded = messages
  return (key, values = {}) => {
    const template = lookup(loaded, key)
    if (template === undefined) throw new Error(`No ${locale} text for "${key}"`)
    return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole))
  }
}
