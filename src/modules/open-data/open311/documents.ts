import { ukOffsetMinutes } from '../../../lib/calendar/index.ts'

/**
 * Open311 answers in XML or JSON with the same content. A document is written once as plain data;
 * a list is named for its XML item element, which JSON leaves out, since in GeoReport's JSON a
 * list is just an array.
 */
/** A field left undefined is left out; a null one is there and empty. */
export type Open311Value = string | number | boolean | null | undefined | Open311List | Open311Fields
export interface Open311Fields {
  [name: string]: Open311Value
}
export class Open311List {
  constructor(
    readonly itemName: string,
    readonly items: readonly Open311Value[],
  ) {}

  /** In JSON a list is just its items; JSON.stringify leaves undefined fields out by itself. */
  toJSON(): readonly Open311Value[] {
    return this.items
  }
}

export interface Open311Document {
  /** The XML root element. */
  root: string
  body: Open311List | Open311Fields
}

export const open311Formats = ['xml', 'json'] as const
export type Open311Format = (typeof open311Formats)[number]

export const contentTypes: Record<Open311Format, string> = {
  xml: 'text/xml; charset=utf-8',
  json: 'application/json; charset=utf-8',
}

export function list(itemName: string, items: readonly Open311Value[]): Open311List {
  return new Open311List(itemName, items)
}

/** Characters XML 1.0 cannot carry at all, which a client's text could still contain. */
const notXmlCharacters = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu

function escapeXml(text: string): string {
  return text
    .replace(notXmlCharacters, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
}

function xmlOf(name: string, value: Open311Value): string {
  if (value === null || value === undefined) return `<${name}></${name}>`
  if (value instanceof Open311List) return `<${name}>${value.items.map((item) => xmlOf(value.itemName, item)).join('')}</${name}>`
  if (typeof value === 'object') return `<${name}>${fieldsXml(value)}</${name}>`
  return `<${name}>${escapeXml(String(value))}</${name}>`
}

function fieldsXml(fields: Open311Fields): string {
  return Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => xmlOf(name, value))
    .join('')
}

export function render(document: Open311Document, format: Open311Format): string {
  if (format === 'json') return JSON.stringify(document.body)
  return `<?xml version="1.0" encoding="utf-8"?>\n${xmlOf(document.root, document.body)}`
}

/** The standard's errors: a list of codes and descriptions, in XML under <errors>. */
export function errorsDocument(errors: readonly { code: number; description: string }[]): Open311Document {
  return { root: 'errors', body: list('error', errors.map((error) => ({ code: error.code, description: error.description }))) }
}

const pad = (value: number) => String(value).padStart(2, '0')

const hourMs = 3_600_000
const offsetsByHour = new Map<number, number>()

/** The UK clock changes on the hour, so one look-up per hour serves a thousand rows of a listing. */
function offsetAt(instant: Date): number {
  const hour = Math.floor(instant.getTime() / hourMs)
  let offset = offsetsByHour.get(hour)
  if (offset === undefined) {
    offset = ukOffsetMinutes(new Date(hour * hourMs))
    if (offsetsByHour.size > 10_000) offsetsByHour.clear()
    offsetsByHour.set(hour, offset)
  }
  return offset
}

/** A W3C date-time in UK time with its offset, as the standard asks: 2026-11-24T09:30:00+00:00. */
export function w3cDateTime(instant: Date | null | undefined): string | null {
  if (!instant) return null
  const offset = offsetAt(instant)
  const local = new Date(instant.getTime() + offset * 60_000)
  const sign = offset < 0 ? '-' : '+'
  const hours = Math.floor(Math.abs(offset) / 60)
  return (
    `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
    `T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}` +
    `${sign}${pad(hours)}:${pad(Math.abs(offset) % 60)}`
  )
}
