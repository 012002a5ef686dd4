import { readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { DefinitionSource, ServiceDefinition } from '../../../src/modules/catalogue/definition.ts'
import { parseDefinition } from '../../../src/modules/catalogue/validate-definition.ts'

export const definitionsFolder = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../src/modules/catalogue/definitions',
)

export const statusLabels: DefinitionSource['statusLabels'] = {
  reported: 'Reported',
  triaged: 'Triaged',
  scheduled: 'Scheduled',
  'in-progress': 'In progress',
  completed: 'Completed',
  'no-access': 'No access',
  'on-hold': 'On hold',
  cancelled: 'Cancelled',
  closed: 'Closed',
}

/** A small, valid definition as an author would write it: a pothole report with one branch. */
export function definitionSource(overrides: Partial<DefinitionSource> = {}): DefinitionSource {
  return {
    code: 'pothole',
    name: 'Report a pothole',
    description: 'Tell us about a pothole in a road or pavement.',
    lgslCode: 595,
    owningTeam: 'highways',
    audience: 'residents',
    recordVisibility: 'public',
    questions: [
      {
        id: 'surface',
        kind: 'radios',
        label: 'Where is the pothole?',
        options: [
          { value: 'road', label: 'In the road' },
          { value: 'pavement', label: 'On the pavement' },
        ],
      },
      {
        id: 'depth',
        kind: 'radios',
        label: 'How deep is it?',
        showWhen: { question: 'surface', equals: 'road' },
        options: [
          { value: 'shallow', label: 'Less than 4cm' },
          { value: 'deep', label: '4cm or deeper' },
        ],
      },
      { id: 'description', kind: 'textarea', label: 'Describe the pothole' },
    ],
    priority: { default: 'routine', rules: [{ when: { question: 'depth', equals: 'deep' }, priority: 'urgent' }] },
    statusLabels,
    ...overrides,
  }
}

export function definition(overrides: Partial<DefinitionSource> = {}): ServiceDefinition {
  return parseDefinition(definitionSource(overrides))
}

export function seedFiles(): string[] {
  return readdirSync(definitionsFolder).filter((file) => file.endsWith('.json')).sort()
}

export function readSeed(file: string): unknown {
  return JSON.parse(readFileSync(path.join(definitionsFolder, file), 'utf8'))
}

export function seed(code: string): ServiceDefinition {
  return parseDefinition(readSeed(`${code}.json`))
}
