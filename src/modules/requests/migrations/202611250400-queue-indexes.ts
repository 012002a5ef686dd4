import type { Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  // The queue's trade filter lists the trades requests have. Read as a skip along this index, one
  // probe per trade, the list costs the same with a million requests as with a hundred; without
  // it every queue page read the whole table.
  await db.schema.createIndex('requests_trade').on('requests').column('trade').execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('requests_trade').execute()
}
