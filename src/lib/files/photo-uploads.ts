/**
 * Photos sent through a form, from the upload to the stored copies: how many and how big a form
 * accepts, each one checked and re-encoded by normaliseImage, and the reason for a refusal in
 * words the person can act on. Every form that takes photos goes through here, so the limits and
 * the messages are the same wherever someone sends one.
 */
import type { Translate } from '../i18n/index.ts'
import { PhotoRejected, normaliseImage, type NormalisedPhoto } from './images.ts'
import { newFileKey, type FileStorage } from './storage.ts'

export interface PhotoLimits {
  maxCount: number
  maxMegabytes: number
}

/** What a form takes when nothing more specific is set. */
export const defaultPhotoLimits: PhotoLimits = { maxCount: 3, maxMegabytes: 10 }

const megabyte = 1024 * 1024

export type StoredPhotos = { keys: string[] } | { message: string }

/**
 * The files sent in one form field. A browser sends an empty part for a file input left empty,
 * which is not a photo.
 */
export function uploadedFiles(value: unknown): Buffer[] {
  return [value ?? []].flat().filter((item): item is Buffer => Buffer.isBuffer(item) && item.length > 0)
}

function tooManyMessage(limits: PhotoLimits, t: Translate): string {
  return limits.maxCount === 1 ? t('photoUpload.onlyOne') : t('photoUpload.tooMany', { maximum: limits.maxCount })
}

/**
 * Checks every photo, then stores each with its thumbnail under `folder`/photos and
 * `folder`/thumbnails, and gives back the photos' keys. One refused photo refuses them all and
 * stores nothing, so the person sends the set again without leaving half of it behind.
 */
export async function storePhotos(
  storage: FileStorage,
  files: readonly Buffer[],
  options: { folder: string; limits: PhotoLimits; t: Translate },
): Promise<StoredPhotos> {
  const { folder, limits, t } = options
  // Counted before anything is decoded, so too many photos costs nothing.
  if (files.length > limits.maxCount) return { message: tooManyMessage(limits, t) }
  const photos: NormalisedPhoto[] = []
  for (const file of files) {
    try {
      photos.push(await normaliseImage(file, { maxBytes: limits.maxMegabytes * megabyte }))
    } catch (error) {
      if (!(error instanceof PhotoRejected)) throw error
      return { message: t(`photoUpload.${error.reason}`, { megabytes: limits.maxMegabytes }) }
    }
  }
  const keys: string[] = []
  for (const photo of photos) {
    const key = newFileKey(`${folder}/photos`)
    await storage.put(key, photo.data, photo.contentType)
    await storage.put(thumbnailKeyOf(key), photo.thumbnail, photo.contentType)
    keys.push(key)
  }
  return { keys }
}

/** The key of a stored photo's thumbnail, which sits beside it in the thumbnails folder. */
export function thumbnailKeyOf(photoKey: string): string {
  const thumbnailKey = photoKey.replace(/\/photos\/([^/]+)$/, '/thumbnails/$1')
  if (thumbnailKey === photoKey) throw new Error(`${photoKey} is not the key of a stored photo`)
  return thumbnailKey
}

/** Removes stored photos and their thumbnails that nothing will refer to, after a form is refused. */
export async function discardPhotos(storage: FileStorage, keys: readonly string[]): Promise<void> {
  for (const key of keys) {
    await storage.delete(key)
    await storage.delete(thumbnailKeyOf(key))
  }
}

/**
 * Route options for a form that takes photos within `largest`. A file over the size stops being
 * read one byte past it and reaches the handler cut short, where normaliseImage refuses it as too
 * large, so the form is shown again with what else was typed; an error thrown while reading the
 * upload would lose it.
 */
export function photoUploadRouteConfig(largest: PhotoLimits) {
  return {
    multipartOptions: {
      limits: { files: largest.maxCount, fileSize: largest.maxMegabytes * megabyte + 1 },
      throwFileSizeLimit: false,
    },
  }
}

/**
 * The message for an upload refused while it was being read, before the form's handler ran, or
 * undefined for any other error.
 */
export function uploadLimitMessage(error: { code?: string }, limits: PhotoLimits, t: Translate): string | undefined {
  if (error.code === 'FST_FILES_LIMIT') return tooManyMessage(limits, t)
  if (error.code === 'FST_REQ_FILE_TOO_LARGE') return t('photoUpload.too-large', { megabytes: limits.maxMegabytes })
  return undefined
}

/**
 * A text field of a multipart form whose upload was refused while it was being read: the fields
 * before the files arrived, each still wrapped as the parser holds it.
 */
export function fieldOfRefusedUpload(body: unknown, name: string): string {
  const field = (body as Record<string, unknown> | undefined)?.[name]
  const value = typeof field === 'object' && field !== null && 'value' in field ? field.value : field
  return typeof value === 'string' ? value : ''
}
