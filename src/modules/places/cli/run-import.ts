import { createReadStream } from 'node:fs'
import { access } from 'node:fs/promises'
import { ConfigurationError, loadConfig } from '../../../config.ts'
import { EmbeddedDatabaseError } from '../../../lib/database/embedded.ts'
import { translator } from '../../../lib/i18n/index.ts'
import { createLogger } from '../../../lib/log.ts'
import { openPlatform } from '../../../platform.ts'
import { ImportRejected, type ImportProgress } from '../importer.ts'

const t = translator('en')

/** Progress on one line that rewrites itself in a terminal, or a line now and then in a log. */
function progressPrinter() {
  const terminal = process.stderr.isTTY === true
  let lastPrinted = 0
  let lastText = ''
  return {
    update(progress: ImportProgress) {
      const text = t(progress.stage === 'checking' ? 'places.import.reading' : 'places.import.saving', { rows: progress.rows.toLocaleString('en-GB') })
      if (terminal) process.stderr.write(`\r${text}`)
      else if (progress.stage === 'saving' || progress.rows - lastPrinted >= 50_000) {
        process.stderr.write(`${text}\n`)
        lastPrinted = progress.rows
      }
      lastText = text
    },
    finish() {
      if (terminal && lastText) process.stderr.write(`\r${' '.repeat(lastText.length)}\r`)
    },
  }
}

/**
 * Runs an import from the command line. It opens the database the way the server does, so it
 * attaches to a running server's embedded database rather than starting a second one.
 * Exit codes: 0 imported, 1 the file was refused (nothing imported), 2 it could not run.
 */
export async function runImport(kind: 'addresses' | 'tenancies', file: string | undefined): Promise<number> {
  const script = `import:${kind}`
  if (!file) {
    console.error(t('places.import.usage', { script }))
    return 2
  }
  try {
    await access(file)
  } catch (error) {
    console.error(t('places.import.cannotRead', { file, reason: (error as Error).message }))
    return 2
  }

  let platform: Awaited<ReturnType<typeof openPlatform>> | undefined
  const progress = progressPrinter()
  try {
    const config = loadConfig()
    platform = await openPlatform(config, createLogger('warn'), 'tool')
    const started = performance.now()
    const source = createReadStream(file, { highWaterMark: 1 << 20 })
    const options = { t, onProgress: progress.update }
    const places = platform.services.places
    if (kind === 'addresses') {
      const { ignoredColumns, ...report } = await places.importAddresses(source, options)
      progress.finish()
      const seconds = (performance.now() - started) / 1000
      const rate = Math.round(report.rows / seconds).toLocaleString('en-GB')
      console.log(t('places.import.addressesDone', { ...report, seconds: seconds.toFixed(2), rate }))
      if (ignoredColumns.length > 0) console.log(t('places.import.ignoredColumns', { columns: ignoredColumns.join(', ') }))
    } else {
      const { ignoredColumns, ...report } = await places.importTenancies(source, options)
      progress.finish()
      const seconds = (performance.now() - started) / 1000
      console.log(t('places.import.tenanciesDone', { ...report, seconds: seconds.toFixed(2) }))
      if (ignoredColumns.length > 0) console.log(t('places.import.ignoredColumns', { columns: ignoredColumns.join(', ') }))
    }
    return 0
  } catch (error) {
    progress.finish()
    if (error instanceof ImportRejected) {
      const count = error.problems.length
      console.error(count === 1 ? t('places.import.rejectedOne') : t('places.import.rejected', { count }))
      for (const problem of error.problems) console.error(t('places.import.line', { line: problem.line, reasons: problem.reasons.join('; ') }))
      return 1
    }
    if (error instanceof ConfigurationError || error instanceof EmbeddedDatabaseError) console.error(error.message)
    else console.error(error)
    return 2
  } finally {
    await platform?.close()
  }
}
