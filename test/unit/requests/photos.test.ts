import { describe, expect, it } from 'vitest'
import { translator } from '../../../src/lib/i18n/index.ts'
import type { Permission } from '../../../src/modules/identity/index.ts'
import {
  checkedPhotoKeys,
  isRequestPhotoKey,
  maySeePhoto,
  photoKeysIn,
  photoLimitsFor,
  type PhotoAccess,
  type PhotoViewer,
} from '../../../src/modules/requests/photos.ts'
import { definition } from '../catalogue/factory.ts'

const owner = 'c0ffee00-0000-4000-8000-000000000001'
const fixit = 'c0ffee00-0000-4000-8000-0000000000f1'
const photo = (changes: Partial<PhotoAccess> = {}): PhotoAccess => ({
  visibility: 'public',
  requestPersonId: owner,
  assignedContractorId: fixit,
  approvedForEveryone: false,
  ...changes,
})
const staff = (permissions: Permission[], contractorId: string | null = null): PhotoViewer => ({ kind: 'staff', permissions: new Set(permissions), contractorId })

describe('who may see a request photo', () => {
  it('lets the resident whose request it is see its public photos, and no others', () => {
    expect(maySeePhoto({ kind: 'resident', personId: owner }, photo())).toBe(true)
    expect(maySeePhoto({ kind: 'resident', personId: owner }, photo({ visibility: 'internal' }))).toBe(false)
    expect(maySeePhoto({ kind: 'resident', personId: 'c0ffee00-0000-4000-8000-000000000002' }, photo())).toBe(false)
  })

  it('lets council staff who work requests see every photo', () => {
    expect(maySeePhoto(staff(['requests.view']), photo({ visibility: 'internal', assignedContractorId: null }))).toBe(true)
  })

  it('lets an operative see the photos of their contractor’s jobs only', () => {
    const operative = (contractorId: string | null) => staff(['work.view-assigned', 'work.record-outcome'], contractorId)
    expect(maySeePhoto(operative(fixit), photo({ visibility: 'internal' }))).toBe(true)
    expect(maySeePhoto(operative('c0ffee00-0000-4000-8000-0000000000f2'), photo())).toBe(false)
    expect(maySeePhoto(operative(null), photo({ assignedContractorId: null }))).toBe(false)
    expect(maySeePhoto(operative(fixit), photo({ assignedContractorId: null }))).toBe(false)
  })

  it('shows nothing to staff without either permission, or to someone not signed in', () => {
    expect(maySeePhoto(staff(['catalogue.edit'], fixit), photo())).toBe(false)
    expect(maySeePhoto({ kind: 'anonymous' }, photo())).toBe(false)
  })

  it('shows a photo of a public report a moderator approved to anyone at all', () => {
    expect(maySeePhoto({ kind: 'anonymous' }, photo({ approvedForEveryone: true }))).toBe(true)
    expect(maySeePhoto({ kind: 'resident', personId: 'c0ffee00-0000-4000-8000-000000000002' }, photo({ approvedForEveryone: true }))).toBe(true)
  })
})

describe('photo keys and limits from a service definition', () => {
  const withPhotos = definition({
    questions: [
      { id: 'surface', kind: 'radios', label: 'Where?', options: [{ value: 'road', label: 'Road' }, { value: 'path', label: 'Path' }] },
      { id: 'close-up', kind: 'photo', label: 'A close photo', required: false, maxCount: 2, maxMegabytes: 5 },
      { id: 'wider', kind: 'photo', label: 'A wider photo', required: false, maxCount: 1 },
    ],
    priority: { default: 'routine' },
  })
  const key = (n: number) => `requests/photos/00000000-0000-4000-8000-00000000000${n}`

  it('finds the photos answered to every photo question, in question order', () => {
    expect(photoKeysIn(withPhotos, { surface: 'road', wider: [key(3)], 'close-up': [key(1), key(2)] })).toEqual([key(1), key(2), key(3)])
    expect(photoKeysIn(withPhotos, { surface: 'road' })).toEqual([])
  })

  it('takes the limits of the service’s first photo question, or 3 photos of 10MB when it has none', () => {
    expect(photoLimitsFor(withPhotos)).toEqual({ maxCount: 2, maxMegabytes: 5 })
    expect(photoLimitsFor(definition())).toEqual({ maxCount: 3, maxMegabytes: 10 })
  })

  it('accepts only keys the upload could have made, each once', () => {
    expect(isRequestPhotoKey(key(1))).toBe(true)
    for (const bad of ['requests/thumbnails/00000000-0000-4000-8000-000000000001', 'requests/photos/../../etc/passwd', 'requests/photos/abc', 42, null]) {
      expect(isRequestPhotoKey(bad), String(bad)).toBe(false)
    }
    const t = translator('en')
    expect(checkedPhotoKeys([key(1), key(1), key(2)], t)).toEqual([key(1), key(2)])
    expect(() => checkedPhotoKeys([key(1), 'elsewhere/photo'], t)).toThrow('A photo could not be found. Add it again')
  })
})
