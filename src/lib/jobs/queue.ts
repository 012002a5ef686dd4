import { sql, type Kysely } from 'kysely'
import { Logger as WorkerLogger, run, type Runner, type TaskList } from 'graphile-worker'
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
  return run({
    connectionString,
    concurrency,
    taskList: tasks,
    crontab,
    noHandleSignals: true,
    pollInterval: 1000,
    logger: workerLogger,
  })
}
