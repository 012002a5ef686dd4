import { randomUUID } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { sql } from 'kysely'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { TestApp } from '../../support/app.ts'
import { createTestAppWithNotifyStub, type NotifyStub } from '../../support/notify-stub.ts'
import { queueMessage, type MessageRequest } from '../../../src/modules/notifications/index.ts'

const templates = {
  sms: { id: randomUUID(), type: 'sms' as const, body: 'We have received your request ((reference)). Follow it at ((link))' },
  email: { id: randomUUID(), type: 'email' as const, subject: 'We have received your request ((reference))', body: 'Dear ((name)), follow ((link))' },
}
const callbackToken = 'notify-callback-token-for-fallback-tests'

describe('an email instead of a text that failed for good', () => {
  let stub: NotifyStub
  let test: TestApp
  let receiptsUrl: string
  let personId: string

  beforeAll(async () => {
    const started = await createTestAppWithNotifyStub(
      { 'request-received-sms': templates.sms, 'request-received-email': templates.email },
      { NOTIFY_CALLBACK_TOKEN: callbackToken },
    )
    test = started.test
    stub = started.stub
    await test.app.listen({ port: 0, host: '127.0.0.1' })
    receiptsUrl = `http://127.0.0.1:${(test.app.server.address() as AddressInfo).port}/notifications/delivery-receipts`
    const person = await test.database.db
      .insertInto('people')
      .values({ given_name: 'Alex', family_name: 'Morgan', email: 'alex.morgan@example.com', mobile: '07700900123' })
      .returning('id')
      .executeTakeFirstOrThrow()
    personId = person.id
  })
  afterAll(async () => {
    await test?.close()
  })
  beforeEach(async () => {
    stub.notifications.length = 0
    stub.calls.length = 0
    await db().deleteFrom('outbox_messages').execute()
    await sql`delete from graphile_worker._private_jobs`.execute(db())
  })

  const db = () => test.database.db
  const notifications = () => test.services.notifications
  const link = 'http://localhost:3000/account/requests/HR-000123'
  const text = (recipient: string): MessageRequest => ({
    personId,
    channel: 'sms',
    recipient,
    messageType: 'request-received-sms',
    personalisation: { reference: 'HR-000123', link },
    fallback: {
      personId,
      channel: 'email',
      recipient: 'alex.morgan@example.com',
      messageType: 'request-received-email',
      personalisation: { name: 'Alex Morgan', reference: 'HR-000123', service: 'Housing repair', link },
    },
  })
  const messagesOtherThan = (id: string) => db().selectFrom('outbox_messages').selectAll().where('id', '!=', id).execute()
  const receipt = (notifyId: string, status: 'delivered' | 'permanent-failure' | 'temporary-failure') =>
    stub.sendDeliveryReceipt(notifyId, status, { url: receiptsUrl, bearerToken: callbackToken })

  it('queues the email once when Notify refuses the text, and the email is sent', async () => {
    const { id } = await queueMessage(db(), text('0770090012x'))
    expect(await notifications().sendMessage(id)).toBe('permanent-failure')
    expect(await notifications().sendMessage(id)).toBe('not-due')

    const queued = await messagesOtherThan(id)
    expect(queued).toHaveLength(1)
    expect(queued[0]).toMatchObject({
      person_id: personId,
      channel: 'email',
      recipient: 'alex.morgan@example.com',
      message_type: 'request-received-email',
      status: 'queued',
      fallback: null,
    })
    const { rows: jobs } = await sql<{ id: string }>`select payload->>'id' as id from graphile_worker._private_jobs`.execute(db())
    expect(jobs.map((job) => job.id)).toContain(queued[0]!.id)

    expect(await notifications().sendMessage(queued[0]!.id)).toBe('sent')
    expect(stub.notifications).toEqual([
      expect.objectContaining({ type: 'email', recipient: 'alex.morgan@example.com', reference: queued[0]!.id, templateId: templates.email.id }),
    ])
  })

  it('queues the email once when Notify reports the text undeliverable, however many times it says so', async () => {
    const { id } = await queueMessage(db(), text('07700900123'))
    expect(await notifications().sendMessage(id)).toBe('sent')
    const [sentText] = stub.notifications

    expect((await receipt(sentText!.id, 'permanent-failure')).status).toBe(204)
    expect((await receipt(sentText!.id, 'permanent-failure')).status).toBe(204)
    expect((await receipt(sentText!.id, 'temporary-failure')).status).toBe(204)

    const queued = await messagesOtherThan(id)
    expect(queued).toHaveLength(1)
    expect(queued[0]).toMatchObject({ person_id: personId, channel: 'email', message_type: 'request-received-email', status: 'queued' })
    expect(await notifications().sendMessage(queued[0]!.id)).toBe('sent')
  })

  it('treats a text Notify gave up on (the phone off for days) as failed, and sends the email', async () => {
    const { id } = await queueMessage(db(), text('07700900123'))
    await notifications().sendMessage(id)
    await receipt(stub.notifications[0]!.id, 'temporary-failure')
    expect(await messagesOtherThan(id)).toEqual([expect.objectContaining({ channel: 'email', person_id: personId })])
  })

  it('queues nothing when the text is delivered, even if a failure is reported late', async () => {
    const { id } = await queueMessage(db(), text('07700900123'))
    await notifications().sendMessage(id)
    await receipt(stub.notifications[0]!.id, 'delivered')
    await receipt(stub.notifications[0]!.id, 'permanent-failure')
    expect(await messagesOtherThan(id)).toEqual([])
    expect(await db().selectFrom('outbox_messages').select('status').where('id', '=', id).executeTakeFirstOrThrow()).toEqual({ status: 'delivered' })
  })

  it('refuses a fallback that could not be sent, or that goes to someone else, when queueing', async () => {
    const message = text('07700900123')
    await expect(queueMessage(db(), { ...message, fallback: { ...message.fallback!, personalisation: { name: 'Alex Morgan' } } })).rejects.toThrow(
      'request-received-email needs reference, service, link',
    )
    await expect(queueMessage(db(), { ...message, fallback: { ...message.fallback!, personId: null } })).rejects.toThrow(
      'A fallback goes to the same person as the message it stands in for',
    )
    expect(await db().selectFrom('outbox_messages').select('id').execute()).toEqual([])
  })
})
