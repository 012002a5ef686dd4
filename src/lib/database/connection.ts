import { Kysely, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import type { Database } from '../../database.ts'

// Dates come back as JavaScript Dates; `date` columns stay as plain 'YYYY-MM-DD' strings so a
// date of birth never shifts across time zones.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value)
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value))

export type DatabaseHandle = Kysely<Database>

/**
 * A pool of connections. A connection the server ends (a restart, a failover, a dropped database)
 * raises an error event even while idle or closing; unheard, that would crash the process, so
 * every connection is heard and the pool opens a fresh one for the next query.
 */
export function createPool(connectionString: string, poolSize: number, onConnectionLost: (error: Error) => void = () => {}): pg.Pool {
  const pool = new pg.Pool({ connectionString, max: poolSize, application_name: 'guildhall' })
  pool.on('connect', (client) => client.on('error', onConnectionLost))
  // The pool passes on an idle connection's error too; it was already heard above.
  pool.on('error', () => {})
  return pool
}

export function connectDatabase(
  connectionString: string,
  poolSize: number,
  onConnectionLost?: (error: Error) => void,
): { db: DatabaseHandle; pool: pg.Pool } {
  const pool = createPool(connectionString, poolSize, onConnectionLost)
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  return { db, pool }
}

export async function databaseIsReachable(db: DatabaseHandle, timeoutMs = 2000): Promise<boolean> {
  const probe = sql`select 1`.execute(db)
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), timeoutMs).unref())
  try {
    await Promise.race([probe, timeout])
    return true
  } catch {
    return false
  }
}
