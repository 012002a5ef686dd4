import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../support/app.ts'

const run = promisify(execFile)

describe('issuing an API key from the command line', () => {
  let test: TestApp
  beforeAll(async () => {
    test = await createTestApp()
    await test.services.catalogue.seedDefinitions()
  })
  afterAll(async () => {
    await test?.close()
  })

  /** Runs the tool on this file's database with only the variables it needs: the runner's own are not the app's. */
  const issue = (args: string[]) =>
    run('node_modules/.bin/tsx', ['src/modules/identity/cli/issue-api-key.ts', ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: test.database.connectionString, DEMO_DATA: 'false' },
    }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
    )

  const keyCount = async () => Number((await test.database.db.selectFrom('api_keys').select((select) => select.fn.countAll().as('count')).executeTakeFirstOrThrow()).count)

  it('prints only the new key, which then works with what was asked for', async () => {
    const result = await issue(['--name', 'Fixit job system', '--services', 'housing-repair,pothole', '--write', '--change-status', '--rate', '30'])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^gh_[A-Za-z0-9_-]{43}\n$/)
    expect(result.stderr).toContain('Issued API key ‘Fixit job system’')
    const key = result.stdout.trim()
    expect(await test.services.identity.apiKeys.authenticate(key)).toMatchObject({
      name: 'Fixit job system',
      services: ['housing-repair', 'pothole'],
      write: true,
      changeStatus: true,
      ratePerMinute: 30,
    })
    const audit = await test.database.db.selectFrom('audit_events').select(['actor_kind', 'actor_id']).where('action', '=', 'api-key.issue').execute()
    expect(audit).toEqual([{ actor_kind: 'system', actor_id: null }])
  })

  it('refuses services that do not exist, says which there are, and issues nothing', async () => {
    const before = await keyCount()
    const result = await issue(['--name', 'Fixit', '--services', 'nonsense'])
    expect(result.code).toBe(1)
    expect(result.stdout).toBe('')
    expect(result.stderr).toContain('Select services from the list')
    expect(result.stderr).toMatch(/The services are: .*housing-repair.*pothole/)
    expect(result.stderr).toContain('Usage: npm run api-key --')
    expect(await keyCount()).toBe(before)
  })

  it('refuses a command it cannot read, and every mistake in what was asked for, before issuing anything', async () => {
    const before = await keyCount()
    const unreadable = await issue(['--name', 'Fixit', '--services', 'all', '--colour', 'blue'])
    expect(unreadable).toMatchObject({ code: 1, stdout: '' })
    expect(unreadable.stderr).toContain("Unknown option '--colour'")

    const mistaken = await issue(['--services', 'all', '--change-status', '--rate', '0'])
    expect(mistaken).toMatchObject({ code: 1, stdout: '' })
    expect(mistaken.stderr).toContain('Enter a name for the API key')
    expect(mistaken.stderr).toContain('A key can change the status of requests only if it can also send updates')
    expect(mistaken.stderr).toContain('The rate must be a whole number of calls a minute from 1 to 100,000')
    expect(await keyCount()).toBe(before)
  })

  it('exits 2 when it cannot reach the database', async () => {
    const result = await run('node_modules/.bin/tsx', ['src/modules/identity/cli/issue-api-key.ts', '--name', 'Fixit', '--services', 'all'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/nothing', DEMO_DATA: 'false' },
    }).then(
      () => ({ code: 0 }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    )
    expect(result).toEqual({ code: 2, stdout: '' })
  })
})
