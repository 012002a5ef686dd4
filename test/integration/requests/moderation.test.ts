import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { errorSummary, type Agent } from '../../support/agent.ts'
import { createTestApp, type TestApp } from '../../support/app.ts'
import { address, addressCsv } from '../../support/places.ts'
import { signedInStaff } from '../../support/staff.ts'
import { gridToLatitudeLongitude } from '../../../src/modules/places/index.ts'
import { person } from './factories.ts'

/** 1 Mill Lane, in Abbey ward (LWW01) inside the demo council's boundary. */
const millLane = { easting: 447_467.2, northing: 204_298 }
const madeUpName = 'Bartholomew Quince'
const distinctivePhrase = 'swallowed a bicycle wheel'

let test: TestApp

beforeAll(async () => {
  test = await createTestApp()
  await test.services.catalogue.seedDefinitions()
  await test.services.places.importAddresses([addressCsv([address(8001)])])
})
afterAll(async () => {
  await test?.close()
})

/** A pothole reported on Mill Lane with every question answered, waiting for a moderator. */
async function potholeReport(details = `${madeUpName} at number one says it ${distinctivePhrase}`, personId?: string) {
  const point = gridToLatitudeLongitude(millLane.easting, millLane.northing)
  return test.services.requests.createRequest({
    serviceCode: 'pothole',
    personId: personId ?? (await person(test.database.db)),
    channel: 'web',
    answers: {
      location: { latitude: point.latitude, longitude: point.longitude, ...millLane, usrn: '48100001', wardCode: 'LWW01', description: 'Near 1 Mill Lane, Lower Wendle' },
      position: 'road',
      size: 'plate-to-tyre',
      depth: 'no',
      danger: 'no',
      details,
      photo: [],
    },
  })
}

async function housingRepair() {
  return test.services.requests.createRequest({
    serviceCode: 'housing-repair',
    personId: await person(test.database.db),
    channel: 'web',
    answers: {
      gas: 'no',
      emergency: ['none'],
      where: 'communal',
      'communal-problem': 'lift',
      description: `The lift ${distinctivePhrase}`,
      photos: [],
      access: '',
      'contact-method': 'email',
      email: 'tenant@example.com',
    },
  })
}

const listedReferences = async (agent: Agent) => {
  const list = await agent.get('/staff/moderation')
  expect(list.status).toBe(200)
  return list.page('tbody tr td:first-child').map((_, cell) => list.page(cell).text().trim()).get()
}

const requestRow = (id: string) => test.database.db.selectFrom('requests').selectAll().where('id', '=', id).executeTakeFirstOrThrow()

const publicDescription = async (reference: string) => {
  const page = await test.app.inject({ method: 'GET', url: `/reports/${reference}` })
  expect(page.statusCode).toBe(200)
  return page.body
}

describe('moderating what reporters wrote', () => {
  it('publishes the moderator’s edited words while the words as sent stay in the answers, with before and after audited', async () => {
    const report = await potholeReport()
    const moderator = await signedInStaff(test, ['moderator'])
    expect(await listedReferences(moderator.agent)).toContain(report.reference)

    const form = await moderator.agent.get(`/staff/reports/${report.reference}/moderation`)
    expect(form.status).toBe(200)
    expect(form.page('h2').map((_, heading) => form.page(heading).text().trim()).get()).toContain('As sent')
    expect(form.page('#as-sent').text()).toContain(distinctivePhrase)
    expect(form.page('#publicText').text()).toContain(distinctivePhrase)
    expect(form.page('#shown-now').text()).toContain('waiting to be checked')
    expect(form.page(`a[href="/reports/${report.reference}"]`).length).toBe(1)
    expect(form.page('button[name="decision"]').map((_, button) => form.page(button).attr('value')).get()).toEqual(['approve', 'hide'])

    const edited = 'A pothole in the road that is wider than a dinner plate'
    const approved = await moderator.agent.post(`/staff/reports/${report.reference}/moderation`, { decision: 'approve', publicText: edited })
    expect(approved.status).toBe(303)
    expect(approved.location).toBe('/staff/moderation')
    const list = await moderator.agent.follow(approved)
    expect(list.page('.govuk-notification-banner').text()).toContain(`Report ${report.reference} published`)
    expect(list.page('tbody td:first-child').text()).not.toContain(report.reference)

    const publicPage = await publicDescription(report.reference)
    expect(publicPage).toContain(edited)
    expect(publicPage).not.toContain(distinctivePhrase)
    expect(publicPage).not.toContain(madeUpName)

    const row = await requestRow(report.id)
    expect(row).toMatchObject({ moderation: 'approved', public_text: edited, moderated_by: moderator.id })
    expect(row.answers.details).toBe(`${madeUpName} at number one says it ${distinctivePhrase}`)
    const audit = await test.database.db.selectFrom('audit_events').selectAll().where('subject_id', '=', report.id).where('action', '=', 'report.approve-public-text').executeTakeFirstOrThrow()
    expect(audit).toMatchObject({ actor_kind: 'staff', actor_id: moderator.id })
    expect(audit.details).toEqual({ before: { moderation: 'pending', text: null }, after: { moderation: 'approved', text: edited } })

    const reopened = await moderator.agent.get(`/staff/reports/${report.reference}/moderation`)
    expect(reopened.page('#publicText').text()).toBe(edited)
    expect(reopened.page('#shown-now').text()).toContain('published on')
  })

  it('hides the description and photos from the public and takes the report off the list', async () => {
    const report = await potholeReport()
    const moderator = await signedInStaff(test, ['moderator'])
    await moderator.agent.get(`/staff/reports/${report.reference}/moderation`)
    const hidden = await moderator.agent.post(`/staff/reports/${report.reference}/moderation`, { decision: 'hide', publicText: 'ignored when hiding' })
    expect(hidden.status).toBe(303)
    expect((await moderator.agent.follow(hidden)).page('.govuk-notification-banner').text()).toContain(`Report ${report.reference} hidden`)

    const publicPage = await publicDescription(report.reference)
    expect(publicPage).not.toContain(distinctivePhrase)
    expect(publicPage).not.toContain('ignored when hiding')
    expect(await listedReferences(moderator.agent)).not.toContain(report.reference)
    expect(await requestRow(report.id)).toMatchObject({ moderation: 'hidden', public_text: null })
  })

  it('refuses empty words and an unknown decision, keeping what was typed and changing nothing', async () => {
    const report = await potholeReport()
    const moderator = await signedInStaff(test, ['moderator'])
    await moderator.agent.get(`/staff/reports/${report.reference}/moderation`)

    const empty = await moderator.agent.post(`/staff/reports/${report.reference}/moderation`, { decision: 'approve', publicText: '   ' })
    expect(empty.status).toBe(400)
    expect(errorSummary(empty)).toEqual(['Enter the words to show, or hide them instead'])
    expect(empty.page('.govuk-error-summary a').attr('href')).toBe('#publicText')
    expect(empty.page('#publicText-error').text()).toContain('Enter the words to show')

    const unknown = await moderator.agent.post(`/staff/reports/${report.reference}/moderation`, { decision: 'publish-everything', publicText: 'Kept words' })
    expect(unknown.status).toBe(400)
    expect(errorSummary(unknown)).toEqual(['Select approve and publish, or hide the description and photos'])
    expect(unknown.page('#publicText').text()).toBe('Kept words')

    expect(await requestRow(report.id)).toMatchObject({ moderation: 'pending', public_text: null, moderated_at: null })
    expect(await test.database.db.selectFrom('audit_events').select('id').where('subject_id', '=', report.id).execute()).toEqual([])
  })

  it('is only for staff who moderate, and only for public reports', async () => {
    const report = await potholeReport()
    const officer = await signedInStaff(test, ['officer'])
    await officer.agent.get('/staff')
    expect((await officer.agent.get('/staff/moderation')).status).toBe(403)
    expect((await officer.agent.get(`/staff/reports/${report.reference}/moderation`)).status).toBe(403)
    expect((await officer.agent.post(`/staff/reports/${report.reference}/moderation`, { decision: 'hide' })).status).toBe(403)
    expect((await requestRow(report.id)).moderation).toBe('pending')

    const repair = await housingRepair()
    const moderator = await signedInStaff(test, ['moderator'])
    expect((await moderator.agent.get('/staff')).page('.govuk-service-navigation a[href="/staff/moderation"]').text().trim()).toBe('Moderation')
    expect((await moderator.agent.get(`/staff/reports/${repair.reference}/moderation`)).status).toBe(404)
    expect((await moderator.agent.post(`/staff/reports/${repair.reference}/moderation`, { decision: 'hide' })).status).toBe(404)
    expect((await moderator.agent.get('/staff/reports/GH-NOPE-NOPE/moderation')).status).toBe(404)
  })
})

describe('merging a duplicate report into the one kept', () => {
  async function mergeForm(agent: Agent, reference: string) {
    const form = await agent.get(`/staff/requests/${reference}/merge`)
    expect(form.status).toBe(200)
    return form.page('input[name="rowVersion"]').attr('value')!
  }

  it('closes the duplicate, moves its reporter and followers to the report kept, and points the public to it', async () => {
    const keptReporter = await person(test.database.db, { givenName: 'Kim', familyName: 'Kept' })
    const duplicateReporter = await person(test.database.db, { givenName: 'Dee', familyName: 'Duplicate' })
    const follower = await person(test.database.db, { givenName: 'Fay', familyName: 'Follower' })
    const kept = await potholeReport('A deep one by the post box', keptReporter)
    const duplicate = await potholeReport('Same hole by the post box', duplicateReporter)
    await test.services.publicReports.follow(duplicate.reference, follower)

    const officer = await signedInStaff(test, ['officer'])
    const form = await officer.agent.get(`/staff/requests/${duplicate.reference}/merge`)
    expect(form.page('#keepReference-hint').text().trim()).toBe('The reference of the report that is being dealt with, like GH2K7QXM')
    const merged = await officer.agent.post(`/staff/requests/${duplicate.reference}/merge`, {
      keepReference: kept.reference.replace(/-/g, '').toLowerCase(),
      rowVersion: form.page('input[name="rowVersion"]').attr('value')!,
    })
    expect(merged.status).toBe(303)
    expect(merged.location).toBe(`/staff/requests/${kept.reference}`)
    expect((await officer.agent.follow(merged)).page('.govuk-notification-banner').text()).toContain(`Report ${duplicate.reference} merged into report ${kept.reference}`)

    expect(await requestRow(duplicate.id)).toMatchObject({ status: 'closed', closure_reason: 'duplicate', duplicate_of: kept.id })
    const followers = await test.database.db.selectFrom('request_followers').select(['request_id', 'person_id', 'supports']).where('request_id', 'in', [kept.id, duplicate.id]).orderBy('person_id').execute()
    expect(followers).toEqual(
      [
        { request_id: kept.id, person_id: duplicateReporter, supports: true },
        { request_id: kept.id, person_id: follower, supports: false },
      ].sort((a, b) => a.person_id.localeCompare(b.person_id)),
    )

    const page = await test.app.inject({ method: 'GET', url: `/reports/${duplicate.reference}` })
    expect(page.body).toContain(`This was the same problem as report ${kept.reference}`)
    expect(page.body).toContain(`href="/reports/${kept.reference}"`)
  })

  it('counts a supporter of the duplicate as supporting the report kept', async () => {
    const kept = await potholeReport('Kept for support')
    const duplicate = await potholeReport('Duplicate with a supporter')
    const supporter = await person(test.database.db)
    await test.services.publicReports.support(duplicate.reference, supporter)

    const officer = await signedInStaff(test, ['officer'])
    const rowVersion = await mergeForm(officer.agent, duplicate.reference)
    expect((await officer.agent.post(`/staff/requests/${duplicate.reference}/merge`, { keepReference: kept.reference, rowVersion })).status).toBe(303)
    const moved = await test.database.db.selectFrom('request_followers').select('supports').where('request_id', '=', kept.id).where('person_id', '=', supporter).executeTakeFirstOrThrow()
    expect(moved.supports).toBe(true)
  })

  it('refuses to merge into itself, an unknown report or a different kind, or from a stale page, and changes nothing', async () => {
    const duplicate = await potholeReport('Refused merges')
    const follower = await person(test.database.db)
    await test.services.publicReports.follow(duplicate.reference, follower)
    const repair = await housingRepair()
    const officer = await signedInStaff(test, ['officer'])
    const rowVersion = await mergeForm(officer.agent, duplicate.reference)
    const merge = (keepReference: string, version = rowVersion) => officer.agent.post(`/staff/requests/${duplicate.reference}/merge`, { keepReference, rowVersion: version })

    const itself = await merge(duplicate.reference)
    expect(itself.status).toBe(400)
    expect(errorSummary(itself)).toEqual(['Enter the reference of another report: a report cannot be merged into itself'])
    expect(itself.page('#keepReference').attr('value')).toBe(duplicate.reference)

    const unknown = await merge('GH-ZZZZ-ZZZZ')
    expect(unknown.status).toBe(400)
    expect(errorSummary(unknown)).toEqual(['Enter the reference of a report to keep, like GH2K7QXM'])
    expect(unknown.page('#keepReference').attr('value')).toBe('GH-ZZZZ-ZZZZ')

    const otherKind = await merge(repair.reference)
    expect(otherKind.status).toBe(400)
    expect(errorSummary(otherKind)).toEqual([`Report ${repair.reference} is a different kind of problem. Only reports of the same kind can be merged`])

    const kept = await potholeReport('Kept, but the page is stale')
    await test.services.requests.addNote(duplicate.id, { actor: { kind: 'system' }, body: 'Looked at by someone else', visibility: 'internal' })
    const stale = await merge(kept.reference)
    expect(stale.status).toBe(409)
    expect(errorSummary(stale)).toEqual(['Someone else changed this request while you were looking at it. Check the latest details and try again.'])
    expect(stale.page('#keepReference').attr('value')).toBe(kept.reference)
    expect(Number(stale.page('input[name="rowVersion"]').attr('value'))).toBe(Number(rowVersion) + 1)

    expect(await requestRow(duplicate.id)).toMatchObject({ status: 'reported', closure_reason: null, duplicate_of: null })
    const followers = await test.database.db.selectFrom('request_followers').select('person_id').where('request_id', '=', duplicate.id).execute()
    expect(followers).toEqual([{ person_id: follower }])
  })

  it('is only for staff who update requests', async () => {
    const kept = await potholeReport('Kept, guarded')
    const duplicate = await potholeReport('Duplicate, guarded')
    const moderator = await signedInStaff(test, ['moderator'])
    await moderator.agent.get('/staff')
    expect((await moderator.agent.get(`/staff/requests/${duplicate.reference}/merge`)).status).toBe(403)
    expect((await moderator.agent.post(`/staff/requests/${duplicate.reference}/merge`, { keepReference: kept.reference, rowVersion: '1' })).status).toBe(403)
    expect((await requestRow(duplicate.id)).status).toBe('reported')
  })
})
