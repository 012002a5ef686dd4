import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { buffer } from 'node:stream/consumers'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { LocalFileStorage } from '../../../src/lib/files/local-storage.ts'
import { isSafeFileKey, newFileKey, UnsafeFileKey } from '../../../src/lib/files/storage.ts'

let folder: string
let uploads: string
let storage: LocalFileStorage

beforeEach(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'guildhall-files-'))
  uploads = path.join(folder, 'uploads')
  storage = new LocalFileStorage(uploads)
})

afterEach(async () => {
  await rm(folder, { recursive: true, force: true })
})

async function filesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true })
  return entries.filter((entry) => entry.isFile()).map((entry) => path.relative(directory, path.join(entry.parentPath, entry.name)))
}

describe('keeping files on local disk', () => {
  it('gives back what was stored, with its content type and size', async () => {
    const key = newFileKey('requests/photos')
    const photo = Buffer.from('not really a JPEG, but storage does not care')
    await storage.put(key, photo, 'image/jpeg')

    const stored = await storage.get(key)
    expect(stored).toMatchObject({ contentType: 'image/jpeg', bytes: photo.length })
    expect(await buffer(stored!.stream)).toEqual(photo)
  })

  it('keeps files under the uploads folder and leaves no partial files behind', async () => {
    const key = newFileKey('requests/photos')
    await storage.put(key, Buffer.from('first'), 'image/jpeg')
    await storage.put(key, Buffer.from('second'), 'image/png')

    expect((await filesUnder(uploads)).sort()).toEqual([path.join(...key.split('/')), `${path.join(...key.split('/'))}.content-type`])
    const stored = await storage.get(key)
    expect(await buffer(stored!.stream)).toEqual(Buffer.from('second'))
    expect(stored!.contentType).toBe('image/png')
  })

  it('finds nothing under a key never used or deleted, and deleting twice is fine', async () => {
    expect(await storage.get(newFileKey('requests/photos'))).toBeUndefined()

    const key = newFileKey('requests/photos')
    await storage.put(key, Buffer.from('photo'), 'image/jpeg')
    await storage.delete(key)
    await storage.delete(key)
    expect(await storage.get(key)).toBeUndefined()
    expect(await filesUnder(uploads)).toEqual([])
  })

  it('makes a new unguessable key each time', () => {
    const keys = new Set(Array.from({ length: 100 }, () => newFileKey('requests/photos')))
    expect(keys.size).toBe(100)
    for (const key of keys) expect(key).toMatch(/^requests\/photos\/[0-9a-f-]{36}$/)
  })

  it('refuses keys that could reach outside the uploads folder or were never made by newFileKey', async () => {
    const secret = path.join(folder, 'secret.txt')
    await writeFile(secret, 'session secret')
    const unsafe = [
      '../secret.txt',
      'requests/../../secret.txt',
      '/etc/passwd',
      `${folder}/secret.txt`,
      'requests\\..\\..\\secret.txt',
      'requests/./photo',
      'requests//photo',
      '.hidden',
      'photo.content-type',
      'Requests/Photo',
      'requests/photo%2f..',
      'requests/photo\0',
      '',
    ]
    for (const key of unsafe) {
      expect(isSafeFileKey(key)).toBe(false)
      await expect(storage.put(key, Buffer.from('overwritten'), 'text/plain')).rejects.toBeInstanceOf(UnsafeFileKey)
      await expect(storage.get(key)).rejects.toBeInstanceOf(UnsafeFileKey)
      await expect(storage.delete(key)).rejects.toBeInstanceOf(UnsafeFileKey)
    }
    expect(await readFile(secret, 'utf8')).toBe('session secret')
    expect(() => newFileKey('../outside')).toThrow(UnsafeFileKey)
  })
})
