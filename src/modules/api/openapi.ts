import type { Config } from '../../config.ts'
import { questionKinds } from '../catalogue/index.ts'
import { closureReasons, requestStatuses } from '../requests/index.ts'
import { appointmentStatuses } from '../scheduling/index.ts'

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })
const nullable = (schema: Record<string, unknown>) => ({ oneOf: [schema, { type: 'null' }] })
const dateTime = { type: 'string', format: 'date-time' }
const json = (schema: Record<string, unknown>) => ({ 'application/json': { schema } })

/** A closed object: every property is listed, so the tests catch a field the document does not describe. */
function object(properties: Record<string, unknown>, required: string[] = Object.keys(properties)) {
  return { type: 'object', additionalProperties: false, required, properties }
}

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ref('Problem') } } })
const errors = {
  '400': problem('The input was refused; errors names each field with what was wrong'),
  '401': problem('No token was sent, or it is not recognised'),
  '403': problem('The caller may not do this'),
  '404': problem('There is no such thing, or the caller may not see it'),
  '429': problem('Too many requests; Retry-After says when to try again'),
}
/** Any call may send text the API cannot keep or a token it does not recognise, and a key used faster than its rate is slowed down. */
const always = { '400': problem('The input was refused: no text may hold the NUL character (U+0000)'), '401': errors['401'], '429': errors['429'] }
const unsupported = { '413': problem('The body is larger than the API takes'), '415': problem('The body was not sent as application/json') }
const idempotencyKey = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description: 'Any unique string (a UUID is best). Sent again with the same body, the first answer is given again, with Idempotent-Replayed: true, instead of doing it twice. Kept for at least 24 hours.',
  schema: { type: 'string', minLength: 1, maxLength: 255 },
}
const reference = { name: 'reference', in: 'path', required: true, schema: { type: 'string', example: 'GH-7K3M-9PQX' } }
const etag = { ETag: { required: true, description: 'Send it back as If-None-Match to be told 304 Not Modified when nothing changed', schema: { type: 'string' } } }
const replayed = { 'Idempotent-Replayed': { description: 'true when this is the first answer to an earlier request with the same Idempotency-Key, given again', schema: { const: 'true' } } }
const location = (description: string) => ({ Location: { required: true, description, schema: { type: 'string' } } })

/** A GET's answer, with the 304 an unchanged resource gives to If-None-Match. */
const read = (description: string, schema: Record<string, unknown>) => ({
  '200': { description, headers: etag, content: json(schema) },
  '304': { description: 'Not modified: it is as it was when the ETag sent as If-None-Match was given', headers: etag },
})
/** A POST with an Idempotency-Key: a key reused with another body, or one whose first request is still running, is refused. */
const idempotent = (conflict: string) => ({
  '409': problem(conflict),
  '422': problem('This Idempotency-Key was sent before with a different request'),
})
const stillRunning = 'The first request with this Idempotency-Key is still being handled'
const signedIn = [{ residentToken: [] }, { apiKey: [] }]

const request = object(
  {
    reference: { type: 'string' },
    serviceCode: { type: 'string' },
    serviceName: { type: 'string' },
    status: { enum: [...requestStatuses] },
    statusLabel: { type: 'string', description: 'The status in the service’s own words' },
    open: { type: 'boolean' },
    closureReason: nullable({ enum: [...closureReasons] }),
    createdAt: dateTime,
    updatedAt: dateTime,
    targetAt: nullable(dateTime),
    place: nullable(object({ latitude: { type: 'number' }, longitude: { type: 'number' }, description: nullable({ type: 'string' }) })),
    publicText: nullable({ type: 'string', description: 'What the reporter wrote, once a moderator approved it for everyone to read' }),
    answers: { type: 'object', description: 'Every answer, keyed by question id: only for the resident who made the request and for API keys granted the service' },
    timeline: { type: 'array', items: ref('TimelineEntry') },
  },
  ['reference', 'serviceCode', 'serviceName', 'status', 'statusLabel', 'open', 'closureReason', 'createdAt', 'updatedAt', 'targetAt', 'place', 'publicText'],
)

const question = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'kind'],
  properties: {
    id: { type: 'string' },
    kind: { enum: [...questionKinds] },
    label: { type: 'string' },
    hint: { type: 'string' },
    required: { type: 'boolean' },
    showWhen: { type: 'object', description: 'Asked only when this condition on earlier answers holds: { question, equals | in | anyOf } or { all | any: [...] }' },
    answer: { type: 'string', description: 'How to give the answer' },
    options: { type: 'array', items: object({ value: { type: 'string' }, label: { type: 'string' }, hint: { type: 'string' }, exclusive: { type: 'boolean' } }, ['value', 'label']) },
    maxLength: { type: 'integer' },
    minLength: { type: 'integer' },
    mustBe: { enum: ['past', 'today-or-past', 'future', 'today-or-future'] },
    mobileOnly: { type: 'boolean' },
    title: { type: 'string' },
    body: { type: 'array', items: { type: 'string' } },
    stopsJourney: { type: 'boolean' },
  },
}

const serviceFields = {
  code: { type: 'string' },
  name: { type: 'string' },
  description: { type: 'string' },
  audience: { enum: ['residents', 'tenants'] },
  visibility: { enum: ['public', 'private'], description: 'Public reports are shown on the council’s map once moderated; private requests only to the person who made them' },
  topics: { type: 'array', items: { type: 'string' } },
  lgslCode: { type: 'integer', description: 'The service’s code in the Local Government Services List' },
}

/** The OpenAPI 3.1 description of /api/v1, which the tests hold every real response to. */
export function openApiDocument(config: Config) {
  return {
    openapi: '3.1.0',
    info: {
      title: `${config.council.name} API`,
      version: '1.0.0',
      description:
        'Report problems, make requests, follow them and book visits, for the council’s own app, partners and contractors. ' +
        'Residents sign in with POST /tokens and send the token as a bearer token; partners send the API key the council issued them the same way. ' +
        'Errors are application/problem+json. Every POST that makes or changes something takes an Idempotency-Key; every GET gives an ETag.',
      contact: { name: config.council.name, email: config.council.email },
    },
    servers: [{ url: `${config.baseUrl}/api/v1` }],
    components: {
      securitySchemes: {
        residentToken: { type: 'http', scheme: 'bearer', description: 'A resident’s token from POST /tokens' },
        apiKey: { type: 'http', scheme: 'bearer', description: 'An API key the council issued, with the services and changes it may make' },
      },
      schemas: {
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status'],
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            errors: { type: 'object', additionalProperties: { type: 'string' }, description: 'Each refused field, named as in the body (answers.QUESTION for an answer), with what was wrong' },
            interruption: { type: 'object' },
          },
        },
        ServiceSummary: object(serviceFields),
        Service: object({ ...serviceFields, questions: { type: 'array', items: question } }),
        Request: request,
        RequestPage: object({ items: { type: 'array', items: ref('Request') }, nextCursor: nullable({ type: 'string' }) }),
        TimelineEntry: object({
          at: dateTime,
          kind: { type: 'string' },
          status: nullable({ enum: [...requestStatuses] }),
          statusLabel: nullable({ type: 'string' }),
          by: { type: 'string' },
          text: nullable({ type: 'string' }),
        }),
        NewRequest: {
          type: 'object',
          required: ['serviceCode'],
          properties: {
            serviceCode: { type: 'string' },
            answers: { type: 'object', description: 'Keyed by question id; each question’s answer field says what to give' },
            reporter: object({ email: { type: 'string' }, mobile: { type: 'string' }, givenName: { type: 'string' }, familyName: { type: 'string' } }, []),
          },
        },
        Update: {
          type: 'object',
          properties: {
            text: { type: 'string', maxLength: 4000 },
            event: { enum: ['triage', 'schedule', 'start-work', 'complete', 'record-no-access', 'resume', 'cancel', 'reopen', 'put-on-hold', 'close'] },
            closureReason: { enum: [...closureReasons] },
            holdReason: { type: 'string' },
          },
        },
        Slot: object(
          {
            date: { type: 'string', format: 'date' },
            window: { type: 'string' },
            id: { type: 'string', description: 'Moving: the id the appointment was read with; a visit moved since is refused' },
            version: { type: 'integer', description: 'Moving: the version the appointment was read with; a visit changed since is refused' },
          },
          ['date', 'window'],
        ),
        DaySlots: object({ date: { type: 'string', format: 'date' }, slots: { type: 'array', items: object({ window: { type: 'string' }, description: { type: 'string' }, free: { type: 'integer' } }) } }),
        Appointment: object({
          id: { type: 'string' },
          date: { type: 'string', format: 'date' },
          window: { type: 'string' },
          description: { type: 'string' },
          starts: dateTime,
          ends: dateTime,
          status: { enum: [...appointmentStatuses] },
          version: { type: 'integer' },
        }),
        SignIn: object({ email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string', description: 'The app or device, as the resident will see it on their account page' } }, ['email', 'password']),
        Token: object({ token: { type: 'string' }, id: { type: 'string' }, name: { type: 'string' }, createdAt: dateTime }),
        Account: object({
          id: { type: 'string' },
          givenName: { type: 'string' },
          familyName: { type: 'string' },
          email: nullable({ type: 'string' }),
          emailVerified: { type: 'boolean' },
          mobile: nullable({ type: 'string' }),
          mobileVerified: { type: 'boolean' },
          contactPreference: { enum: ['email', 'text'] },
        }),
        AppToken: object({ id: { type: 'string' }, name: { type: 'string' }, createdAt: dateTime, lastUsedAt: nullable(dateTime), current: { type: 'boolean' } }),
      },
    },
    paths: {
      '/services': {
        get: {
          summary: 'The services a caller may use',
          responses: { ...read('Services', { type: 'array', items: ref('ServiceSummary') }), ...always },
        },
      },
      '/services/{code}': {
        get: {
          summary: 'A service with its questions',
          parameters: [{ name: 'code', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { ...read('The service', ref('Service')), '404': errors['404'], ...always },
        },
      },
      '/requests': {
        get: {
          summary: 'Requests: a resident’s own, or the public ones and those a key is granted, newest first',
          parameters: [
            { name: 'service', in: 'query', schema: { type: 'string' } },
            { name: 'status', in: 'query', schema: { enum: ['open', 'closed'] } },
            { name: 'from', in: 'query', schema: dateTime },
            { name: 'to', in: 'query', schema: dateTime },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 25 } },
            { name: 'cursor', in: 'query', schema: { type: 'string' }, description: 'The nextCursor of the page before' },
          ],
          responses: { ...read('A page of requests', ref('RequestPage')), ...always, '400': errors['400'] },
        },
        post: {
          summary: 'Make a request: a resident for themselves, or a partner for the reporter it names',
          security: signedIn,
          parameters: [idempotencyKey],
          requestBody: { required: true, content: json(ref('NewRequest')) },
          responses: {
            '201': { description: 'The request made', headers: { ...location('The request’s address in the API'), ...replayed }, content: json(ref('Request')) },
            ...errors,
            ...idempotent(stillRunning),
            ...unsupported,
          },
        },
      },
      '/requests/{reference}': {
        get: {
          summary: 'One request, with its public timeline',
          parameters: [reference],
          responses: { ...read('The request', ref('Request')), '404': errors['404'], ...always },
        },
      },
      '/requests/{reference}/updates': {
        post: {
          summary: 'Add to a request: a resident’s information, or a partner’s comment (shown to the public once moderated) and change of status',
          security: signedIn,
          parameters: [reference, idempotencyKey],
          requestBody: { required: true, content: json(ref('Update')) },
          responses: {
            '201': { description: 'The request as it now is', headers: { ...location('The request’s address in the API'), ...replayed }, content: json(ref('Request')) },
            ...errors,
            ...idempotent(`The request cannot move on by that event from its status now, or it changed meanwhile; or ${stillRunning.toLowerCase()}`),
            ...unsupported,
          },
        },
      },
      '/requests/{reference}/slots': {
        get: {
          summary: 'The slots a visit can be booked in, before the request’s target date',
          security: signedIn,
          parameters: [reference],
          responses: { ...read('Days with free slots', { type: 'array', items: ref('DaySlots') }), ...errors },
        },
      },
      '/requests/{reference}/appointment': {
        get: {
          summary: 'The visit booked',
          security: signedIn,
          parameters: [reference],
          responses: { ...read('The appointment', ref('Appointment')), ...errors },
        },
        post: {
          summary: 'Book a visit',
          security: signedIn,
          parameters: [reference, idempotencyKey],
          requestBody: { required: true, content: json(ref('Slot')) },
          responses: {
            '201': { description: 'The appointment', headers: { ...location('The appointment’s address in the API'), ...replayed }, content: json(ref('Appointment')) },
            ...errors,
            ...idempotent(`Already booked, the slot has gone, or the request is finished; or ${stillRunning.toLowerCase()}`),
            ...unsupported,
          },
        },
        put: {
          summary: 'Move the visit to another slot',
          security: signedIn,
          parameters: [reference],
          requestBody: { required: true, content: json(ref('Slot')) },
          responses: {
            '200': { description: 'The new appointment', content: json(ref('Appointment')) },
            '409': problem('The slot has gone, or the appointment was moved or changed since it was read'),
            ...errors,
            ...unsupported,
          },
        },
        delete: {
          summary: 'Cancel the visit',
          security: signedIn,
          parameters: [
            reference,
            { name: 'id', in: 'query', schema: { type: 'string' }, description: 'The id the appointment was read with' },
            { name: 'version', in: 'query', schema: { type: 'integer' }, description: 'The version the appointment was read with' },
          ],
          responses: { '204': { description: 'Cancelled' }, '409': problem('The appointment was moved or changed since it was read'), ...errors },
        },
      },
      '/tokens': {
        post: {
          summary: 'Sign a resident in from an app',
          description: 'Takes no Idempotency-Key: the answer holds the token, which is kept nowhere but in the app. Signing in again gives another token.',
          security: [],
          requestBody: { required: true, content: json(ref('SignIn')) },
          responses: {
            '201': { description: 'The token: keep it safe, it is shown once', headers: location('The list of apps signed in to the account'), content: json(ref('Token')) },
            '400': errors['400'],
            '401': problem('The email address or password is wrong'),
            '403': problem('The account is locked for a while after too many wrong passwords'),
            '429': errors['429'],
            ...unsupported,
          },
        },
      },
      '/account': {
        get: {
          summary: 'The signed-in resident',
          security: [{ residentToken: [] }],
          responses: { ...read('The account', ref('Account')), '403': errors['403'], '404': errors['404'], ...always },
        },
      },
      '/account/tokens': {
        get: {
          summary: 'The apps signed in to the account',
          security: [{ residentToken: [] }],
          responses: { ...read('Apps signed in', { type: 'array', items: ref('AppToken') }), '403': errors['403'], ...always },
        },
      },
      '/account/tokens/{id}': {
        delete: {
          summary: 'Sign an app out; "current" signs out the app calling',
          security: [{ residentToken: [] }],
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '204': { description: 'Signed out' }, '403': errors['403'], '404': errors['404'], ...always },
        },
      },
    },
  }
}
