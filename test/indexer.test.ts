// The indexer on a real anvil and PGlite: activity lands in the projections; a reorg
// made with anvil_snapshot/anvil_revert removes the orphaned rows and indexes the new
// ones; a restart resumes without duplicates; a chain started again from genesis is
// noticed and indexed from the start; an index made before an area was followed starts
// over to take that area's earlier events; an RPC endpoint that drops is retried.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { getAddress } from 'viem';
import { tokens } from '../src/chain/parameters.ts';
import type { Database } from '../src/indexer/db/database.ts';
import { startIndexer, type Indexer } from '../src/indexer/indexer.ts';
import { lineLogger } from '../src/log.ts';
import { deposit } from '../src/sdk/accounts.ts';
import { deployBreastCancerMlpVerifier, registerZkVerifier } from '../src/zk/chain.ts';
import { migratedDatabase, roles, someActivity, startTestChain, type Activity, type TestChain } from './support/indexer.ts';

const count = async (db: Database, sql: string, params: unknown[] = []) => Number((await db.query<{ n: number }>(sql, params))[0]!.n);
const deposits = (db: Database) => count(db, "SELECT count(*)::int AS n FROM payments WHERE kind = 'deposit'");

function recordingLog() {
  const lines: string[] = [];
  return { lines, log: lineLogger((line) => lines.push(line)) };
}

describe('indexing a deployment', () => {
  let chain: TestChain;
  let db: Database;
  let indexer: Indexer;
  let activity: Activity;
  const { lines, log } = recordingLog();

  before(async () => {
    chain = await startTestChain();
    activity = await someActivity(chain);
    db = await migratedDatabase();
    indexer = await startIndexer({ rpcUrl: chain.rpcUrl, deployment: chain.deployment, db, log, pollIntervalMs: 3_600_000 });
    await indexer.syncOnce();
  });
  after(async () => {
    await indexer?.stop();
    await db?.close();
    await chain?.dispose();
  });

  test('the projections hold the model, the deposit, the provider and the redemption', async () => {
    const client = chain.accounts[roles.client]!.address;
    const provider = chain.accounts[roles.provider]!.address;
    const [model] = await db.query('SELECT owner, royalty_bps, content_hash, metadata_uri FROM models WHERE id = $1', [activity.modelId]);
    assert.equal(model?.owner, chain.accounts[roles.modelOwner]!.address);
    assert.equal(model?.royalty_bps, 500);
    const [dep] = await db.query("SELECT amount FROM payments WHERE kind = 'deposit' AND account = $1", [client]);
    assert.equal(dep?.amount, activity.deposited.toString());
    const [row] = await db.query('SELECT active_stake, endpoint FROM providers WHERE address = $1', [provider]);
    assert.equal(row?.active_stake, activity.stake.toString());
    const [redeemed] = await db.query("SELECT amount, provider, model_id FROM payments WHERE kind = 'redemption'");
    assert.equal(redeemed?.amount, activity.paid.toString());
    assert.equal(redeemed?.provider, provider);
    assert.equal(redeemed?.model_id, activity.modelId);
    const status = indexer.status();
    assert.equal(status.lag, 0);
    assert.equal(status.skippedLogs, 0);
  });

  test('every event is stored raw, including the deployment funding transfers', async () => {
    const names = (await db.query<{ name: string }>('SELECT DISTINCT name FROM raw_events')).map((r) => r.name);
    for (const name of ['Transfer', 'ModelPublished', 'Deposited', 'ProviderRegistered', 'VoucherRedeemed', 'PaymentSplit'])
      assert.ok(names.includes(name), name);
  });

  test('a block waits for its confirmations before it is indexed', async () => {
    const waiting = await migratedDatabase();
    const confirmed = await startIndexer({ rpcUrl: chain.rpcUrl, deployment: chain.deployment, db: waiting, confirmations: 3, pollIntervalMs: 3_600_000 });
    try {
      await confirmed.syncOnce();
      const head = Number(await (await chain.signer(roles.client)).publicClient.getBlockNumber());
      assert.equal(confirmed.status().head, head);
      assert.equal(confirmed.status().indexedBlock, head - 3);
      assert.equal(confirmed.status().lag, 3);
      // The redemption was the last transaction: its block is not confirmed yet.
      assert.equal(await count(waiting, "SELECT count(*)::int AS n FROM payments WHERE kind = 'redemption'"), 0);
      await chain.anvil.mine({ blocks: 3 });
      await confirmed.syncOnce();
      assert.equal(await count(waiting, "SELECT count(*)::int AS n FROM payments WHERE kind = 'redemption'"), 1);
    } finally {
      await confirmed.stop();
      await waiting.close();
    }
  });

  test('a reorg removes the orphaned rows and indexes the new fork', async () => {
    const client = await chain.signer(roles.client);
    const snapshot = await chain.anvil.snapshot();
    await deposit(client, chain.deployment, tokens('1'));
    await deposit(client, chain.deployment, tokens('2'));
    await indexer.syncOnce();
    assert.equal(await deposits(db), 3);
    const orphanedHead = indexer.status().indexedBlock;

    await chain.anvil.revert({ id: snapshot });
    await deposit(client, chain.deployment, tokens('3'));
    await chain.anvil.mine({ blocks: 5 });
    await indexer.syncOnce();
    const amounts = (await db.query<{ amount: string }>("SELECT amount FROM payments WHERE kind = 'deposit' ORDER BY block_number")).map((r) => r.amount);
    assert.deepEqual(amounts, [activity.deposited, tokens('3')].map(String));
    assert.ok(indexer.status().indexedBlock > orphanedHead, 'went on past the orphaned head');
    // The provider and model rows, rebuilt from the remaining events, are intact.
    assert.equal(await count(db, 'SELECT count(*)::int AS n FROM providers'), 1);
    assert.equal(await count(db, 'SELECT count(*)::int AS n FROM models'), 1);
    assert.ok(
      lines.some((l) => l.includes('reorg') || l.includes('restarted from an earlier block')),
      lines.join('\n'),
    );
    assert.ok(lines.some((l) => l.includes('rewound')));
  });

  test('a log that cannot be decoded is recorded, counted and skipped', async () => {
    // Code at a Trellis address that emits an event no ABI declares: LOG1 with topic 0xee..ee.
    const bogus = `0x7f${'ee'.repeat(32)}60006000a100` as const;
    await chain.anvil.setCode({ address: chain.deployment.contracts.disputeGame, bytecode: bogus });
    const sender = await chain.signer(roles.client);
    await sender.publicClient.waitForTransactionReceipt({ hash: await sender.walletClient.sendTransaction({ to: chain.deployment.contracts.disputeGame }) });
    await deposit(sender, chain.deployment, tokens('6'));
    await indexer.syncOnce();
    assert.equal(indexer.status().skippedLogs, 1);
    const [skipped] = await db.query('SELECT address, reason FROM skipped_logs');
    assert.equal(skipped?.address, chain.deployment.contracts.disputeGame);
    assert.ok(lines.some((l) => l.includes('skipped a log')));
    assert.ok((await db.query("SELECT 1 FROM payments WHERE kind = 'deposit' AND amount = $1", [tokens('6').toString()])).length === 1, 'indexing went on');
  });

  test('an index made before the zk contracts were followed starts over once, and then holds their earlier events', async () => {
    // A verifier registered on chain while the index followed only the older areas.
    const owner = await chain.signer(roles.modelOwner);
    await registerZkVerifier(owner, chain.deployment.zk!.zkRegistry, activity.modelId, await deployBreastCancerMlpVerifier(owner), 4_242n);
    const { zk: _, ...older } = chain.deployment;
    const earlier = await migratedDatabase();
    try {
      const before = await startIndexer({ rpcUrl: chain.rpcUrl, deployment: older, db: earlier, pollIntervalMs: 3_600_000 });
      await before.syncOnce();
      await before.stop();
      assert.equal(await count(earlier, 'SELECT count(*)::int AS n FROM zk_verifiers'), 0, 'not followed, not indexed');
      const { lines, log } = recordingLog();
      const now = await startIndexer({ rpcUrl: chain.rpcUrl, deployment: chain.deployment, db: earlier, log, pollIntervalMs: 3_600_000 });
      await now.syncOnce();
      await now.stop();
      assert.ok(
        lines.some((l) => l.includes('starting over') && l.includes('did not follow the zkRegistry contract')),
        lines.join('\n'),
      );
      assert.deepEqual(
        (await earlier.query('SELECT model_id, commitment FROM zk_verifiers')).map((r) => [r.model_id, r.commitment]),
        [[activity.modelId, '4242']],
      );
    } finally {
      await earlier.close();
    }
  });
});

describe('restarts', () => {
  let chain: TestChain;
  const dbDir = mkdtempSync(join(tmpdir(), 'trellis-indexer-db-'));

  before(async () => {
    chain = await startTestChain();
    await someActivity(chain);
  });
  after(async () => {
    await chain?.dispose();
    rmSync(dbDir, { recursive: true, force: true });
  });

  test('a restarted indexer resumes from its last block without duplicates', async () => {
    let db = await migratedDatabase(dbDir);
    let indexer = await startIndexer({ rpcUrl: chain.rpcUrl, deployment: chain.deployment, db, pollIntervalMs: 3_600_000 });
    await indexer.syncOnce();
    const events = await count(db, 'SELECT count(*)::int AS n FROM raw_events');
    const indexed = indexer.status().indexedBlock;
    await indexer.stop();
    await db.close();

    await deposit(await chain.signer(roles.client), chain.deployment, tokens('4'));
    const { lines, log } = recordingLog();
    db = await migratedDatabase(dbDir);
    indexer = await startIndexer({ rpcUrl: chain.rpcUrl, deployment: chain.deployment, db, log, pollIntervalMs: 3_600_000 });
    assert.ok(
      lines.some((l) => l.includes('resuming') && l.includes(`indexedBlock=${indexed}`)),
      lines.join('\n'),
    );
    await indexer.syncOnce();
    assert.equal(await deposits(db), 2);
    // The new deposit adds its approval, its transfer and its Deposited event.
    assert.equal(await count(db, 'SELECT count(*)::int AS n FROM raw_events'), events + 3);
    await indexer.stop();
    await db.close();
  });

  test('a chain started again from genesis is noticed, and indexing starts over', async () => {
    // A new anvil without the old state: the same addresses, another genesis block.
    await chain.dispose();
    chain = await startTestChain();
    const { lines, log } = recordingLog();
    const db = await migratedDatabase(dbDir);
    const indexer = await startIndexer({ rpcUrl: chain.rpcUrl, deployment: chain.deployment, db, log, pollIntervalMs: 3_600_000 });
    await indexer.syncOnce();
    assert.ok(
      lines.some((l) => l.includes('starting over') && l.includes('genesis')),
      lines.join('\n'),
    );
    assert.equal(await deposits(db), 0, 'the old chain deposits are gone');
    assert.equal(await count(db, 'SELECT count(*)::int AS n FROM models'), 0);
    await indexer.stop();
    await db.close();
  });

  // On the chain the test above started, which has no deposit yet: a chain of its own would
  // cost another anvil and deployment for nothing this test reads.
  test('a chain node that drops is retried with backoff and indexing goes on once it is back', async () => {
    const { startProxy } = await import('./support/tcp-proxy.ts');
    const proxy = await startProxy(new URL(chain.rpcUrl).port);
    const db = await migratedDatabase();
    const { lines, log } = recordingLog();
    const indexer = await startIndexer({
      rpcUrl: proxy.url,
      deployment: chain.deployment,
      db,
      log,
      pollIntervalMs: 20,
      retryDelayMs: { first: 10, max: 50 },
    });
    try {
      await until(() => indexer.status().lag === 0);
      await proxy.stop();
      await deposit(await chain.signer(roles.client), chain.deployment, tokens('5'));
      await until(() => indexer.status().failures >= 2);
      assert.ok(
        lines.some((l) => l.includes('indexing step failed; retrying')),
        lines.join('\n'),
      );
      await proxy.start();
      await until(async () => (await deposits(db)) === 1);
      assert.equal(indexer.status().failures, 0);
      assert.ok(lines.some((l) => l.includes('answers again')));
      assert.equal(getAddress(chain.accounts[roles.client]!.address), (await db.query("SELECT account FROM payments WHERE kind = 'deposit'"))[0]!.account);
    } finally {
      await indexer.stop();
      await proxy.stop();
      await db.close();
    }
  });
});

/** Polls `condition` until it holds; the test runner's timeout bounds the wait. */
async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 20));
}
