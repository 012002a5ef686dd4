import { parseReference } from '../../requests/index.ts'
import { open311Statuses, type Open311Status } from './statuses.ts'

/**
 * Reading what an Open311 client sent. Everything arrives as text (or, repeated, as several), and
 * everything a client could get wrong is named in the error, using the parameter's own name, so a
 * developer can see at once which part of the call to fix.
 */
export class Open311Refusal extends Error {
  constructor(
    readonly statusCode: 400 | 403 | 404,
    readonly descriptions: string[],
  ) {
    super(descriptions.join('; '))
  }
}

export const badRequest = (...descriptions: string[]) => new Open311Refusal(400, descriptions)

/** The longest description the standard allows. */
export const descriptionLength = 4000
/** The longest window GET requests and GET servicerequestupdates cover, and the default one. */
export const windowDays = 90
/** The most requests one listing returns, and so the most ids one call may name. */
export const mostRows = 1000
const mostMediaUrls = 10
const mostFieldLength = 255

type Raw = Record<string, unknown>

/** PostgreSQL's text cannot hold U+0000, so a value with it could be neither stored nor looked for. */
function storable(text: string, name: string): string {
  if (text.includes('\u0000')) throw badRequest(`${name} must not contain the NUL character (U+0000)`)
  return text
}

/** One value of a parameter; a parameter given twice where one is meant is refused. */
export function single(raw: Raw, name: string): string | undefined {
  const value = raw[name]
  if (value === undefined) return undefined
  if (typeof value === 'string') return storable(value, name)
  if (Array.isArray(value)) throw badRequest(`${name} was given more than once; give it once`)
  throw badRequest(`${name} must be text`)
}

/** A comma-separated list, which may also arrive as the parameter repeated. */
function commaList(raw: Raw, name: string): string[] | undefined {
  const value = raw[name]
  if (value === undefined) return undefined
  const parts = (Array.isArray(value) ? value : [value]).map((part) => {
    if (typeof part !== 'string') throw badRequest(`${name} must be text`)
    return storable(part, name)
  })
  return parts
    .flatMap((part) => part.split(','))
    .map((part) => part.trim())
    .filter((part) => part !== '')
}

function shortText(raw: Raw, name: string, longest = mostFieldLength): string | undefined {
  const value = single(raw, name)?.trim()
  if (value === undefined || value === '') return undefined
  if (value.length > longest) throw badRequest(`${name} must be ${longest} characters or fewer`)
  return value
}

const w3cPattern = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/

/**
 * A W3C date-time. A time must say its offset from UTC, since a listing's window otherwise shifts
 * by the UK's summer hour; a date alone means the start of that day in UTC.
 */
export function parseW3cDateTime(text: string, name: string): Date {
  const match = w3cPattern.exec(text.trim())
  if (!match) throw badRequest(`${name} must be a W3C date-time with its offset, such as 2026-11-24T09:30:00Z or 2026-11-24T09:30:00+00:00, not "${text.slice(0, 40)}"`)
  const [, year, month, day, hour, minute, second, fraction, zone] = match
  if (hour !== undefined && zone === undefined) throw badRequest(`${name} must end with its offset from UTC, such as Z or +01:00`)
  const offset = zone === undefined || zone === 'Z' ? '+00:00' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone
  const milliseconds = (fraction ?? '.000').slice(1, 4).padEnd(3, '0')
  const iso = `${year}-${month}-${day}T${hour ?? '00'}:${minute ?? '00'}:${second ?? '00'}.${milliseconds}${offset}`
  const instant = new Date(iso)
  const real = !Number.isNaN(instant.getTime()) && Number(month) >= 1 && Number(month) <= 12 && Number(day) >= 1 && Number(day) <= daysIn(Number(year), Number(month))
  if (!real || Number(hour ?? 0) > 23 || Number(minute ?? 0) > 59 || Number(second ?? 0) > 59) throw badRequest(`${name} is not a real date and time: "${text.slice(0, 40)}"`)
  return instant
}

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate()

export interface Window {
  from: Date
  to: Date
}

/**
 * The window a listing covers: the dates given, or the standard's default of the last 90 days;
 * one date alone reaches 90 days from it. A window longer than 90 days is refused, not cut short,
 * so a client never takes a partial answer for a whole one.
 */
export function windowOf(raw: Raw, now: Date): Window {
  const start = single(raw, 'start_date')
  const end = single(raw, 'end_date')
  const span = windowDays * 86_400_000
  const from = start ? parseW3cDateTime(start, 'start_date') : undefined
  const to = end ? parseW3cDateTime(end, 'end_date') : undefined
  const window = {
    from: from ?? new Date((to ?? now).getTime() - span),
    to: to ?? (from ? new Date(from.getTime() + span) : now),
  }
  if (window.from.getTime() > window.to.getTime()) throw badRequest('start_date must be before end_date')
  if (window.to.getTime() - window.from.getTime() > span) throw badRequest(`start_date and end_date may be at most ${windowDays} days apart`)
  return window
}

export type RequestsQuery =
  | { kind: 'references'; references: string[] }
  | { kind: 'window'; serviceCodes: string[] | undefined; statuses: Open311Status[] | undefined; window: Window }

/** GET requests: named requests, which override every other parameter, or a window of them. */
export function parseRequestsQuery(raw: Raw, now: Date): RequestsQuery {
  const ids = commaList(raw, 'service_request_id')
  if (ids !== undefined) {
    if (ids.length === 0) throw badRequest('service_request_id must name at least one request')
    if (ids.length > mostRows) throw badRequest(`service_request_id may name at most ${mostRows} requests`)
    // An id in no known form can name no request, so it simply matches nothing.
    return { kind: 'references', references: [...new Set(ids.flatMap((id) => parseReference(id) ?? []))] }
  }
  const serviceCodes = commaList(raw, 'service_code')
  const statuses = commaList(raw, 'status')?.map((status) => status.toLowerCase())
  const unknown = statuses?.filter((status) => !(open311Statuses as readonly string[]).includes(status))
  if (unknown?.length) throw badRequest(`status must be open or closed (or both, comma separated), not "${unknown[0]!.slice(0, 40)}"`)
  return {
    kind: 'window',
    serviceCodes: serviceCodes?.length ? [...new Set(serviceCodes)] : undefined,
    statuses: statuses?.length ? [...new Set(statuses as Open311Status[])] : undefined,
    window: windowOf(raw, now),
  }
}

export type PlaceGiven =
  | { kind: 'point'; latitude: number; longitude: number }
  | { kind: 'address-id'; uprn: number }
  | { kind: 'address-string'; text: string }

export interface SubmittedRequest {
  serviceCode: string
  place: PlaceGiven | undefined
  /** Every place the client gave, for staff to see when the point and the words disagree. */
  addressString: string | undefined
  description: string | undefined
  attributes: Record<string, string | string[]>
  email: string | undefined
  phone: string | undefined
  firstName: string | undefined
  lastName: string | undefined
  deviceId: string | undefined
  accountId: string | undefined
  mediaUrls: string[]
}

const decimalPattern = /^[+-]?\d{1,3}(?:\.\d{1,15})?$/

function coordinate(raw: Raw, name: 'lat' | 'long', limit: number): number | undefined {
  const text = single(raw, name)?.trim()
  if (text === undefined || text === '') return undefined
  const value = Number(text)
  if (!decimalPattern.test(text) || !Number.isFinite(value) || Math.abs(value) > limit) {
    throw badRequest(`${name} must be a decimal number of degrees between -${limit} and ${limit}, not "${text.slice(0, 40)}"`)
  }
  return value
}

/** Line endings as one kind, whatever the client's system wrote: FixMyStreet sends CRLF. */
export function normaliseLineEndings(text: string): string {
  return text.replace(/\r\n?/g, '\n')
}

function mediaUrls(raw: Raw): string[] {
  const value = raw.media_url
  if (value === undefined) return []
  const given = (Array.isArray(value) ? value : [value]).filter((url) => !(typeof url === 'string' && url.trim() === ''))
  if (given.length > mostMediaUrls) throw badRequest(`media_url may be given at most ${mostMediaUrls} times`)
  return given.map((url) => {
    if (typeof url !== 'string') throw badRequest('media_url must be the address of a photo, as text')
    const trimmed = storable(url, 'media_url').trim()
    let parsed: URL | undefined
    try {
      parsed = new URL(trimmed)
    } catch {
      parsed = undefined
    }
    if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || trimmed.length > 2048) {
      throw badRequest(`media_url must be a web address starting http:// or https://, of 2,048 characters or fewer, not "${trimmed.slice(0, 60)}"`)
    }
    return trimmed
  })
}

const attributePattern = /^attribute\[([^\]]{1,100})\](\[\])?$/

/** attribute[code] and attribute[code][] as one value or several, keyed by code. */
function attributesOf(raw: Raw): Record<string, string | string[]> {
  const attributes: Record<string, string | string[]> = {}
  for (const [name, value] of Object.entries(raw)) {
    const match = attributePattern.exec(name)
    if (!match) continue
    const code = match[1]!
    const values = (Array.isArray(value) ? value : [value]).map((item) => {
      if (typeof item !== 'string') throw badRequest(`${name} must be text`)
      return normaliseLineEndings(storable(item, name))
    })
    const previous = attributes[code]
    const all = [...(previous === undefined ? [] : Array.isArray(previous) ? previous : [previous]), ...values]
    attributes[code] = match[2] || all.length > 1 ? all : all[0]!
  }
  return attributes
}

/** POST requests, read and checked as far as it can be without the catalogue or the address register. */
export function parseSubmittedRequest(raw: Raw): SubmittedRequest {
  const serviceCode = shortText(raw, 'service_code', 60)
  if (!serviceCode) throw badRequest('service_code is required: give the code of a service from GET services')
  const latitude = coordinate(raw, 'lat', 90)
  const longitude = coordinate(raw, 'long', 180)
  if ((latitude === undefined) !== (longitude === undefined)) throw badRequest('lat and long must be given together')
  const addressId = shortText(raw, 'address_id', 40)
  if (addressId !== undefined && !/^\d{1,12}$/.test(addressId)) throw badRequest(`address_id must be a property's UPRN, up to 12 digits, not "${addressId}"`)
  const addressString = shortText(raw, 'address_string', 500)
  const place: PlaceGiven | undefined =
    latitude !== undefined && longitude !== undefined
      ? { kind: 'point', latitude, longitude }
      : addressId !== undefined
        ? { kind: 'address-id', uprn: Number(addressId) }
        : addressString !== undefined
          ? { kind: 'address-string', text: addressString }
          : undefined
  const descriptionText = single(raw, 'description')
  const description = descriptionText === undefined ? undefined : normaliseLineEndings(descriptionText).trim() || undefined
  if (description !== undefined && description.length > descriptionLength) {
    throw badRequest(`description must be ${descriptionLength.toLocaleString('en-GB')} characters or fewer; it has ${description.length.toLocaleString('en-GB')}`)
  }
  return {
    serviceCode,
    place,
    addressString,
    description,
    attributes: attributesOf(raw),
    email: shortText(raw, 'email', 254),
    phone: shortText(raw, 'phone', 40),
    firstName: shortText(raw, 'first_name', 100),
    lastName: shortText(raw, 'last_name', 100),
    deviceId: shortText(raw, 'device_id'),
    accountId: shortText(raw, 'account_id'),
    mediaUrls: mediaUrls(raw),
  }
}

export interface SubmittedUpdate {
  serviceRequestId: string
  clientUpdateId: string
  status: string
  updatedAt: Date
  description: string | undefined
  email: string | undefined
  firstName: string | undefined
  lastName: string | undefined
  mediaUrls: string[]
}

/** mySociety's POST servicerequestupdates. */
export function parseSubmittedUpdate(raw: Raw): SubmittedUpdate {
  const serviceRequestId = shortText(raw, 'service_request_id', 60)
  if (!serviceRequestId) throw badRequest('service_request_id is required: give the id of the request the update is about')
  const clientUpdateId = shortText(raw, 'update_id', 100)
  if (!clientUpdateId) throw badRequest('update_id is required: give your own id for the update, so sending it twice adds it once')
  const status = shortText(raw, 'status', 40)
  if (!status) throw badRequest('status is required: give the status the request has after the update, such as OPEN or FIXED')
  const updated = shortText(raw, 'updated_datetime', 40)
  if (!updated) throw badRequest('updated_datetime is required: give when the update was made, as a W3C date-time')
  const descriptionText = single(raw, 'description')
  const description = descriptionText === undefined ? undefined : normaliseLineEndings(descriptionText).trim() || undefined
  if (description !== undefined && description.length > descriptionLength) {
    throw badRequest(`description must be ${descriptionLength.toLocaleString('en-GB')} characters or fewer; it has ${description.length.toLocaleString('en-GB')}`)
  }
  return {
    serviceRequestId,
    clientUpdateId,
    status,
    updatedAt: parseW3cDateTime(updated, 'updated_datetime'),
    description,
    email: shortText(raw, 'email', 254),
    firstName: shortText(raw, 'first_name', 100),
    lastName: shortText(raw, 'last_name', 100),
    mediaUrls: mediaUrls(raw),
  }
}
