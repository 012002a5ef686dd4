import { describe, expect, it } from 'vitest'
import { errorsDocument, list, render, w3cDateTime } from '../../../src/modules/open-data/open311/documents.ts'

describe('Open311 documents', () => {
  const document = {
    root: 'services',
    body: list('service', [
      { service_code: 'pothole', metadata: true, description: 'Holes & <ruts> "deep"', group: null, left_out: undefined },
      { service_code: 'graffiti', metadata: false, description: 'Paint\u0000 on walls', group: 'Streets' },
    ]),
  }

  it('writes a list as its item elements in XML and as an array in JSON', () => {
    expect(render(document, 'xml')).toBe(
      '<?xml version="1.0" encoding="utf-8"?>\n<services>' +
        '<service><service_code>pothole</service_code><metadata>true</metadata><description>Holes &amp; &lt;ruts&gt; &quot;deep&quot;</description><group></group></service>' +
        '<service><service_code>graffiti</service_code><metadata>false</metadata><description>Paint on walls</description><group>Streets</group></service>' +
        '</services>',
    )
    expect(JSON.parse(render(document, 'json'))).toEqual([
      { service_code: 'pothole', metadata: true, description: 'Holes & <ruts> "deep"', group: null },
      { service_code: 'graffiti', metadata: false, description: 'Paint\u0000 on walls', group: 'Streets' },
    ])
  })

  it('nests lists within fields', () => {
    const definition = { root: 'service_definition', body: { service_code: 'x', attributes: list('attribute', [{ code: 'a', values: list('value', [{ key: 'k', name: 'N' }]) }]) } }
    expect(render(definition, 'xml')).toContain('<service_definition><service_code>x</service_code><attributes><attribute><code>a</code><values><value><key>k</key><name>N</name></value></values></attribute></attributes></service_definition>')
    expect(JSON.parse(render(definition, 'json'))).toEqual({ service_code: 'x', attributes: [{ code: 'a', values: [{ key: 'k', name: 'N' }] }] })
  })

  it('writes errors as the standard does', () => {
    const errors = errorsDocument([{ code: 400, description: 'service_code is required' }])
    expect(render(errors, 'xml')).toContain('<errors><error><code>400</code><description>service_code is required</description></error></errors>')
    expect(JSON.parse(render(errors, 'json'))).toEqual([{ code: 400, description: 'service_code is required' }])
  })

  it('gives date-times in UK time with the offset, either side of the clocks changing', () => {
    expect(w3cDateTime(new Date('2026-01-15T09:30:05Z'))).toBe('2026-01-15T09:30:05+00:00')
    expect(w3cDateTime(new Date('2026-07-15T09:30:05Z'))).toBe('2026-07-15T10:30:05+01:00')
    expect(w3cDateTime(new Date('2026-03-29T00:59:59Z'))).toBe('2026-03-29T00:59:59+00:00')
    expect(w3cDateTime(new Date('2026-03-29T01:00:00Z'))).toBe('2026-03-29T02:00:00+01:00')
    expect(w3cDateTime(new Date('2026-10-25T00:59:59Z'))).toBe('2026-10-25T01:59:59+01:00')
    expect(w3cDateTime(new Date('2026-10-25T01:00:00Z'))).toBe('2026-10-25T01:00:00+00:00')
    expect(w3cDateTime(null)).toBeNull()
  })
})
