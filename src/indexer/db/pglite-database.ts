// The embedded PostgreSQL (PGlite). One connection only, so a transaction holds it:
// PGlite queues other queries until the transaction ends.
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { Database, Queryable, Row } from './database.ts';

export async function openPgliteDatabase(dataDir: string | undefined): Promise<Database> {
  // PGlite creates its own folder but not the folders above it.
  if (dataDir !== undefined) mkdirSync(dataDir, { recursive: true });
  const db = dataDir === undefined ? await PGlite.create() : await PGlite.create(dataDir);
  const wrap = (q: Pick<PGlite, 'query' | 'exec'>): Queryable => ({
    query: async <T extends Row>(sql: string, params: readonly unknown[] = []) => (await q.query<T>(sql, [...params])).rows,
    exec: async (sql: string) => {
      await q.exec(sql);
    },
  });
  return {
    ...wrap(db),
    transaction: (work) => db.transaction((tx) => work(wrap(tx))),
    close: () => db.close(),
    description: dataDir === undefined ? 'PGlite in memory' : `PGlite at ${dataDir}`,
  };
}
