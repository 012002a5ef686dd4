import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { createServices } from '../src/container.ts'
import { startWorker } from '../src/lib/jobs/queue.ts'
import { createLogger } from '../src/lib/log.ts'
import { queueMessage, type MessageRequest } from '../src/modules/notifications/index.ts'
import { startNotifyStub } from '../test/support/notify-stub.ts'
import { benchmarkConfig, benchmarkDatabase } from './places-database.ts'

/**
 * Sending the outbox through GOV.UK Notify: 3,000 messages queued, then the job worker with the
 * application's tasks, at the production default concurrency, sends them through the real Notify
 * client to a local stand-in for Notify's API. Prints messages sent per second until the stand-in
 * has received every one, checks it received each exactly once, and compares the rate with
 * Notify's own limit of 3,000 messages a minute.
 */
const messageCount = 3_000
/** As src/worker.ts runs it: startWorker's default. */
const concurrency = 4
const notifyLimitPerSecond = 3_000 / 60

const template = { id: randomUUID(), type: 'email' as const, subject: 'Confirm your email address', body: 'Hello ((name)), follow ((link))' }

const database = await benchmarkDatabase()
const stub = await startNotifyStub({ templates: [template] })
try {
  const { db } = database
  const config = benchmarkConfig(database.connectionString, {
    NOTIFICATIONS_PROVIDER: 'notify',
    NOTIFY_API_KEY: stub.apiKey,
    NOTIFY_BASE_URL: stub.baseUrl,
    NOTIFY_TEMPLATE_IDS: JSON.stringify({ 'email-verification': template.id }),
  })
  const logger = createLogger('silent')
  const services = createServices({ config, db, logger })

  const queueStarted = performance.now()
  const ids: string[] = []
  const batch = 20
  for (let start = 0; start < messageCount; start += batch) {
    const queued = await Promise.all(
      Array.from({ length: Math.min(batch, messageCount - start) }, (_, offset) => {
        const n = start + offset
        const request: MessageRequest = {
          personId: null,
          channel: 'email',
          recipient: `resident.${n}@example.com`,
          messageType: 'email-verification',
          personalisation: { name: `Resident ${n}`, link: `http://localhost:3000/confirm-email/${n}` },
        }
        return queueMessage(db, request)
      }),
    )
    ids.push(...queued.map((message) => message.id))
  }
  const queueSeconds = (performance.now() - queueStarted) / 1000
  console.log(`Queued ${messageCount.toLocaleString('en-GB')} messages (outbox row and job each) in ${queueSeconds.toFixed(1)} s: ${Math.round(messageCount / queueSeconds)}/s`)

  const started = performance.now()
  const worker = await startWorker({ connectionString: database.connectionString, tasks: services.tasks, logger, concurrency })
  let firstAt: number | undefined
  try {
    const deadline = started + 10 * 60_000
    while (stub.notifications.length < messageCount) {
      if (performance.now() > deadline) throw new Error(`Only ${stub.notifications.length} of ${messageCount} messages reached the stub in ten minutes`)
      if (firstAt === undefined && stub.notifications.length > 0) firstAt = performance.now()
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  } finally {
    await worker.stop()
  }
  const finished = performance.now()
  const seconds = (finished - started) / 1000
  const steadySeconds = (finished - (firstAt ?? started)) / 1000
  const rate = messageCount / seconds
  console.log(
    `\nSent ${messageCount.toLocaleString('en-GB')} messages through the Notify client at worker concurrency ${concurrency} in ${seconds.toFixed(1)} s: ` +
      `${rate.toFixed(0)}/s (${(rate * 60).toLocaleString('en-GB', { maximumFractionDigits: 0 })} a minute), ` +
      `${(messageCount / steadySeconds).toFixed(0)}/s from the first message to reach the stub`,
  )
  console.log(`GOV.UK Notify's limit is 3,000 messages a minute (${notifyLimitPerSecond}/s): this is ${(rate / notifyLimitPerSecond).toFixed(1)} times that`)

  const byReference = new Map<string, number>()
  for (const notification of stub.notifications) byReference.set(notification.reference ?? '', (byReference.get(notification.reference ?? '') ?? 0) + 1)
  const once = ids.filter((id) => byReference.get(id) === 1).length
  const twice = [...byReference.values()].filter((count) => count > 1).length
  const strangers = [...byReference.keys()].filter((reference) => !ids.includes(reference)).length
  const statuses = await db.selectFrom('outbox_messages').select(['status', sql<string>`count(*)`.as('count')]).groupBy('status').execute()
  console.log(
    `\nThe stub received ${stub.notifications.length.toLocaleString('en-GB')} notifications in ${stub.calls.length.toLocaleString('en-GB')} calls: ` +
      `${once.toLocaleString('en-GB')} of ${messageCount.toLocaleString('en-GB')} messages exactly once, ${twice} more than once, ${strangers} it was not sent`,
  )
  console.log(`Outbox: ${statuses.map((row) => `${Number(row.count).toLocaleString('en-GB')} ${row.status}`).join(', ')}`)
  if (once !== messageCount || twice !== 0 || strangers !== 0) throw new Error('The stub did not receive exactly one notification per message')
} finally {
  await stub.close()
  await database.close()
}
