import type { LocalisedText } from './definition.ts'

export interface Topic {
  id: string
  name: LocalisedText
  description: LocalisedText
}

/**
 * The headings the front door groups services under, in the order the home page shows them. They
 * follow what residents look for rather than how the council is organised.
 */
export const topics: readonly Topic[] = [
  {
    id: 'bins-and-recycling',
    name: { en: 'Bins, recycling and waste', cy: 'Biniau, ailgylchu a gwastraff' },
    description: { en: 'Collections, missed bins and getting rid of large items.' },
  },
  {
    id: 'roads-and-streets',
    name: { en: 'Roads, streets and pavements', cy: 'Ffyrdd, strydoedd a phalmentydd' },
    description: { en: 'Potholes, street lights, drains, abandoned vehicles and parking.' },
  },
  {
    id: 'street-cleaning',
    name: { en: 'Street cleaning and the environment', cy: "Glanhau strydoedd a'r amgylchedd" },
    description: { en: 'Fly-tipping, graffiti, dog fouling and dead animals.' },
  },
  {
    id: 'housing',
    name: { en: 'Housing', cy: 'Tai' },
    description: { en: 'Repairs to council homes, your tenancy and finding a home.' },
  },
  {
    id: 'council-tax',
    name: { en: 'Council tax', cy: 'Treth gyngor' },
    description: { en: 'Paying, discounts and telling us you have moved.' },
  },
  {
    id: 'benefits-and-support',
    name: { en: 'Benefits and support', cy: 'Budd-daliadau a chymorth' },
    description: { en: 'Housing benefit, council tax support and help with costs.' },
  },
  {
    id: 'planning-and-building',
    name: { en: 'Planning and building', cy: 'Cynllunio ac adeiladu' },
    description: { en: 'Planning applications, comments and building control.' },
  },
  {
    id: 'parking',
    name: { en: 'Parking', cy: 'Parcio' },
    description: { en: 'Permits, penalty charge notices and car parks.' },
  },
  {
    id: 'libraries-and-leisure',
    name: { en: 'Libraries and leisure', cy: 'Llyfrgelloedd a hamdden' },
    description: { en: 'Joining the library, renewing books and leisure centres.' },
  },
  {
    id: 'births-deaths-and-marriages',
    name: { en: 'Births, deaths and marriages', cy: 'Genedigaethau, marwolaethau a phriodasau' },
    description: { en: 'Registering a birth or death and booking a ceremony.' },
  },
]

export function topicById(id: string): Topic | undefined {
  return topics.find((topic) => topic.id === id)
}
