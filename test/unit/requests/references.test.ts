import { describe, expect, it } from 'vitest'
import { generateReference, isReference, parseReference, referenceAlphabet } from '../../../src/modules/requests/references.ts'

describe('request references', () => {
  it('use no characters that are mistaken for each other when read aloud', () => {
    for (const confusable of ['0', 'O', '1', 'I', 'L', 'U']) expect(referenceAlphabet).not.toContain(confusable)
    expect(new Set(referenceAlphabet).size).toBe(referenceAlphabet.length)
    expect(referenceAlphabet).toMatch(/^[2-9A-Z]+$/)
  })

  it('are eight characters in two groups of four after the prefix', () => {
    for (let count = 0; count < 200; count++) {
      const reference = generateReference()
      expect(reference).toMatch(/^GH-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}$/)
      expect(isReference(reference)).toBe(true)
    }
  })

  it('take each character from the random source given', () => {
    const picks = [0, 1, 2, 3, 29, 28, 27, 26]
    expect(generateReference(() => picks.shift()!)).toBe('GH-2345-ZYXW')
  })

  it('differ from one another', () => {
    const references = new Set(Array.from({ length: 1000 }, () => generateReference()))
    expect(references.size).toBe(1000)
  })

  it('are understood however someone types them', () => {
    expect(parseReference('GH-7K3M-9PQX')).toBe('GH-7K3M-9PQX')
    expect(parseReference(' gh 7k3m 9pqx ')).toBe('GH-7K3M-9PQX')
    expect(parseReference('7K3M9PQX')).toBe('GH-7K3M-9PQX')
    expect(parseReference('7k3m-9pqx')).toBe('GH-7K3M-9PQX')
  })

  it('are refused when they cannot be one', () => {
    expect(parseReference('')).toBeUndefined()
    expect(parseReference('GH-7K3M-9PQ')).toBeUndefined()
    expect(parseReference('GH-7K3M-9PQXX')).toBeUndefined()
    expect(parseReference('GH-7K3M-9PQO')).toBeUndefined()
    expect(parseReference('GH-1K3M-9PQX')).toBeUndefined()
    expect(parseReference("GH-7K3M-9PQ'")).toBeUndefined()
    expect(isReference('gh-7k3m-9pqx')).toBe(false)
  })
})
