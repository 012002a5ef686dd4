import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../support/app.ts'
import { requestsRepository } from '../../../src/modules/requests/repository.ts'
import { repairDefinition, staffMember } from './factories.ts'

describe('messages to residents about their requests', () => {
  let test: TestApp
  let officer: string

  beforeAll(async () => {
    test = await createTestApp()
    await test.services.catalogue.publishDefinition(repairDefinition())
    officer = await staffMember(test.database.db)
  })
  afterAll(async () => {
    await test?.close()
  })

  const emails = new Map<string, string | null>()
  const emailOf = (personId: string) => emails.get(personId)

  async function person(contact: { email?: string | null; mobile?: string | null; mobileConfirmed?: boolean; preference?: 'email' | 'text' }) {
    const email = contact.email === undefined ? `${randomBytes(6).toString('hex')}@example.com` : contact.email
    const row = await test.database.db
      .insertInto('people')
      .values({
        given_name: 'Alex',
        family_name: 'Morgan',
        email,
        mobile: contact.mobile ?? null,
        mobile_verified_at: contact.mobileConfirmed ? new Date() : null,
        contact_preference: contact.preference ?? 'email',
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    emails.set(row.id, email)
    return row.id
  }

  async function reportRepair(personId: string) {
    return test.services.requests.createRequest({
      serviceCode: 'test-repair',
      personId,
      propertyUprn: null,
      answers: { problem: 'dripping-tap', details: 'Drips all night' },
      channel: 'web',
    })
  }

  async function triage(id: string) {
    const { rowVersion } = await test.services.requests.request(id)
    await test.services.requests.changeStatus(id, { type: 'triage' }, { actor: { kind: 'staff', id: officer }, expectedRowVersion: rowVersion })
  }

  const messagesTo = (personId: string) =>
    test.database.db
      .selectFrom('outbox_messages')
      .select(['message_type', 'channel', 'recipient', 'personalisation'])
      .where('person_id', '=', personId)
      .orderBy('created_at')
      .orderBy('message_type')
      .execute()

  const untold = async (requestId: string) =>
    (
      await test.database.db
        .selectFrom('request_events')
        .select('id')
        .where('request_id', '=', requestId)
        .where('notify_resident', '=', true)
        .where('resident_notified_at', 'is', null)
        .execute()
    ).length

  const wakeUps = async (requestId: string) => {
    const { rows } = await sql<{ count: string }>`
      select count(*) from graphile_worker.jobs where task_identifier = 'notify-resident' and key = ${`notify-resident:${requestId}`}`.execute(
      test.database.db,
    )
    return Number(rows[0]!.count)
  }

  it('wakes the task in the same transaction as the flagged event', async () => {
    const { id } = await reportRepair(await person({}))
    expect(await wakeUps(id)).toBe(1)
    expect(await untold(id)).toBe(1)
  })

  it('sends one email for the new request and one for each public status change, to someone who prefers email', async () => {
    const personId = await person({ mobile: '07700900123', mobileConfirmed: true, preference: 'email' })
    const { id, reference } = await reportRepair(personId)
    expect(await test.services.residentMessages.notifyResidents(id)).toBe(1)

    await triage(id)
    // An internal note is never a message.
    await test.services.requests.addNote(id, { actor: { kind: 'staff', id: officer }, body: 'Checked the asset record', visibility: 'internal' })
    expect(await test.services.residentMessages.notifyResidents(id)).toBe(1)
    expect(await test.services.residentMessages.notifyResidents(id)).toBe(0)

    expect(await messagesTo(personId)).toEqual([
      {
        message_type: 'request-received-email',
        channel: 'email',
        recipient: emailOf(personId),
        personalisation: {
          name: 'Alex Morgan',
          reference,
          service: 'Report a repair',
          link: `${test.config.baseUrl}/account/requests/${reference}`,
        },
      },
      expect.objectContaining({ message_type: 'request-status-changed-email', recipient: emailOf(personId), personalisation: expect.objectContaining({ status: 'triaged' }) }),
    ])
    expect(await untold(id)).toBe(0)
  })

  it('queues messages the sender can send, by email and by text', async () => {
    const emailed = await person({})
    const texted = await person({ mobile: '07700900321', mobileConfirmed: true, preference: 'text' })
    for (const personId of [emailed, texted]) {
      const { id } = await reportRepair(personId)
      await triage(id)
      await test.services.requests.addNote(id, { actor: { kind: 'staff', id: officer }, body: 'The part arrives on Friday', visibility: 'public' })
      await test.services.residentMessages.notifyResidents(id)
    }
    const queued = await test.database.db.selectFrom('outbox_messages').select('id').where('person_id', 'in', [emailed, texted]).execute()
    expect(queued).toHaveLength(6)
    for (const { id } of queued) await test.services.notifications.sendMessage(id)
    const statuses = await test.database.db.selectFrom('outbox_messages').select('status').where('person_id', 'in', [emailed, texted]).execute()
    expect(statuses.map((row) => row.status)).toEqual(Array(6).fill(expect.stringMatching(/^(sent|delivered)$/)))
  })

  it('sends a request’s messages the way its own answers asked, whatever the account usually uses', async () => {
    await test.services.catalogue.publishDefinition(
      repairDefinition({
        code: 'test-contact',
        questions: [
          ...repairDefinition().questions,
          { id: 'contact-method', kind: 'radios', label: 'How should we tell you?', options: [{ value: 'text', label: 'Text' }, { value: 'email', label: 'Email' }] },
          { id: 'mobile', kind: 'phone', label: 'Mobile', mobileOnly: true, showWhen: { question: 'contact-method', equals: 'text' } },
          { id: 'email', kind: 'email', label: 'Email', showWhen: { question: 'contact-method', equals: 'email' } },
        ],
      }),
    )
    const personId = await person({ preference: 'email' })
    const { id } = await test.services.requests.createRequest({
      serviceCode: 'test-contact',
      personId,
      answers: { problem: 'dripping-tap', details: '', 'contact-method': 'text', mobile: '07700900999' },
      channel: 'web',
    })
    await test.services.residentMessages.notifyResidents(id)
    expect(await messagesTo(personId)).toMatchObject([{ message_type: 'request-received-sms', channel: 'sms', recipient: '07700900999' }])
  })

  it('texts someone who prefers text and has confirmed their mobile, and emails them when it is not confirmed', async () => {
    const texted = await person({ mobile: '07700900123', mobileConfirmed: true, preference: 'text' })
    const emailed = await person({ mobile: '07700900456', mobileConfirmed: false, preference: 'text' })
    const first = await reportRepair(texted)
    const second = await reportRepair(emailed)
    await test.services.residentMessages.notifyResidents(first.id)
    await test.services.residentMessages.notifyResidents(second.id)

    expect(await messagesTo(texted)).toMatchObject([{ message_type: 'request-received-sms', channel: 'sms', recipient: '07700900123' }])
    expect(await messagesTo(emailed)).toMatchObject([{ message_type: 'request-received-email', channel: 'email', recipient: emailOf(emailed) }])
  })

  it('sends a public update as an update, with its words in the email', async () => {
    const personId = await person({})
    const { id } = await reportRepair(personId)
    await test.services.requests.addNote(id, { actor: { kind: 'staff', id: officer }, body: 'The part arrives on Friday', visibility: 'public' })
    await test.services.requests.addNote(id, { actor: { kind: 'resident', id: personId }, body: 'Thanks', visibility: 'public' })
    await test.services.residentMessages.notifyResidents(id)

    const messages = await messagesTo(personId)
    expect(messages.map((message) => message.message_type).sort()).toEqual(['request-received-email', 'request-update-email'])
    expect(messages.find((message) => message.message_type === 'request-update-email')?.personalisation.update).toBe('The part arrives on Friday')
  })

  it('sends nothing to someone with no way to reach them, and does not try again', async () => {
    const personId = await person({ email: null, mobile: '07700900789', mobileConfirmed: false })
    const { id } = await reportRepair(personId)
    expect(await test.services.residentMessages.notifyResidents(id)).toBe(1)
    expect(await messagesTo(personId)).toEqual([])
    expect(await untold(id)).toBe(0)
    expect(await test.services.residentMessages.notifyResidents(id)).toBe(0)
  })

  it('queues one message per event when the task runs several times at once', async () => {
    const people = await Promise.all([1, 2, 3, 4, 5].map(() => person({})))
    const requests = await Promise.all(people.map((personId) => reportRepair(personId)))
    for (const { id } of requests) await triage(id)

    const runs = await Promise.all([1, 2, 3, 4].map(() => test.services.residentMessages.notifyResidents()))
    expect(runs.reduce((sum, told) => sum + told, 0)).toBeGreaterThanOrEqual(10)
    for (const [index, personId] of people.entries()) {
      expect((await messagesTo(personId)).map((message) => message.message_type)).toEqual(['request-received-email', 'request-status-changed-email'])
      expect(await untold(requests[index]!.id)).toBe(0)
    }
  })

  it('never tells the resident about a change that was rolled back', async () => {
    const personId = await person({})
    const { id } = await reportRepair(personId)
    await test.services.residentMessages.notifyResidents(id)
    const jobsBefore = await wakeUps(id)

    await expect(
      test.database.db.transaction().execute(async (transaction) => {
        await requestsRepository(transaction).insertEvent({
          request_id: id,
          occurred_at: new Date(),
          kind: 'status-change',
          visibility: 'public',
          actor_kind: 'staff',
          actor_id: officer,
          from_status: 'reported',
          to_status: 'triaged',
          body: null,
          details: JSON.stringify({ event: 'triage' }),
          notify_resident: true,
        })
        throw new Error('The change failed after its event was written')
      }),
    ).rejects.toThrow('The change failed')

    expect(await test.services.residentMessages.notifyResidents(id)).toBe(0)
    expect((await messagesTo(personId)).map((message) => message.message_type)).toEqual(['request-received-email'])
    expect(await wakeUps(id)).toBe(jobsBefore)
  })

  it('runs as a worker task, for one request or for all', async () => {
    const personId = await person({})
    await reportRepair(personId)
    const task = test.services.tasks['notify-resident']!
    await task({ _cron: { ts: new Date().toISOString(), backfilled: false } }, {} as never)
    expect(await messagesTo(personId)).toHaveLength(1)
  })
})
