import { randomInt } from 'node:crypto'

/**
 * Request references, made to be read aloud over the phone: "GH-7K3M-9PQX". The alphabet leaves
 * out 0 and O, 1, I and L, which are mistaken for each other when spoken or handwritten, and U,
 * which is misheard as "you" and could spell words the council would rather not send. Eight
 * characters from 30 give about 650 billion references, so a random one rarely collides and a
 * reference cannot be guessed from another.
 */

export const referenceAlphabet = '23456789ABCDEFGHJKMNPQRSTVWXYZ'
export const referencePrefix = 'GH'
export const referenceLength = 8

/** A whole number from 0 up to, not including, `limit`; the default is cryptographically random. */
export type RandomIndex = (limit: number) => number

/** A new reference, grouped in fours after the prefix. */
export function generateReference(randomIndex: RandomIndex = randomInt): string {
  let characters = ''
  for (let position = 0; position < referenceLength; position++) {
    characters += referenceAlphabet[randomIndex(referenceAlphabet.length)]
  }
  return `${referencePrefix}-${characters.slice(0, 4)}-${characters.slice(4)}`
}

const referencePattern = new RegExp(`^${referencePrefix}-[${referenceAlphabet}]{4}-[${referenceAlphabet}]{4}$`)

export function isReference(text: string): boolean {
  return referencePattern.test(text)
}

/**
 * A reference as someone typed or read it out ("gh 7k3m 9pqx", "7K3M9PQX"), in its stored form,
 * or undefined when it cannot be one. The prefix is optional because people often leave it off.
 */
export function parseReference(input: string): string | undefined {
  const compact = input.toUpperCase().replace(/[\s-]/g, '')
  const characters = compact.startsWith(referencePrefix) && compact.length === referencePrefix.length + referenceLength
    ? compact.slice(referencePrefix.length)
    : compact
  const reference = `${referencePrefix}-${characters.slice(0, 4)}-${characters.slice(4)}`
  return characters.length === referenceLength && isReference(reference) ? reference : undefined
}
