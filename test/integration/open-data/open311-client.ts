import * as cheerio from 'cheerio'
import { expect } from 'vitest'
import type { TestApp } from '../../support/app.ts'
import { gridToLatitudeLongitude } from '../../../src/modules/places/index.ts'

/**
 * An Open311 client for the tests, speaking to the app as a reporting app does: parameters in the
 * query or a form body, answers in XML or JSON. Either answer is read into the same plain shape
 * (lists as arrays, every value as text, empty as ''), so a test can check one format's content and
 * then that the other format says exactly the same.
 */

/** An element of a parsed document, as cheerio's traversals give them. */
type Element = ReturnType<ReturnType<cheerio.CheerioAPI['root']>['children']>[number]

export type Format = 'xml' | 'json'
export const formats: readonly Format[] = ['xml', 'json']

export type Fields = Record<string, string | readonly string[]>
export type Tree = string | Tree[] | { [name: string]: Tree }

/** The list elements of GeoReport v2 and mySociety's extension, with the element each item is. */
const listItems: Record<string, string> = {
  services: 'service',
  attributes: 'attribute',
  values: 'value',
  service_requests: 'request',
  service_request_updates: 'request_update',
  errors: 'error',
  endpoints: 'endpoint',
  formats: 'format',
}

export const expectedContentTypes: Record<Format, string> = {
  xml: 'text/xml; charset=utf-8',
  json: 'application/json; charset=utf-8',
}

export interface Open311Response {
  status: number
  contentType: string
  headers: Record<string, unknown>
  body: string
  /** The XML root element; undefined for JSON. */
  root: string | undefined
  document: Tree
}

/** 1 Mill Lane, inside the demo council's area. */
export const millLane = gridToLatitudeLongitude(447_467.2, 204_298)
/** A field west of the council's boundary. */
export const outsideTheArea = gridToLatitudeLongitude(440_000, 204_000)

const declaration = '<?xml version="1.0" encoding="utf-8"?>\n'
const textPattern = /^(?:[^&<>]|&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);)*$/i
// eslint-disable-next-line no-control-regex -- the characters XML 1.0 cannot carry are control characters
const notXmlCharacter = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/

/**
 * Checks the XML strictly, as a client's parser would: the declaration, one root, tags that nest,
 * text with every markup character escaped and nothing XML cannot carry. Cheerio then reads it,
 * but cheerio forgives what a strict parser would not.
 */
export function expectWellFormedXml(body: string) {
  expect(body.startsWith(declaration), 'the XML declaration with its encoding comes first').toBe(true)
  const stack: string[] = []
  let roots = 0
  for (const token of body.slice(declaration.length).matchAll(/<(\/?)([A-Za-z_][\w.-]*)>|([^<]+)|(<)/g)) {
    const [, closing, name, text, stray] = token
    expect(stray, 'every < starts a tag').toBeUndefined()
    if (text !== undefined) {
      expect(stack.length > 0 || text.trim() === '', 'no text outside the root element').toBe(true)
      expect(textPattern.test(text), `text escaped: ${text.slice(0, 80)}`).toBe(true)
      expect(notXmlCharacter.test(text), 'no character XML cannot carry').toBe(false)
    } else if (closing) {
      expect(stack.pop(), `</${name}> closes the element opened last`).toBe(name)
    } else {
      if (stack.length === 0) roots += 1
      stack.push(name!)
    }
  }
  expect(stack).toEqual([])
  expect(roots).toBe(1)
}

function treeOfElement($: cheerio.CheerioAPI, element: Element): Tree {
  const children = $(element).children().toArray()
  const item = listItems[element.name]
  if (item !== undefined) {
    expect(
      children.map((child) => child.name),
      `<${element.name}> holds only <${item}> elements`,
    ).toEqual(children.map(() => item))
    return children.map((child) => treeOfElement($, child))
  }
  if (children.length === 0) return $(element).text()
  const fields: Record<string, Tree> = {}
  for (const child of children) {
    expect(fields, `<${child.name}> appears once in <${element.name}>`).not.toHaveProperty(child.name)
    fields[child.name] = treeOfElement($, child)
  }
  return fields
}

/** JSON's values as XML carries them: text, with null as empty. */
function treeOfJson(value: unknown): Tree {
  if (value === null || value === undefined) return ''
  if (Array.isArray(value)) return value.map(treeOfJson)
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([name, field]) => [name, treeOfJson(field)]))
  return String(value)
}

export function readDocument(format: Format, body: string): { root: string | undefined; document: Tree } {
  if (format === 'json') return { root: undefined, document: treeOfJson(JSON.parse(body)) }
  expectWellFormedXml(body)
  const $ = cheerio.load(body, { xml: true })
  const root = $.root().children().toArray()[0]!
  return { root: root.name, document: treeOfElement($, root) }
}

function searchOf(fields: Fields): string {
  const search = new URLSearchParams()
  for (const [name, value] of Object.entries(fields)) for (const item of [value].flat()) search.append(name, item)
  return search.toString()
}

export interface Upload {
  name: string
  filename: string
  type: string
  data: Buffer
}

/** A multipart form as a reporting app sends one: each value its own part, a repeated field repeated. */
export function multipartBody(fields: Fields, uploads: readonly Upload[] = []): { payload: Buffer; contentType: string } {
  const boundary = `----open311${Math.random().toString(16).slice(2)}`
  const parts: Buffer[] = []
  for (const [name, value] of Object.entries(fields)) {
    for (const item of [value].flat()) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${item}\r\n`))
  }
  for (const upload of uploads) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${upload.name}"; filename="${upload.filename}"\r\nContent-Type: ${upload.type}\r\n\r\n`), upload.data, Buffer.from('\r\n'))
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`))
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` }
}

export function open311Client(test: TestApp) {
  async function call(method: 'GET' | 'POST', path: string, format: Format, options: { query?: Fields; fields?: Fields; payload?: string | Buffer; contentType?: string } = {}): Promise<Open311Response> {
    const query = options.query ? searchOf(options.query) : ''
    const payload = options.payload ?? (options.fields ? searchOf(options.fields) : undefined)
    const response = await test.app.inject({
      method,
      url: `/open311/v2/${path}.${format}${query ? `?${query}` : ''}`,
      ...(payload !== undefined ? { payload, headers: { 'content-type': options.contentType ?? 'application/x-www-form-urlencoded' } } : {}),
    })
    expect(response.statusCode, `${method} ${path}.${format} never fails on the council's side: ${response.body.slice(0, 300)}`).not.toBe(500)
    const contentType = String(response.headers['content-type'])
    expect(contentType, `${method} ${path}.${format} answers in the format asked for`).toBe(expectedContentTypes[format])
    return { status: response.statusCode, contentType, headers: response.headers, body: response.body, ...readDocument(format, response.body) }
  }

  return {
    call,
    get: (path: string, format: Format, query: Fields = {}) => call('GET', path, format, { query }),
    post: (path: string, format: Format, fields: Fields) => call('POST', path, format, { fields }),
    postMultipart: (path: string, format: Format, fields: Fields, uploads: readonly Upload[] = []) => call('POST', path, format, multipartBody(fields, uploads)),
  }
}

export type Open311Client = ReturnType<typeof open311Client>

/**
 * The standard's errors document, checked to the letter: <errors> of <error> with a code and a
 * description (a JSON array of the same), each code the HTTP status and each description words.
 */
export function errorsOf(response: Open311Response, status: number): string[] {
  expect(response.status, response.body.slice(0, 400)).toBe(status)
  if (response.root !== undefined) expect(response.root).toBe('errors')
  const errors = response.document as Tree[]
  expect(Array.isArray(errors) && errors.length > 0).toBe(true)
  for (const error of errors) {
    expect(Object.keys(error)).toEqual(['code', 'description'])
    const { code, description } = error as Record<string, string>
    expect(code).toBe(String(status))
    expect(description!.trim()).not.toBe('')
  }
  return errors.map((error) => (error as Record<string, string>).description!)
}

export const items = (document: Tree) => document as Record<string, string | Tree>[]

/** What a reporting app sends for a pothole on Mill Lane, answering each of the service's questions; a field given as an empty list is left out. */
export function potholeFields(fields: Fields = {}): Fields {
  return {
    service_code: 'pothole',
    lat: millLane.latitude.toFixed(6),
    long: millLane.longitude.toFixed(6),
    email: 'reporter@example.com',
    description: 'A hole in the road outside the post office',
    'attribute[position]': 'road',
    'attribute[size]': 'plate-to-tyre',
    'attribute[depth]': 'no',
    'attribute[danger]': 'no',
    ...fields,
  }
}

export async function issueKey(test: TestApp, grant: Partial<{ services: 'all' | string[]; write: boolean; changeStatus: boolean; ratePerMinute: number }> = {}) {
  return test.services.identity.apiKeys.issue(
    { name: 'Reporting app', services: grant.services ?? 'all', write: grant.write ?? true, changeStatus: grant.changeStatus ?? false, ratePerMinute: grant.ratePerMinute ?? 100_000 },
    { kind: 'system' },
  )
}
