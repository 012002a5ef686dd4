import sharp, { type Metadata } from 'sharp'
import { DomainError } from '../errors.ts'

/** Why a photo was refused; the form turns each into the GOV.UK file upload error message. */
export type PhotoRejection = 'empty' | 'too-large' | 'wrong-type' | 'heic' | 'too-many-pixels' | 'unreadable'

export class PhotoRejected extends DomainError {
  constructor(readonly reason: PhotoRejection, message: string) {
    super(message)
  }
}

/** The kinds of file a resident may send as a photo. */
export type PhotoType = 'jpeg' | 'png' | 'webp'

/**
 * More pixels than this is refused before decoding: a small file can claim enormous dimensions
 * (a decompression bomb), and decoding it would take gigabytes of memory. The largest photos that
 * phone cameras take (48 to 50 megapixels) still fit.
 */
export const largestPhotoPixels = 50_000_000

/** Staff and residents see photos on screens and in print, where a longer side than this adds nothing. */
export const photoLongestSide = 2048

export const thumbnailLongestSide = 400

export interface NormalisedPhoto {
  data: Buffer
  thumbnail: Buffer
  contentType: 'image/jpeg'
  width: number
  height: number
  bytes: number
}

const heifBrands = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'mif1', 'msf1'])
const avifBrands = new Set(['avif', 'avis'])

const startsWith = (bytes: Uint8Array, signature: readonly number[], offset = 0) =>
  bytes.length >= offset + signature.length && signature.every((byte, index) => bytes[offset + index] === byte)

const ascii = (bytes: Uint8Array, start: number, end: number) => String.fromCharCode(...bytes.subarray(start, end))

/**
 * The brands of an ISO media file (HEIC, AVIF, MP4…) from its leading "ftyp" box, or undefined
 * when the bytes do not start with one.
 */
function mediaFileBrands(bytes: Uint8Array): string[] | undefined {
  if (bytes.length < 16 || ascii(bytes, 4, 8) !== 'ftyp') return undefined
  const boxEnd = Math.min(bytes.length, new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0))
  const brands = [ascii(bytes, 8, 12)]
  for (let offset = 16; offset + 4 <= boxEnd; offset += 4) brands.push(ascii(bytes, offset, offset + 4))
  return brands
}

/**
 * What a file really is, from its first bytes; the file name and the type the browser claimed are
 * chosen by the sender and prove nothing.
 */
export function detectImageType(bytes: Uint8Array): PhotoType | 'heic' | undefined {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg'
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png'
  if (bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return 'webp'
  const brands = mediaFileBrands(bytes)
  if (brands && !brands.some((brand) => avifBrands.has(brand)) && brands.some((brand) => heifBrands.has(brand))) return 'heic'
  return undefined
}

function sizeInWords(bytes: number): string {
  const megabyte = 1024 * 1024
  if (bytes >= megabyte) return `${Math.round((bytes / megabyte) * 10) / 10}MB`
  return `${Math.max(1, Math.floor(bytes / 1024))}KB`
}

const rejections = {
  empty: () => new PhotoRejected('empty', 'The selected file is empty'),
  tooLarge: (maxBytes: number) => new PhotoRejected('too-large', `The selected file must be smaller than ${sizeInWords(maxBytes)}`),
  wrongType: () => new PhotoRejected('wrong-type', 'The selected file must be a JPG, PNG or WebP'),
  // The image library here reads HEIC headers but has no HEVC decoder, so the pixels cannot be opened.
  heic: () =>
    new PhotoRejected(
      'heic',
      'The selected file is a HEIC photo, which we cannot open – send it as a JPG or PNG instead (on an iPhone, choose "Most Compatible" in Settings > Camera > Formats)',
    ),
  tooManyPixels: () =>
    new PhotoRejected('too-many-pixels', 'The selected file is too big to open – send a smaller copy of the photo'),
  unreadable: () => new PhotoRejected('unreadable', 'The selected file could not be opened – it may be damaged, so try a different photo'),
}

/** sharp reports a file over limitInputPixels only in the words of its error message. */
const refusalFor = (error: unknown) =>
  error instanceof Error && /pixel limit/i.test(error.message) ? rejections.tooManyPixels() : rejections.unreadable()

/**
 * Checks a photo someone sent and makes the copy that others will see: rotated upright from its
 * EXIF orientation, no longer than photoLongestSide on either side, re-encoded as JPEG with every
 * piece of metadata removed (EXIF with its GPS location, XMP, IPTC, comments), plus a thumbnail.
 * Re-encoding everything as JPEG gives one predictable format and size, and means nothing of the
 * original file, hidden or not, reaches anyone else. Transparent areas become white.
 */
export async function normaliseImage(input: Buffer, options: { maxBytes: number }): Promise<NormalisedPhoto> {
  if (input.length === 0) throw rejections.empty()
  if (input.length > options.maxBytes) throw rejections.tooLarge(options.maxBytes)
  const type = detectImageType(input)
  if (type === 'heic') throw rejections.heic()
  if (!type) throw rejections.wrongType()

  const decoderOptions = { limitInputPixels: largestPhotoPixels, failOn: 'warning' as const }
  let header: Metadata
  try {
    header = await sharp(input, decoderOptions).metadata()
  } catch (error) {
    throw refusalFor(error)
  }
  // The signature and the decoder must agree, so a file cannot pass as one type and be read as another.
  if (header.format !== type) throw rejections.unreadable()
  if (header.width * header.height > largestPhotoPixels) throw rejections.tooManyPixels()

  try {
    const { data, info } = await sharp(input, decoderOptions)
      .autoOrient()
      .resize({ width: photoLongestSide, height: photoLongestSide, fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 82 })
      .toBuffer({ resolveWithObject: true })
    const thumbnail = await sharp(data)
      .resize({ width: thumbnailLongestSide, height: thumbnailLongestSide, fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 75 })
      .toBuffer()
    return { data, thumbnail, contentType: 'image/jpeg', width: info.width, height: info.height, bytes: data.length }
  } catch (error) {
    throw refusalFor(error)
  }
}
