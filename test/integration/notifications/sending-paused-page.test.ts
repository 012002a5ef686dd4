import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { Agent } from '../../support/agent.ts'
import type { TestApp } from '../../support/app.ts'
import { createTestAppWithNotifyStub, type NotifyStub } from '../../support/notify-stub.ts'
import { signedInStaff } from '../../support/staff.ts'
import { queueMessage, type MessageRequest } from '../../../src/modules/notifications/index.ts'

const template = { id: randomUUID(), type: 'sms' as const, body: 'Your code is ((code))' }
const code = (recipient: string): MessageRequest => ({
  personId: null,
  channel: 'sms',
  recipient,
  messageType: 'mobile-confirmation-code',
  personalisation: { code: '123456' },
})
const refusal = 'GOV.UK Notify answered 403: AuthError: Invalid token: API key not found'

describe('the screen for resuming sending', () => {
  let stub: NotifyStub
  let test: TestApp

  beforeAll(async () => {
    const started = await createTestAppWithNotifyStub({ 'mobile-confirmation-code': template })
    test = started.test
    stub = started.stub
  })
  afterAll(async () => {
    await test?.close()
  })
  beforeEach(async () => {
    stub.notifications.length = 0
    await db().deleteFrom('outbox_messages').execute()
    await db().deleteFrom('notification_sending_pause').execute()
    await sql`delete from graphile_worker._private_jobs`.execute(db())
  })

  const db = () => test.database.db
  const notifications = () => test.services.notifications
  const resumesRecordedFor = (staffId: string) =>
    db().selectFrom('audit_events').selectAll().where('action', '=', 'notifications.sending-resumed').where('actor_id', '=', staffId).execute()

  /** Two texts waiting behind the pause that Notify's refusal of our key started. */
  async function pauseWithTwoWaiting() {
    const first = await queueMessage(db(), code('07700900111'))
    const second = await queueMessage(db(), code('07700900222'))
    stub.queueFaults({ kind: 'status', status: 403 })
    expect(await notifications().sendMessage(first.id)).toBe('paused')
    expect(await notifications().sendMessage(second.id)).toBe('paused')
    return [first.id, second.id]
  }

  it('shows an administrator the pause, since when, until when and why', async () => {
    await pauseWithTwoWaiting()
    const { agent } = await signedInStaff(test, ['administrator'])
    const page = await agent.get('/staff/notifications')
    expect(page.status).toBe(200)
    expect(page.page('h1').text()).toBe('Sending messages')
    const warning = page.page('.govuk-warning-text__text').text().replace(/\s+/g, ' ')
    expect(warning).toMatch(/GOV\.UK Notify refused the council’s key at .+, so messages are waiting until .+\./)
    expect(warning).toContain(`GOV.UK Notify said: ${refusal}`)
    expect(page.page('form[action="/staff/notifications/resume"] button').text().trim()).toBe('Resume sending now')
    expect(page.page('.govuk-service-navigation a[href="/staff/notifications"]').text().trim()).toBe('Messages')
  })

  it('resumes sending, wakes the waiting messages, says how many, and records who did it', async () => {
    const waiting = await pauseWithTwoWaiting()
    await sql`delete from graphile_worker._private_jobs`.execute(db())
    const { id: adminId, agent } = await signedInStaff(test, ['administrator'])
    await agent.get('/staff/notifications')

    const resumed = await agent.post('/staff/notifications/resume')
    expect(resumed.status).toBe(303)
    expect(resumed.location).toBe('/staff/notifications')
    const page = await agent.follow(resumed)
    expect(page.page('.govuk-notification-banner--success').text()).toContain('Sending has resumed. 2 messages that were waiting are being sent.')
    expect(page.page('.govuk-warning-text').length).toBe(0)
    expect(page.page('main').text()).toContain('Messages are being sent as usual.')

    expect(await notifications().sendingPause()).toBeUndefined()
    const { rows: jobs } = await sql<{ id: string }>`select payload->>'id' as id from graphile_worker._private_jobs where run_at <= now()`.execute(db())
    expect(jobs.map((job) => job.id).sort()).toEqual([...waiting].sort())
    for (const id of waiting) expect(await notifications().sendMessage(id)).toBe('sent')

    const audit = await resumesRecordedFor(adminId)
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({ actor_kind: 'staff', details: { woken: 2, reason: refusal } })
  })

  it('lists the messages that failed for good with the recipient masked', async () => {
    const failed = await queueMessage(db(), code('07700900987'))
    await db()
      .updateTable('outbox_messages')
      .set({ status: 'permanent-failure', failure_reason: 'GOV.UK Notify could not deliver it: the number or address does not exist' })
      .where('id', '=', failed.id)
      .execute()
    const { agent } = await signedInStaff(test, ['administrator'])
    const page = await agent.get('/staff/notifications')
    const cells = page.page('table tbody tr').first().find('td').map((_index, cell) => page.page(cell).text().trim()).get()
    expect(cells.slice(0, 3)).toEqual(['•••••987', 'Text message – mobile-confirmation-code', 'GOV.UK Notify could not deliver it: the number or address does not exist'])
    expect(page.body).not.toContain('07700900987')
  })

  it('refuses staff without the permission', async () => {
    await pauseWithTwoWaiting()
    const { agent } = await signedInStaff(test, ['officer'])
    const page = await agent.get('/staff/notifications')
    expect(page.status).toBe(403)
    expect(page.page('h1').text()).toBe('You do not have permission to see this page')

    const home = await agent.get('/staff')
    expect(home.page('.govuk-service-navigation a[href="/staff/notifications"]')).toHaveLength(0)
    const post = await agent.post('/staff/notifications/resume')
    expect(post.status).toBe(403)
    expect(post.page('h1').text()).toBe('You do not have permission to see this page')
    expect(await notifications().sendingPause()).toMatchObject({ reason: refusal })

    const visitor = await new Agent(test.app).get('/staff/notifications')
    expect(visitor.status).toBe(302)
    expect(visitor.location).toBe('/staff/sign-in?returnTo=%2Fstaff%2Fnotifications')
  })

  it('refuses a resume without the form’s CSRF token', async () => {
    await pauseWithTwoWaiting()
    const { id: adminId, agent } = await signedInStaff(test, ['administrator'])
    await agent.get('/staff/notifications')
    const forged = await agent.post('/staff/notifications/resume', {}, { csrf: null })
    expect(forged.status).toBe(403)
    expect(forged.page('h1').text()).toContain('Your form could not be sent')
    expect(await notifications().sendingPause()).toMatchObject({ reason: refusal })
    expect(await resumesRecordedFor(adminId)).toEqual([])
  })
})
