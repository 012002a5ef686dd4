import type { Services } from '../container.ts'

/** Wording the demo council's officers start public updates from; each is a template staff can change. */
const demoResponseTemplates = [
  {
    title: 'Parts ordered',
    body: 'We have ordered the parts needed for your repair ((reference)). We will be in touch to arrange a visit as soon as they arrive.',
  },
  {
    title: 'We could not get in',
    body: 'We called to do your repair ((reference)) but could not get in. Please call us or rebook online so we can come back.',
  },
  {
    title: 'Work booked',
    body: 'Your repair ((reference)) has been booked. We aim to finish it by ((target date)).',
  },
  {
    title: 'Damp and mould inspection',
    body: 'A surveyor will inspect the damp and mould in your home. After the inspection we will send you a written summary of what we found and what we will do.',
    serviceCode: 'housing-repair',
  },
]

export async function loadDemoResponseTemplates(services: Services): Promise<void> {
  for (const template of demoResponseTemplates) {
    await services.responseTemplates.create({ serviceCode: null, ...template }, { kind: 'system' })
  }
}
