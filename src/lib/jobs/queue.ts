import { sql, type Kysely } from 'kysely'
import { Logger as WorkerLogger, run, type Runner, type TaskList } from 'graphile-worker'
import { createPool } from '../database/connection.ts'
import type { Logger } from '../log.ts'

export interface JobOptions {
  runAt?: Date
  maxAttempts?: number
  /** A job with the same key replaces the one still waiting, so a burst of changes wakes one job. */
  jobKey?: string
}

/**
 * Adds a job inside the caller's transaction, so the job exists exactly when the change that
 * caused it is committed.
 */
export async function addJob(db: Kysely<never> | Kysely<unknown>, task: string, payload: object, options: JobOptions = {}) {
  await sql`select graphile_worker.add_job(
    ${task},
    ${JSON.stringify(payload)}::json,
    run_at => ${options.runAt ?? null}::timestamptz,
    max_attempts => ${options.maxAttempts ?? 25}::int,
    job_key => ${options.jobKey ?? null}::text
  )`.execute(db)
}

export interface WorkerOptions {
  connectionString: string
  tasks: TaskList
  logger: Logger
  concurrency?: number
  /** Recurring jobs in graphile-worker's crontab format. */
  crontab?: string
}

export async function startWorker({ connectionString, tasks, logger, concurrency = 4, crontab }: WorkerOptions): Promise<Runner> {
  const workerLogger = new WorkerLogger(() => (level, message) => {
    const method = level === 'error' ? 'error' : level === 'warning' ? 'warn' : 'debug'
    logger[method]({ component: 'worker' }, message)
  })
  // The worker's own pool, so its connections are heard when the server ends them (see createPool)
  // and it is closed only once the worker has stopped using it.
  const pgPool = createPool(connectionString, concurrency + 2, (error) => logger.warn({ component: 'worker', err: error }, 'A worker database connection was lost'))
  const runner = await run({
    pgPool,
    concurrency,
    taskList: tasks,
    crontab,
    noHandleSignals: true,
    pollInterval: 1000,
    logger: workerLogger,
  })
  const stopRunner = runner.stop.bind(runner)
  runner.stop = async () => {
    await stopRunner()
    await pgPool.end()
  }
  return runner
}
