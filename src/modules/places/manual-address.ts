import type { FieldErrors } from '../../lib/errors.ts'
import type { Translate } from '../../lib/i18n/index.ts'
import { parsePostcode } from './postcodes.ts'

export interface ManualAddress {
  addressLine1: string
  addressLine2: string
  town: string
  postcode: string
}

const maximumLength = 100

/** Checks an address typed by hand when it is not in the list (a new build, a boat, a traveller site). */
export function checkManualAddress(
  fields: Partial<Record<keyof ManualAddress, string>>,
  t: Translate,
): { address: ManualAddress; errors?: undefined } | { address?: undefined; errors: FieldErrors } {
  const errors: FieldErrors = {}
  const value = (name: keyof ManualAddress) => (fields[name] ?? '').trim().replace(/\s+/g, ' ')
  const addressLine1 = value('addressLine1')
  const addressLine2 = value('addressLine2')
  const town = value('town')
  if (addressLine1 === '') errors.addressLine1 = t('places.findAddress.addressLine1Missing')
  else if (addressLine1.length > maximumLength) errors.addressLine1 = t('places.findAddress.tooLong', { field: t('places.findAddress.addressLine1'), maximum: maximumLength })
  if (addressLine2.length > maximumLength) errors.addressLine2 = t('places.findAddress.tooLong', { field: t('places.findAddress.addressLine2Name'), maximum: maximumLength })
  if (town === '') errors.town = t('places.findAddress.townMissing')
  else if (town.length > maximumLength) errors.town = t('places.findAddress.tooLong', { field: t('places.findAddress.town'), maximum: maximumLength })
  const postcode = parsePostcode(fields.postcode)
  if (!postcode.valid) errors.postcode = t(`places.postcode.${postcode.problem}`)
  if (Object.keys(errors).length > 0 || !postcode.valid) return { errors }
  return { address: { addressLine1, addressLine2, town, postcode: postcode.postcode } }
}
