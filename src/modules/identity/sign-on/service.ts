import { sql } from 'kysely'
import type { IdentityDependencies } from '../index.ts'
import { recordAudit } from '../audit.ts'
import { createOpenIdClient, type OpenIdClient, type OpenIdIdentity } from './openid.ts'

export type ResidentSignOnResult =
  | { outcome: 'signed-in'; personId: string }
  | { outcome: 'email-not-verified' }
  | { outcome: 'linked-elsewhere' }

/**
 * Single sign-on: GOV.UK One Login for residents and the council's staff directory for staff, each
 * present only when configured.
 */
export function createSingleSignOn({ config, db }: IdentityDependencies) {
  const allowInsecureIssuer = config.environment !== 'production'
  const oneLogin: OpenIdClient | undefined =
    config.oneLogin && createOpenIdClient({ provider: config.oneLogin, scope: 'openid email', allowInsecureIssuer })
  const staffDirectory: OpenIdClient | undefined =
    config.staffSignOn && createOpenIdClient({ provider: config.staffSignOn, scope: 'openid email profile', allowInsecureIssuer })

  return {
    oneLogin,
    staffDirectory,
    staffDirectoryName: config.staffSignOn?.name,

    /**
     * Finds the resident One Login vouches for: the account already linked to them, or on their
     * first visit the person with the same verified email (linking or opening their account), or a
     * new person. An email One Login has not verified is never used to match anyone.
     */
    async signInResident(identity: OpenIdIdentity, ipAddress?: string): Promise<ResidentSignOnResult> {
      return db.transaction().execute(async (transaction) => {
        const linked = await transaction
          .selectFrom('resident_accounts')
          .select('person_id')
          .where('one_login_subject', '=', identity.subject)
          .executeTakeFirst()
        let personId = linked?.person_id
        if (!personId) {
          if (!identity.email || !identity.emailVerified) return { outcome: 'email-not-verified' }
          const email = identity.email.trim()
          const person = await transaction
            .selectFrom('people')
            .leftJoin('resident_accounts', 'resident_accounts.person_id', 'people.id')
            .select(['people.id', 'people.email_verified_at', 'resident_accounts.person_id as accountId', 'resident_accounts.one_login_subject'])
            .where(sql`lower(people.email)`, '=', email.toLowerCase())
            .executeTakeFirst()
          if (person?.one_login_subject) return { outcome: 'linked-elsewhere' }
          if (person) {
            personId = person.id
            if (!person.email_verified_at) {
              await transaction.updateTable('people').set({ email_verified_at: new Date() }).where('id', '=', person.id).execute()
            }
          } else {
            const created = await transaction
              .insertInto('people')
              .values({ given_name: '', family_name: '', email, email_verified_at: new Date() })
              .returning('id')
              .executeTakeFirstOrThrow()
            personId = created.id
          }
          if (person?.accountId) {
            await transaction.updateTable('resident_accounts').set({ one_login_subject: identity.subject }).where('person_id', '=', personId).execute()
          } else {
            await transaction.insertInto('resident_accounts').values({ person_id: personId, one_login_subject: identity.subject }).execute()
          }
          await recordAudit(transaction, {
            actor: { kind: 'resident', id: personId },
            action: person?.accountId ? 'resident-account.link-one-login' : 'resident-account.create',
            subject: { type: 'person', id: personId },
            details: { method: 'one-login', newPerson: !person },
            ipAddress,
          })
        }
        await transaction.updateTable('resident_accounts').set({ last_signed_in_at: new Date() }).where('person_id', '=', personId).execute()
        await recordAudit(transaction, {
          actor: { kind: 'resident', id: personId },
          action: 'resident.sign-in',
          subject: { type: 'person', id: personId },
          details: { method: 'one-login' },
          ipAddress,
        })
        return { outcome: 'signed-in', personId }
      })
    },
  }
}

export type SingleSignOn = ReturnType<typeof createSingleSignOn>
