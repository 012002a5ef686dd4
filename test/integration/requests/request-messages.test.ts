import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { translator } from '../../../src/lib/i18n/index.ts'
import { messageTypes } from '../../../src/modules/notifications/index.ts'
import { Agent, type AgentResponse } from '../../support/agent.ts'
import { createTestApp, type TestApp } from '../../support/app.ts'
import { sessionCookie, sessionFor } from '../../support/sessions.ts'
import { repairDefinition } from './factories.ts'

describe('the messages a request’s staff page shows', () => {
  let test: TestApp
  let officer: Agent

  beforeAll(async () => {
    test = await createTestApp()
    await test.services.identity.staff.ensureTeam('housing-repairs', 'Housing repairs')
    await test.services.catalogue.publishDefinition(repairDefinition())
    const id = await test.services.identity.staff.createStaffMember({
      name: 'Olu Officer',
      email: 'messages.officer@lowerwendle.example.gov.uk',
      password: null,
      roleCodes: ['officer'],
      teamCodes: ['housing-repairs'],
    })
    officer = new Agent(test.app)
    officer.setCookie(sessionCookie, await sessionFor(test.database.db, { kind: 'staff', id }))
  })
  afterAll(async () => {
    await test?.close()
  })

  const rowsOn = (page: AgentResponse) =>
    page.page('#messages + table tbody tr').map((_, row) => [page.page(row).find('td').map((__, cell) => page.page(cell).text().replace(/\s+/g, ' ').trim()).get()]).get() as string[][]

  it('lists each message about the request, where it went and where it has got to, and no one else’s', async () => {
    const { id: personId } = await test.database.db
      .insertInto('people')
      .values({ given_name: 'Alex', family_name: 'Morgan', email: 'alex.messages@example.com' })
      .returning('id')
      .executeTakeFirstOrThrow()
    const report = () => test.services.requests.createRequest({ serviceCode: 'test-repair', personId, answers: { problem: 'dripping-tap', details: '' }, channel: 'web' })
    const made = await report()
    const other = await report()
    await test.services.residentMessages.notifyResidents()

    const before = await officer.get(`/staff/requests/${made.reference}`)
    expect(rowsOn(before)).toEqual([[expect.stringContaining('Request received'), 'Email alex.messages@example.com', 'Waiting to send']])

    const [message] = await test.services.notifications.messagesAbout(made.reference)
    await test.services.notifications.sendMessage(message!.id)
    await test.database.db.updateTable('outbox_messages').set({ status: 'permanent-failure', failure_reason: 'The address does not exist' }).where('id', '=', message!.id).execute()
    const after = await officer.get(`/staff/requests/${made.reference}`)
    expect(rowsOn(after)).toEqual([[expect.stringContaining('Request received'), 'Email alex.messages@example.com', 'Failed The address does not exist']])
    expect(await test.services.notifications.messagesAbout(other.reference)).toHaveLength(1)
  })

  it('has words for every message that names a request', () => {
    const t = translator('en')
    const aboutRequests = Object.entries(messageTypes).filter(([, type]) => (type.personalisation as readonly string[]).includes('reference'))
    expect(aboutRequests.length).toBeGreaterThan(0)
    for (const [name] of aboutRequests) expect(t(`requests.staff.messages.types.${name}`)).not.toBe(`requests.staff.messages.types.${name}`)
  })
})
