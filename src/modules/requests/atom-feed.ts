import type { PublicReportSummary } from './public-reports.ts'

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' }
const escaped = (text: string) => text.replace(/[&<>"']/g, (character) => escapes[character]!)

/**
 * An Atom (RFC 4287) feed of a ward's newest public reports. It carries what the public pages
 * show of each report and nothing more: never a name, never words a moderator has not approved.
 */
export function reportsFeed(feed: { baseUrl: string; council: string; ward: { code: string; name: string }; reports: readonly PublicReportSummary[] }): string {
  const self = `${feed.baseUrl}/wards/${encodeURIComponent(feed.ward.code)}/reports.atom`
  const updated = feed.reports.reduce((latest, report) => (report.reportedAt > latest ? report.reportedAt : latest), new Date(0))
  const entries = feed.reports.map((report) => {
    const link = `${feed.baseUrl}/reports/${report.reference}`
    return [
      '  <entry>',
      `    <id>${escaped(link)}</id>`,
      `    <title>${escaped(`${report.serviceName}: ${report.place}`)}</title>`,
      `    <link rel="alternate" type="text/html" href="${escaped(link)}"/>`,
      `    <updated>${report.reportedAt.toISOString()}</updated>`,
      `    <summary>${escaped(`${report.statusLabel}. Reference ${report.reference}.`)}</summary>`,
      `    <category term="${escaped(report.serviceCode)}" label="${escaped(report.serviceName)}"/>`,
      '  </entry>',
    ].join('\n')
  })
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  <id>${escaped(self)}</id>`,
    `  <title>${escaped(`Reports in ${feed.ward.name} ward`)}</title>`,
    `  <subtitle>${escaped(`Problems reported to ${feed.council}`)}</subtitle>`,
    `  <link rel="self" type="application/atom+xml" href="${escaped(self)}"/>`,
    `  <link rel="alternate" type="text/html" href="${escaped(`${feed.baseUrl}/reports?ward=${encodeURIComponent(feed.ward.code)}`)}"/>`,
    `  <updated>${updated.toISOString()}</updated>`,
    `  <author><name>${escaped(feed.council)}</name></author>`,
    ...entries,
    '</feed>',
    '',
  ].join('\n')
}
