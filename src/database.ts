import type { PlatformTables } from './lib/database/tables.ts'
import type { ApiTables } from './modules/api/tables.ts'
import type { CatalogueTables } from './modules/catalogue/tables.ts'
import type { IdentityTables } from './modules/identity/tables.ts'
import type { NotificationTables } from './modules/notifications/tables.ts'
import type { OpenDataTables } from './modules/open-data/tables.ts'
import type { PlacesTables } from './modules/places/tables.ts'
import type { RequestsTables } from './modules/requests/tables.ts'
import type { SchedulingTables } from './modules/scheduling/tables.ts'
import type { WarningsTables } from './modules/warnings/tables.ts'

/** Every table, as Kysely sees it; each module declares its own. */
export interface Database extends PlatformTables, ApiTables, CatalogueTables, IdentityTables, NotificationTables, OpenDataTables, PlacesTables, RequestsTables, SchedulingTables, WarningsTables {}
