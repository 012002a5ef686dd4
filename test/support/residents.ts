import { randomBytes } from 'node:crypto'
import { expect } from 'vitest'
import { Agent } from './agent.ts'
import type { TestApp } from './app.ts'

export interface ResidentWithPassword {
  personId: string
  email: string
  password: string
}

/** A resident with a confirmed email address and a password, as after creating an account; each call a new person. */
export async function residentWithPassword(test: TestApp, givenName = 'Alex', familyName = 'Morgan'): Promise<ResidentWithPassword> {
  const email = `${givenName.toLowerCase()}-${randomBytes(4).toString('hex')}@example.com`
  const password = `${givenName} has a long password`
  const { personId } = await test.services.identity.residents.createVerifiedResident({ givenName, familyName, email, password })
  return { personId, email, password }
}

/** A browser signed in through the real sign-in page, landing on the account page. */
export async function signedInWithPassword(test: TestApp, person: { email: string; password: string }): Promise<Agent> {
  const agent = new Agent(test.app)
  const response = await agent.submit('/sign-in', { email: person.email, password: person.password })
  expect(response.location).toBe('/account')
  return agent
}
