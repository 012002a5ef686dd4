import { Readable } from 'node:stream'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { translator } from '../../../src/lib/i18n/index.ts'
import {
  discardPhotos,
  photoUploadRouteConfig,
  storePhotos,
  thumbnailKeyOf,
  uploadLimitMessage,
  uploadedFiles,
} from '../../../src/lib/files/photo-uploads.ts'
import type { FileStorage, StoredFile } from '../../../src/lib/files/storage.ts'

const t = translator('en')

/** Storage that keeps files in a map, so a test can see exactly what was stored. */
class MemoryStorage implements FileStorage {
  readonly files = new Map<string, { data: Buffer; contentType: string }>()
  async put(key: string, data: Buffer, contentType: string) {
    this.files.set(key, { data, contentType })
  }
  async get(key: string): Promise<StoredFile | undefined> {
    const file = this.files.get(key)
    return file && { stream: Readable.from(file.data), contentType: file.contentType, bytes: file.data.length }
  }
  async delete(key: string) {
    this.files.delete(key)
  }
}

const picture = () => sharp({ create: { width: 640, height: 480, channels: 3, background: '#336699' } }).png().toBuffer()
const limits = { maxCount: 2, maxMegabytes: 1 }

describe('storing the photos sent with a form', () => {
  it('stores each photo re-encoded as JPEG with its thumbnail beside it', async () => {
    const storage = new MemoryStorage()
    const stored = await storePhotos(storage, [await picture(), await picture()], { folder: 'requests', limits, t })
    expect('keys' in stored && stored.keys).toEqual([expect.stringMatching(/^requests\/photos\/[0-9a-f-]{36}$/), expect.stringMatching(/^requests\/photos\/[0-9a-f-]{36}$/)])
    if (!('keys' in stored)) return
    expect([...storage.files.keys()].sort()).toEqual([...stored.keys, ...stored.keys.map(thumbnailKeyOf)].sort())
    for (const key of stored.keys) {
      expect(storage.files.get(key)!.contentType).toBe('image/jpeg')
      expect((await sharp(storage.files.get(thumbnailKeyOf(key))!.data).metadata()).width).toBe(400)
    }
    await discardPhotos(storage, stored.keys)
    expect(storage.files.size).toBe(0)
  })

  it('refuses too many photos, or any bad one, and then stores none of them', async () => {
    const storage = new MemoryStorage()
    const good = await picture()
    expect(await storePhotos(storage, [good, good, good], { folder: 'requests', limits, t })).toEqual({ message: 'You can add up to 2 photos' })
    expect(await storePhotos(storage, [good], { folder: 'requests', limits: { maxCount: 1, maxMegabytes: 1 }, t })).toHaveProperty('keys')
    storage.files.clear()
    expect(await storePhotos(storage, [good, good], { folder: 'requests', limits: { maxCount: 1, maxMegabytes: 1 }, t })).toEqual({ message: 'You can add only 1 photo' })
    expect(await storePhotos(storage, [good, Buffer.alloc(1024 * 1024 + 1)], { folder: 'requests', limits, t })).toEqual({
      message: 'The selected file must be smaller than 1MB',
    })
    expect(await storePhotos(storage, [good, Buffer.from('%PDF-1.7')], { folder: 'requests', limits, t })).toEqual({
      message: 'The selected file must be a JPEG, PNG or WebP',
    })
    expect(storage.files.size).toBe(0)
  })

  it('reads the files of a form field, leaving out the empty part of a file input left empty', () => {
    const photo = Buffer.from('photo')
    expect(uploadedFiles(undefined)).toEqual([])
    expect(uploadedFiles(Buffer.alloc(0))).toEqual([])
    expect(uploadedFiles(photo)).toEqual([photo])
    expect(uploadedFiles([photo, Buffer.alloc(0), 'text', photo])).toEqual([photo, photo])
  })

  it('words an upload stopped while it was read, and lets any other error through', () => {
    expect(uploadLimitMessage({ code: 'FST_FILES_LIMIT' }, limits, t)).toBe('You can add up to 2 photos')
    expect(uploadLimitMessage({ code: 'FST_REQ_FILE_TOO_LARGE' }, limits, t)).toBe('The selected file must be smaller than 1MB')
    expect(uploadLimitMessage({ code: 'FST_CSRF_INVALID_TOKEN' }, limits, t)).toBeUndefined()
  })

  it('reads a file one byte past the largest size, so an oversized photo reaches the form to be refused', () => {
    expect(photoUploadRouteConfig({ maxCount: 10, maxMegabytes: 20 })).toEqual({
      multipartOptions: { limits: { files: 10, fileSize: 20 * 1024 * 1024 + 1 }, throwFileSizeLimit: false },
    })
  })

  it('finds a photo’s thumbnail beside it, and refuses a key that is not a photo’s', () => {
    expect(thumbnailKeyOf('requests/photos/abc')).toBe('requests/thumbnails/abc')
    expect(() => thumbnailKeyOf('requests/thumbnails/abc')).toThrow()
  })
})
