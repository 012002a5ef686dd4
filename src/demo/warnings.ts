import type { ServiceDependencies, Services } from '../container.ts'
import { addDays, ukDateOf } from '../lib/calendar/index.ts'
import type { WarningCategory, WarningSubject } from '../modules/warnings/index.ts'
import { demoResidents, demoStaff } from './accounts.ts'
import { demoTenancies } from './places.ts'

/** The home of the first demo tenancy and one demo resident carry a warning, recorded by the repairs officer. */
const demoWarnings: { about: { tenancy: string } | { email: string }; category: WarningCategory; description: string; reviewInDays?: number }[] = [
  {
    about: { tenancy: demoTenancies[0].reference },
    category: 'animal',
    description: 'Dog at property – ask for it to be kept in another room before going in.',
  },
  {
    about: { email: demoResidents[1].email },
    category: 'health-condition',
    description: 'Hard of hearing. Text before visiting, knock loudly and allow time to come to the door.',
    reviewInDays: 180,
  },
]

/** Records the demo council's warnings through the real service; called once, when the demo accounts are first made. */
export async function loadDemoWarnings({ db }: ServiceDependencies, services: Services): Promise<void> {
  const officerEmail = demoStaff[2].email
  const officerRow = await db.selectFrom('staff_members').select('id').where('email', '=', officerEmail).executeTakeFirstOrThrow()
  const officer = await services.identity.staff.accessFor(officerRow.id)
  if (!officer) throw new Error(`The demo warnings need the demo staff member ${officerEmail}`)
  const today = ukDateOf(new Date())

  for (const warning of demoWarnings) {
    const subject: WarningSubject =
      'tenancy' in warning.about
        ? { kind: 'property', uprn: (await db.selectFrom('tenancies').select('uprn').where('reference', '=', warning.about.tenancy).executeTakeFirstOrThrow()).uprn }
        : { kind: 'person', personId: (await db.selectFrom('people').select('id').where('email', '=', warning.about.email).executeTakeFirstOrThrow()).id }
    const [reviewYear = '', reviewMonth = '', reviewDay = ''] = warning.reviewInDays ? addDays(today, warning.reviewInDays).split('-') : []
    await services.warnings.record(subject, { category: warning.category, description: warning.description, reviewDay, reviewMonth, reviewYear }, officer)
  }
}
