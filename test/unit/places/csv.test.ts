import { describe, expect, it } from 'vitest'
import { CsvParser, headerName, matchHeader, readCsv, type CsvRecord } from '../../../src/modules/places/csv.ts'

async function parse(...chunks: string[]): Promise<CsvRecord[]> {
  const records: CsvRecord[] = []
  for await (const record of readCsv(chunks)) records.push(record)
  return records
}

describe('reading CSV (RFC 4180)', () => {
  it('reads plain records with their line numbers', async () => {
    expect(await parse('a,b,c\n1,2,3\n')).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['1', '2', '3'] },
    ])
  })

  it('reads quoted fields holding commas, doubled quotes and line breaks, and counts lines inside them', async () => {
    const records = await parse('name,notes\r\n"Flat 1, Mill Court","She said ""hello"""\r\n"two\r\nlines",x\r\nlast,row')
    expect(records).toEqual([
      { line: 1, fields: ['name', 'notes'] },
      { line: 2, fields: ['Flat 1, Mill Court', 'She said "hello"'] },
      { line: 3, fields: ['two\r\nlines', 'x'] },
      { line: 5, fields: ['last', 'row'] },
    ])
  })

  it('gives the same records however the text is split into chunks', async () => {
    const text = 'a,b\n"x, ""y""",z\r\n\r\n1,"2\n3"\n'
    const whole = await parse(text)
    for (let size = 1; size <= 4; size += 1) {
      const chunks = text.match(new RegExp(`[\\s\\S]{1,${size}}`, 'g'))!
      expect(await parse(...chunks)).toEqual(whole)
    }
  })

  it('skips blank lines but keeps empty fields', async () => {
    expect(await parse('a,b\n\n,\n\n"",x\n')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 3, fields: ['', ''] },
      { line: 5, fields: ['', 'x'] },
    ])
  })

  it('drops a byte order mark and decodes UTF-8 split across byte chunks', async () => {
    const bytes = new TextEncoder().encode('\uFEFFname\nSiân Ó Briain\n')
    const chunks = [bytes.slice(0, 9), bytes.slice(9, 10), bytes.slice(10)]
    const records: CsvRecord[] = []
    for await (const record of readCsv((async function* () { yield* chunks })())) records.push(record)
    expect(records.map((record) => record.fields[0])).toEqual(['name', 'Siân Ó Briain'])
  })

  it('flags a quote that is never closed and text after a closing quote', async () => {
    expect(await parse('a,b\n"x"y,z\n"open,1\n2\n')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['xy', 'z'], problem: 'textAfterQuote' },
      { line: 3, fields: ['open,1\n2\n'], problem: 'unclosedQuote' },
    ])
  })

  it('reads a last record with no line break after it', () => {
    const parser = new CsvParser()
    expect(parser.push('a,b\n1,2')).toEqual([{ line: 1, fields: ['a', 'b'] }])
    expect(parser.end()).toEqual([{ line: 2, fields: ['1', '2'] }])
  })
})

describe('matching a header', () => {
  it('finds columns however they are written, and reports missing, repeated and unused ones', () => {
    expect(headerName(' Address Line 1 ')).toBe('address_line_1')
    const match = matchHeader(['UPRN', 'Town', 'town', 'Notes'], ['uprn', 'town', 'postcode'] as const, ['parent_uprn'] as const)
    expect(match.positions).toEqual({ uprn: 0, town: 1 })
    expect(match.missing).toEqual(['postcode'])
    expect(match.duplicated).toEqual(['town'])
    expect(match.ignored).toEqual(['Notes'])
  })
})
