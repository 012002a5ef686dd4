import type { CreatedAt, Generated, Json } from '../../lib/database/tables.ts'
import type { ServiceDefinition } from './definition.ts'

export interface CatalogueTables {
  services: {
    code: string
    current_version_id: string | null
    created_at: CreatedAt
  }
  service_definition_versions: {
    id: Generated<string>
    service_code: string
    version: number
    /** The definition as parsed, with every default filled in, so reading it back needs no parsing. */
    definition: Json<ServiceDefinition>
    published_at: CreatedAt
    /** The member of staff who published it; null for definitions seeded from files. */
    published_by: string | null
  }
}
