// The migration runner: numbered SQL files in migrations/ (001_name.sql, ...), each
// applied once, in order, inside a transaction with its row in schema_migrations, so
// a failed migration leaves nothing half applied. A database that already holds a
// migration this code does not know belongs to a newer version: refused.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoPath } from '../../repo-root.ts';
import { IndexerError } from '../errors.ts';
import type { Database } from './database.ts';

const folder = repoPath('src', 'indexer', 'db', 'migrations');

export type Migration = { version: number; name: string; sql: string };

export function bundledMigrations(): Migration[] {
  return readdirSync(folder)
    .filter((file) => /^\d{3}_[a-z0-9_]+\.sql$/.test(file))
    .sort()
    .map((file) => ({ version: Number(file.slice(0, 3)), name: file.slice(4, -4), sql: readFileSync(join(folder, file), 'utf8') }));
}

/** Applies the migrations not yet applied; returns the versions it applied. */
export async function migrate(db: Database, migrations: Migration[] = bundledMigrations()): Promise<number[]> {
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
  )`);
  const applied = new Set((await db.query<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => r.version));
  const known = new Set(migrations.map((m) => m.version));
  const unknown = [...applied].filter((v) => !known.has(v));
  if (unknown.length > 0) {
    throw new IndexerError('DATABASE_TOO_NEW', `The database has migrations this version does not know: ${unknown.join(', ')}.`, {
      details: ['it was written by a newer Trellis; upgrade, or index into another database'],
    });
  }
  const done: number[] = [];
  for (const migration of migrations) {
    if (applied.has(migration.version)) continue;
    await db.transaction(async (tx) => {
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
    });
    done.push(migration.version);
  }
  return done;
}
