// The indexer on a PostgreSQL server reached through DATABASE_URL and `pg`, not the
// embedded database: PGlite behind a socket server speaks the PostgreSQL wire protocol,
// so this runs the server path (connection string, pool, type parsing, transactions)
// end to end. The same chain is indexed into the embedded database as well, and every
// projection must come out row for row the same; a reorg is rewound on the server path
// too; a server that cannot be reached is one named error.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { tokens } from '../src/chain/parameters.ts';
import { listModels, listProviders } from '../src/indexer/api/queries.ts';
import { openDatabase, type Database } from '../src/indexer/db/database.ts';
import { migrate } from '../src/indexer/db/migrate.ts';
import { IndexerError } from '../src/indexer/errors.ts';
import { startIndexer, type Indexer } from '../src/indexer/indexer.ts';
import { deposit } from '../src/sdk/accounts.ts';
import { closedPort } from './support/closed-port.ts';
import { migratedDatabase, roles, someActivity, startTestChain, type TestChain } from './support/indexer.ts';

/** Every projection table, in a stable order, as plain JSON. */
const PROJECTIONS = ['providers', 'models', 'payments', 'disputes'];
async function projections(db: Database): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of PROJECTIONS) out[table] = await db.query(`SELECT * FROM ${table} ORDER BY 1, 2`);
  return out;
}

describe('the indexer on a PostgreSQL server through DATABASE_URL', () => {
  let chain: TestChain;
  let backend: PGlite;
  let server: PGLiteSocketServer;
  let db: Database;
  let embedded: Database;
  let indexer: Indexer;
  let embeddedIndexer: Indexer;
  let applied: number[];

  before(async () => {
    chain = await startTestChain();
    await someActivity(chain);
    backend = await PGlite.create();
    server = new PGLiteSocketServer({ db: backend, host: '127.0.0.1', port: 0, maxConnections: 4 });
    await server.start();
    db = await openDatabase({ databaseUrl: `postgres://postgres@${server.getServerConn()}/postgres` });
    applied = await migrate(db);
    embedded = await migratedDatabase();
    const common = { rpcUrl: chain.rpcUrl, deployment: chain.deployment, pollIntervalMs: 3_600_000 };
    indexer = await startIndexer({ ...common, db });
    embeddedIndexer = await startIndexer({ ...common, db: embedded });
  });
  after(async () => {
    await indexer?.stop();
    await embeddedIndexer?.stop();
    await db?.close();
    await embedded?.close();
    await server?.stop();
    await backend?.close();
    await chain?.dispose();
  });

  test('migrations apply once over the wire, and say so', async () => {
    assert.ok(applied.length > 0, 'a fresh server database is migrated');
    assert.deepEqual(await migrate(db), [], 'and not twice');
    assert.match(db.description, /^PostgreSQL at 127\.0\.0\.1:\d+\/postgres$/);
  });

  test('the same chain indexes into the same rows as in the embedded database', async () => {
    await indexer.syncOnce();
    await embeddedIndexer.syncOnce();
    const served = await projections(db);
    assert.ok(served.payments!.length >= 2, 'the deposit and the redemption are there');
    assert.deepEqual(served, await projections(embedded));
    assert.equal(indexer.status().indexedBlock, embeddedIndexer.status().indexedBlock);
    // The API's joined list rows (related rows as JSON, amounts as text) read the same through `pg`.
    const page = { limit: 20, cursor: undefined };
    const models = await listModels(db, {}, page);
    assert.deepEqual(models, await listModels(embedded, {}, page));
    assert.deepEqual(
      models.items.map((m) => (m.earnings as { redemptions: number }).redemptions),
      [1],
      'the redemption is summed through the server too',
    );
    assert.deepEqual(await listProviders(db, page), await listProviders(embedded, page));
  });

  test('a reorg is rewound in the server database as in the embedded one', async () => {
    const client = await chain.signer(roles.client);
    const snapshot = await chain.anvil.snapshot();
    await deposit(client, chain.deployment, tokens('4'));
    await indexer.syncOnce();
    await chain.anvil.revert({ id: snapshot });
    await deposit(client, chain.deployment, tokens('5'));
    await chain.anvil.mine({ blocks: 3 });
    await indexer.syncOnce();
    await embeddedIndexer.syncOnce();
    const amounts = (await db.query<{ amount: string }>("SELECT amount FROM payments WHERE kind = 'deposit' ORDER BY block_number")).map((r) => r.amount);
    assert.ok(amounts.includes(tokens('5').toString()) && !amounts.includes(tokens('4').toString()), amounts.join(','));
    assert.deepEqual(await projections(db), await projections(embedded));
  });

  test('a server that cannot be reached is DATABASE_UNREACHABLE, naming it without its password', async () => {
    const port = await closedPort();
    await assert.rejects(openDatabase({ databaseUrl: `postgres://trellis:secret@127.0.0.1:${port}/trellis` }), (error: unknown) => {
      assert.ok(error instanceof IndexerError && error.code === 'DATABASE_UNREACHABLE', String(error));
      assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port}/trellis`));
      assert.doesNotMatch(error.message, /secret/);
      return true;
    });
  });
});
