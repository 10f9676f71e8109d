// The projections of the events a short test chain rarely emits (a whole dispute, a
// slash, unbonding, a royalty change), applied to PGlite without a chain, then rebuilt
// from raw events: the rebuilt tables equal the ones built forward. The API shows the
// dispute with its moves and payouts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Address, Hex } from 'viem';
import { createIndexerApp } from './api/server.ts';
import { openDatabase, type Database } from './db/database.ts';
import { migrate } from './db/migrate.ts';
import type { EventArgs, IndexedEvent } from './events.ts';
import type { IndexerStatus } from './indexer.ts';
import { projectionTables, rebuildProjections } from './projections.ts';
import { storeRange } from './store.ts';

const addr = (n: number) => `0x${n.toString(16).padStart(40, '0')}` as Address;
const hash = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hex;
const provider = addr(0xa1);
const challenger = addr(0xc1);
const client = addr(0xc2);
const disputeId = hash(0xd1);
const modelId = hash(0x31);

let logIndex = 0;
const event = (blockNumber: number, contract: IndexedEvent['contract'], name: string, args: EventArgs): IndexedEvent => ({
  blockNumber,
  logIndex: logIndex++,
  txHash: hash(0x1000 + blockNumber),
  contract,
  address: addr(0xee),
  name,
  args,
});

const history: IndexedEvent[] = [
  event(10, 'modelRegistry', 'ModelPublished', {
    modelId,
    owner: addr(0x99),
    contentHash: hash(0x32),
    weightCommitment: hash(0x33),
    metadataURI: 'trellis://m',
    royaltyBps: 100,
  }),
  event(10, 'modelRegistry', 'RoyaltyIncreaseScheduled', { modelId, currentRoyaltyBps: 100, newRoyaltyBps: 300, effectiveAt: '5000' }),
  event(10, 'providerRegistry', 'ProviderRegistered', { provider, endpoint: 'http://p', pubKey: '0x04', stake: '1000' }),
  event(11, 'providerRegistry', 'UnbondingStarted', { provider, amount: '200', readyAt: '99', activeStake: '800' }),
  event(12, 'disputeGame', 'DisputeOpened', { id: disputeId, challenger, provider, receiptId: hash(0x77), client, modelId, bond: '50', deadline: '100' }),
  event(12, 'providerRegistry', 'DisputeCountChanged', { provider, slasher: addr(0xdd), open: '1' }),
  event(13, 'disputeGame', 'RootsRevealed', { id: disputeId, roots: [hash(1), hash(2)], deadline: '200' }),
  event(14, 'disputeGame', 'LayerChosen', { id: disputeId, layer: '1', size: '4', deadline: '300' }),
  event(15, 'providerRegistry', 'ProviderSlashed', {
    provider,
    recipient: addr(0xdd),
    slasher: addr(0xdd),
    requested: '300',
    fromActive: '250',
    fromUnbonding: '50',
  }),
  event(15, 'providerRegistry', 'ProviderJailed', { provider, until: '4000', slasher: addr(0xdd) }),
  event(15, 'disputeGame', 'ProviderPenalized', {
    id: disputeId,
    provider,
    slashed: '300',
    clientRefund: '100',
    challengerReward: '150',
    treasuryShare: '50',
    jailedUntil: '4000',
  }),
  event(15, 'disputeGame', 'DisputeResolved', { id: disputeId, providerLost: true, outcome: 1, winner: challenger }),
  event(15, 'disputeGame', 'Credited', { account: challenger, amount: '200' }),
];

async function indexed(): Promise<Database> {
  const db = await openDatabase({});
  await migrate(db);
  await db.query("INSERT INTO indexer_state (id, chain_id, genesis_hash, deployment_block, contracts, indexed_block) VALUES (1, 1, '0x00', 10, '{}', 9)");
  for (const number of [10, 11, 12, 13, 14, 15]) {
    await storeRange(db, {
      blocks: [{ number, hash: hash(0x5000 + number), parentHash: hash(0x5000 + number - 1), timestamp: number }],
      events: history.filter((e) => e.blockNumber === number),
      skipped: [],
      toBlock: number,
    });
  }
  return db;
}

const snapshot = async (db: Database) =>
  Object.fromEntries(await Promise.all(projectionTables.map(async (t) => [t, await db.query(`SELECT * FROM ${t} ORDER BY 1, 2`)])));

test('a dispute, a slash and unbonding project as they should', async () => {
  const db = await indexed();
  try {
    const [p] = await db.query('SELECT * FROM providers');
    assert.equal(p?.active_stake, '550');
    assert.equal(p?.unbonding_stake, '150');
    assert.equal(p?.slashed_total, '300');
    assert.equal(p?.slash_count, 1);
    assert.equal(p?.jailed_until, 4000);
    assert.equal(p?.open_disputes, 1);
    const [d] = await db.query('SELECT * FROM disputes');
    assert.equal(d?.resolved, true);
    assert.equal(d?.provider_lost, true);
    assert.equal(d?.winner, challenger);
    assert.equal(d?.last_move, 'DisputeResolved');
    assert.equal(d?.deadline, 300);
    const moves = await db.query<{ name: string }>('SELECT name FROM dispute_moves ORDER BY block_number, log_index');
    assert.deepEqual(
      moves.map((m) => m.name),
      ['DisputeOpened', 'RootsRevealed', 'LayerChosen', 'DisputeResolved'],
    );
    const [m] = await db.query('SELECT * FROM models');
    assert.equal(m?.pending_royalty_bps, 300);

    const app = createIndexerApp({ db, indexer: { status: () => ({}) as IndexerStatus, subscribe: () => () => {} } });
    const response = await app.request(`/v1/disputes/${disputeId}`);
    assert.equal(response.status, 200);
    const body = (await response.json()) as { moves: { name: string }[]; payouts: { kind: string; amount: string }[] };
    assert.equal(body.moves.length, 4);
    assert.deepEqual(
      body.payouts.map((x) => [x.kind, x.amount]),
      [['penalty', '300']],
    );
    const open = (await (await app.request('/v1/disputes?resolved=false')).json()) as { items: unknown[] };
    assert.equal(open.items.length, 0);
  } finally {
    await db.close();
  }
});

test('rebuilding from raw events gives the same tables as applying them forward', async () => {
  const db = await indexed();
  try {
    const forward = await snapshot(db);
    await db.transaction((tx) => rebuildProjections(tx));
    assert.deepEqual(await snapshot(db), forward);
  } finally {
    await db.close();
  }
});
