import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../support/app.ts'
import { definitionSource } from '../../unit/catalogue/factory.ts'

const linkTitles = (html: string) => [...html.matchAll(/<a class="govuk-link[^"]*" href="(\/services\/[^"]+)">/g)].map((match) => match[1])

describe('the front door: search, topics, the A to Z and start pages', () => {
  let test: TestApp
  beforeAll(async () => {
    test = await createTestApp()
    await test.services.catalogue.seedDefinitions()
  })
  afterAll(async () => {
    await test?.close()
  })

  const get = (url: string) => test.app.inject({ method: 'GET', url })

  it('finds fly-tipping from a search for "flytip", with no script needed', async () => {
    const response = await get('/search?q=flytip')
    expect(response.statusCode).toBe(200)
    expect(linkTitles(response.body)[0]).toBe('/services/fly-tipping')
    expect(response.body).toContain('Search results for ‘flytip’')
  })

  it('tolerates a misspelling and other names people use', async () => {
    for (const [query, code] of [
      ['pothoel', 'pothole'],
      ['street lamp', 'street-light'],
      ['councl tax', 'pay-council-tax'],
      ['dumped rubbish', 'fly-tipping'],
    ]) {
      expect(linkTitles((await get(`/search?q=${encodeURIComponent(query!)}`)).body), query).toContain(`/services/${code}`)
    }
  })

  it('says plainly when nothing matches and offers the A to Z and the phone line', async () => {
    const response = await get('/search?q=xyzzyplugh')
    expect(response.statusCode).toBe(200)
    expect(response.body).toContain('We could not find a service for ‘xyzzyplugh’')
    expect(response.body).toContain('href="/services"')
    expect(response.body).toContain(test.config.council.phone)
  })

  it('refuses a search longer than 200 characters with an error summary, keeping what was typed', async () => {
    const response = await get(`/search?q=${'a'.repeat(201)}`)
    expect(response.statusCode).toBe(400)
    expect(response.body).toContain('govuk-error-summary')
    expect(response.body).toContain('Enter 200 characters or fewer to search')
    expect(response.body).toContain(`value="${'a'.repeat(201)}"`)
  })

  it('lists every service in the A to Z, under its name and under each other name', async () => {
    const body = (await get('/services')).body
    const entries = await test.services.catalogue.frontDoor.entries()
    for (const entry of entries) expect(body, entry.code).toContain(`href="/services/${entry.code}"`)
    const letterF = body.slice(body.indexOf('id="letter-F"'), body.indexOf('id="letter-G"'))
    expect(letterF).toContain('Fly tipping')
    expect(letterF).toContain('another name for Report fly-tipping')
  })

  it('browses by topic, and a topic nobody has is not found', async () => {
    const topic = await get('/topics/street-cleaning')
    expect(topic.statusCode).toBe(200)
    expect(linkTitles(topic.body)).toEqual(expect.arrayContaining(['/services/fly-tipping', '/services/graffiti', '/services/dog-fouling']))
    expect(linkTitles(topic.body)).not.toContain('/services/pothole')
    expect((await get('/topics/no-such-topic')).statusCode).toBe(404)
  })

  it("shows a form's start page with what you need, how long it takes and other ways to do it", async () => {
    const response = await get('/services/fly-tipping')
    expect(response.statusCode).toBe(200)
    expect(response.body).toContain('href="/services/fly-tipping/go"')
    expect(response.body).toContain('Other ways to do this')
    expect(response.body).toContain(test.config.council.phone)
    expect(response.body).toContain('You will need to sign in or create an account')
  })

  it('sends the start button of a form to its first page and of a service elsewhere to its website, counting each start', async () => {
    const form = await get('/services/fly-tipping/go')
    expect(form.statusCode).toBe(303)
    expect(form.headers.location).toBe('/services/fly-tipping/start')

    const page = await get('/services/pay-council-tax')
    expect(page.body).toContain('This service is provided on another website')
    const link = await get('/services/pay-council-tax/go')
    expect(link.statusCode).toBe(303)
    expect(link.headers.location).toMatch(/^https:\/\//)

    const counts = await test.database.db.selectFrom('service_starts').select(['service_code', 'starts']).orderBy('service_code').execute()
    expect(counts).toEqual([
      { service_code: 'fly-tipping', starts: 1 },
      { service_code: 'pay-council-tax', starts: 1 },
    ])
  })

  it('puts the most-started services first on the home page', async () => {
    for (let start = 0; start < 3; start += 1) await get('/services/dead-animal/go')
    const home = (await get('/')).body
    const mostUsed = home.slice(home.indexOf('Most used'), home.indexOf('Your account'))
    expect(linkTitles(mostUsed).slice(0, 3)).toEqual(['/services/dead-animal', '/services/fly-tipping', '/services/pay-council-tax'])
    expect(linkTitles(mostUsed)).toHaveLength(6)
  })

  it('shows a newly published version at once, and never lists a staff-only service', async () => {
    await test.services.catalogue.publishDefinition(
      definitionSource({ code: 'pothole', name: 'Report a pothole or sunken road', synonyms: ['sinkhole'], topics: ['roads-and-streets'] }),
    )
    expect(linkTitles((await get('/search?q=sinkhole')).body)[0]).toBe('/services/pothole')
    await test.services.catalogue.publishDefinition(definitionSource({ code: 'staff-note', name: 'Record a staff note', audience: 'staff-only' }))
    expect((await get('/services')).body).not.toContain('/services/staff-note')
    expect((await get('/services/staff-note')).statusCode).toBe(404)
  })

  it('gives 404 for a service that does not exist, and never runs a form for a service that only links out', async () => {
    expect((await get('/services/no-such-service')).statusCode).toBe(404)
    expect((await get('/services/no-such-service/go')).statusCode).toBe(404)
    expect(await test.services.catalogue.currentDefinition('pay-council-tax')).toBeUndefined()
    expect((await get('/services/pay-council-tax/start')).statusCode).toBe(404)
  })
})
