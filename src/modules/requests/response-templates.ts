import type { ServiceDependencies } from '../../container.ts'
import { InvalidInput, NotFound, type FieldErrors } from '../../lib/errors.ts'
import { translator } from '../../lib/i18n/index.ts'
import { recordAudit, type Actor } from '../identity/audit.ts'
import { isUuid } from './queue.ts'

/** Wording an officer starts a public update from, then reads and edits before it is sent. */
export interface ResponseTemplate {
  id: string
  title: string
  body: string
  serviceCode: string | null
  updatedAt: Date
}

export interface ResponseTemplateInput {
  title: string
  body: string
  serviceCode: string | null
}

/** What a template may say about the request it is used on, written ((like this)) as GOV.UK Notify does. */
export const responseTemplateFields = ['reference', 'target date', 'council name'] as const
export type ResponseTemplateField = (typeof responseTemplateFields)[number]

const titleLength = 100
const bodyLength = 4000
const english = translator('en')

/** The template's words with its ((fields)) filled in; a field it cannot fill is left for the officer to see. */
export function fillResponseTemplate(body: string, values: Partial<Record<ResponseTemplateField, string>>): string {
  return body.replace(/\(\(([a-z ]+)\)\)/g, (whole, name: string) => values[name as ResponseTemplateField] ?? whole)
}

/** Field errors for a template as typed, with the tidied values when there are none. */
export function checkResponseTemplate(input: ResponseTemplateInput): { errors: FieldErrors } | { template: ResponseTemplateInput } {
  const t = english
  const title = input.title.trim()
  const body = input.body.trim()
  const errors: FieldErrors = {}
  if (title === '') errors.title = t('requests.templates.errors.titleMissing')
  else if (title.length > titleLength) errors.title = t('requests.templates.errors.titleTooLong', { limit: titleLength })
  if (body === '') errors.body = t('requests.templates.errors.bodyMissing')
  else if (body.length > bodyLength) errors.body = t('requests.templates.errors.bodyTooLong', { limit: bodyLength })
  else {
    const unknown = [...body.matchAll(/\(\(([^)]*)\)\)/g)].map((match) => match[1]!).find((name) => !(responseTemplateFields as readonly string[]).includes(name))
    if (unknown !== undefined) errors.body = t('requests.templates.errors.unknownField', { field: unknown, fields: responseTemplateFields.map((name) => `((${name}))`).join(', ') })
  }
  return Object.keys(errors).length ? { errors } : { template: { title, body, serviceCode: input.serviceCode || null } }
}

/** Response templates: kept, changed and archived by staff who look after messages; used by anyone writing updates. */
export function createResponseTemplates({ db }: ServiceDependencies) {
  const columns = ['id', 'title', 'body', 'service_code as serviceCode', 'updated_at as updatedAt'] as const

  async function titleTaken(title: string, exceptId?: string): Promise<boolean> {
    let query = db.selectFrom('response_templates').select('id').where(({ fn }) => fn('lower', ['title']), '=', title.toLowerCase()).where('archived_at', 'is', null)
    if (exceptId) query = query.where('id', '!=', exceptId)
    return (await query.executeTakeFirst()) !== undefined
  }

  async function checked(input: ResponseTemplateInput, exceptId?: string): Promise<ResponseTemplateInput> {
    const result = checkResponseTemplate(input)
    if ('errors' in result) throw new InvalidInput(result.errors)
    if (await titleTaken(result.template.title, exceptId)) throw new InvalidInput({ title: english('requests.templates.errors.titleTaken') })
    return result.template
  }

  return {
    /** The templates in use, for one service's requests: its own and those for any service. */
    async list(serviceCode?: string): Promise<ResponseTemplate[]> {
      let query = db.selectFrom('response_templates').select(columns).where('archived_at', 'is', null)
      if (serviceCode !== undefined) query = query.where((where) => where.or([where('service_code', 'is', null), where('service_code', '=', serviceCode)]))
      return query.orderBy('title').execute()
    },

    async template(id: string): Promise<ResponseTemplate> {
      const row = isUuid(id) ? await db.selectFrom('response_templates').select(columns).where('id', '=', id).where('archived_at', 'is', null).executeTakeFirst() : undefined
      if (!row) throw new NotFound('response template')
      return row
    },

    async create(input: ResponseTemplateInput, actor: Actor): Promise<string> {
      const template = await checked(input)
      return db.transaction().execute(async (transaction) => {
        const { id } = await transaction
          .insertInto('response_templates')
          .values({ title: template.title, body: template.body, service_code: template.serviceCode, updated_by: actor.id ?? null })
          .returning('id')
          .executeTakeFirstOrThrow()
        await recordAudit(transaction, { actor, action: 'response-template.create', subject: { type: 'response-template', id }, details: { title: template.title } })
        return id
      })
    },

    async update(id: string, input: ResponseTemplateInput, actor: Actor): Promise<void> {
      await this.template(id)
      const template = await checked(input, id)
      await db.transaction().execute(async (transaction) => {
        await transaction
          .updateTable('response_templates')
          .set({ title: template.title, body: template.body, service_code: template.serviceCode, updated_by: actor.id ?? null, updated_at: new Date() })
          .where('id', '=', id)
          .execute()
        await recordAudit(transaction, { actor, action: 'response-template.update', subject: { type: 'response-template', id }, details: { title: template.title } })
      })
    },

    /** Takes a template out of use; updates already sent keep their words. */
    async archive(id: string, actor: Actor): Promise<void> {
      const template = await this.template(id)
      await db.transaction().execute(async (transaction) => {
        await transaction.updateTable('response_templates').set({ archived_at: new Date(), updated_by: actor.id ?? null }).where('id', '=', id).execute()
        await recordAudit(transaction, { actor, action: 'response-template.archive', subject: { type: 'response-template', id }, details: { title: template.title } })
      })
    },
  }
}

export type ResponseTemplates = ReturnType<typeof createResponseTemplates>
