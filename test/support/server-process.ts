import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as delay } from 'node:timers/promises'
import { freePort } from './global-setup.ts'

export const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

export interface ProcessExit {
  code: number | null
  signal: NodeJS.Signals | null
}

/** A Guildhall process (the server, or a command-line tool) started as a person would start it. */
export interface GuildhallProcess {
  child: ChildProcess
  pid: number
  exited: Promise<ProcessExit>
  stdout(): string
  stderr(): string
}

/** A data folder and a pair of free ports: one Guildhall installation on this machine. */
export interface Installation {
  dataDirectory: string
  /** The embedded PostgreSQL's own data folder inside DATA_DIR. */
  databaseDirectory: string
  /** Where the embedded PostgreSQL writes its log. */
  databaseLog: string
  port: number
  databasePort: number
  environment: Record<string, string>
}

export async function createInstallation(environment: Record<string, string> = {}): Promise<Installation> {
  const dataDirectory = mkdtempSync(path.join(tmpdir(), 'guildhall-installation-'))
  // As root the database runs as the postgres user, which must be able to reach the folder.
  chmodSync(dataDirectory, 0o755)
  const port = await freePort()
  const databasePort = await freePort()
  return {
    dataDirectory,
    databaseDirectory: path.join(dataDirectory, 'postgres'),
    databaseLog: path.join(dataDirectory, 'postgres.log'),
    port,
    databasePort,
    environment: {
      DATA_DIR: dataDirectory,
      PORT: String(port),
      EMBEDDED_DATABASE_PORT: String(databasePort),
      LOG_LEVEL: 'warn',
      ...environment,
    },
  }
}

/**
 * Runs a TypeScript entry point (src/main.ts by default) in its own Node.js process. Only the
 * variables given reach it, so nothing from the environment of the test run changes its
 * configuration.
 */
export function startProcess(environment: Record<string, string>, script = 'src/main.ts', args: string[] = []): GuildhallProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: repositoryRoot,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? tmpdir(), ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise<ProcessExit>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })))
  return { child, pid: child.pid!, exited, stdout: () => stdout, stderr: () => stderr }
}

export function startServer(installation: Installation, environment: Record<string, string> = {}): GuildhallProcess {
  return startProcess({ ...installation.environment, ...environment })
}

/** Polls /health until it answers 200, failing early if the process dies first. */
export async function waitUntilHealthy(server: GuildhallProcess, port: number, timeoutMs = 25_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let exit: ProcessExit | undefined
  void server.exited.then((result) => (exit = result))
  while (Date.now() < deadline) {
    if (exit) throw new Error(`The server exited (${exit.code ?? exit.signal}) before it was healthy:\n${server.stderr()}${server.stdout()}`)
    try {
      const response = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) })
      if (response.status === 200) return
    } catch {
      // Not listening yet.
    }
    await delay(50)
  }
  throw new Error(`The server was not healthy within ${timeoutMs} ms:\n${server.stderr()}${server.stdout()}`)
}

/** Polls a condition until it holds, for things that happen a moment after the event that causes them. */
export async function waitUntil(condition: () => boolean, description: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Gave up waiting: ${description}`)
    await delay(50)
  }
}

/** The postmaster's process id, as PostgreSQL recorded it in its data folder. */
export function postmasterPid(databaseDirectory: string): number | undefined {
  const file = path.join(databaseDirectory, 'postmaster.pid')
  if (!existsSync(file)) return undefined
  return Number(readFileSync(file, 'utf8').split('\n')[0])
}

/**
 * Every live PostgreSQL process serving this data folder: postmasters started on it and their
 * children (checkpointer, walwriter and the rest, whose command lines do not name the folder).
 */
export function postgresProcessesFor(databaseDirectory: string): number[] {
  const listing = execFileSync('ps', ['-eo', 'pid=,ppid=,stat=,args='], { encoding: 'utf8' })
  const processes = listing
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(line))
    .filter((match) => match !== null)
    .map(([, pid, parent, state, command]) => ({ pid: Number(pid), parent: Number(parent), zombie: state!.startsWith('Z'), command: command! }))
    .filter((entry) => !entry.zombie)
  const postmasters = processes
    .filter((entry) => /(^|\/)postgres\s/.test(entry.command) && entry.command.includes(`-D ${databaseDirectory} `))
    .map((entry) => entry.pid)
  const children = processes.filter((entry) => postmasters.includes(entry.parent)).map((entry) => entry.pid)
  return [...postmasters, ...children]
}

/** True while the process runs; a zombie waiting for its parent to collect it counts as ended. */
export function isRunning(pid: number): boolean {
  try {
    const state = execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim()
    return state !== '' && !state.startsWith('Z')
  } catch {
    return false
  }
}

/** Kills whatever is left of an installation and removes its folder, however a test ended. */
export async function removeInstallation(installation: Installation, processes: GuildhallProcess[]): Promise<void> {
  for (const running of processes) if (running.child.exitCode === null && running.child.signalCode === null) running.child.kill('SIGKILL')
  await Promise.all(processes.map((running) => running.exited))
  const leftOver = postgresProcessesFor(installation.databaseDirectory)
  for (const pid of leftOver) process.kill(pid, 'SIGKILL')
  await waitUntil(() => leftOver.every((pid) => !isRunning(pid)), 'left-over PostgreSQL processes to end')
  rmSync(installation.dataDirectory, { recursive: true, force: true })
}
