import type { PlatformTables } from './lib/database/tables.ts'
import type { IdentityTables } from './modules/identity/tables.ts'
import type { NotificationTables } from './modules/notifications/tables.ts'
import type { PlacesTables } from './modules/places/tables.ts'

/** Every table, as Kysely sees it; each module declares its own. */
export interface Database extends PlatformTables, IdentityTables, NotificationTables, PlacesTables {}
