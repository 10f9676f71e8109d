// The projections of zk verification (verifiers, recorded results, slashes for a failing
// proof) and of the federated-training availability game (demands answered and left
// unanswered), applied to PGlite without a chain: what each table holds, what the API
// serves from it (the zk requests the gateway reported with their proof status, a
// task's demands under their round), that a rewind removes exactly the rows the orphaned
// blocks added, that a rebuild equals the forward build, and that bad parameters get a
// named 400 and never reach SQL; and that a demand spammer cannot swell a page of tasks.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { getAddress, type Address, type Hex } from 'viem';
import { createIndexerApp } from './api/server.ts';
import { openDatabase, type Database } from './db/database.ts';
import { migrate } from './db/migrate.ts';
import type { EventArgs, IndexedEvent } from './events.ts';
import type { IndexerStatus } from './indexer.ts';
import { AGGREGATE_TARGET } from './projections-fl-availability.ts';
import { projectionTables, rebuildProjections } from './projections.ts';
import { rewindTo, storeRange } from './store.ts';

const addr = (n: number): Address => getAddress(`0x${n.toString(16).padStart(40, '0')}`);
const hash = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hex;
const modelId = hash(0x31);
const otherModel = hash(0x32);
const provider = addr(0xa1);
const reporter = addr(0xb1);
const demander = addr(0xc1);
const answerer = addr(0xc2);

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

const config = { aggregator: addr(0xa9), rewardPool: '90', rounds: '2' };
const history: IndexedEvent[] = [
  event(20, 'modelRegistry', 'ModelPublished', {
    modelId,
    owner: addr(0x99),
    contentHash: hash(1),
    weightCommitment: hash(2),
    metadataURI: 'trellis:models/breast-cancer-mlp',
    royaltyBps: 0,
  }),
  event(20, 'zkRegistry', 'VerifierRegistered', { modelId, verifier: addr(0x51), poseidonCommitment: '111' }),
  event(20, 'federatedTraining', 'TaskCreated', { taskId: '1', owner: addr(0x98), config, initialModelCid: 'ipfs://initial' }),
  event(20, 'federatedTraining', 'RoundOpened', { taskId: '1', round: '1', start: '100', submitEnd: '130' }),
  event(21, 'zkRegistry', 'ResultVerified', { modelId, ioHash: '777', poseidonCommitment: '111', submitter: addr(0xd1) }),
  event(21, 'flAvailability', 'OpeningDemanded', {
    taskId: '1',
    round: '1',
    demandId: '1',
    demander,
    target: 0,
    index: 2,
    bond: '5',
    deadline: '160',
  }),
  event(22, 'flAvailability', 'DemandAnswered', {
    taskId: '1',
    round: '1',
    demandId: '1',
    answerer,
    target: 0,
    index: 2,
    value: '-42',
    challengeEnd: '190',
  }),
  // Orphaned below: a second registration, a demand on the aggregate left unanswered, a slash.
  event(23, 'zkRegistry', 'VerifierRegistered', { modelId, verifier: addr(0x52), poseidonCommitment: '222' }),
  event(23, 'flAvailability', 'OpeningDemanded', {
    taskId: '1',
    round: '1',
    demandId: '2',
    demander,
    target: AGGREGATE_TARGET,
    index: 0,
    bond: '5',
    deadline: '200',
  }),
  event(24, 'flAvailability', 'DemandUnanswered', { taskId: '1', round: '1', demandId: '2', target: AGGREGATE_TARGET, index: 0, voided: true }),
  event(24, 'zkReceiptSlasher', 'ZkReceiptSlashed', { receiptId: hash(0x77), provider, reporter, slashed: '50000000', reward: '5000000' }),
];

let db: Database;
const app = () => createIndexerApp({ db, indexer: { status: () => ({}) as IndexerStatus, subscribe: () => () => {} } });
const get = async (path: string) => {
  const response = await app().request(path);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> & { items: Record<string, unknown>[] } };
};
const refused = async (path: string, code: string) => {
  const { status, body } = await get(path);
  assert.equal(status, 400, `${path}: ${JSON.stringify(body)}`);
  assert.equal((body.error as { code: string }).code, code, path);
};

before(async () => {
  db = await openDatabase({});
  await migrate(db);
  await db.query("INSERT INTO indexer_state (id, chain_id, genesis_hash, deployment_block, contracts, indexed_block) VALUES (1, 1, '0x00', 20, '{}', 19)");
  for (const number of [20, 21, 22, 23, 24]) {
    await storeRange(db, {
      blocks: [{ number, hash: hash(0x5000 + number), parentHash: hash(0x5000 + number - 1), timestamp: number }],
      events: history.filter((e) => e.blockNumber === number),
      skipped: [],
      toBlock: number,
    });
  }
  // What a followed gateway reported: a zk request answered, one refused, and one not in zk.
  const request = (seq: number, status: string, verification: string) =>
    db.query(
      `INSERT INTO gateway_requests (gateway, seq, at_ms, request_hash, model_id, providers, attempts, latency_ms, status, verification)
       VALUES ('0x${'ab'.repeat(16)}', $1, $2, $3, $4, $5, 1, 900, $6, $7)`,
      [seq, 1_000 + seq, hash(0x900 + seq), modelId, JSON.stringify([provider]), status, verification],
    );
  await request(1, 'ok', 'zk');
  await request(2, 'ZK_NOT_SERVED', 'zk');
  await request(3, 'ok', 'optimistic');
});
after(() => db?.close());

test('zk: the latest verifier per model, recorded results, slashes and the zk requests with their proof status', async () => {
  const verifiers = await get('/v1/zk/verifiers');
  assert.equal(verifiers.status, 200);
  assert.deepEqual(
    verifiers.body.items.map((v) => [v.modelId, v.verifier, v.commitment, v.registrations, v.results, v.requests, v.metadataURI]),
    [[modelId, addr(0x52), '222', 2, 1, 2, 'trellis:models/breast-cancer-mlp']],
    're-registered: the second verifier counts; two zk requests, not the optimistic one',
  );
  const requests = await get('/v1/zk/requests');
  assert.deepEqual(
    requests.body.items.map((r) => [r.seq, r.status, r.proofStatus]),
    [
      [2, 'ZK_NOT_SERVED', 'refused'],
      [1, 'ok', 'bound'],
    ],
  );
  assert.deepEqual(
    (await get('/v1/zk/requests?proofStatus=bound')).body.items.map((r) => r.seq),
    [1],
  );
  assert.equal((await get(`/v1/zk/requests?modelId=${otherModel}`)).body.items.length, 0);
  const results = await get(`/v1/zk/results?modelId=${modelId}`);
  assert.deepEqual(
    results.body.items.map((r) => [r.ioHash, r.commitment, r.submitter, r.blockNumber]),
    [['777', '111', addr(0xd1), 21]],
  );
  const slashes = await get(`/v1/zk/slashes?provider=${provider}`);
  assert.deepEqual(
    slashes.body.items.map((s) => [s.receiptId, s.reporter, s.slashed, s.reward]),
    [[hash(0x77), reporter, '50000000', '5000000']],
  );
  assert.equal((await get(`/v1/zk/slashes?provider=${reporter}`)).body.items.length, 0, 'the reporter was not slashed');
});

test('the availability game: an answered demand and an unanswered one that voided the post, under their round', async () => {
  const task = await get('/v1/fl/tasks/1');
  assert.equal(task.status, 200);
  const [round] = task.body.roundList as { round: number; demands: Record<string, unknown>[] }[];
  assert.deepEqual(
    round?.demands.map((d) => [d.id, d.target, d.index, d.status, d.answerer, d.value, d.challengeEnd, d.voided]),
    [
      [1, 0, 2, 'answered', answerer, '-42', 190, null],
      [2, 'aggregate', 0, 'unanswered', null, null, null, true],
    ],
  );
  assert.deepEqual(
    (await get('/v1/fl/demands?status=unanswered')).body.items.map((d) => d.id),
    [2],
  );
  assert.deepEqual(
    (await get('/v1/fl/demands?taskId=1&limit=1')).body.items.map((d) => d.id),
    [2],
    'newest first, one per page',
  );
  assert.equal((await get('/v1/fl/demands?taskId=2')).body.items.length, 0);
});

test('bad parameters of the new routes: 400 with a named code', async () => {
  await refused('/v1/fl/demands?status=lost', 'INVALID_QUERY');
  await refused('/v1/fl/demands?taskId=0', 'INVALID_ID');
  await refused("/v1/fl/demands?taskId=1'%20OR%20'1'='1", 'INVALID_ID');
  await refused('/v1/fl/demands?round=1', 'INVALID_QUERY');
  await refused('/v1/zk/requests?proofStatus=verified', 'INVALID_QUERY');
  await refused('/v1/zk/requests?modelId=0x1234', 'INVALID_ID');
  await refused('/v1/zk/results?submitter=nobody', 'INVALID_ADDRESS');
  await refused('/v1/zk/slashes?provider=0x12;DROP%20TABLE%20zk_slashes', 'INVALID_ADDRESS');
  await refused('/v1/zk/verifiers?limit=0', 'INVALID_LIMIT');
  await refused('/v1/zk/results?cursor=bm90LWEtY3Vyc29y', 'INVALID_CURSOR');
  // A cursor of the demands list does not fit the results list's key.
  const demands = await get('/v1/fl/demands?limit=1');
  assert.ok(demands.body.nextCursor);
  await refused(`/v1/zk/results?cursor=${demands.body.nextCursor}`, 'INVALID_CURSOR');
  const [count] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM zk_slashes');
  assert.equal(count?.n, 1, 'nothing was dropped');
});

const snapshot = async () =>
  JSON.stringify(Object.fromEntries(await Promise.all(projectionTables.map(async (t) => [t, await db.query(`SELECT * FROM ${t} ORDER BY 1, 2`)]))));

test('a rewind removes the rows the orphaned blocks added, and a rebuild equals the forward build', async () => {
  const forward = await snapshot();
  await db.transaction((tx) => rebuildProjections(tx));
  assert.equal(await snapshot(), forward);

  // Blocks 23 and 24 are orphaned: the second registration, the second demand and its
  // settlement, and the slash go; what blocks 20 to 22 added stays.
  assert.equal(await rewindTo(db, 22), 4);
  const [verifier] = await db.query('SELECT verifier, commitment, registrations FROM zk_verifiers');
  assert.deepEqual(verifier, { verifier: addr(0x51), commitment: '111', registrations: 1 });
  assert.deepEqual(
    (await db.query('SELECT demand_id, status FROM fl_demands ORDER BY demand_id')).map((d) => [Number(d.demand_id), d.status]),
    [[1, 'answered']],
  );
  assert.equal((await db.query('SELECT * FROM zk_slashes')).length, 0);
  assert.equal((await db.query('SELECT * FROM zk_results')).length, 1);
  assert.equal((await get('/v1/zk/slashes')).body.items.length, 0);

  // The unanswered demand alone orphaned: back to the answered one and a pending one.
  await storeRange(db, {
    blocks: [{ number: 23, hash: hash(0x6023), parentHash: hash(0x5022), timestamp: 23 }],
    events: history.filter((e) => e.blockNumber === 23),
    skipped: [],
    toBlock: 23,
  });
  assert.deepEqual(
    (await db.query('SELECT demand_id, status, voided FROM fl_demands ORDER BY demand_id')).map((d) => [Number(d.demand_id), d.status, d.voided]),
    [
      [1, 'answered', null],
      [2, 'pending', null],
    ],
  );
});

test('a demand spammer cannot swell the list of tasks: a row carries the latest demands and their count, amounts exact', async () => {
  // Twelve more demands in round 1, each bonding the largest uint256 (a JSON number would round it).
  const huge = (2n ** 256n - 1n).toString();
  const spam = Array.from({ length: 12 }, (_, k) =>
    event(25, 'flAvailability', 'OpeningDemanded', {
      taskId: '1',
      round: '1',
      demandId: String(3 + k),
      demander: addr(0xc3),
      target: 1,
      index: k,
      bond: huge,
      deadline: '300',
    }),
  );
  await storeRange(db, { blocks: [{ number: 25, hash: hash(0x6025), parentHash: hash(0x6023), timestamp: 25 }], events: spam, skipped: [], toBlock: 25 });
  const row = (await get('/v1/fl/tasks')).body.items[0] ?? {};
  const [round] = row.roundList as { demandCount: number; demands: { id: number; bond: string }[] }[];
  assert.equal(round?.demandCount, 14, 'every demand counted');
  assert.deepEqual(
    round?.demands.map((d) => d.id),
    [5, 6, 7, 8, 9, 10, 11, 12, 13, 14],
    'the latest ten, oldest of them first',
  );
  assert.ok(round?.demands.every((d) => d.bond === huge));
  const record = (await get('/v1/fl/tasks/1')).body as unknown as { roundList: { demands: unknown[] }[] };
  assert.equal(record.roundList[0]?.demands.length, 14, "the task's own record carries them all");
});
