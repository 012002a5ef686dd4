import { randomUUID } from 'node:crypto'
import type { Readable } from 'node:stream'

export interface StoredFile {
  stream: Readable
  contentType: string
  bytes: number
}

/**
 * Where uploaded files are kept. Keys are made by newFileKey, never taken from a request, and
 * every adapter refuses a key that does not look like one.
 */
export interface FileStorage {
  /** Stores the data under the key, replacing whatever was there, so that readers see all of it or none. */
  put(key: string, data: Buffer, contentType: string): Promise<void>
  /** The stored file, or undefined when there is none under the key. */
  get(key: string): Promise<StoredFile | undefined>
  /** Removes the file; removing one that is not there is not an error. */
  delete(key: string): Promise<void>
}

export class UnsafeFileKey extends Error {
  constructor(key: string) {
    super(`Refusing the file key ${JSON.stringify(key)}: keys are lower-case words, digits and hyphens separated by "/"`)
  }
}

const keySegment = '[a-z0-9][a-z0-9-]{0,63}'
const keyPattern = new RegExp(`^${keySegment}(/${keySegment}){0,7}$`)

/**
 * Whether a key is one this code could have made: no dots, so no "..", no hidden files and no
 * clash with the names adapters keep beside a file; no leading slash; nothing but [a-z0-9-].
 */
export function isSafeFileKey(key: string): boolean {
  return keyPattern.test(key)
}

export function assertSafeFileKey(key: string): void {
  if (!isSafeFileKey(key)) throw new UnsafeFileKey(key)
}

/** A new key under a folder such as "requests/photos", unguessable so that keys cannot be enumerated. */
export function newFileKey(folder: string): string {
  const key = `${folder}/${randomUUID()}`
  assertSafeFileKey(key)
  return key
}
