import { randomUUID } from 'node:crypto'
import { mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { assertSafeFileKey, type FileStorage, type StoredFile } from './storage.ts'

const contentTypeSuffix = '.content-type'

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT'

/**
 * Files on local disk, one file per key under the root folder, with its content type in a small
 * file beside it. For one server, or several sharing a network disk.
 */
export class LocalFileStorage implements FileStorage {
  private readonly root: string

  constructor(root: string) {
    this.root = path.resolve(root)
  }

  async put(key: string, data: Buffer, contentType: string): Promise<void> {
    const file = this.pathFor(key)
    await mkdir(path.dirname(file), { recursive: true })
    // The content type goes first, so a file that can be read always has its type beside it.
    await this.writeAtomically(file + contentTypeSuffix, Buffer.from(contentType))
    await this.writeAtomically(file, data)
  }

  async get(key: string): Promise<StoredFile | undefined> {
    const file = this.pathFor(key)
    let handle
    try {
      handle = await open(file, 'r')
    } catch (error) {
      if (isMissing(error)) return undefined
      throw error
    }
    try {
      const { size } = await handle.stat()
      const contentType = await readFile(file + contentTypeSuffix, 'utf8').catch((error: unknown) => {
        if (isMissing(error)) return 'application/octet-stream'
        throw error
      })
      return { stream: handle.createReadStream(), contentType, bytes: size }
    } catch (error) {
      await handle.close()
      throw error
    }
  }

  async delete(key: string): Promise<void> {
    const file = this.pathFor(key)
    await rm(file, { force: true })
    await rm(file + contentTypeSuffix, { force: true })
  }

  private pathFor(key: string): string {
    assertSafeFileKey(key)
    const file = path.resolve(this.root, ...key.split('/'))
    // A second guard beside the key check, so no future change to the key rules can reach outside the root.
    if (!file.startsWith(this.root + path.sep)) throw new Error(`File key ${key} resolves outside the uploads folder`)
    return file
  }

  /**
   * Writes to a temporary file in the same folder and renames it into place: a rename within one
   * file system is atomic, so a reader never sees half a file, even if the process dies mid-write.
   */
  private async writeAtomically(file: string, data: Buffer): Promise<void> {
    const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${randomUUID()}.partial`)
    try {
      await writeFile(temporary, data, { flush: true })
      await rename(temporary, file)
    } catch (error) {
      await rm(temporary, { force: true })
      throw error
    }
  }
}
