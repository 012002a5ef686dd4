/**
 * A streaming reader for comma-separated values as RFC 4180 describes them: fields may be quoted,
 * quoted fields may hold commas, doubled quotes and line breaks, and records end with CRLF or LF.
 * Each record carries the line it starts on, so a council officer can find a bad row in their
 * spreadsheet. Blank lines are skipped; a UTF-8 byte order mark (Excel adds one) is dropped.
 */

export type CsvProblem = 'unclosedQuote' | 'textAfterQuote'

export interface CsvRecord {
  /** The line of the file the record starts on, counting the header as line 1. */
  line: number
  fields: string[]
  problem?: CsvProblem
}

const comma = 44
const quote = 34
const carriageReturn = 13
const lineFeed = 10

const enum State {
  FieldStart,
  Unquoted,
  Quoted,
  QuoteInQuoted,
}

export class CsvParser {
  private state = State.FieldStart
  private fields: string[] = []
  private field = ''
  private recordStarted = false
  private recordLine = 1
  private line = 1
  private afterCarriageReturn = false
  private problem: CsvProblem | undefined
  private firstChunk = true

  /** Reads the next piece of text and returns the records it completed. */
  push(text: string): CsvRecord[] {
    const records: CsvRecord[] = []
    let index = 0
    if (this.firstChunk) {
      this.firstChunk = false
      if (text.charCodeAt(0) === 0xfeff) index = 1
    }
    const length = text.length
    while (index < length) {
      const code = text.charCodeAt(index)
      if (!this.recordStarted && this.state === State.FieldStart && code !== carriageReturn && code !== lineFeed) {
        this.recordStarted = true
        this.recordLine = this.line
      }
      switch (this.state) {
        case State.FieldStart:
          if (code === quote) {
            this.state = State.Quoted
            index += 1
            this.afterCarriageReturn = false
          } else {
            this.state = State.Unquoted
          }
          break
        case State.Unquoted: {
          let end = index
          while (end < length) {
            const next = text.charCodeAt(end)
            if (next === comma || next === carriageReturn || next === lineFeed) break
            end += 1
          }
          if (end > index) {
            this.field += text.slice(index, end)
            this.afterCarriageReturn = false
          }
          index = end
          if (end < length) {
            index += 1
            this.separator(text.charCodeAt(end), records)
          }
          break
        }
        case State.Quoted: {
          let end = index
          while (end < length) {
            const next = text.charCodeAt(end)
            if (next === quote || next === carriageReturn || next === lineFeed) break
            end += 1
          }
          if (end > index) {
            this.field += text.slice(index, end)
            this.afterCarriageReturn = false
          }
          index = end
          if (end < length) {
            const next = text.charCodeAt(end)
            index += 1
            if (next === quote) {
              this.state = State.QuoteInQuoted
              this.afterCarriageReturn = false
            } else {
              this.field += text[end]
              this.countLineBreak(next)
            }
          }
          break
        }
        case State.QuoteInQuoted:
          if (code === quote) {
            this.field += '"'
            this.state = State.Quoted
            index += 1
            this.afterCarriageReturn = false
          } else if (code === comma || code === carriageReturn || code === lineFeed) {
            index += 1
            this.separator(code, records)
          } else {
            this.problem ??= 'textAfterQuote'
            this.state = State.Unquoted
          }
          break
      }
    }
    return records
  }

  /** Finishes the input, returning the last record if the file did not end with a line break. */
  end(): CsvRecord[] {
    const records: CsvRecord[] = []
    if (this.state === State.Quoted) this.problem ??= 'unclosedQuote'
    if (this.recordStarted) this.finishRecord(records)
    return records
  }

  private countLineBreak(code: number) {
    if (code === carriageReturn) {
      this.line += 1
      this.afterCarriageReturn = true
    } else {
      if (!this.afterCarriageReturn) this.line += 1
      this.afterCarriageReturn = false
    }
  }

  private separator(code: number, records: CsvRecord[]) {
    if (code === comma) {
      this.fields.push(this.field)
      this.field = ''
      this.state = State.FieldStart
      this.afterCarriageReturn = false
      return
    }
    this.countLineBreak(code)
    if (this.recordStarted) this.finishRecord(records)
    else this.state = State.FieldStart
  }

  private finishRecord(records: CsvRecord[]) {
    this.fields.push(this.field)
    const record: CsvRecord = { line: this.recordLine, fields: this.fields }
    if (this.problem) record.problem = this.problem
    const blank = this.fields.length === 1 && this.fields[0] === '' && !this.problem
    if (!blank) records.push(record)
    this.fields = []
    this.field = ''
    this.problem = undefined
    this.recordStarted = false
    this.state = State.FieldStart
  }
}

/** Reads records from a stream of text or bytes (a file, an upload, a generated string). */
export async function* readCsv(source: AsyncIterable<string | Uint8Array> | Iterable<string>): AsyncGenerator<CsvRecord> {
  const parser = new CsvParser()
  const decoder = new TextDecoder('utf-8')
  for await (const chunk of source) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true })
    yield* parser.push(text)
  }
  yield* parser.push(decoder.decode())
  yield* parser.end()
}

export interface HeaderMatch<Column extends string> {
  /** Where each known column is in a record; optional columns the file lacks are absent. */
  positions: Partial<Record<Column, number>>
  missing: Column[]
  duplicated: string[]
  /** Columns this import does not use; reported so a misspelt optional column is noticed. */
  ignored: string[]
}

/** Header names compared as people write them: "Address Line 1" matches address_line_1. */
export function headerName(text: string): string {
  return text.trim().toLowerCase().replace(/[\s-]+/g, '_')
}

export function matchHeader<Column extends string>(
  fields: string[],
  required: readonly Column[],
  optional: readonly Column[],
): HeaderMatch<Column> {
  const known = new Set<string>([...required, ...optional])
  const positions: Partial<Record<Column, number>> = {}
  const duplicated: string[] = []
  const ignored: string[] = []
  fields.forEach((field, index) => {
    const name = headerName(field)
    if (!known.has(name)) {
      if (name !== '') ignored.push(field.trim())
      return
    }
    if (positions[name as Column] !== undefined) duplicated.push(name)
    else positions[name as Column] = index
  })
  return { positions, missing: required.filter((column) => positions[column] === undefined), duplicated, ignored }
}
