import { describe, expect, it } from 'vitest'
import { checkResponseTemplate, fillResponseTemplate } from '../../../src/modules/requests/response-templates.ts'

describe('response templates', () => {
  it('fills in the request’s reference and target date, leaving a field it has no value for in sight', () => {
    const body = 'Your repair ((reference)) will be done by ((target date)). ((council name))'
    expect(fillResponseTemplate(body, { reference: 'GH-ABCD-EFGH', 'target date': '4 December 2026' })).toBe(
      'Your repair GH-ABCD-EFGH will be done by 4 December 2026. ((council name))',
    )
  })

  it('tidies what was typed and treats no service as any service', () => {
    expect(checkResponseTemplate({ title: '  Parts ordered ', body: ' We have ordered the parts. ', serviceCode: '' })).toEqual({
      template: { title: 'Parts ordered', body: 'We have ordered the parts.', serviceCode: null },
    })
  })

  it('says what is missing or too long', () => {
    expect(checkResponseTemplate({ title: ' ', body: '', serviceCode: null })).toEqual({ errors: { title: 'Enter a title', body: 'Enter the wording' } })
    expect(checkResponseTemplate({ title: 'x'.repeat(101), body: 'y'.repeat(4001), serviceCode: null })).toEqual({
      errors: { title: 'The title must be 100 characters or fewer', body: 'The wording must be 4000 characters or fewer' },
    })
  })

  it('refuses a field it could never fill, naming the ones it can', () => {
    expect(checkResponseTemplate({ title: 'Visit', body: 'Dear ((first name))', serviceCode: null })).toEqual({
      errors: { body: '((first name)) is not something that can be filled in; use ((reference)), ((target date)), ((council name))' },
    })
  })
})
