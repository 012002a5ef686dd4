import { randomBytes } from 'node:crypto'
import { Agent } from './agent.ts'
import type { TestApp } from './app.ts'
import { sessionCookie, sessionFor } from './sessions.ts'

/** A new member of staff with these roles, already signed in, for tests that start past the sign-in page. */
export async function signedInStaff(
  test: TestApp,
  roleCodes: string[],
  options: { teamCodes?: string[]; contractorCode?: string | null } = {},
): Promise<{ id: string; agent: Agent }> {
  const name = randomBytes(4).toString('hex')
  const id = await test.services.identity.staff.createStaffMember({
    name: `Staff ${name}`,
    email: `staff-${name}@lowerwendle.example.gov.uk`,
    password: null,
    roleCodes,
    teamCodes: options.teamCodes ?? [],
    contractorCode: options.contractorCode ?? null,
  })
  const agent = new Agent(test.app)
  agent.setCookie(sessionCookie, await sessionFor(test.database.db, { kind: 'staff', id }))
  return { id, agent }
}
