// The one database interface the indexer and its API are written against. Two
// implementations sit behind it: PGlite, a real PostgreSQL compiled to WebAssembly
// that keeps its files in a data folder (the default, nothing to install), and any
// PostgreSQL server reached with `pg` through DATABASE_URL. Both speak the same SQL;
// every query is parameterised ($1, $2, ...), never built from input.
export type Row = Record<string, unknown>;

export type Queryable = {
  query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs several statements without parameters (a migration file). */
  exec(sql: string): Promise<void>;
};

export type Database = Queryable & {
  /** Runs `work` in one transaction: all of it commits, or none of it on a throw. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** Where the data lives, for log lines (never a password). */
  readonly description: string;
};

export type DatabaseOptions = {
  /** A PostgreSQL connection string; when set, PGlite is not used. */
  databaseUrl?: string;
  /** PGlite's folder; undefined keeps the database in memory (tests). */
  dataDir?: string;
};

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl) {
    const { openPgDatabase } = await import('./pg-database.ts');
    return openPgDatabase(options.databaseUrl);
  }
  const { openPgliteDatabase } = await import('./pglite-database.ts');
  return openPgliteDatabase(options.dataDir);
}
