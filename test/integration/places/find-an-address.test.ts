import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../support/app.ts'
import { Agent, errorSummary } from '../../support/agent.ts'
import { address, addressCsv } from '../../support/places.ts'

describe('finding an address by postcode', () => {
  let test: TestApp
  beforeAll(async () => {
    test = await createTestApp()
    await test.services.places.importAddresses([
      addressCsv([
        address(1010, { address_line_1: '10 Mill Lane' }),
        address(1002, { address_line_1: '2 Mill Lane' }),
        address(1003, { address_line_1: 'Heron Court', address_line_2: '3 Mill Lane' }),
        address(1004, { parent_uprn: 1003, address_line_1: 'Flat 10, Heron Court', address_line_2: '3 Mill Lane' }),
        address(1005, { parent_uprn: 1003, address_line_1: 'Flat 2, Heron Court', address_line_2: '3 Mill Lane' }),
        address(2001, { postcode: 'LW2 1AB', address_line_1: '1 Church Road' }),
      ]),
    ])
  })
  afterAll(async () => {
    await test?.close()
  })

  it('asks for a postcode with a GET form that needs no JavaScript', async () => {
    const page = await new Agent(test.app).get('/find-an-address')
    expect(page.status).toBe(200)
    expect(page.page('h1').text()).toBe('Find an address')
    const form = page.page('form[action="/find-an-address"]')
    expect(form.attr('method')).toBe('get')
    expect(form.find('input[name="postcode"]').length).toBe(1)
  })

  it('lists the addresses at a postcode however it is typed, in the order people expect', async () => {
    const page = await new Agent(test.app).get('/find-an-address?postcode=lw15up')
    expect(page.status).toBe(200)
    expect(page.page('h1').text()).toBe('Select an address')
    expect(page.page('main').text()).toContain('5 addresses found for LW1 5UP.')
    const labels = page.page('.govuk-radios__label').map((_, label) => page.page(label).text().trim()).get()
    expect(labels).toEqual([
      '2 Mill Lane, Lower Wendle, LW1 5UP',
      '10 Mill Lane, Lower Wendle, LW1 5UP',
      'Flat 2, Heron Court, 3 Mill Lane, Lower Wendle, LW1 5UP',
      'Flat 10, Heron Court, 3 Mill Lane, Lower Wendle, LW1 5UP',
      'Heron Court, 3 Mill Lane, Lower Wendle, LW1 5UP',
    ])
    expect(page.page('a:contains("I cannot find the address in the list")').attr('href')).toBe('/find-an-address/manual?postcode=LW1%205UP')
  })

  it('gives GOV.UK error messages for a missing or invalid postcode', async () => {
    const agent = new Agent(test.app)
    const empty = await agent.get('/find-an-address?postcode=')
    expect(empty.status).toBe(400)
    expect(errorSummary(empty)).toEqual(['Enter a postcode'])
    expect(empty.page('title').text()).toMatch(/^Error: Find an address/)
    const invalid = await agent.get('/find-an-address?postcode=LW1%20ZZZ')
    expect(errorSummary(invalid)).toEqual(['Enter a real postcode, like LW1 4QT'])
    expect(invalid.page('#postcode-error').text()).toContain('Enter a real postcode')
    expect(invalid.page('#postcode').attr('value')).toBe('LW1 ZZZ')
  })

  it('says when a real postcode has no addresses and offers manual entry', async () => {
    const page = await new Agent(test.app).get('/find-an-address?postcode=LW9 9ZZ')
    expect(page.page('h1').text()).toBe('No addresses found')
    expect(page.page('a[href="/find-an-address/manual?postcode=LW9%209ZZ"]').length).toBe(1)
  })

  it('shows the chosen address, and asks again when none was chosen', async () => {
    const agent = new Agent(test.app)
    const chosen = await agent.get('/find-an-address/address?postcode=LW1+5UP&uprn=1005')
    expect(chosen.page('h1').text()).toBe('Address chosen')
    expect(chosen.page('.govuk-summary-list').text()).toContain('Flat 2, Heron Court')
    expect(chosen.page('.govuk-summary-list').text()).toContain('1005')
    const none = await agent.get('/find-an-address/address?postcode=LW1+5UP')
    expect(none.status).toBe(400)
    expect(errorSummary(none)).toEqual(['Select an address'])
    expect(none.page('.govuk-radios__input').length).toBe(5)
    const unknown = await agent.get('/find-an-address/address?postcode=LW1+5UP&uprn=424242')
    expect(unknown.status).toBe(404)
  })

  it('takes an address typed by hand, checking each field', async () => {
    const agent = new Agent(test.app)
    const form = await agent.get('/find-an-address/manual?postcode=LW1%205UP')
    expect(form.page('#postcode').attr('value')).toBe('LW1 5UP')
    const wrong = await agent.post('/find-an-address/manual', { addressLine1: '', addressLine2: '', town: '', postcode: 'nope' })
    expect(wrong.status).toBe(400)
    expect(errorSummary(wrong)).toEqual([
      'Enter address line 1, typically the building and street',
      'Enter town or city',
      'Enter a real postcode, like LW1 4QT',
    ])
    const right = await agent.post('/find-an-address/manual', { addressLine1: 'Narrowboat Kestrel', addressLine2: 'Wendle Wharf', town: 'Lower Wendle', postcode: 'lw1 5up' })
    expect(right.status).toBe(200)
    expect(right.page('.govuk-summary-list').text()).toContain('LW1 5UP')
    expect(right.page('.govuk-summary-list').text()).toContain('Entered by hand')
  })

  it('refuses a manual address without the CSRF token', async () => {
    const agent = new Agent(test.app)
    await agent.get('/find-an-address/manual')
    const response = await agent.post('/find-an-address/manual', { addressLine1: '1 Mill Lane', town: 'Lower Wendle', postcode: 'LW1 5UP' }, { csrf: null })
    expect(response.status).toBe(403)
  })

  it('answers the JSON API with the addresses, and problem+json for an invalid postcode', async () => {
    const response = await test.app.inject({ url: '/api/v1/addresses?postcode=lw2%201ab' })
    expect(response.statusCode).toBe(200)
    const body = response.json()
    expect(body).toMatchObject({ postcode: 'LW2 1AB', count: 1 })
    expect(body.addresses[0]).toMatchObject({
      uprn: 2001,
      lines: ['1 Church Road', 'Lower Wendle', 'LW2 1AB'],
      singleLine: '1 Church Road, Lower Wendle, LW2 1AB',
      ward: { code: 'LWW01', name: 'Abbey' },
      usrn: 48100001,
      easting: 447467.2,
      northing: 204298,
    })
    expect(body.addresses[0].latitude).toBeCloseTo(51.73, 1)
    expect(body.addresses[0]).not.toHaveProperty('isCouncilHousing')

    const invalid = await test.app.inject({ url: '/api/v1/addresses?postcode=banana' })
    expect(invalid.statusCode).toBe(400)
    expect(invalid.headers['content-type']).toContain('application/problem+json')
    expect(invalid.json()).toMatchObject({ status: 400, errors: { postcode: 'Enter a real postcode, like LW1 4QT' } })
    const missing = await test.app.inject({ url: '/api/v1/addresses' })
    expect(missing.json()).toMatchObject({ status: 400, errors: { postcode: 'Enter a postcode' } })
  })
})
