import { readdirSync, existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Migrator, type Migration, type MigrationProvider } from 'kysely'
import { runMigrations as runJobQueueMigrations } from 'graphile-worker'
import type { DatabaseHandle } from './connection.ts'

const sourceRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

/**
 * Each module owns its tables, so migrations live beside the module (src/modules/NAME/migrations)
 * and platform tables in src/migrations. File names start with a timestamp, which orders them.
 */
function migrationFolders(): string[] {
  const modules = path.join(sourceRoot, 'modules')
  const moduleFolders = readdirSync(modules).map((name) => path.join(modules, name, 'migrations'))
  return [path.join(sourceRoot, 'migrations'), ...moduleFolders].filter((folder) => existsSync(folder))
}

class ModuleMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    const migrations: Record<string, Migration> = {}
    for (const folder of migrationFolders()) {
      for (const file of readdirSync(folder).filter((name) => /^\d{12}-.+\.ts$/.test(name))) {
        const name = file.replace(/\.ts$/, '')
        if (migrations[name]) throw new Error(`Two migrations are named ${name}`)
        migrations[name] = (await import(pathToFileURL(path.join(folder, file)).href)) as Migration
      }
    }
    return migrations
  }
}

export async function migrateToLatest(db: DatabaseHandle, connectionString: string): Promise<void> {
  const migrator = new Migrator({ db, provider: new ModuleMigrationProvider() })
  const { error, results } = await migrator.migrateToLatest()
  const failed = results?.find((result) => result.status === 'Error')
  if (error) {
    throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message}`, { cause: error })
  }
  await runJobQueueMigrations({ connectionString })
}
