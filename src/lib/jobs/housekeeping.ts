import type { TaskList } from 'graphile-worker'
import type { DatabaseHandle } from '../database/connection.ts'
import { removeExpiredCounters } from '../http/rate-limits.ts'

export const housekeepingSchedule = '17 * * * * remove-expired-records'

/** Hourly clean-up of rows that have served their purpose: ended sessions and old rate-limit windows. */
export function housekeepingTasks(db: DatabaseHandle): TaskList {
  return {
    'remove-expired-records': async () => {
      await db.deleteFrom('sessions').where('expires_at', '<', new Date()).execute()
      await removeExpiredCounters(db)
    },
  }
}
