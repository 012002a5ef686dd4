/**
 * UK postcodes. They are stored normalised ("LW1 4QT": capitals, one space before the inward
 * code), so every lookup is an exact match on an index.
 */

export type PostcodeProblem = 'missing' | 'invalid'

export type PostcodeResult = { valid: true; postcode: string } | { valid: false; problem: PostcodeProblem }

// The outward code's shapes (A9, A99, AA9, AA99, A9A, AA9A) with the letters Royal Mail allows in
// each position; the inward code never uses C, I, K, M, O or V, which are easily misread.
const outwardCode = '(?:[A-PR-UWYZ][0-9]{1,2}|[A-PR-UWYZ][A-HK-Y][0-9]{1,2}|[A-PR-UWYZ][0-9][A-HJKPSTUW]|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY])'
const inwardCode = '[0-9][ABD-HJLNP-UW-Z]{2}'
const postcodePattern = new RegExp(`^(?:${outwardCode}${inwardCode}|GIR0AA)$`)

/** Reads a postcode as people type it ("lw14qt", " LW1  4QT ") and says whether it is a real UK shape. */
export function parsePostcode(input: string | null | undefined): PostcodeResult {
  const compact = (input ?? '').replace(/\s+/g, '').toUpperCase()
  if (compact === '') return { valid: false, problem: 'missing' }
  if (!postcodePattern.test(compact)) return { valid: false, problem: 'invalid' }
  return { valid: true, postcode: `${compact.slice(0, -3)} ${compact.slice(-3)}` }
}

/** The stored form of a postcode, or undefined when it is not a UK postcode. */
export function normalisePostcode(input: string | null | undefined): string | undefined {
  const result = parsePostcode(input)
  return result.valid ? result.postcode : undefined
}
