import { readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import { afterEach, describe, expect, it } from 'vitest'
import {
  createInstallation,
  isRunning,
  postgresProcessesFor,
  postmasterPid,
  removeInstallation,
  startProcess,
  startServer,
  waitUntil,
  waitUntilHealthy,
  type GuildhallProcess,
  type Installation,
} from '../../support/server-process.ts'

/**
 * The real server, started as `npm start` starts it, with its own data folder and embedded
 * PostgreSQL: what happens when it is stopped politely, killed, or started with a bad setting.
 */
describe('the server process and its embedded database', () => {
  let installation: Installation | undefined
  const processes: GuildhallProcess[] = []

  afterEach(async () => {
    if (installation) await removeInstallation(installation, processes.splice(0))
    installation = undefined
  })

  async function install() {
    installation = await createInstallation({ DEMO_DATA: 'false' })
    return installation
  }

  function start(target: Installation) {
    const server = startServer(target)
    processes.push(server)
    return server
  }

  async function startHealthy(target: Installation) {
    const server = start(target)
    await waitUntilHealthy(server, target.port)
    return server
  }

  async function withDatabase<T>(target: Installation, work: (client: pg.Client) => Promise<T>): Promise<T> {
    const password = readFileSync(`${target.databaseDirectory}.secret`, 'utf8').trim()
    const client = new pg.Client({ host: '127.0.0.1', port: target.databasePort, user: 'postgres', password, database: 'guildhall' })
    await client.connect()
    try {
      return await work(client)
    } finally {
      await client.end()
    }
  }

  const writeRow = (target: Installation, key: string) =>
    withDatabase(target, (client) => client.query(`insert into rate_limit_counters (key, window_started_at, hits) values ($1, now(), 7)`, [key]))

  const readRow = (target: Installation, key: string) =>
    withDatabase(target, async (client) => (await client.query('select hits from rate_limit_counters where key = $1', [key])).rows)

  /** The PostgreSQL log from this point on: what the next start writes. */
  function logFromHere(target: Installation) {
    const offset = statSync(target.databaseLog).size
    return () => readFileSync(target.databaseLog, 'utf8').slice(offset)
  }

  const recoveryMessages = /database system was interrupted|not properly shut down|redo starts/

  it('stops cleanly on SIGTERM, keeps its data, and the next start needs no recovery', async () => {
    const target = await install()
    const first = await startHealthy(target)
    await writeRow(target, 'kept-across-a-restart')

    first.child.kill('SIGTERM')
    expect(await first.exited).toEqual({ code: 0, signal: null })
    expect(postgresProcessesFor(target.databaseDirectory)).toEqual([])

    const nextStartLog = logFromHere(target)
    await startHealthy(target)
    expect(await readRow(target, 'kept-across-a-restart')).toEqual([{ hits: 7 }])
    expect(nextStartLog()).toContain('database system was shut down')
    expect(nextStartLog()).not.toMatch(recoveryMessages)
  })

  it('adopts the database left running when the server is killed, and later stops it', async () => {
    const target = await install()
    const first = await startHealthy(target)
    const orphan = postmasterPid(target.databaseDirectory)!

    first.child.kill('SIGKILL')
    await first.exited
    expect(isRunning(orphan)).toBe(true)

    const second = await startHealthy(target)
    expect(postmasterPid(target.databaseDirectory)).toBe(orphan)

    second.child.kill('SIGTERM')
    expect(await second.exited).toEqual({ code: 0, signal: null })
    expect(postgresProcessesFor(target.databaseDirectory)).toEqual([])
  })

  it('recovers when the server and its database are both killed', async () => {
    const target = await install()
    const first = await startHealthy(target)
    await writeRow(target, 'written-before-the-crash')
    const databaseProcesses = postgresProcessesFor(target.databaseDirectory)
    expect(databaseProcesses.length).toBeGreaterThan(1)

    first.child.kill('SIGKILL')
    for (const pid of databaseProcesses) process.kill(pid, 'SIGKILL')
    await first.exited
    await waitUntil(() => databaseProcesses.every((pid) => !isRunning(pid)), 'the killed database processes to end')

    const nextStartLog = logFromHere(target)
    const second = await startHealthy(target)
    expect(nextStartLog()).toMatch(/not properly shut down|interrupted/)
    expect(await readRow(target, 'written-before-the-crash')).toEqual([{ hits: 7 }])

    second.child.kill('SIGTERM')
    expect(await second.exited).toEqual({ code: 0, signal: null })
  })

  it('lets a command-line tool attach to the running database and leaves it running for the server', async () => {
    const target = await install()
    const server = await startHealthy(target)
    const postmaster = postmasterPid(target.databaseDirectory)
    const owner = readFileSync(`${target.databaseDirectory}.owner`, 'utf8').trim()

    const tool = startProcess(target.environment, path.join('test', 'integration', 'platform', 'attaching-tool.ts'), ['written-by-a-tool'])
    processes.push(tool)
    const exit = await tool.exited
    expect(exit, tool.stderr()).toEqual({ code: 0, signal: null })

    expect(postmasterPid(target.databaseDirectory)).toBe(postmaster)
    expect(isRunning(postmaster!)).toBe(true)
    expect(readFileSync(`${target.databaseDirectory}.owner`, 'utf8').trim()).toBe(owner)
    expect(await readRow(target, 'written-by-a-tool')).toEqual([{ hits: 1 }])
    const health = await fetch(`http://127.0.0.1:${target.port}/health`)
    expect(health.status).toBe(200)

    server.child.kill('SIGTERM')
    expect(await server.exited).toEqual({ code: 0, signal: null })
    expect(postgresProcessesFor(target.databaseDirectory)).toEqual([])
  })

  it('refuses a bad setting with one clear line naming the variable', async () => {
    const target = await install()
    const server = startServer(target, { PORT: 'eighty' })
    processes.push(server)
    expect(await server.exited).toEqual({ code: 1, signal: null })
    const lines = server.stderr().trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/\bPORT\b/)
    expect(lines[0]).not.toMatch(/\bat .+:\d+:\d+/)
    expect(postgresProcessesFor(target.databaseDirectory)).toEqual([])
  })
})
