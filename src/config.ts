import { createHmac, createPrivateKey, type KeyObject } from 'node:crypto'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import { regions, type Region } from './lib/calendar/bank-holiday-rules.ts'
import { isTimeOfDay, type TimeOfDay } from './lib/calendar/uk-time.ts'
import { messageTypes } from './modules/notifications/message-types.ts'

/** The fictional demo council's wards, used until a council gives its own. */
const demoBoundaryFile = fileURLToPath(new URL('./demo/lower-wendle-wards.geojson', import.meta.url))

export const nations = ['england', 'wales', 'scotland', 'northern-ireland'] as const
export type Nation = (typeof nations)[number]

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1' || value === 'yes')

const hexColour = z.string().regex(/^#[0-9a-fA-F]{6}$/, { message: 'must be a colour like #1d70b8' })

const timeOfDay = /^([01]\d|2[0-3]):[0-5]\d$/

const optionalUrl = z.url({ message: 'must be a full URL such as https://example.org' }).optional()

/** A whole number in a range, with a message that says which rule the value broke. */
const wholeNumber = (minimum: number, maximum: number) =>
  z.coerce
    .number({ message: 'must be a number' })
    .int({ message: 'must be a whole number' })
    .min(minimum, { message: `must be between ${minimum} and ${maximum}` })
    .max(maximum, { message: `must be between ${minimum} and ${maximum}` })

const environmentSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: wholeNumber(0, 65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  BASE_URL: optionalUrl,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: booleanFlag.default(false),

  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, { message: 'must be a postgres:// connection string' })
    .optional(),
  DATABASE_POOL_SIZE: wholeNumber(1, 200).default(10),
  DATA_DIR: z.string().min(1).default('./data'),
  UPLOADS_DIR: z.string().min(1).optional(),
  EMBEDDED_DATABASE_PORT: wholeNumber(1024, 65535).default(54329),
  DEMO_DATA: booleanFlag.optional(),
  RUN_WORKER: booleanFlag.default(true),

  SESSION_SECRET: z.string().min(32, { message: 'must be at least 32 characters' }).optional(),
  COOKIE_SECURE: booleanFlag.optional(),

  COUNCIL_NAME: z.string().min(1).default('Borough of Lower Wendle Council'),
  COUNCIL_BRAND_COLOUR: hexColour.default('#00594f'),
  COUNCIL_PHONE: z.string().min(1).default('01632 960000'),
  COUNCIL_REPAIRS_PHONE: z.string().min(1).optional(),
  COUNCIL_OUT_OF_HOURS_PHONE: z.string().min(1).optional(),
  COUNCIL_EMAIL: z.email({ message: 'must be an email address' }).default('contact@lowerwendle.example.gov.uk'),
  COUNCIL_NATION: z.enum(nations, { message: `must be one of ${nations.join(', ')}` }).default('england'),
  BANK_HOLIDAY_REGION: z.enum(regions, { message: `must be one of ${regions.join(', ')}` }).default('england-and-wales'),
  REQUEST_REOPEN_DAYS: wholeNumber(0, 365).default(28),
  COUNCIL_BOUNDARY_FILE: z.string().min(1).optional(),
  MAP_TILE_URL: z
    .string()
    .regex(/^https:\/\/[^/]+\/.*\{z\}.*\{x\}.*\{y\}/, { message: 'must be an https:// tile address with {z}, {x} and {y}, like https://tile.openstreetmap.org/{z}/{x}/{y}.png' })
    .or(z.literal(''))
    .default('https://tile.openstreetmap.org/{z}/{x}/{y}.png'),
  MAP_TILE_ATTRIBUTION: z.string().default('© OpenStreetMap contributors'),
  NEARBY_REPORT_METRES: wholeNumber(1, 1000).default(50),
  PRIORITY_TARGETS: z.string().optional(),
  BOOKED_PRIORITIES: z.string().default('urgent,routine'),
  APPOINTMENT_REMINDER_TIME: z.string().regex(timeOfDay, { message: 'must be a time on the 24-hour clock such as 18:00' }).default('18:00'),
  MESSAGE_QUIET_HOURS: z
    .string()
    .regex(/^(none|\d{2}:\d{2}-\d{2}:\d{2})$/, { message: 'must be two times such as 21:00-08:00, or none' })
    .default('21:00-08:00'),
  APPOINTMENT_LINK_SECRET: z.string().min(32, { message: 'must be at least 32 characters' }).optional(),

  NOTIFICATIONS_PROVIDER: z.enum(['local', 'notify'], { message: 'must be local or notify' }).default('local'),
  NOTIFY_API_KEY: z
    .string()
    .regex(/^.+-[0-9a-f-]{36}-[0-9a-f-]{36}$/, { message: 'must be a GOV.UK Notify API key, which ends with two 36-character ids' })
    .optional(),
  NOTIFY_BASE_URL: z.url({ message: 'must be a full URL such as https://api.notifications.service.gov.uk' }).default('https://api.notifications.service.gov.uk'),
  NOTIFY_TIMEOUT_MS: wholeNumber(100, 120000).default(10000),
  NOTIFY_TEMPLATE_IDS: z.string().optional(),
  NOTIFY_CALLBACK_TOKEN: z.string().min(10, { message: 'must be at least 10 characters, as Notify requires' }).optional(),
  OUTBOX_LEASE_SECONDS: wholeNumber(2, 3600).default(90),
  OUTBOX_FIRST_RETRY_SECONDS: wholeNumber(1, 3600).default(10),
  OUTBOX_LONGEST_RETRY_SECONDS: wholeNumber(1, 86400).default(1800),

  ONE_LOGIN_ISSUER: optionalUrl,
  ONE_LOGIN_CLIENT_ID: z.string().min(1).optional(),
  ONE_LOGIN_CLIENT_SECRET: z.string().min(1).optional(),
  ONE_LOGIN_PRIVATE_KEY: z.string().min(1).optional(),
  STAFF_SSO_ISSUER: optionalUrl,
  STAFF_SSO_CLIENT_ID: z.string().min(1).optional(),
  STAFF_SSO_CLIENT_SECRET: z.string().min(1).optional(),
  STAFF_SSO_PRIVATE_KEY: z.string().min(1).optional(),
  STAFF_SSO_NAME: z.string().min(1).default('your council account'),
})

/** The JWS algorithms a client assertion can be signed with, one for each kind of key accepted. */
export type AssertionAlgorithm = 'RS256' | 'ES256' | 'ES384' | 'ES512'

/**
 * How the service proves who it is at the provider's token endpoint: a shared secret, or a JWT
 * signed with a private key whose public half is registered with the provider (private_key_jwt).
 */
export type ClientAuthentication =
  | { method: 'client-secret'; secret: string }
  | { method: 'private-key'; key: KeyObject; algorithm: AssertionAlgorithm }

export interface OpenIdProviderConfig {
  issuer: string
  clientId: string
  authentication: ClientAuthentication
}

export interface Config {
  environment: 'development' | 'production' | 'test'
  port: number
  host: string
  baseUrl: string
  logLevel: string
  trustProxy: boolean
  database:
    | { kind: 'external'; url: string; poolSize: number }
    | { kind: 'embedded'; dataDirectory: string; port: number; poolSize: number }
  dataDirectory: string
  /** Where uploaded files (photos) are kept on local disk. */
  uploadsDirectory: string
  loadDemoData: boolean
  runWorker: boolean
  sessionSecret: string | undefined
  secureCookies: boolean
  council: {
    name: string
    brandColour: string
    phone: string
    /** Where tenants call about repairs in working hours, and out of hours; the main number unless set. */
    repairsPhone: string
    outOfHoursPhone: string
    email: string
    /** Whose bank holidays the council's working days skip. */
    bankHolidayRegion: Region
    /** Which nation's housing law applies: Awaab's Law clocks run only for councils in England. */
    nation: Nation
  }
  /** The wards of the council's area, as GeoJSON, which decide whether a reported place is the council's to deal with. */
  boundaryFile: string
  map: {
    /** Where map tiles come from, with {z}, {x} and {y}; empty for a map with no background, which still works. */
    tileUrl: string
    attribution: string
  }
  /** How near an open report of the same kind must be to be offered as the same problem. */
  nearbyReportMetres: number
  requests: {
    /** How many days after closing a request can still be reopened. */
    reopenWithinDays: number
    /** The council's own target for a priority, where it differs from the standard one. */
    priorityTargets: Partial<Record<TargetPriority, { hours: number } | { workingDays: number }>>
  }
  scheduling: {
    /** The priorities whose visits are booked; the rest (emergencies) are attended without one. */
    bookedPriorities: TargetPriority[]
    /** The UK time on the day before a visit that its reminder goes out. */
    reminderTime: TimeOfDay
    /** When no reminder goes out, on the UK clock; null when any hour will do. */
    quietHours: { from: TimeOfDay; until: TimeOfDay } | null
    /**
     * Signs the links in messages that change or cancel a visit without signing in. Derived from
     * SESSION_SECRET unless set; the embedded demo derives it from its own cookie secret.
     */
    changeLinkSecret: string | undefined
  }
  notificationsProvider: 'local' | 'notify'
  /** GOV.UK Notify, set when NOTIFICATIONS_PROVIDER is notify. */
  notify: NotifyConfig | undefined
  outbox: OutboxTiming
  demoMode: boolean
  oneLogin: OpenIdProviderConfig | undefined
  staffSignOn: (OpenIdProviderConfig & { name: string }) | undefined
}

export interface NotifyConfig {
  apiKey: string
  baseUrl: string
  timeoutMilliseconds: number
  /** The Notify template for each message type, by type name. */
  templateIds: Partial<Record<string, string>>
  /** The bearer token Notify sends with delivery receipts; receipts are refused without one. */
  callbackToken: string | undefined
}

/** How the outbox paces its sending: how long a sender holds a message, and how long a retry waits. */
export interface OutboxTiming {
  /** How long a sender may hold a message before another may take it over. */
  leaseSeconds: number
  /** The wait after a message's first temporary failure; each later one doubles it. */
  firstRetrySeconds: number
  /** The longest wait between two tries, however many have failed. */
  longestRetrySeconds: number
}

export class ConfigurationError extends Error {
  constructor(readonly variable: string, problem: string) {
    super(`${variable} ${problem}`)
  }
}

export const targetPriorities = ['immediate', 'emergency', 'urgent', 'routine'] as const
export type TargetPriority = (typeof targetPriorities)[number]

/**
 * A council's target times written as "urgent=3d,routine=30d": each priority with a number of
 * hours (h), counted round the clock, or working days (d).
 */
function priorityTargets(text: string | undefined): Config['requests']['priorityTargets'] {
  const targets: Config['requests']['priorityTargets'] = {}
  for (const entry of (text ?? '').split(',').map((part) => part.trim()).filter(Boolean)) {
    const match = /^(\w+)\s*=\s*(\d{1,3})\s*([hd])$/.exec(entry)
    const priority = match?.[1] as TargetPriority | undefined
    const amount = Number(match?.[2])
    if (!match || !targetPriorities.includes(priority!) || amount < 1) {
      throw new ConfigurationError(
        'PRIORITY_TARGETS',
        `has "${entry}": write each as PRIORITY=NUMBER then h for hours or d for working days, for example "urgent=3d,emergency=24h", with PRIORITY one of ${targetPriorities.join(', ')}`,
      )
    }
    targets[priority!] = match[3] === 'h' ? { hours: amount } : { workingDays: amount }
  }
  return targets
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * NOTIFY_TEMPLATE_IDS: a JSON object from message type to Notify template id. Production must map
 * every message type, so no message can fail for want of a template.
 */
function notifyTemplateIds(text: string | undefined, production: boolean): NotifyConfig['templateIds'] {
  let parsed: unknown
  try {
    parsed = JSON.parse(text ?? '{}')
  } catch {
    throw new ConfigurationError('NOTIFY_TEMPLATE_IDS', 'must be a JSON object such as {"password-reset":"TEMPLATE-ID"}')
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigurationError('NOTIFY_TEMPLATE_IDS', 'must be a JSON object such as {"password-reset":"TEMPLATE-ID"}')
  }
  const templateIds: NotifyConfig['templateIds'] = {}
  for (const [messageType, templateId] of Object.entries(parsed)) {
    if (!Object.hasOwn(messageTypes, messageType)) {
      throw new ConfigurationError('NOTIFY_TEMPLATE_IDS', `names "${messageType}", which is not a message type; they are ${Object.keys(messageTypes).join(', ')}`)
    }
    if (typeof templateId !== 'string' || !uuid.test(templateId)) {
      throw new ConfigurationError('NOTIFY_TEMPLATE_IDS', `has "${String(templateId)}" for ${messageType}: each must be a Notify template id`)
    }
    templateIds[messageType] = templateId
  }
  const missing = Object.keys(messageTypes).filter((messageType) => !templateIds[messageType])
  if (production && missing.length > 0) {
    throw new ConfigurationError('NOTIFY_TEMPLATE_IDS', `has no Notify template for ${missing.join(', ')}`)
  }
  return templateIds
}

const curveAlgorithms: Record<string, AssertionAlgorithm> = { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' }

/**
 * Reads a PEM private key and the algorithm it signs with. Line breaks written as "\n" are
 * accepted, because some hosting platforms cannot hold a multi-line value.
 */
function privateKey(variable: string, pem: string): { key: KeyObject; algorithm: AssertionAlgorithm } {
  let key: KeyObject
  try {
    key = createPrivateKey({ key: pem.replaceAll('\\n', '\n'), format: 'pem' })
  } catch {
    throw new ConfigurationError(variable, 'must be a PEM-encoded PKCS#8 private key, beginning "-----BEGIN PRIVATE KEY-----"')
  }
  const algorithm =
    key.asymmetricKeyType === 'rsa' ? 'RS256' : key.asymmetricKeyType === 'ec' ? curveAlgorithms[key.asymmetricKeyDetails?.namedCurve ?? ''] : undefined
  if (!algorithm) throw new ConfigurationError(variable, 'must be an RSA key or an EC key on the P-256, P-384 or P-521 curve')
  return { key, algorithm }
}

/**
 * One OpenID Connect provider from its PREFIX_* variables: none of them means the provider is not
 * used; otherwise the issuer, the client id and exactly one of a client secret or a private key.
 */
function openIdProvider(
  prefix: string,
  given: { issuer?: string; clientId?: string; clientSecret?: string; privateKey?: string },
): OpenIdProviderConfig | undefined {
  const { issuer, clientId, clientSecret, privateKey: pem } = given
  if ([issuer, clientId, clientSecret, pem].every((value) => value === undefined)) return undefined
  const required = `is required when any ${prefix}_* variable is set`
  if (!issuer) throw new ConfigurationError(`${prefix}_ISSUER`, required)
  if (!clientId) throw new ConfigurationError(`${prefix}_CLIENT_ID`, required)
  if (clientSecret && pem) {
    throw new ConfigurationError(`${prefix}_PRIVATE_KEY`, `cannot be set together with ${prefix}_CLIENT_SECRET; use one of the two`)
  }
  if (pem) return { issuer, clientId, authentication: { method: 'private-key', ...privateKey(`${prefix}_PRIVATE_KEY`, pem) } }
  if (clientSecret) return { issuer, clientId, authentication: { method: 'client-secret', secret: clientSecret } }
  throw new ConfigurationError(`${prefix}_CLIENT_SECRET`, `or ${prefix}_PRIVATE_KEY ${required}`)
}

/** Parses the whole environment once; nothing else in the code reads process.env. */
/** Which priorities are booked, written as "urgent,routine". */
function bookedPriorities(text: string): TargetPriority[] {
  const priorities = text.split(',').map((part) => part.trim()).filter(Boolean)
  const unknown = priorities.find((priority) => !targetPriorities.includes(priority as TargetPriority))
  if (unknown !== undefined) {
    throw new ConfigurationError('BOOKED_PRIORITIES', `has "${unknown}": list priorities from ${targetPriorities.join(', ')}, separated by commas`)
  }
  return priorities as TargetPriority[]
}

function quietHours(text: string): Config['scheduling']['quietHours'] {
  if (text === 'none') return null
  const [from, until] = text.split('-') as [TimeOfDay, TimeOfDay]
  if (!isTimeOfDay(from) || !isTimeOfDay(until) || from === until) {
    throw new ConfigurationError('MESSAGE_QUIET_HOURS', 'must be two different real times such as 21:00-08:00, or none')
  }
  return { from, until }
}

/** A key for one purpose made from a secret kept for another, so neither can stand in for the other. */
export function derivedSecret(secret: string, purpose: string): string {
  return createHmac('sha256', secret).update(purpose).digest('base64url')
}

export function loadConfig(environment: Record<string, string | undefined> = process.env): Config {
  const parsed = environmentSchema.safeParse(
    Object.fromEntries(Object.entries(environment).filter(([, value]) => value !== undefined && value !== '')),
  )
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const variable = String(issue.path[0] ?? 'environment')
    throw new ConfigurationError(variable, issue.message.replace(/^Invalid input: /, ''))
  }
  const env = parsed.data
  const production = env.NODE_ENV === 'production'
  const demoMode = !production

  if (production && !env.SESSION_SECRET) {
    throw new ConfigurationError('SESSION_SECRET', 'is required in production')
  }
  if (production && !env.DATABASE_URL) {
    throw new ConfigurationError('DATABASE_URL', 'is required in production (the embedded database is for trying Guildhall out)')
  }
  if (production && env.NOTIFICATIONS_PROVIDER === 'local') {
    throw new ConfigurationError(
      'NOTIFICATIONS_PROVIDER',
      'is "local", a stand-in that sends nothing; it cannot be used in production',
    )
  }

  if (env.NOTIFICATIONS_PROVIDER === 'notify' && !env.NOTIFY_API_KEY) {
    throw new ConfigurationError('NOTIFY_API_KEY', 'is required when NOTIFICATIONS_PROVIDER is notify')
  }
  const notify: NotifyConfig | undefined =
    env.NOTIFICATIONS_PROVIDER === 'notify'
      ? {
          apiKey: env.NOTIFY_API_KEY!,
          baseUrl: env.NOTIFY_BASE_URL.replace(/\/$/, ''),
          timeoutMilliseconds: env.NOTIFY_TIMEOUT_MS,
          templateIds: notifyTemplateIds(env.NOTIFY_TEMPLATE_IDS, production),
          callbackToken: env.NOTIFY_CALLBACK_TOKEN,
        }
      : undefined

  if (env.OUTBOX_LONGEST_RETRY_SECONDS < env.OUTBOX_FIRST_RETRY_SECONDS) {
    throw new ConfigurationError('OUTBOX_LONGEST_RETRY_SECONDS', 'must be at least OUTBOX_FIRST_RETRY_SECONDS')
  }
  // A sender looks a message up and then sends it, each call waiting up to NOTIFY_TIMEOUT_MS. Were
  // the lease to run out first, another sender could take the message over and send it again.
  if (notify && env.OUTBOX_LEASE_SECONDS * 1000 <= 2 * notify.timeoutMilliseconds) {
    throw new ConfigurationError('OUTBOX_LEASE_SECONDS', 'must be longer than two calls to GOV.UK Notify (twice NOTIFY_TIMEOUT_MS)')
  }

  const dataDirectory = path.resolve(env.DATA_DIR)
  const staffSignOn = openIdProvider('STAFF_SSO', {
    issuer: env.STAFF_SSO_ISSUER,
    clientId: env.STAFF_SSO_CLIENT_ID,
    clientSecret: env.STAFF_SSO_CLIENT_SECRET,
    privateKey: env.STAFF_SSO_PRIVATE_KEY,
  })

  return {
    environment: env.NODE_ENV,
    port: env.PORT,
    host: env.HOST,
    baseUrl: (env.BASE_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, ''),
    logLevel: env.LOG_LEVEL,
    trustProxy: env.TRUST_PROXY,
    database: env.DATABASE_URL
      ? { kind: 'external', url: env.DATABASE_URL, poolSize: env.DATABASE_POOL_SIZE }
      : {
          kind: 'embedded',
          dataDirectory: path.join(dataDirectory, 'postgres'),
          port: env.EMBEDDED_DATABASE_PORT,
          poolSize: env.DATABASE_POOL_SIZE,
        },
    dataDirectory,
    uploadsDirectory: env.UPLOADS_DIR ? path.resolve(env.UPLOADS_DIR) : path.join(dataDirectory, 'uploads'),
    loadDemoData: env.DEMO_DATA ?? !env.DATABASE_URL,
    runWorker: env.RUN_WORKER,
    sessionSecret: env.SESSION_SECRET,
    secureCookies: env.COOKIE_SECURE ?? production,
    council: {
      name: env.COUNCIL_NAME,
      brandColour: env.COUNCIL_BRAND_COLOUR,
      phone: env.COUNCIL_PHONE,
      repairsPhone: env.COUNCIL_REPAIRS_PHONE ?? env.COUNCIL_PHONE,
      outOfHoursPhone: env.COUNCIL_OUT_OF_HOURS_PHONE ?? env.COUNCIL_REPAIRS_PHONE ?? env.COUNCIL_PHONE,
      email: env.COUNCIL_EMAIL,
      bankHolidayRegion: env.BANK_HOLIDAY_REGION,
      nation: env.COUNCIL_NATION,
    },
    boundaryFile: env.COUNCIL_BOUNDARY_FILE ? path.resolve(env.COUNCIL_BOUNDARY_FILE) : demoBoundaryFile,
    map: { tileUrl: env.MAP_TILE_URL, attribution: env.MAP_TILE_ATTRIBUTION },
    nearbyReportMetres: env.NEARBY_REPORT_METRES,
    requests: { reopenWithinDays: env.REQUEST_REOPEN_DAYS, priorityTargets: priorityTargets(env.PRIORITY_TARGETS) },
    scheduling: {
      bookedPriorities: bookedPriorities(env.BOOKED_PRIORITIES),
      reminderTime: env.APPOINTMENT_REMINDER_TIME as TimeOfDay,
      quietHours: quietHours(env.MESSAGE_QUIET_HOURS),
      changeLinkSecret: env.APPOINTMENT_LINK_SECRET ?? (env.SESSION_SECRET && derivedSecret(env.SESSION_SECRET, 'appointment-change-links')),
    },
    notificationsProvider: env.NOTIFICATIONS_PROVIDER,
    notify,
    outbox: {
      leaseSeconds: env.OUTBOX_LEASE_SECONDS,
      firstRetrySeconds: env.OUTBOX_FIRST_RETRY_SECONDS,
      longestRetrySeconds: env.OUTBOX_LONGEST_RETRY_SECONDS,
    },
    demoMode,
    oneLogin: openIdProvider('ONE_LOGIN', {
      issuer: env.ONE_LOGIN_ISSUER,
      clientId: env.ONE_LOGIN_CLIENT_ID,
      clientSecret: env.ONE_LOGIN_CLIENT_SECRET,
      privateKey: env.ONE_LOGIN_PRIVATE_KEY,
    }),
    staffSignOn: staffSignOn && { ...staffSignOn, name: env.STAFF_SSO_NAME },
  }
}
