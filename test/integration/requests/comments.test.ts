import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Agent, errorSummary, type AgentResponse } from '../../support/agent.ts'
import { createTestApp, type TestApp } from '../../support/app.ts'
import { address, addressCsv, sessionCookie, signedInResident } from '../../support/places.ts'
import { signedInStaff } from '../../support/staff.ts'
import { InvalidInput, NotFound } from '../../../src/lib/errors.ts'
import { gridToLatitudeLongitude } from '../../../src/modules/places/index.ts'

/** 1 Mill Lane, in Abbey ward (LWW01) inside the demo council's boundary. */
const millLane = { easting: 447_467.2, northing: 204_298 }
/** What a reporting app sends for one of its users; the public never sees the name. */
const authorName = 'Bartholomew Quince'
const asSent = `Still there this morning, ${authorName} at number 4 nearly fell in it`
const edited = 'Still there this morning, and someone nearly fell in it'
const longer = 'It is about a foot across and has got deeper every day since the rain last week.'
const reportingApp = { kind: 'system' as const }

let test: TestApp

beforeAll(async () => {
  test = await createTestApp()
  await test.services.catalogue.seedDefinitions()
  await test.services.places.importAddresses([addressCsv([address(8001)])])
})
afterAll(async () => {
  await test?.close()
})

/** A resident who is signed in, with their browser. */
async function resident() {
  const { personId, sessionToken } = await signedInResident(test.database.db, { givenName: 'Alex', familyName: 'Morgan' })
  const agent = new Agent(test.app)
  agent.setCookie(sessionCookie, sessionToken)
  return { personId, agent }
}

/** A pothole on Mill Lane, a public report, made by the person. */
async function potholeReport(personId: string) {
  const point = gridToLatitudeLongitude(millLane.easting, millLane.northing)
  return test.services.requests.createRequest({
    serviceCode: 'pothole',
    personId,
    channel: 'web',
    answers: {
      location: { latitude: point.latitude, longitude: point.longitude, ...millLane, usrn: '48100001', wardCode: 'LWW01', description: 'Near 1 Mill Lane, Lower Wendle' },
      position: 'road',
      size: 'plate-to-tyre',
      depth: 'no',
      danger: 'no',
      details: 'A hole in the road',
      photo: [],
    },
  })
}

/** A repair to a lift in a block, a private request that is never on public pages. */
async function liftRepair(personId: string) {
  return test.services.requests.createRequest({
    serviceCode: 'housing-repair',
    personId,
    channel: 'web',
    answers: {
      gas: 'no',
      emergency: ['none'],
      where: 'communal',
      'communal-problem': 'lift',
      description: 'The lift is stuck',
      photos: [],
      access: '',
      'contact-method': 'email',
      email: 'tenant@example.com',
    },
  })
}

const commentRow = (eventId: number) => test.database.db.selectFrom('request_events').selectAll().where('id', '=', eventId).executeTakeFirstOrThrow()
const rowVersionOf = async (requestId: string) => (await test.services.requests.request(requestId)).rowVersion

async function publicPage(reference: string) {
  const page = await test.app.inject({ method: 'GET', url: `/reports/${reference}` })
  expect(page.statusCode).toBe(200)
  return page.body
}

/** The comments the resident is shown on their own request's timeline. */
async function residentComments(requestId: string) {
  return (await test.services.requests.timeline(requestId, { audience: 'resident' })).filter((entry) => entry.kind === 'comment')
}

/** The comment's entry on the staff request page's timeline. */
function staffTimelineEntry(page: AgentResponse) {
  return page.page('.app-timeline__entry').filter((_, entry) => page.page(entry).find('.app-timeline__comment-author').length > 0)
}

/** Opens the comment's moderation page, so the next post carries its CSRF token, and posts the decision. */
async function decide(agent: Agent, eventId: number, fields: Record<string, string>) {
  const form = await agent.get(`/staff/comments/${eventId}/moderation`)
  expect(form.status).toBe(200)
  return agent.post(`/staff/comments/${eventId}/moderation`, fields)
}

describe('comments from reporting apps', () => {
  it('are shown to staff at once, waiting for moderation, and to nobody else', async () => {
    const { personId, agent: residentAgent } = await resident()
    const report = await potholeReport(personId)
    const before = await rowVersionOf(report.id)
    const madeAt = new Date('2026-11-20T09:30:00Z')
    const comment = await test.services.requests.addComment(report.id, {
      actor: reportingApp,
      body: `  ${asSent}\r\n${longer}  `,
      authorName,
      mediaUrls: ['https://photos.example.org/pothole-1.jpg', 'javascript:alert(1)'],
      at: madeAt,
    })
    expect(comment.rowVersion).toBe(before + 1)
    expect(await rowVersionOf(report.id)).toBe(before + 1)

    expect(await commentRow(comment.eventId)).toMatchObject({
      kind: 'comment',
      visibility: 'internal',
      moderation: 'pending',
      notify_resident: false,
      body: `${asSent}\n${longer}`,
      public_body: null,
      details: { authorName, mediaUrls: ['https://photos.example.org/pothole-1.jpg', 'javascript:alert(1)'], madeAt: madeAt.toISOString() },
    })

    const officer = await signedInStaff(test, ['officer'])
    const staffPage = await officer.agent.get(`/staff/requests/${report.reference}`)
    expect(staffPage.status).toBe(200)
    const entry = staffTimelineEntry(staffPage)
    expect(entry.length).toBe(1)
    expect(entry.find('h3').text()).toContain('Comment from a reporting app')
    expect(entry.find('.govuk-tag').text().trim()).toBe('Waiting for moderation')
    expect(entry.find('.app-timeline__comment-author').text()).toContain(`${authorName}, through a reporting app`)
    expect(entry.find('.app-timeline__body').text()).toContain(asSent)
    const link = entry.find('.app-timeline__media a')
    expect(link.length).toBe(1)
    expect(link.attr('href')).toBe('https://photos.example.org/pothole-1.jpg')
    expect(link.attr('rel')).toBe('noreferrer noopener')
    expect(entry.find('.app-timeline__media').text()).toContain('javascript:alert(1)')
    // An officer who does not moderate is not offered the moderation page.
    expect(entry.find(`a[href="/staff/comments/${comment.eventId}/moderation"]`).length).toBe(0)

    expect(await residentComments(report.id)).toEqual([])
    const ownPage = await residentAgent.get(`/account/requests/${report.reference}`)
    expect(ownPage.status).toBe(200)
    expect(ownPage.body).not.toContain('nearly fell in it')
    const shown = await publicPage(report.reference)
    expect(shown).not.toContain('nearly fell in it')
    expect(shown).not.toContain(authorName)

    const moderator = await signedInStaff(test, ['moderator'])
    const list = await moderator.agent.get('/staff/moderation')
    expect(list.status).toBe(200)
    expect(list.page('#comments').text().trim()).toBe('Comments from reporting apps')
    const row = list.page('.app-moderation-comments tbody tr').filter((_, tr) => list.page(tr).find(`a[href="/staff/requests/${report.reference}"]`).length > 0)
    expect(row.length).toBe(1)
    expect(row.find('td').eq(1).text().trim()).toBe('Report a pothole')
    expect(row.find('td').eq(3).text()).toContain(`${`${asSent}\n${longer}`.slice(0, 100)}…`)
    expect(row.find('td').eq(3).text()).not.toContain('since the rain')
    expect(row.find(`a[href="/staff/comments/${comment.eventId}/moderation"]`).length).toBe(1)
  })

  it('show the public and the resident the words a moderator approved, and never the name; hiding takes them back', async () => {
    const { personId, agent: residentAgent } = await resident()
    const report = await potholeReport(personId)
    const { eventId } = await test.services.requests.addComment(report.id, { actor: reportingApp, body: asSent, authorName })
    const moderator = await signedInStaff(test, ['moderator'])

    const form = await moderator.agent.get(`/staff/comments/${eventId}/moderation`)
    expect(form.status).toBe(200)
    expect(form.page('h1').text()).toContain(report.reference)
    expect(form.page('.govuk-caption-l').text()).toContain('Report a pothole')
    expect(form.page('#as-sent').text()).toContain(asSent)
    expect(form.page('textarea[name="publicText"]').text()).toBe(asSent)
    expect(form.page('input[name="decision"]').map((_, radio) => form.page(radio).attr('value')).get()).toEqual(['approve', 'hide'])
    expect(form.page('#shown-now').text()).toContain('waiting to be checked')
    const before = await rowVersionOf(report.id)

    const approved = await moderator.agent.post(`/staff/comments/${eventId}/moderation`, { decision: 'approve', publicText: `  ${edited}  ` })
    expect(approved.status).toBe(303)
    expect(approved.location).toBe('/staff/moderation')
    const list = await moderator.agent.follow(approved)
    expect(list.page('.govuk-notification-banner').text()).toContain(`Comment on ${report.reference} published`)
    expect(list.page(`a[href="/staff/comments/${eventId}/moderation"]`).length).toBe(0)

    expect(await commentRow(eventId)).toMatchObject({ visibility: 'public', moderation: 'approved', public_body: edited, body: asSent, moderated_by: moderator.id })
    expect((await commentRow(eventId)).moderated_at).toBeInstanceOf(Date)
    expect(await rowVersionOf(report.id)).toBe(before + 1)

    const shown = await publicPage(report.reference)
    expect(shown).toContain('Comment from a member of the public')
    expect(shown).toContain(edited)
    expect(shown).not.toContain(authorName)
    expect(shown).not.toContain('number 4')

    const [entry] = await residentComments(report.id)
    expect(entry).toMatchObject({ kind: 'comment', body: edited, publicBody: edited, moderation: 'approved', details: {} })
    const ownPage = await residentAgent.get(`/account/requests/${report.reference}`)
    expect(ownPage.page('.app-resident-timeline').text()).toContain(edited)
    expect(ownPage.page('.app-resident-timeline').text()).toContain('Comment from a member of the public')
    expect(ownPage.body).not.toContain(authorName)

    const staffPage = await moderator.agent.get(`/staff/requests/${report.reference}`)
    const staffEntry = staffTimelineEntry(staffPage)
    expect(staffEntry.find('.govuk-tag').text().trim()).toBe('Approved')
    expect(staffEntry.find('.app-timeline__public-body').text()).toContain(edited)
    expect(staffEntry.find(`a[href="/staff/comments/${eventId}/moderation"]`).length).toBe(1)

    const reopened = await moderator.agent.get(`/staff/comments/${eventId}/moderation`)
    expect(reopened.page('textarea[name="publicText"]').text()).toBe(edited)
    expect(reopened.page('#shown-now').text()).toContain('published on')

    const hidden = await moderator.agent.post(`/staff/comments/${eventId}/moderation`, { decision: 'hide', publicText: edited })
    expect(hidden.status).toBe(303)
    expect((await moderator.agent.follow(hidden)).page('.govuk-notification-banner').text()).toContain(`Comment on ${report.reference} hidden`)
    expect(await commentRow(eventId)).toMatchObject({ visibility: 'internal', moderation: 'hidden' })
    expect(await publicPage(report.reference)).not.toContain(edited)
    expect(await residentComments(report.id)).toEqual([])
    expect((await residentAgent.get(`/account/requests/${report.reference}`)).body).not.toContain(edited)
    expect(staffTimelineEntry(await moderator.agent.get(`/staff/requests/${report.reference}`)).find('.govuk-tag').text().trim()).toBe('Hidden')

    const audit = await test.database.db
      .selectFrom('audit_events')
      .selectAll()
      .where('subject_id', '=', report.id)
      .where('action', '=', 'request.moderate-comment')
      .orderBy('id')
      .execute()
    expect(audit.map((row) => row.details)).toEqual([
      { eventId, before: { moderation: 'pending', text: null }, after: { moderation: 'approved', text: edited } },
      { eventId, before: { moderation: 'approved', text: edited }, after: { moderation: 'hidden', text: edited } },
    ])
    expect(audit[0]).toMatchObject({ actor_kind: 'staff', actor_id: moderator.id })
  })

  it('refuses empty or overlong words and a missing decision with the GOV.UK error summary, changing nothing', async () => {
    const { personId } = await resident()
    const report = await potholeReport(personId)
    const { eventId } = await test.services.requests.addComment(report.id, { actor: reportingApp, body: asSent })
    const moderator = await signedInStaff(test, ['moderator'])
    const before = await rowVersionOf(report.id)

    const empty = await decide(moderator.agent, eventId, { decision: 'approve', publicText: '   ' })
    expect(empty.status).toBe(400)
    expect(errorSummary(empty)).toEqual(['Enter the words to show, or hide them instead'])
    expect(empty.page('.govuk-error-summary a').attr('href')).toBe('#publicText')
    expect(empty.page('#publicText-error').text()).toContain('Enter the words to show')

    const overlong = await decide(moderator.agent, eventId, { decision: 'approve', publicText: 'a'.repeat(4001) })
    expect(overlong.status).toBe(400)
    expect(errorSummary(overlong)).toEqual(['The words to show must be 4,000 characters or fewer'])
    expect(overlong.page('textarea[name="publicText"]').text()).toBe('a'.repeat(4001))
    expect(overlong.page('input[name="decision"][value="approve"]').attr('checked')).toBeDefined()

    const undecided = await decide(moderator.agent, eventId, { publicText: 'Kept words' })
    expect(undecided.status).toBe(400)
    expect(errorSummary(undecided)).toEqual(['Select approve and publish, or hide the comment'])
    expect(undecided.page('.govuk-error-summary a').attr('href')).toBe('#decision')
    expect(undecided.page('textarea[name="publicText"]').text()).toBe('Kept words')

    expect(await commentRow(eventId)).toMatchObject({ visibility: 'internal', moderation: 'pending', public_body: null, moderated_at: null })
    expect(await rowVersionOf(report.id)).toBe(before)
    expect(await test.database.db.selectFrom('audit_events').select('id').where('subject_id', '=', report.id).where('action', '=', 'request.moderate-comment').execute()).toEqual([])
  })

  it('are only moderated by staff who moderate, with the form’s CSRF token, and only comments that exist', async () => {
    const { personId } = await resident()
    const report = await potholeReport(personId)
    const { eventId } = await test.services.requests.addComment(report.id, { actor: reportingApp, body: asSent })

    const officer = await signedInStaff(test, ['officer'])
    await officer.agent.get('/staff')
    expect((await officer.agent.get(`/staff/comments/${eventId}/moderation`)).status).toBe(403)
    expect((await officer.agent.post(`/staff/comments/${eventId}/moderation`, { decision: 'approve', publicText: edited })).status).toBe(403)

    const moderator = await signedInStaff(test, ['moderator'])
    await moderator.agent.get(`/staff/comments/${eventId}/moderation`)
    const forged = await moderator.agent.post(`/staff/comments/${eventId}/moderation`, { decision: 'approve', publicText: edited }, { csrf: null })
    expect(forged.status).toBe(403)
    expect((await commentRow(eventId)).moderation).toBe('pending')

    const [firstEvent] = await test.services.requests.timeline(report.id, { audience: 'staff' })
    for (const unknown of ['999999999', 'not-a-number', '0', String(firstEvent!.id)]) {
      expect((await moderator.agent.get(`/staff/comments/${unknown}/moderation`)).status).toBe(404)
      expect((await moderator.agent.post(`/staff/comments/${unknown}/moderation`, { decision: 'hide' })).status).toBe(404)
    }
  })

  it('on a private request are shown, once approved, to the person who made it and never on public pages', async () => {
    const { personId, agent: residentAgent } = await resident()
    const repair = await liftRepair(personId)
    const { eventId } = await test.services.requests.addComment(repair.id, { actor: reportingApp, body: 'The lift is still stuck on the third floor', authorName })
    const moderator = await signedInStaff(test, ['moderator'])

    const form = await moderator.agent.get(`/staff/comments/${eventId}/moderation`)
    expect(form.page(`a[href="/reports/${repair.reference}"]`).length).toBe(0)
    expect(form.body).toContain('This request is private')
    expect((await decide(moderator.agent, eventId, { decision: 'approve', publicText: 'The lift is still stuck' })).status).toBe(303)

    expect((await test.app.inject({ method: 'GET', url: `/reports/${repair.reference}` })).statusCode).toBe(404)
    expect((await test.app.inject({ method: 'GET', url: '/reports' })).body).not.toContain(repair.reference)
    const ownPage = await residentAgent.get(`/account/requests/${repair.reference}`)
    expect(ownPage.page('.app-resident-timeline').text()).toContain('The lift is still stuck')
    expect(ownPage.body).not.toContain(authorName)
  })

  it('are checked like notes, and only for requests that exist', async () => {
    const { personId } = await resident()
    const report = await potholeReport(personId)
    await expect(test.services.requests.addComment(report.id, { actor: reportingApp, body: '  \r\n ' })).rejects.toBeInstanceOf(InvalidInput)
    await expect(test.services.requests.addComment(report.id, { actor: reportingApp, body: 'a'.repeat(4001) })).rejects.toBeInstanceOf(InvalidInput)
    await expect(test.services.requests.addComment('00000000-0000-4000-8000-000000000000', { actor: reportingApp, body: 'Hello' })).rejects.toBeInstanceOf(NotFound)
    await expect(test.services.requests.addComment('not-an-id', { actor: reportingApp, body: 'Hello' })).rejects.toBeInstanceOf(NotFound)
    expect((await test.services.requests.timeline(report.id, { audience: 'staff' })).filter((entry) => entry.kind === 'comment')).toEqual([])
  })
})
