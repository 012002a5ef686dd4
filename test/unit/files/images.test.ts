import { readFile } from 'node:fs/promises'
import { crc32, deflateSync } from 'node:zlib'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import {
  detectImageType,
  largestPhotoPixels,
  normaliseImage,
  PhotoRejected,
  photoLongestSide,
  thumbnailLongestSide,
  type PhotoRejection,
} from '../../../src/lib/files/images.ts'

const tenMegabytes = 10 * 1024 * 1024
const limits = { maxBytes: tenMegabytes }

/** A picture whose halves differ, so a test can tell which way up it came out. */
function twoToneImage(width: number, height: number) {
  const top = Buffer.alloc(width * Math.floor(height / 2) * 3, 0)
  const bottom = Buffer.alloc(width * (height - Math.floor(height / 2)) * 3, 255)
  return sharp(Buffer.concat([top, bottom]), { raw: { width, height, channels: 3 } })
}

/** A phone photo: stored 400 × 300 but tagged "rotate 90° clockwise", with where it was taken. */
function phonePhoto() {
  return twoToneImage(400, 300)
    .withExif({
      IFD0: { Make: 'Wendlephone', Model: 'W1', ImageDescription: 'Kitchen ceiling' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '52/1 12/1 30/1', GPSLongitudeRef: 'W', GPSLongitude: '1/1 30/1 15/1' },
    })
    .withMetadata({ orientation: 6 })
    .withXmp('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></x:xmpmeta>')
    .jpeg()
    .toBuffer()
}

/** Whether EXIF data holds a GPS section: tag 0x8825 in its first directory points to one. */
function hasGpsSection(exif: Buffer): boolean {
  const tiff = exif.subarray(exif.indexOf('Exif\0\0') + 6)
  const littleEndian = tiff.toString('latin1', 0, 2) === 'II'
  const word = (offset: number) => (littleEndian ? tiff.readUInt16LE(offset) : tiff.readUInt16BE(offset))
  const firstDirectory = littleEndian ? tiff.readUInt32LE(4) : tiff.readUInt32BE(4)
  const entries = word(firstDirectory)
  return Array.from({ length: entries }, (_, index) => word(firstDirectory + 2 + index * 12)).includes(0x8825)
}

/**
 * A real, valid PNG of one colour at any size: one bit a pixel and deflate make a 30000 × 30000
 * picture a small file, while decoding it would need gigabytes.
 */
function singleColourPng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4)
    length.writeUInt32BE(data.length)
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data])
    const checksum = Buffer.alloc(4)
    checksum.writeUInt32BE(crc32(body))
    return Buffer.concat([length, body, checksum])
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header.set([1, 0, 0, 0, 0], 8)
  const rows = Buffer.alloc((1 + Math.ceil(width / 8)) * height)
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

async function rejection(input: Buffer, options = limits): Promise<{ reason: PhotoRejection; message: string }> {
  try {
    await normaliseImage(input, options)
  } catch (error) {
    if (error instanceof PhotoRejected) return { reason: error.reason, message: error.message }
    throw error
  }
  throw new Error('expected the photo to be refused')
}

describe('normalising a photo', () => {
  it('turns a sideways phone photo upright, as the camera meant it', async () => {
    const photo = await normaliseImage(await phonePhoto(), limits)
    expect([photo.width, photo.height]).toEqual([300, 400])
    const { data } = await sharp(photo.data).raw().toBuffer({ resolveWithObject: true })
    // Rotated 90° clockwise, the dark top half of the stored picture becomes the right-hand half.
    const pixel = (x: number, y: number) => data[(y * 300 + x) * 3]!
    expect(pixel(10, 200)).toBeGreaterThan(200)
    expect(pixel(290, 200)).toBeLessThan(50)
  })

  it('removes the location and every other piece of metadata', async () => {
    const original = await phonePhoto()
    const before = await sharp(original).metadata()
    expect(before.orientation).toBe(6)
    expect(hasGpsSection(before.exif!)).toBe(true)
    expect(before.xmp).toBeDefined()
    expect(before.icc).toBeDefined()

    const photo = await normaliseImage(original, limits)
    for (const output of [photo.data, photo.thumbnail]) {
      const after = await sharp(output).metadata()
      expect(after.exif).toBeUndefined()
      expect(after.xmp).toBeUndefined()
      expect(after.iptc).toBeUndefined()
      expect(after.icc).toBeUndefined()
      expect(after.comments).toBeUndefined()
      expect(after.orientation).toBeUndefined()
    }
    expect(photo.data.includes('Wendlephone')).toBe(false)
    expect(photo.data.includes('Kitchen ceiling')).toBe(false)
  })

  it('re-encodes JPEG, PNG and WebP as JPEG, with a thumbnail', async () => {
    const inputs = {
      jpeg: await twoToneImage(640, 480).jpeg().toBuffer(),
      png: await twoToneImage(640, 480).ensureAlpha(0.5).png().toBuffer(),
      webp: await twoToneImage(640, 480).webp().toBuffer(),
    }
    for (const [type, input] of Object.entries(inputs)) {
      expect(detectImageType(input)).toBe(type)
      const photo = await normaliseImage(input, limits)
      expect(photo).toMatchObject({ contentType: 'image/jpeg', width: 640, height: 480, bytes: photo.data.length })
      expect(await sharp(photo.data).metadata()).toMatchObject({ format: 'jpeg', width: 640, height: 480, hasAlpha: false })
      expect(await sharp(photo.thumbnail).metadata()).toMatchObject({ format: 'jpeg', width: thumbnailLongestSide, height: 300 })
    }
  })

  it('shrinks a large photo so its longest side fits, keeping its shape', async () => {
    const photo = await normaliseImage(await twoToneImage(4000, 3000).jpeg().toBuffer(), limits)
    expect([photo.width, photo.height]).toEqual([photoLongestSide, 1536])
  })

  it('judges the type by the bytes, whatever the file was called', async () => {
    expect(detectImageType(Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'))).toBeUndefined()
    expect(detectImageType(Buffer.from('this is not a photo, whatever its name.jpg says'))).toBeUndefined()
    expect(detectImageType(await readFile(new URL('fixtures/photo.heic', import.meta.url)))).toBe('heic')
    expect(detectImageType(await twoToneImage(16, 16).avif().toBuffer())).toBeUndefined()
  })

  it('refuses anything that is not a JPEG, PNG or WebP, in GOV.UK words', async () => {
    const refused = [
      await twoToneImage(64, 64).gif().toBuffer(),
      await twoToneImage(64, 64).tiff().toBuffer(),
      await twoToneImage(64, 64).avif().toBuffer(),
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'),
      Buffer.from('Dear council, please fix my boiler. (saved as boiler.jpg)'),
    ]
    for (const input of refused) {
      expect(await rejection(input)).toEqual({ reason: 'wrong-type', message: 'The selected file must be a JPG, PNG or WebP' })
    }
  })

  it('refuses a HEIC photo, because the image library here cannot decode HEVC, and says what to send instead', async () => {
    const heic = await readFile(new URL('fixtures/photo.heic', import.meta.url))
    // The library reads the header yet fails on the pixels: the evidence behind refusing HEIC.
    expect(await sharp(heic).metadata()).toMatchObject({ format: 'heif', compression: 'hevc' })
    await expect(sharp(heic).toBuffer()).rejects.toThrow(/HEVC/)

    const { reason, message } = await rejection(heic)
    expect(reason).toBe('heic')
    expect(message).toMatch(/^The selected file is a HEIC photo, which we cannot open – send it as a JPG or PNG instead/)
  })

  it('refuses an empty file and one over the size limit before looking inside', async () => {
    expect(await rejection(Buffer.alloc(0))).toEqual({ reason: 'empty', message: 'The selected file is empty' })
    const oversized = Buffer.concat([await twoToneImage(64, 64).jpeg().toBuffer(), Buffer.alloc(tenMegabytes)])
    expect(await rejection(oversized)).toEqual({ reason: 'too-large', message: 'The selected file must be smaller than 10MB' })
    const photo = await twoToneImage(640, 480).jpeg().toBuffer()
    expect(await rejection(photo, { maxBytes: photo.length - 1 })).toMatchObject({ reason: 'too-large' })
    expect((await normaliseImage(photo, { maxBytes: photo.length })).width).toBe(640)
  })

  it('refuses a decompression bomb without decoding it', async () => {
    const bomb = singleColourPng(30_000, 30_000)
    expect(bomb.length).toBeLessThan(1024 * 1024)
    expect(await sharp(bomb, { limitInputPixels: false }).metadata()).toMatchObject({ width: 30_000, height: 30_000 })
    expect(await rejection(bomb)).toMatchObject({ reason: 'too-many-pixels', message: expect.stringMatching(/^The selected file is too big to open/) })
  })

  it('draws the pixel limit above a 50 megapixel phone photo and below 8192 × 8192', async () => {
    expect(8160 * 6120).toBeLessThanOrEqual(largestPhotoPixels)
    expect(8192 * 8192).toBeGreaterThan(largestPhotoPixels)
    expect(await rejection(singleColourPng(8192, 8192))).toMatchObject({ reason: 'too-many-pixels' })
  })

  it('refuses a damaged file that starts like a photo', async () => {
    const photo = await twoToneImage(640, 480).jpeg().toBuffer()
    expect(await rejection(photo.subarray(0, 200))).toMatchObject({ reason: 'unreadable', message: expect.stringMatching(/^The selected file could not be opened/) })
    const lyingWebp = Buffer.concat([Buffer.from('RIFF\0\0\0\0WEBP', 'latin1'), photo])
    expect(await rejection(lyingWebp)).toMatchObject({ reason: 'unreadable' })
  })
})
