import type { Services } from '../container.ts'
import { demoTenancies } from './places.ts'

/** Every demo account shares one password per kind; the README lists them all. */
export const demoStaffPassword = 'lower-wendle-staff'
export const demoResidentPassword = 'lower-wendle-resident'

const teams = [
  { code: 'housing-repairs', name: 'Housing repairs' },
  { code: 'waste', name: 'Waste and recycling' },
  { code: 'highways', name: 'Highways' },
  { code: 'contact-centre', name: 'Contact centre' },
  { code: 'street-scene', name: 'Street scene' },
  { code: 'environmental-enforcement', name: 'Environmental enforcement' },
] as const

const contractor = { code: 'wendle-property-maintenance', name: 'Wendle Property Maintenance Ltd' } as const

export const demoStaff = [
  { name: 'Ada Adeyemi', email: 'admin@lowerwendle.example', roleCodes: ['administrator'], teamCodes: [] },
  { name: 'Tom Hartley', email: 'repairs.lead@lowerwendle.example', roleCodes: ['team-lead'], teamCodes: ['housing-repairs'] },
  { name: 'Olu Bakare', email: 'repairs.officer@lowerwendle.example', roleCodes: ['officer'], teamCodes: ['housing-repairs'] },
  { name: 'Wendy Clarke', email: 'waste.officer@lowerwendle.example', roleCodes: ['officer'], teamCodes: ['waste'] },
  { name: 'Harry Singh', email: 'highways.officer@lowerwendle.example', roleCodes: ['officer'], teamCodes: ['highways'] },
  { name: 'Cara Lewis', email: 'contact.centre@lowerwendle.example', roleCodes: ['contact-centre-agent'], teamCodes: ['contact-centre'] },
  { name: 'Mo Farouk', email: 'moderator@lowerwendle.example', roleCodes: ['moderator'], teamCodes: [] },
  { name: 'Kat Nowak', email: 'catalogue@lowerwendle.example', roleCodes: ['catalogue-editor'], teamCodes: [] },
  { name: 'Sam Okafor', email: 'service.manager@lowerwendle.example', roleCodes: ['service-manager'], teamCodes: [] },
  {
    name: 'Owen Price',
    email: 'operative@wendle-maintenance.example',
    roleCodes: ['contractor-operative'],
    teamCodes: [],
    contractorCode: contractor.code,
  },
  { name: 'Gemma Okoro', email: 'street.scene@lowerwendle.example', roleCodes: ['officer'], teamCodes: ['street-scene'] },
] as const

const [alex, priya] = demoTenancies

/** Residents: two named tenants of demo tenancies (not yet linked, so a tester can link them) and one private resident. */
export const demoResidents = [
  { givenName: alex.givenName, familyName: alex.familyName, email: 'alex.morgan@example.com', dateOfBirth: alex.dateOfBirth, mobile: '07700 900001' },
  { givenName: priya.givenName, familyName: priya.familyName, email: 'priya.shah@example.com', dateOfBirth: priya.dateOfBirth },
  { givenName: 'Jo', familyName: 'Bennett', email: 'jo.bennett@example.com' },
] as const

/** Loads the demo teams, contractor, staff and residents once; later starts find them and stop. */
export async function loadDemoAccounts(services: Services): Promise<boolean> {
  const staff = services.identity.staff
  if (await staff.hasStaffMembers()) return false
  for (const team of teams) await staff.ensureTeam(team.code, team.name)
  await staff.ensureContractor(contractor.code, contractor.name)
  for (const member of demoStaff) {
    await staff.createStaffMember({
      ...member,
      roleCodes: [...member.roleCodes],
      teamCodes: [...member.teamCodes],
      password: demoStaffPassword,
    })
  }
  for (const resident of demoResidents) {
    await services.identity.residents.createVerifiedResident({ ...resident, password: demoResidentPassword })
  }
  return true
}
