import { randomUUID } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { sql } from 'kysely'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../support/app.ts'
import { startNotifyStub, type Fault, type NotifyStub } from '../../support/notify-stub.ts'
import { queueMessage, type MessageRequest } from '../../../src/modules/notifications/index.ts'

const templates = {
  email: { id: randomUUID(), type: 'email' as const, subject: 'Confirm your email address', body: 'Hello ((name)), follow ((link))' },
  sms: { id: randomUUID(), type: 'sms' as const, body: 'Your code is ((code))' },
}
const callbackToken = 'notify-callback-token-for-tests'

const verification: MessageRequest = {
  personId: null,
  channel: 'email',
  recipient: 'sam@example.com',
  messageType: 'email-verification',
  personalisation: { name: 'Sam', link: 'http://localhost:3000/confirm-email/abc' },
}
const code: MessageRequest = {
  personId: null,
  channel: 'sms',
  recipient: '07700900123',
  messageType: 'mobile-confirmation-code',
  personalisation: { code: '123456' },
}

describe('sending through GOV.UK Notify', () => {
  let stub: NotifyStub
  let testApp: TestApp
  let receiptsUrl: string

  beforeAll(async () => {
    stub = await startNotifyStub({ templates: [templates.email, templates.sms] })
    testApp = await createTestApp({
      environment: {
        ...stub.environmentFor({ 'email-verification': templates.email, 'mobile-confirmation-code': templates.sms }),
        NOTIFY_TIMEOUT_MS: '300',
        NOTIFY_CALLBACK_TOKEN: callbackToken,
      },
    })
    await testApp.app.listen({ port: 0, host: '127.0.0.1' })
    receiptsUrl = `http://127.0.0.1:${(testApp.app.server.address() as AddressInfo).port}/notifications/delivery-receipts`
  })
  afterAll(async () => {
    await testApp.close()
    await stub.close()
  })
  beforeEach(async () => {
    stub.notifications.length = 0
    stub.calls.length = 0
    stub.setFaultPolicy(undefined)
    await db().deleteFrom('outbox_messages').execute()
    await db().deleteFrom('notification_sending_pause').execute()
    await sql`delete from graphile_worker._private_jobs`.execute(db())
  })

  const db = () => testApp.database.db
  const notifications = () => testApp.services.notifications
  const queue = async (request: MessageRequest) => (await queueMessage(db(), request)).id
  const messageRow = (id: string) => db().selectFrom('outbox_messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow()

  it('sends with the type’s template, the personalisation and our id as the reference', async () => {
    const emailId = await queue(verification)
    const smsId = await queue(code)
    expect(await notifications().sendMessage(emailId)).toBe('sent')
    expect(await notifications().sendMessage(smsId)).toBe('sent')

    const [email, sms] = stub.notifications
    expect(email).toMatchObject({ type: 'email', templateId: templates.email.id, recipient: 'sam@example.com', reference: emailId, personalisation: verification.personalisation })
    expect(sms).toMatchObject({ type: 'sms', templateId: templates.sms.id, recipient: '07700900123', reference: smsId, personalisation: { code: '123456' } })
    expect(await messageRow(emailId)).toMatchObject({ status: 'sent', provider: 'notify', provider_reference: email!.id })
    expect(await messageRow(smsId)).toMatchObject({ status: 'sent', provider: 'notify', provider_reference: sms!.id })
  })

  it('retries after a rate limit and a server error, and sends once', async () => {
    const id = await queue(verification)
    stub.queueFaults({ kind: 'status', status: 429 }, { kind: 'status', status: 500 })
    await expect(notifications().sendMessage(id)).rejects.toThrow('GOV.UK Notify answered 429: RateLimitError')
    expect(await messageRow(id)).toMatchObject({ status: 'temporary-failure' })
    await expect(notifications().sendMessage(id)).rejects.toThrow('GOV.UK Notify answered 500')
    expect(await notifications().sendMessage(id)).toBe('sent')
    expect(stub.notifications.filter((notification) => notification.reference === id)).toHaveLength(1)
    expect(await messageRow(id)).toMatchObject({ status: 'sent', attempts: 3, failure_reason: null })
  })

  it('records a message Notify refuses as a permanent failure, with the reason', async () => {
    const id = await queue({ ...verification, recipient: 'not an email address' })
    expect(await notifications().sendMessage(id)).toBe('permanent-failure')
    expect(await messageRow(id)).toMatchObject({
      status: 'permanent-failure',
      failure_reason: 'GOV.UK Notify answered 400: BadRequestError: email_address Not a valid email address',
    })
    expect(stub.notifications).toHaveLength(0)
  })

  it('pauses sending and alerts administrators when Notify refuses our key, failing nothing', async () => {
    const first = await queue(verification)
    const second = await queue(code)
    stub.queueFaults({ kind: 'status', status: 403 })
    expect(await notifications().sendMessage(first)).toBe('paused')
    const callsBefore = stub.calls.length
    expect(await notifications().sendMessage(second)).toBe('paused')
    expect(stub.calls).toHaveLength(callsBefore)

    expect(await messageRow(first)).toMatchObject({ status: 'queued' })
    expect(await messageRow(second)).toMatchObject({ status: 'queued' })
    expect(await notifications().sendingPause()).toMatchObject({ reason: 'GOV.UK Notify answered 403: AuthError: Invalid token: API key not found' })
    const alerts = await db().selectFrom('audit_events').select(['actor_kind', 'details']).where('action', '=', 'notifications.sending-paused').execute()
    expect(alerts).toHaveLength(1)
    expect(alerts[0]).toMatchObject({ actor_kind: 'system' })

    // Each message's job waits for the pause to end, rather than failing its attempts meanwhile.
    const { rows: wakeUps } = await sql<{ id: string }>`select payload->>'id' as id from graphile_worker._private_jobs
      where run_at > now() + interval '4 minutes'`.execute(db())
    expect(wakeUps.map((job) => job.id).sort()).toEqual([first, second].sort())

    expect(await notifications().resumeSending()).toBe(2)
    expect(await notifications().sendMessage(first)).toBe('sent')
    expect(await notifications().sendMessage(second)).toBe('sent')
    expect(stub.notifications).toHaveLength(2)
  })

  it('after a timeout, finds the message Notify did accept instead of sending it again', async () => {
    const id = await queue(verification)
    stub.queueFaults({ kind: 'accept-then-hang' })
    await expect(notifications().sendMessage(id)).rejects.toThrow('GOV.UK Notify did not answer')
    expect(await messageRow(id)).toMatchObject({ status: 'temporary-failure' })
    expect(stub.notifications).toHaveLength(1)

    expect(await notifications().sendMessage(id)).toBe('sent')
    expect(stub.notifications).toHaveLength(1)
    expect(stub.calls.at(-1)).toEqual({ method: 'GET', path: '/v2/notifications' })
    expect(await messageRow(id)).toMatchObject({ status: 'sent', provider_reference: stub.notifications[0]!.id })
  })

  it('after a timeout before Notify accepted it, sends the message once', async () => {
    const id = await queue(code)
    stub.queueFaults({ kind: 'hang' })
    await expect(notifications().sendMessage(id)).rejects.toThrow('GOV.UK Notify did not answer')
    expect(await notifications().sendMessage(id)).toBe('sent')
    expect(stub.notifications).toHaveLength(1)
  })

  it('records delivery receipts from Notify', async () => {
    const delivered = await queue(verification)
    const failed = await queue(code)
    await notifications().sendMessage(delivered)
    await notifications().sendMessage(failed)
    const callback = { url: receiptsUrl, bearerToken: callbackToken }

    expect((await stub.sendDeliveryReceipt(stub.notifications[0]!.id, 'delivered', callback)).status).toBe(204)
    expect((await stub.sendDeliveryReceipt(stub.notifications[1]!.id, 'permanent-failure', callback)).status).toBe(204)
    expect(await messageRow(delivered)).toMatchObject({ status: 'delivered', failure_reason: null })
    expect(await messageRow(failed)).toMatchObject({
      status: 'permanent-failure',
      failure_reason: 'GOV.UK Notify could not deliver it: the number or address does not exist',
    })

    // A late or repeated receipt cannot undo the outcome.
    await stub.sendDeliveryReceipt(stub.notifications[0]!.id, 'technical-failure', callback)
    expect(await messageRow(delivered)).toMatchObject({ status: 'delivered' })
  })

  it('refuses a receipt without the right bearer token, and a body that is not a receipt', async () => {
    const id = await queue(verification)
    await notifications().sendMessage(id)
    const notifyId = stub.notifications[0]!.id

    const wrongToken = await stub.sendDeliveryReceipt(notifyId, 'delivered', { url: receiptsUrl, bearerToken: 'not-the-callback-token' })
    expect(wrongToken.status).toBe(401)
    expect(await wrongToken.json()).toEqual({ error: 'A valid bearer token is required' })
    const noToken = await fetch(receiptsUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    expect(noToken.status).toBe(401)
    expect(await messageRow(id)).toMatchObject({ status: 'sent' })

    const headers = { 'content-type': 'application/json', authorization: `Bearer ${callbackToken}` }
    for (const body of ['{"status":"delivered"}', '{not json', '[]']) {
      const response = await fetch(receiptsUrl, { method: 'POST', headers, body })
      expect(response.status).toBe(400)
      expect(await response.json()).toEqual({ error: 'The body must be a GOV.UK Notify delivery receipt in JSON' })
    }
  })

  it('delivers 200 messages exactly once while Notify fails half its calls', { timeout: 120_000 }, async () => {
    const ids: string[] = []
    for (let index = 0; index < 200; index++) ids.push(await queue({ ...code, personalisation: { code: String(100000 + index) } }))
    const faults: Fault[] = [{ kind: 'status', status: 500 }, { kind: 'status', status: 429 }, { kind: 'hang' }, { kind: 'accept-then-hang' }]
    let call = 0
    stub.setFaultPolicy(() => (call++ % 2 === 0 ? faults[Math.floor(call / 2) % faults.length] : undefined))

    let waiting = ids
    for (let round = 0; waiting.length > 0 && round < 30; round++) {
      const outcomes = await Promise.allSettled(waiting.map((id) => notifications().sendMessage(id)))
      waiting = waiting.filter((_id, index) => outcomes[index]!.status === 'rejected')
    }
    expect(waiting).toEqual([])

    stub.setFaultPolicy(undefined)
    const references = stub.notifications.map((notification) => notification.reference)
    expect(references).toHaveLength(200)
    expect(new Set(references)).toEqual(new Set(ids))

    for (const notification of [...stub.notifications]) {
      await stub.sendDeliveryReceipt(notification.id, 'delivered', { url: receiptsUrl, bearerToken: callbackToken })
    }
    const statuses = await db().selectFrom('outbox_messages').select(({ fn }) => ['status', fn.countAll<number>().as('count')]).groupBy('status').execute()
    expect(statuses).toEqual([{ status: 'delivered', count: 200 }])
  })
})
