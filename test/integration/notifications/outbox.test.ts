import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { Logger as WorkerLogger, runOnce } from 'graphile-worker'
import { createTestDatabase, type TestDatabase } from '../../support/database.ts'
import { testConfig } from '../../support/app.ts'
import { createLogger } from '../../../src/lib/log.ts'
import {
  createNotificationServices,
  PermanentDeliveryFailure,
  queueMessage,
  type MessageProvider,
  type OutgoingMessage,
} from '../../../src/modules/notifications/index.ts'

/** A provider that remembers every message handed to it, and can be made slow or failing. */
function recordingProvider() {
  const sent: OutgoingMessage[] = []
  let behaviour: 'deliver' | 'slow' | 'fail-temporarily' | 'fail-permanently' = 'deliver'
  const provider: MessageProvider = {
    name: 'recording',
    async send(message) {
      if (behaviour === 'fail-temporarily') throw new Error('provider timed out')
      if (behaviour === 'fail-permanently') throw new PermanentDeliveryFailure('not a valid email address')
      if (behaviour === 'slow') await new Promise((resolve) => setTimeout(resolve, 200))
      sent.push(message)
      return { provider: 'recording', reference: `ref-${sent.length}` }
    },
  }
  return { provider, sent, behave: (next: typeof behaviour) => (behaviour = next) }
}

const verification = {
  personId: null,
  channel: 'email' as const,
  recipient: 'sam@example.com',
  messageType: 'email-verification' as const,
  personalisation: { name: 'Sam', link: 'http://localhost:3000/confirm-email/abc' },
}

describe('the notifications outbox', () => {
  let database: TestDatabase
  let recording: ReturnType<typeof recordingProvider>
  let notifications: ReturnType<typeof createNotificationServices>

  beforeAll(async () => {
    database = await createTestDatabase()
  })
  afterAll(() => database.destroy())
  beforeEach(async () => {
    recording = recordingProvider()
    notifications = createNotificationServices(
      { config: testConfig(), db: database.db, logger: createLogger('silent') },
      { provider: recording.provider },
    )
    await database.db.deleteFrom('outbox_messages').execute()
    await sql`delete from graphile_worker._private_jobs`.execute(database.db)
  })

  const jobsFor = async (id: string) =>
    (
      await sql<{ id: string }>`select jobs.id from graphile_worker._private_jobs as jobs
        join graphile_worker._private_tasks as tasks on tasks.id = jobs.task_id
        where tasks.identifier = 'send-message' and jobs.payload->>'id' = ${id}`.execute(database.db)
    ).rows
  const messageRow = (id: string) => database.db.selectFrom('outbox_messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow()

  it('commits the outbox row and the job that sends it together', async () => {
    const { id } = await database.db.transaction().execute((transaction) => queueMessage(transaction, verification))
    expect((await messageRow(id)).status).toBe('queued')
    expect(await jobsFor(id)).toHaveLength(1)
  })

  it('leaves neither the row nor the job when the transaction rolls back', async () => {
    let queuedId = ''
    await expect(
      database.db.transaction().execute(async (transaction) => {
        queuedId = (await queueMessage(transaction, verification)).id
        throw new Error('the change that caused the message failed')
      }),
    ).rejects.toThrow('the change that caused the message failed')
    expect(queuedId).not.toBe('')
    expect(await database.db.selectFrom('outbox_messages').select('id').execute()).toEqual([])
    expect(await jobsFor(queuedId)).toEqual([])
  })

  it('refuses a message without the personalisation its type needs', async () => {
    await expect(
      queueMessage(database.db, { ...verification, personalisation: { name: 'Sam' } }),
    ).rejects.toThrow('email-verification needs link')
    expect(await database.db.selectFrom('outbox_messages').select('id').execute()).toEqual([])
  })

  it('sends a message exactly once even when two senders run at the same moment', async () => {
    const { id } = await queueMessage(database.db, verification)
    recording.behave('slow')
    const outcomes = await Promise.all([notifications.sendMessage(id), notifications.sendMessage(id)])
    expect(outcomes.sort()).toEqual(['not-due', 'sent'])
    expect(await notifications.sendMessage(id)).toBe('not-due')
    expect(recording.sent).toHaveLength(1)
    expect(recording.sent[0]).toMatchObject({ recipient: 'sam@example.com', subject: 'Confirm your email address' })
    expect(recording.sent[0]!.body).toContain('Dear Sam,')
    expect(recording.sent[0]!.body).toContain('http://localhost:3000/confirm-email/abc')
    const row = await messageRow(id)
    expect(row).toMatchObject({ status: 'sent', attempts: 1, provider: 'recording', provider_reference: 'ref-1', lease_expires_at: null })
    expect(row.sent_at).toBeInstanceOf(Date)
  })

  it('leaves a message another sender holds a live lease on, and takes it over once the lease has expired', async () => {
    const { id } = await queueMessage(database.db, verification)
    await database.db
      .updateTable('outbox_messages')
      .set({ status: 'sending', attempts: 1, lease_expires_at: sql<Date>`now() + interval '1 minute'` })
      .where('id', '=', id)
      .execute()
    expect(await notifications.sendMessage(id)).toBe('not-due')
    expect(recording.sent).toHaveLength(0)

    await database.db.updateTable('outbox_messages').set({ lease_expires_at: sql<Date>`now() - interval '1 second'` }).where('id', '=', id).execute()
    expect(await notifications.sendMessage(id)).toBe('sent')
    expect(recording.sent).toHaveLength(1)
    expect((await messageRow(id)).attempts).toBe(2)
  })

  it('marks a temporary failure for another try, and a permanent failure as final', async () => {
    const { id } = await queueMessage(database.db, verification)
    recording.behave('fail-temporarily')
    await expect(notifications.sendMessage(id)).rejects.toThrow('provider timed out')
    expect(await messageRow(id)).toMatchObject({ status: 'temporary-failure', failure_reason: 'provider timed out', lease_expires_at: null })

    recording.behave('deliver')
    expect(await notifications.sendMessage(id)).toBe('sent')

    const second = await queueMessage(database.db, verification)
    recording.behave('fail-permanently')
    expect(await notifications.sendMessage(second.id)).toBe('permanent-failure')
    expect(await messageRow(second.id)).toMatchObject({ status: 'permanent-failure', failure_reason: 'not a valid email address' })
    expect(await notifications.sendMessage(second.id)).toBe('not-due')
  })

  it('is sent by the job queue through the send-message task, with the local provider by default', async () => {
    const local = createNotificationServices({ config: testConfig(), db: database.db, logger: createLogger('silent') })
    const { id } = await queueMessage(database.db, { ...verification, channel: 'sms', messageType: 'mobile-confirmation-code', personalisation: { code: '123456' } })
    await runOnce({ connectionString: database.connectionString, taskList: local.tasks, logger: new WorkerLogger(() => () => undefined) })
    expect(await messageRow(id)).toMatchObject({ status: 'sent', provider: 'local', provider_reference: `local-${id}` })
    expect(await jobsFor(id)).toEqual([])
  })

  it('sends again, once, a message whose sender stopped mid-send and whose job is gone', async () => {
    const { id } = await queueMessage(database.db, verification)
    const live = await queueMessage(database.db, { ...verification, recipient: 'kim@example.com' })
    await sql`delete from graphile_worker._private_jobs`.execute(database.db)
    await database.db
      .updateTable('outbox_messages')
      .set({ status: 'sending', attempts: 1, lease_expires_at: sql<Date>`now() - interval '1 second'` })
      .where('id', '=', id)
      .execute()
    await database.db
      .updateTable('outbox_messages')
      .set({ status: 'sending', attempts: 1, lease_expires_at: sql<Date>`now() + interval '1 minute'` })
      .where('id', '=', live.id)
      .execute()

    await notifications.tasks['resume-abandoned-messages']!({}, {} as never)
    await notifications.tasks['resume-abandoned-messages']!({}, {} as never)
    expect(await jobsFor(id)).toHaveLength(1)
    expect(await jobsFor(live.id)).toEqual([])

    await runOnce({ connectionString: database.connectionString, taskList: notifications.tasks, logger: new WorkerLogger(() => () => undefined) })
    expect(recording.sent.map((message) => message.id)).toEqual([id])
    expect(await messageRow(id)).toMatchObject({ status: 'sent', attempts: 2 })
  })
})
