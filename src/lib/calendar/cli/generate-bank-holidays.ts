/**
 * Writes the shipped bank holiday list from the standing rules:
 *   npm run calendar:generate -- [fromYear] [toYear] [file]
 * A council with the official list should save https://www.gov.uk/bank-holidays.json instead,
 * because only that carries one-off holidays proclaimed for a single year.
 */
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { holidayFeedByRule } from '../bank-holiday-rules.ts'

const [fromArgument = '2024', toArgument = '2028', fileArgument] = process.argv.slice(2)
const fromYear = Number(fromArgument)
const toYear = Number(toArgument)
if (!Number.isInteger(fromYear) || !Number.isInteger(toYear) || fromYear > toYear) {
  console.error('Usage: npm run calendar:generate -- [fromYear] [toYear] [file]')
  process.exit(1)
}
const file = fileArgument ?? fileURLToPath(new URL('../bank-holidays.json', import.meta.url))
writeFileSync(file, `${JSON.stringify(holidayFeedByRule(fromYear, toYear), null, 2)}\n`)
console.log(`Wrote bank holidays for ${fromYear} to ${toYear} to ${file}`)
