import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LocalFileStorage } from '../../../src/lib/files/local-storage.ts'
import { storePhotos } from '../../../src/lib/files/photo-uploads.ts'
import { translator } from '../../../src/lib/i18n/index.ts'
import { Agent, errorSummary, type AgentResponse } from '../../support/agent.ts'
import { createTestApp, type TestApp } from '../../support/app.ts'
import { photoFile, pictureOf, submitMultipart } from '../../support/multipart.ts'
import { sessionCookie, signedInResident } from '../../support/places.ts'
import { sessionFor } from '../../support/sessions.ts'
import { repairDefinition } from './factories.ts'

describe('photos kept with a request', () => {
  let test: TestApp
  let uploads: string
  let storage: LocalFileStorage
  let fixit: string
  let staffNumber = 0

  beforeAll(async () => {
    uploads = await mkdtemp(path.join(tmpdir(), 'guildhall-request-photos-'))
    test = await createTestApp({ environment: { UPLOADS_DIR: uploads } })
    storage = new LocalFileStorage(uploads)
    fixit = await test.services.identity.staff.ensureContractor('fixit', 'Fixit Property Services')
    await test.services.identity.staff.ensureContractor('other-builders', 'Other Builders Ltd')
    const photoQuestion = { id: 'photos', kind: 'photo' as const, label: 'Photos of the problem', required: false, maxCount: 3, maxMegabytes: 2 }
    await test.services.catalogue.publishDefinition(repairDefinition({ questions: [...repairDefinition().questions, photoQuestion] }))
    await test.services.catalogue.publishDefinition(repairDefinition({ code: 'no-photos', name: 'Report a bad smell' }))
  })
  afterAll(async () => {
    await test?.close()
    await rm(uploads, { recursive: true, force: true })
  })

  async function tenant(givenName = 'Alex') {
    const { personId, sessionToken } = await signedInResident(test.database.db, { givenName, familyName: 'Morgan' })
    const agent = new Agent(test.app)
    agent.setCookie(sessionCookie, sessionToken)
    return { personId, agent, sessionToken }
  }

  async function staff(roleCodes: string[], contractorCode: string | null = null) {
    staffNumber += 1
    const id = await test.services.identity.staff.createStaffMember({
      name: `Staff ${staffNumber}`,
      email: `photos-staff${staffNumber}@lowerwendle.example.gov.uk`,
      password: null,
      roleCodes,
      teamCodes: [],
      contractorCode,
    })
    const sessionToken = await sessionFor(test.database.db, { kind: 'staff', id })
    const agent = new Agent(test.app)
    agent.setCookie(sessionCookie, sessionToken)
    return { id, agent, sessionToken }
  }

  async function storedPhotoKeys(count: number): Promise<string[]> {
    const pictures = await Promise.all(['#3366cc', '#cc3366', '#33cc66'].slice(0, count).map((colour) => pictureOf(colour)))
    const stored = await storePhotos(storage, pictures, { folder: 'requests', limits: { maxCount: 3, maxMegabytes: 2 }, t: translator('en') })
    if (!('keys' in stored)) throw new Error(stored.message)
    return stored.keys
  }

  /** A repair reported with photos and given to Fixit. */
  async function repairWithPhotos(personId: string, count = 2) {
    const made = await test.services.requests.createRequest({
      serviceCode: 'test-repair',
      personId,
      answers: { problem: 'dripping-tap', details: 'Drips all night', photos: await storedPhotoKeys(count) },
      channel: 'web',
    })
    const officer = await staff(['team-lead'])
    const { rowVersion } = await test.services.requests.request(made.id)
    await test.services.requests.assign(made.id, { teamId: null, staffId: null, contractorId: fixit }, { actor: { kind: 'staff', id: officer.id }, expectedRowVersion: rowVersion })
    return made
  }

  /** Fetches a photo with a session's cookie, or with none; photos are binary, so this reads the raw bytes. */
  async function fetchPhoto(url: string, sessionToken?: string) {
    const response = await test.app.inject({ method: 'GET', url, headers: sessionToken ? { cookie: `${sessionCookie}=${sessionToken}` } : {} })
    return { status: response.statusCode, headers: response.headers, data: response.rawPayload }
  }

  const photoLinks = (page: AgentResponse) =>
    page
      .page('.app-photos a')
      .map((_, link) => ({ href: page.page(link).attr('href')!, thumbnail: page.page(link).find('img').attr('src')!, alt: page.page(link).find('img').attr('alt')! }))
      .get()

  const photoIdsOf = async (requestId: string) =>
    (await test.database.db.selectFrom('request_photos').select('id').where('request_id', '=', requestId).orderBy('added_at').orderBy('position').execute()).map((row) => row.id)

  async function storedFileCount(): Promise<number> {
    const entries = await readdir(uploads, { recursive: true, withFileTypes: true }).catch(() => [])
    return entries.filter((entry) => entry.isFile()).length
  }

  it('shows a tenant the photos they sent as thumbnails, each linking to the full photo', async () => {
    const { personId, agent, sessionToken } = await tenant()
    const made = await repairWithPhotos(personId)

    const page = await agent.get(`/account/requests/${made.reference}`)
    const ids = await photoIdsOf(made.id)
    expect(photoLinks(page)).toEqual([
      { href: `/requests/photos/${ids[0]}`, thumbnail: `/requests/photos/${ids[0]}/thumbnail`, alt: 'Photo 1 of 2 you sent' },
      { href: `/requests/photos/${ids[1]}`, thumbnail: `/requests/photos/${ids[1]}/thumbnail`, alt: 'Photo 2 of 2 you sent' },
    ])
    expect(page.body).not.toContain('requests/photos/requests')

    const photo = await fetchPhoto(`/requests/photos/${ids[0]}`, sessionToken)
    expect(photo.status).toBe(200)
    expect(photo.headers['content-type']).toBe('image/jpeg')
    expect(photo.headers['cache-control']).toMatch(/^private, max-age=\d+$/)
    expect(photo.headers['x-content-type-options']).toBe('nosniff')
    expect((await sharp(photo.data).metadata()).format).toBe('jpeg')

    const thumbnail = await fetchPhoto(`/requests/photos/${ids[0]}/thumbnail`, sessionToken)
    expect(thumbnail.status).toBe(200)
    expect(thumbnail.headers['content-type']).toBe('image/jpeg')
    expect(thumbnail.headers['cache-control']).toMatch(/^private/)
    expect((await sharp(thumbnail.data).metadata()).width).toBeLessThanOrEqual(400)
  })

  it('answers "not found" to another tenant, a visitor who is not signed in, and an operative of another contractor', async () => {
    const owner = await tenant()
    const made = await repairWithPhotos(owner.personId, 1)
    const [id] = await photoIdsOf(made.id)
    const someoneElse = await tenant('Priya')
    const otherOperative = await staff(['contractor-operative'], 'other-builders')
    const fixitOperative = await staff(['contractor-operative'], 'fixit')

    for (const url of [`/requests/photos/${id}`, `/requests/photos/${id}/thumbnail`]) {
      expect((await fetchPhoto(url, someoneElse.sessionToken)).status, url).toBe(404)
      expect((await fetchPhoto(url)).status, url).toBe(404)
      expect((await fetchPhoto(url, otherOperative.sessionToken)).status, url).toBe(404)
      expect((await fetchPhoto(url, fixitOperative.sessionToken)).status, url).toBe(200)
      expect((await fetchPhoto(url, owner.sessionToken)).status, url).toBe(200)
    }
    expect((await fetchPhoto('/requests/photos/00000000-0000-4000-8000-000000000000', owner.sessionToken)).status).toBe(404)
    expect((await fetchPhoto('/requests/photos/requests%2Fphotos%2Fanything', owner.sessionToken)).status).toBe(404)
  })

  it('shows staff every photo with who added it and when, and keeps internal photos from the resident', async () => {
    const owner = await tenant()
    const made = await repairWithPhotos(owner.personId, 1)
    const officer = await staff(['officer'])
    const { rowVersion } = await test.services.requests.request(made.id)
    await test.services.requests.addNote(made.id, {
      actor: { kind: 'staff', id: officer.id },
      body: 'Damp behind the units as well',
      visibility: 'internal',
      expectedRowVersion: rowVersion,
      photoKeys: await storedPhotoKeys(1),
    })
    const [publicId, internalId] = await photoIdsOf(made.id)

    const staffPage = await officer.agent.get(`/staff/requests/${made.reference}`)
    expect(staffPage.status).toBe(200)
    const items = staffPage.page('.app-photos li').map((_, item) => staffPage.page(item).text().replace(/\s+/g, ' ').trim()).get()
    expect(items).toEqual([expect.stringMatching(/– The resident$/), expect.stringMatching(/– Staff \d+ Staff only$/)])
    expect(photoLinks(staffPage).map((link) => link.alt)).toEqual(['Photo 1 of 2', 'Photo 2 of 2'])
    expect((await fetchPhoto(`/requests/photos/${internalId}`, officer.sessionToken)).status).toBe(200)

    const residentPage = await owner.agent.get(`/account/requests/${made.reference}`)
    expect(photoLinks(residentPage).map((link) => link.href)).toEqual([`/requests/photos/${publicId}`])
    expect((await fetchPhoto(`/requests/photos/${internalId}`, owner.sessionToken)).status).toBe(404)
    expect((await fetchPhoto(`/requests/photos/${internalId}/thumbnail`, owner.sessionToken)).status).toBe(404)
  })

  it('lets a tenant add information with photos, or photos alone', async () => {
    const { personId, agent } = await tenant()
    const made = await repairWithPhotos(personId, 1)
    const page = `/account/requests/${made.reference}`
    const form = await agent.get(page)
    expect(form.page(`form[action="${page}/information"]`).attr('enctype')).toBe('multipart/form-data')
    expect(form.page('#photos-hint').text().trim()).toBe('You can add up to 3 photos. Each must be a JPEG, PNG or WebP file smaller than 2MB.')

    const withWords = await submitMultipart(test.app, agent, page, `${page}/information`, { information: 'The drip has stained the ceiling' }, [
      photoFile(await pictureOf('#aa0000')),
      photoFile(await pictureOf('#00aa00', 'jpeg'), 'ceiling.jpg', 'image/jpeg'),
    ])
    expect(withWords.status).toBe(302)
    const photosOnly = await submitMultipart(test.app, agent, page, `${page}/information`, { information: '' }, [photoFile(await pictureOf('#0000aa'))])
    expect(photosOnly.status).toBe(302)

    const after = await agent.get(page)
    expect(photoLinks(after).map((link) => link.alt)).toEqual(['Photo 1 of 4 you sent', 'Photo 2 of 4 you sent', 'Photo 3 of 4 you sent', 'Photo 4 of 4 you sent'])
    const entries = after.page('.app-resident-timeline li').map((_, entry) => after.page(entry).text().replace(/\s+/g, ' ')).get()
    expect(entries[0]).toContain('1 photo, shown under Photos')
    expect(entries[1]).toContain('The drip has stained the ceiling')
    expect(entries[1]).toContain('2 photos, shown under Photos')
    expect(entries.at(-1)).toContain('1 photo, shown under Photos')
    const timeline = await test.services.requests.timeline(made.id, { audience: 'staff' })
    const added = timeline.filter((entry) => entry.kind === 'information-added')
    expect(added.map((entry) => entry.body)).toEqual(['The drip has stained the ceiling', null])
    const photos = await test.services.requests.photosOf(made.id, 'staff')
    expect(photos.map((photo) => photo.eventId)).toEqual([expect.any(Number), added[0]!.id, added[0]!.id, added[1]!.id])
    expect(photos.every((photo) => photo.visibility === 'public' && photo.addedBy.kind === 'resident')).toBe(true)
  })

  it('asks for information or a photo when the form is sent with neither', async () => {
    const { personId, agent } = await tenant()
    const made = await repairWithPhotos(personId, 1)
    const page = `/account/requests/${made.reference}`
    const empty = await submitMultipart(test.app, agent, page, `${page}/information`, { information: '  ' }, [])
    expect(empty.status).toBe(400)
    expect(errorSummary(empty)).toEqual(['Enter the information you want to add, or choose a photo'])
  })

  it('refuses a photo that is too big, not an image, or lying about its type, keeping the words and storing nothing', async () => {
    const { personId, agent } = await tenant()
    const made = await repairWithPhotos(personId, 1)
    const page = `/account/requests/${made.reference}`
    const words = 'Worse since Tuesday'
    const picture = await pictureOf('#123456')
    const beforeFiles = await storedFileCount()
    const beforePhotos = (await photoIdsOf(made.id)).length
    const beforeEvents = (await test.services.requests.timeline(made.id, { audience: 'staff' })).length

    const refusals: [string, Parameters<typeof photoFile>, string][] = [
      ['too big', [Buffer.alloc(2 * 1024 * 1024 + 1, 7), 'huge.jpg', 'image/jpeg'], 'The selected file must be smaller than 2MB'],
      ['not an image', [Buffer.from('Meter reading: 01234'), 'notes.txt', 'text/plain'], 'The selected file must be a JPEG, PNG or WebP'],
      ['a web page calling itself a photo', [Buffer.from('<html><script>alert(1)</script></html>'), 'photo.jpg', 'image/jpeg'], 'The selected file must be a JPEG, PNG or WebP'],
      ['a PNG behind a forged JPEG signature', [Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), picture]), 'photo.jpg', 'image/jpeg'], 'The selected file could not be opened. Choose a JPEG, PNG or WebP'],
    ]
    for (const [what, file, message] of refusals) {
      // A good photo beside the bad one is not kept either: the set is sent again as a whole.
      const response = await submitMultipart(test.app, agent, page, `${page}/information`, { information: words }, [photoFile(picture), photoFile(...file)])
      expect(response.status, what).toBe(400)
      expect(errorSummary(response), what).toEqual([message])
      expect(response.page('.govuk-error-summary a').attr('href'), what).toBe('#photos')
      expect(response.page('#photos-error').text(), what).toContain(message)
      expect(response.page('textarea#information').text(), what).toBe(words)
    }

    const tooMany = await submitMultipart(test.app, agent, page, `${page}/information`, { information: words }, Array.from({ length: 4 }, () => photoFile(picture)))
    expect(errorSummary(tooMany)).toEqual(['You can add up to 3 photos'])
    // More than any service allows is stopped while the upload is read, and still shown on the form.
    const farTooMany = await submitMultipart(test.app, agent, page, `${page}/information`, { information: words }, Array.from({ length: 11 }, () => photoFile(picture)))
    expect(farTooMany.status).toBe(400)
    expect(errorSummary(farTooMany)).toEqual(['You can add up to 3 photos'])
    expect(farTooMany.page('textarea#information').text()).toBe(words)

    expect(await storedFileCount()).toBe(beforeFiles)
    expect((await photoIdsOf(made.id)).length).toBe(beforePhotos)
    expect((await test.services.requests.timeline(made.id, { audience: 'staff' })).length).toBe(beforeEvents)
  })

  it('takes up to 3 photos of 10MB for a service that asks for none', async () => {
    const { personId, agent } = await tenant()
    const made = await test.services.requests.createRequest({ serviceCode: 'no-photos', personId, answers: { problem: 'dripping-tap', details: '' }, channel: 'web' })
    const page = await agent.get(`/account/requests/${made.reference}`)
    expect(page.page('#photos-hint').text().trim()).toBe('You can add up to 3 photos. Each must be a JPEG, PNG or WebP file smaller than 10MB.')
    expect(page.page('.app-photos')).toHaveLength(0)
  })

  it('refuses a photo key that no upload could have made when a request is made', async () => {
    const { personId } = await tenant()
    await expect(
      test.services.requests.createRequest({ serviceCode: 'test-repair', personId, answers: { problem: 'dripping-tap', details: '', photos: ['../../etc/passwd'] }, channel: 'api' }),
    ).rejects.toThrow('A photo could not be found')
  })
})
