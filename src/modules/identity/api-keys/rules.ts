import type { FieldErrors } from '../../../lib/errors.ts'

/** What a caller with an API key may do; the key itself is never kept, only who it is. */
export interface ApiClient {
  keyId: string
  name: string
  /** The services whose requests the key reaches: "all", or a list of service codes. */
  services: 'all' | readonly string[]
  /** May send requests and updates. */
  write: boolean
  /** May change a request's status through its updates. */
  changeStatus: boolean
  ratePerMinute: number
}

/** What an administrator asks for when issuing a key, as the form or the command line gives it. */
export interface ApiKeyForm {
  name: string
  /** "all", or the codes of the services chosen. */
  services: 'all' | string[]
  write: boolean
  changeStatus: boolean
  ratePerMinute: string
}

export interface ApiKeyGrant {
  name: string
  services: 'all' | string[]
  write: boolean
  changeStatus: boolean
  ratePerMinute: number
}

const longestName = 100
export const defaultRatePerMinute = 120
const highestRatePerMinute = 100_000

/**
 * Checks what a key is to be granted. Messages are locale keys under identity.apiKeys.errors, so
 * the back office and the command line say the same thing.
 */
export function checkApiKeyForm(form: ApiKeyForm, knownServiceCodes: readonly string[]): { grant: ApiKeyGrant } | { errors: FieldErrors } {
  const errors: FieldErrors = {}
  const name = form.name.trim()
  if (!name) errors.name = 'errors.nameMissing'
  else if (name.length > longestName) errors.name = 'errors.nameTooLong'

  const services = form.services === 'all' ? 'all' : [...new Set(form.services.map((code) => code.trim()).filter(Boolean))]
  if (services !== 'all') {
    if (services.length === 0) errors.services = 'errors.servicesMissing'
    else if (services.some((code) => !knownServiceCodes.includes(code))) errors.services = 'errors.serviceUnknown'
  }

  if (form.changeStatus && !form.write) errors.changeStatus = 'errors.changeStatusNeedsWrite'

  const rateText = form.ratePerMinute.trim()
  const rate = rateText === '' ? defaultRatePerMinute : Number(rateText)
  if (!/^\d*$/.test(rateText) || !Number.isInteger(rate) || rate < 1 || rate > highestRatePerMinute) errors.ratePerMinute = 'errors.rateInvalid'

  if (Object.keys(errors).length > 0) return { errors }
  return { grant: { name, services, write: form.write, changeStatus: form.changeStatus, ratePerMinute: rate } }
}

/**
 * Whether a caller reaches a service's requests. Public services are open to anyone, with or
 * without a key; a private one, such as housing repairs, only to a key granted it by name or "all".
 */
export function grantsService(client: ApiClient | undefined, serviceCode: string, isPrivate: boolean): boolean {
  if (!isPrivate) return true
  if (!client) return false
  return client.services === 'all' || client.services.includes(serviceCode)
}
