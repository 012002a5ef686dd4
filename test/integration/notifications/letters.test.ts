import { randomUUID } from 'node:crypto'
import * as cheerio from 'cheerio'
import { NotifyClient } from 'notifications-node-client'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../support/app.ts'
import { createTestAppWithNotifyStub, type NotifyStub } from '../../support/notify-stub.ts'
import { queueMessage, type MessageRequest } from '../../../src/modules/notifications/index.ts'

const letterTemplate = {
  id: randomUUID(),
  type: 'letter' as const,
  subject: 'We have received your request ((reference))',
  body: 'Dear ((name)),\n\nThank you for your request: ((service)). Call us on ((phone)).',
}

const address = 'Alex Morgan\n1 Wendle Court\nLower Wendle\nLW1 5UP'

const requestReceived: MessageRequest = {
  personId: null,
  channel: 'letter',
  recipient: address,
  messageType: 'request-received-letter',
  personalisation: { name: 'Alex Morgan', reference: 'HR-000123', service: 'Housing repair', phone: '01632 960000' },
}

describe('sending letters through GOV.UK Notify', () => {
  let stub: NotifyStub
  let test: TestApp

  beforeAll(async () => {
    const started = await createTestAppWithNotifyStub({ 'request-received-letter': letterTemplate })
    test = started.test
    stub = started.stub
  })
  afterAll(async () => {
    await test?.close()
  })
  beforeEach(async () => {
    stub.notifications.length = 0
    stub.calls.length = 0
    await test.database.db.deleteFrom('outbox_messages').execute()
  })

  const db = () => test.database.db
  const messageRow = (id: string) => db().selectFrom('outbox_messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow()

  it('sends a letter with the address lines, the personalisation and our id as the reference', async () => {
    const { id } = await queueMessage(db(), requestReceived)
    expect(await test.services.notifications.sendMessage(id)).toBe('sent')

    expect(stub.calls).toEqual([{ method: 'POST', path: '/v2/notifications/letter' }])
    expect(stub.notifications).toHaveLength(1)
    const [letter] = stub.notifications
    expect(letter).toMatchObject({ type: 'letter', templateId: letterTemplate.id, reference: id, recipient: address })
    expect(letter!.personalisation).toEqual({
      ...requestReceived.personalisation,
      address_line_1: 'Alex Morgan',
      address_line_2: '1 Wendle Court',
      address_line_3: 'Lower Wendle',
      address_line_4: 'LW1 5UP',
    })
    expect(await messageRow(id)).toMatchObject({ status: 'sent', provider: 'notify', provider_reference: letter!.id })
  })

  it('refuses an address of 2 lines when queueing it', async () => {
    await expect(queueMessage(db(), { ...requestReceived, recipient: '1 Wendle Court\nLW1 5UP' })).rejects.toThrow(
      "A letter's address needs at least 3 lines, postcode last; this one has 2",
    )
    await expect(queueMessage(db(), { ...requestReceived, recipient: ['1', '2', '3', '4', '5', '6', '7', 'LW1 5UP'].join('\n') })).rejects.toThrow(
      "A letter's address can have at most 7 lines; this one has 8",
    )
    expect(await db().selectFrom('outbox_messages').select('id').execute()).toEqual([])
  })

  it('fails a letter whose address Notify could not print without calling Notify', async () => {
    // An address that reached the outbox some other way than queueMessage, which would refuse it.
    const { id } = await db()
      .insertInto('outbox_messages')
      .values({
        person_id: null,
        channel: 'letter',
        recipient: '1 Wendle Court\nLW1 5UP',
        message_type: 'request-received-letter',
        personalisation: JSON.stringify(requestReceived.personalisation),
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    expect(await test.services.notifications.sendMessage(id)).toBe('permanent-failure')
    expect(await messageRow(id)).toMatchObject({
      status: 'permanent-failure',
      failure_reason: "A letter's address needs at least 3 lines, postcode last; this one has 2",
    })
    expect(stub.calls).toEqual([])
  })

  it('is answered by the stub as Notify answers: the letter as printed, and the address as line_1 to line_7', async () => {
    const client = new NotifyClient(stub.baseUrl, stub.apiKey)
    const sent = await client.sendLetter(letterTemplate.id, {
      personalisation: { ...requestReceived.personalisation, address_line_1: 'Alex Morgan', address_line_2: '1 Wendle Court', address_line_3: 'LW1 5UP' },
      reference: 'our-reference',
    })
    expect(sent.status).toBe(201)
    expect(sent.data).toMatchObject({
      reference: 'our-reference',
      content: { subject: 'We have received your request HR-000123', body: expect.stringContaining('Dear Alex Morgan,') as unknown },
      scheduled_for: null,
    })
    const described = await client.getNotificationById(sent.data.id)
    expect(described.data).toMatchObject({ type: 'letter', line_1: 'Alex Morgan', line_2: '1 Wendle Court', line_3: 'LW1 5UP', line_4: null, line_7: null })

    const refusal = await client.sendLetter(letterTemplate.id, { personalisation: { address_line_1: 'Alex Morgan', address_line_2: 'LW1 5UP' } }).catch((error: unknown) => error)
    expect(refusal).toMatchObject({ response: { status: 400, data: { errors: [{ error: 'ValidationError', message: 'Address must be at least 3 lines' }] } } })
  })
})

describe('letters in the demo outbox', () => {
  let test: TestApp
  beforeAll(async () => {
    test = await createTestApp()
  })
  afterAll(() => test.close())

  it('are sent by the local provider and show their address a line to a line, with their heading', async () => {
    const { id } = await queueMessage(test.database.db, requestReceived)
    expect(await test.services.notifications.sendMessage(id)).toBe('sent')

    const response = await test.app.inject({ url: '/dev/outbox' })
    expect(response.statusCode).toBe(200)
    const page = cheerio.load(response.body)
    const letter = page(`article[aria-labelledby="message-${id}"]`)
    expect(letter.find('h2').text().trim()).toBe('We have received your request HR-000123')
    const to = letter.find('.govuk-summary-list__value').first()
    expect(to.find('br')).toHaveLength(3)
    expect(to.text().split('\n').map((line) => line.trim()).filter(Boolean)).toEqual(address.split('\n'))
    expect(letter.text()).toContain('Letter – request-received-letter')
  })
})
