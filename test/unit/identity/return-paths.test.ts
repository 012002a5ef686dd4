import { describe, expect, it } from 'vitest'
import { residentReturnPath, staffReturnPath } from '../../../src/modules/identity/return-paths.ts'

const offSite = [undefined, '', 42, 'https://evil.example/', '//evil.example', '/\\evil.example', 'account', '/account\r\nSet-Cookie: x=1']

describe('where a person goes after signing in', () => {
  it('returns a resident to a page on this site', () => {
    expect(residentReturnPath('/account/details?tab=1')).toBe('/account/details?tab=1')
    expect(residentReturnPath('/find-an-address?postcode=LW1+1AA')).toBe('/find-an-address?postcode=LW1+1AA')
  })

  it('never sends a resident off the site, to staff pages, or back to signing in', () => {
    for (const value of [...offSite, '/staff', '/staff/audit', '/sign-in', '/sign-in?returnTo=/x', '/sign-out']) {
      expect(residentReturnPath(value)).toBe('/account')
    }
    expect(residentReturnPath('/staffing-news')).toBe('/staffing-news')
  })

  it('returns staff only to staff pages', () => {
    expect(staffReturnPath('/staff/audit?action=staff.sign-in')).toBe('/staff/audit?action=staff.sign-in')
    for (const value of [...offSite, '/account', '/staffing-news', '/staff/sign-in', '/staff//evil.example']) {
      expect(staffReturnPath(value)).toBe('/staff')
    }
  })
})
