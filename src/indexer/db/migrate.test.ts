// The migration runner on PGlite: applies each migration once, records it, and refuses
// a database that a newer version migrated further.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDatabase } from './database.ts';
import { bundledMigrations, migrate } from './migrate.ts';

test('migrations apply once, in order, and a database from a newer version is refused', async () => {
  const db = await openDatabase({});
  try {
    const versions = bundledMigrations().map((m) => m.version);
    assert.deepEqual(
      versions,
      [...versions].sort((a, b) => a - b),
    );
    assert.deepEqual(await migrate(db), versions);
    assert.deepEqual(await migrate(db), [], 'nothing applied twice');
    assert.ok((await db.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'raw_events'")).length === 1);

    await db.query("INSERT INTO schema_migrations (version, name) VALUES (999, 'from_the_future')");
    await assert.rejects(migrate(db), (error: Error & { code?: string }) => error.code === 'DATABASE_TOO_NEW');
  } finally {
    await db.close();
  }
});

test('a failing migration leaves nothing of itself behind', async () => {
  const db = await openDatabase({});
  try {
    const broken = [{ version: 1, name: 'broken', sql: 'CREATE TABLE half (id INTEGER); SELECT no_such_function();' }];
    await assert.rejects(migrate(db, broken));
    assert.equal((await db.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'half'")).length, 0);
    assert.equal((await db.query('SELECT 1 FROM schema_migrations')).length, 0);
  } finally {
    await db.close();
  }
});
