import type { TaskList } from 'graphile-worker'
import { sql, type Kysely } from 'kysely'
import type { ServiceDependencies } from '../../container.ts'
import type { Database } from '../../database.ts'
import { InvalidInput, NotFound } from '../../lib/errors.ts'
import { textIn, type CatalogueServices, type ServiceDefinition } from '../catalogue/index.ts'
import type { NotificationServices } from '../notifications/index.ts'
import { parseReference } from './references.ts'

export const sendReportAlertsTask = 'send-report-alerts'

/** How many reports or status changes one transaction tells, so a backlog never holds locks for long. */
const batchSize = 100
/** The distances people may choose for alerts near a place. */
export const alertRadiiMetres = [200, 500, 1000, 2000] as const

export type AlertTarget =
  | { kind: 'report'; reference: string }
  | { kind: 'ward'; wardCode: string; wardName: string }
  | { kind: 'radius'; centre: { easting: number; northing: number }; radiusMetres: number; placeName: string }

/** One email to each address, however many of its alerts or follows a report matches. */
function onePerAddress<Recipient extends { email: string }>(recipients: readonly Recipient[]): Recipient[] {
  const seen = new Set<string>()
  return recipients.filter((recipient) => {
    const address = recipient.email.toLowerCase()
    if (seen.has(address)) return false
    seen.add(address)
    return true
  })
}

export interface ReportAlertDependencies extends ServiceDependencies {
  catalogue: Pick<CatalogueServices, 'pinnedDefinition'>
  notifications: Pick<NotificationServices, 'queueMessage'>
}

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

/**
 * Emails about public reports for anyone who asks: news of one report, or each new report in a
 * ward or within a distance of a place. An alert is sent only once its email address is confirmed
 * (or belongs to the signed-in account asking), and every email carries a link that stops it.
 * Signed-in people who support or follow a report hear of its changes the same way.
 */
export function createReportAlerts({ db, config, catalogue, notifications }: ReportAlertDependencies) {
  const link = (path: string) => `${config.baseUrl}${path}`
  const unsubscribeLink = (token: string) => link(`/alerts/${token}/unsubscribe`)

  async function definitionOf(versionId: string): Promise<ServiceDefinition> {
    return catalogue.pinnedDefinition(versionId)
  }

  /** How a report's place is named in an email: its street, never the nearest house. */
  async function placeOf(transaction: Kysely<Database>, usrn: number | null, wardCode: string | null): Promise<string> {
    if (usrn !== null) {
      const street = await transaction.selectFrom('streets').select(['name', 'town']).where('usrn', '=', usrn).executeTakeFirst()
      if (street) return `on or near ${[street.name, street.town].filter(Boolean).join(', ')}`
    }
    const ward = wardCode === null ? undefined : await transaction.selectFrom('wards').select('name').where('code', '=', wardCode).executeTakeFirst()
    return ward ? `in ${ward.name} ward` : 'in the council’s area'
  }

  /** Tells each new public report to the confirmed alerts whose ward it is in or whose circle holds it. */
  async function tellNewReports(): Promise<number> {
    return db.transaction().execute(async (transaction) => {
      const reports = await transaction
        .selectFrom('requests')
        .select(['id', 'reference', 'definition_version_id', 'location', 'ward_code', 'usrn'])
        .where('is_public', '=', true)
        .where('alerts_sent_at', 'is', null)
        .orderBy('created_at')
        .limit(batchSize)
        .forUpdate()
        .skipLocked()
        .execute()
      for (const report of reports) {
        if (report.location) {
          const point = `(${report.location.x},${report.location.y})`
          const alerts = await transaction
            .selectFrom('report_alerts')
            .select(['email', 'person_id', 'area', 'token'])
            .where('confirmed_at', 'is not', null)
            .where((where) =>
              where.or([
                where.and([where('kind', '=', 'ward'), where('ward_code', '=', report.ward_code)]),
                where.and([where('kind', '=', 'radius'), sql<boolean>`circle(centre, radius_metres) @> ${point}::point`]),
              ]),
            )
            .execute()
          const definition = await definitionOf(report.definition_version_id)
          const place = await placeOf(transaction, report.usrn, report.ward_code)
          for (const alert of onePerAddress(alerts)) {
            await notifications.queueMessage(transaction, {
              personId: alert.person_id,
              channel: 'email',
              recipient: alert.email,
              messageType: 'report-new-email',
              personalisation: { service: textIn(definition.name, 'en'), place, area: alert.area, link: link(`/reports/${report.reference}`), unsubscribe: unsubscribeLink(alert.token) },
              unsubscribeUrl: unsubscribeLink(alert.token),
            })
          }
        }
        await transaction.updateTable('requests').set({ alerts_sent_at: new Date() }).where('id', '=', report.id).execute()
      }
      return reports.length
    })
  }

  /** Tells each status change of a public report to its followers: signed-in supporters and followers, and confirmed email alerts. */
  async function tellFollowers(): Promise<number> {
    return db.transaction().execute(async (transaction) => {
      const events = await transaction
        .selectFrom('request_events')
        .innerJoin('requests', 'requests.id', 'request_events.request_id')
        .select([
          'request_events.id',
          'request_events.request_id',
          'request_events.from_status',
          'request_events.to_status',
          'request_events.visibility',
          'requests.reference',
          'requests.is_public',
          'requests.definition_version_id',
          'requests.usrn',
          'requests.ward_code',
        ])
        .where('request_events.kind', '=', 'status-change')
        .where('request_events.followers_told_at', 'is', null)
        .orderBy('request_events.id')
        .limit(batchSize)
        .forUpdate('request_events')
        .skipLocked()
        .execute()
      for (const event of events) {
        // The report's first status is its making, which nobody follows yet; internal changes are not news.
        if (event.is_public && event.from_status !== null && event.to_status !== null && event.visibility === 'public') {
          const definition = await definitionOf(event.definition_version_id)
          const personalisation = {
            reference: event.reference,
            service: textIn(definition.name, 'en'),
            place: await placeOf(transaction, event.usrn, event.ward_code),
            status: textIn(definition.statusLabels[event.to_status], 'en'),
            link: link(`/reports/${event.reference}`),
          }
          const [people, alerts] = await Promise.all([
            transaction
              .selectFrom('request_followers')
              .innerJoin('people', 'people.id', 'request_followers.person_id')
              .select(['people.id as person_id', 'people.email', 'request_followers.unsubscribe_token as token'])
              .where('request_followers.request_id', '=', event.request_id)
              .where('request_followers.emails_stopped_at', 'is', null)
              .where('people.email', 'is not', null)
              .$narrowType<{ email: string }>()
              .execute(),
            transaction
              .selectFrom('report_alerts')
              .select(['person_id', 'email', 'token'])
              .where('kind', '=', 'report')
              .where('request_id', '=', event.request_id)
              .where('confirmed_at', 'is not', null)
              .execute(),
          ])
          const followers = onePerAddress([...people, ...alerts])
          for (const follower of followers) {
            await notifications.queueMessage(transaction, {
              personId: follower.person_id,
              channel: 'email',
              recipient: follower.email,
              messageType: 'report-followed-update-email',
              personalisation: { ...personalisation, unsubscribe: unsubscribeLink(follower.token) },
              unsubscribeUrl: unsubscribeLink(follower.token),
            })
          }
        }
        await transaction.updateTable('request_events').set({ followers_told_at: new Date() }).where('id', '=', event.id).execute()
      }
      return events.length
    })
  }

  /** Runs a batch step until a batch comes back short, so one sweep clears whatever has built up. */
  async function untilDone(step: () => Promise<number>): Promise<number> {
    let done = 0
    for (;;) {
      const batch = await step()
      done += batch
      if (batch < batchSize) return done
    }
  }

  async function sendReportAlerts(): Promise<{ reports: number; changes: number }> {
    return { reports: await untilDone(tellNewReports), changes: await untilDone(tellFollowers) }
  }

  const tasks: TaskList = {
    [sendReportAlertsTask]: async () => {
      await sendReportAlerts()
    },
  }
  const schedule = `* * * * * ${sendReportAlertsTask}`

  return {
    tasks,
    schedule,
    sendReportAlerts,

    /**
     * Asks for emails about reports. Confirmed at once when the address is the signed-in person's
     * own; otherwise a confirmation email is sent and nothing else until it is used. Asking again
     * for the same thing sends the confirmation again rather than making a second alert.
     */
    async subscribe(request: { email: string; personId?: string | undefined; confirmed: boolean; target: AlertTarget }): Promise<{ confirmed: boolean; area: string }> {
      const email = request.email.trim()
      if (email === '') throw new InvalidInput({ email: 'Enter your email address' })
      if (!emailPattern.test(email) || email.length > 254) throw new InvalidInput({ email: 'Enter an email address in the correct format, like name@example.com' })
      const { target } = request
      let values: { kind: AlertTarget['kind']; request_id?: string; ward_code?: string; centre?: string; radius_metres?: number; area: string }
      if (target.kind === 'report') {
        const parsed = parseReference(target.reference)
        const report = parsed && (await db.selectFrom('requests').select(['id', 'reference']).where('reference', '=', parsed).where('is_public', '=', true).executeTakeFirst())
        if (!report) throw new NotFound('report')
        values = { kind: 'report', request_id: report.id, area: `about report ${report.reference}` }
      } else if (target.kind === 'ward') {
        values = { kind: 'ward', ward_code: target.wardCode, area: `about new reports in ${target.wardName} ward` }
      } else {
        if (!(alertRadiiMetres as readonly number[]).includes(target.radiusMetres)) throw new InvalidInput({ radius: 'Select how far from the place' })
        const distance = target.radiusMetres >= 1000 ? `${target.radiusMetres / 1000} km` : `${target.radiusMetres} metres`
        values = { kind: 'radius', centre: `(${target.centre.easting},${target.centre.northing})`, radius_metres: target.radiusMetres, area: `about new reports within ${distance} of ${target.placeName}` }
      }
      return db.transaction().execute(async (transaction) => {
        const existing = await transaction
          .selectFrom('report_alerts')
          .select(['id', 'token', 'confirmed_at'])
          .where(sql<boolean>`lower(email) = lower(${email})`)
          .where('area', '=', values.area)
          .where('kind', '=', values.kind)
          .forUpdate()
          .executeTakeFirst()
        const alert =
          existing ??
          (await transaction
            .insertInto('report_alerts')
            .values({ ...values, email, person_id: request.personId ?? null, confirmed_at: request.confirmed ? new Date() : null })
            .returning(['id', 'token', 'confirmed_at'])
            .executeTakeFirstOrThrow())
        if (request.confirmed && !alert.confirmed_at) await transaction.updateTable('report_alerts').set({ confirmed_at: new Date() }).where('id', '=', alert.id).execute()
        const confirmed = request.confirmed || alert.confirmed_at !== null
        if (!confirmed) {
          await notifications.queueMessage(transaction, {
            personId: request.personId ?? null,
            channel: 'email',
            recipient: email,
            messageType: 'report-alert-confirmation-email',
            personalisation: { area: values.area, link: link(`/alerts/${alert.token}/confirm`) },
          })
        }
        return { confirmed, area: values.area }
      })
    },

    /** The alert a confirmation or unsubscribe link names, or undefined for a link that names none (or no longer does). */
    async alertByToken(token: string): Promise<{ area: string; confirmed: boolean } | undefined> {
      if (!/^[0-9a-f]{64}$/.test(token)) return undefined
      const alert = await db.selectFrom('report_alerts').select(['area', 'confirmed_at']).where('token', '=', token).executeTakeFirst()
      if (alert) return { area: alert.area, confirmed: alert.confirmed_at !== null }
      const following = await db
        .selectFrom('request_followers')
        .innerJoin('requests', 'requests.id', 'request_followers.request_id')
        .select('requests.reference')
        .where('request_followers.unsubscribe_token', '=', token)
        .where('request_followers.emails_stopped_at', 'is', null)
        .executeTakeFirst()
      return following && { area: `about report ${following.reference}`, confirmed: true }
    },

    async confirm(token: string): Promise<boolean> {
      if (!/^[0-9a-f]{64}$/.test(token)) return false
      const result = await db.updateTable('report_alerts').set({ confirmed_at: sql`coalesce(confirmed_at, now())` }).where('token', '=', token).executeTakeFirst()
      return Number(result.numUpdatedRows) === 1
    },

    /** Stops whatever the link is for; true when something was stopped, false when it had been already. */
    async unsubscribe(token: string): Promise<boolean> {
      if (!/^[0-9a-f]{64}$/.test(token)) return false
      const alert = await db.deleteFrom('report_alerts').where('token', '=', token).executeTakeFirst()
      if (Number(alert.numDeletedRows) === 1) return true
      const following = await db
        .updateTable('request_followers')
        .set({ emails_stopped_at: new Date() })
        .where('unsubscribe_token', '=', token)
        .where('emails_stopped_at', 'is', null)
        .executeTakeFirst()
      return Number(following.numUpdatedRows) === 1
    },
  }
}

export type ReportAlerts = ReturnType<typeof createReportAlerts>
