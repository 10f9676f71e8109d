// A PostgreSQL server through `pg` (DATABASE_URL). Tests reach it over the wire protocol
// with PGlite behind a socket server (test/indexer-postgres.test.ts), so this path runs
// the same migrations and projections as the embedded one.
import pg from 'pg';
import { IndexerError } from '../errors.ts';
import type { Database, Queryable, Row } from './database.ts';

export async function openPgDatabase(url: string): Promise<Database> {
  // BIGINT columns (block numbers, times) come back as numbers, as PGlite gives them;
  // NUMERIC (token amounts) stays a string in both.
  const types = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === pg.types.builtins.INT8 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
  };
  const pool = new pg.Pool({ connectionString: url, max: 4, types, connectionTimeoutMillis: 10_000 });
  try {
    await pool.query('SELECT 1');
  } catch (cause) {
    await pool.end().catch(() => {});
    throw new IndexerError('DATABASE_UNREACHABLE', `The PostgreSQL server at ${redact(url)} cannot be used.`, {
      details: ['check DATABASE_URL (or --database-url), or unset it to use the embedded database'],
      cause,
    });
  }
  const wrap = (client: pg.Pool | pg.PoolClient): Queryable => ({
    query: async <T extends Row>(sql: string, params: readonly unknown[] = []) => (await client.query<T>(sql, [...params])).rows,
    exec: async (sql: string) => {
      await client.query(sql);
    },
  });
  return {
    ...wrap(pool),
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
    description: `PostgreSQL at ${redact(url)}`,
  };
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    parsed.username = '';
    return parsed.host + parsed.pathname;
  } catch {
    return 'DATABASE_URL';
  }
}
