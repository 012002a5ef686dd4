import { parseArgs } from 'node:util'
import type { ApiKeyForm } from '../api-keys/rules.ts'

/** A reason the command line was refused: a locale key under identity.apiKeys, and what fills it in. */
export interface ArgumentProblem {
  problem: string
  values?: Record<string, string>
}

const optionValues = (args: readonly string[]) =>
  parseArgs({
    args: [...args],
    options: {
      name: { type: 'string', default: '' },
      services: { type: 'string' },
      write: { type: 'boolean', default: false },
      'change-status': { type: 'boolean', default: false },
      rate: { type: 'string', default: '' },
    },
    strict: true,
    allowPositionals: false,
  }).values

/**
 * Reads `--name NAME --services all|CODE,CODE [--write] [--change-status] [--rate N]` into the same
 * form the back office fills in, so both are checked by the same rules.
 */
export function readApiKeyArguments(args: readonly string[]): { form: ApiKeyForm } | ArgumentProblem {
  let values: ReturnType<typeof optionValues>
  try {
    values = optionValues(args)
  } catch (error) {
    return { problem: 'cli.unreadable', values: { reason: (error as Error).message } }
  }
  if (values.services === undefined) return { problem: 'cli.servicesMissing' }
  return {
    form: {
      name: values.name,
      services: values.services.trim() === 'all' ? 'all' : values.services.split(','),
      write: values.write,
      changeStatus: values['change-status'],
      ratePerMinute: values.rate,
    },
  }
}
