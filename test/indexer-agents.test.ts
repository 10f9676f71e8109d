// The index of the agent contracts and of federated training over a real chain: an
// agent's identity, limits, spends per period, validation and reputation; a training
// task's participants, submissions, the wrong aggregate proven and slashed, the right
// one and the rewards, the availability game's demand and its answer under the round, a
// zk verifier registered with its commitment. A reorg removes a spend from the index; a rebuild from raw
// events reproduces every table; a spend under a revoked permission moves nothing and
// adds nothing; bad ids, filters and cursors get a 4xx with a named code.
//
// Then the gateway's request log and the indexer following it: the log records what an
// /v1/infer exchange reported (provider, attempts, latency, status, verification), and
// the follower stores it over HTTP. The gateway is not trusted: malformed entries,
// entries out of order or replayed, and a restart that starts the numbers over are
// each refused or handled, and the summary the API serves counts only what was stored.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Hono } from 'hono';
import { getAddress } from 'viem';
import { spendPermissionsAbi } from '../src/chain/generated/SpendPermissions.ts';
import { logRequests, RequestLog, requestLogRoutes } from '../src/gateway/request-log.ts';
import { tokens } from '../src/chain/parameters.ts';
import { createIndexerApp, startIndexerApi } from '../src/indexer/api/server.ts';
import type { Database } from '../src/indexer/db/database.ts';
import { startGatewayFollower } from '../src/indexer/gateway-follower.ts';
import { availabilityGameOf } from '../src/indexer/events.ts';
import { startIndexer, type Indexer } from '../src/indexer/indexer.ts';
import { projectionTables, rebuildProjections } from '../src/indexer/projections.ts';
import { listen, type RunningServer } from '../src/net/http.ts';
import { ProtocolError } from '../src/protocol/errors.ts';
import { deployBreastCancerMlpVerifier, registerZkVerifier } from '../src/zk/chain.ts';
import {
  agentActivity,
  apiClient,
  migratedDatabase,
  roles,
  someActivity,
  startTestChain,
  trainingActivity,
  type AgentActivity,
  type TestChain,
  type TrainingActivity,
} from './support/indexer.ts';

const provider = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const hash = (byte: string) => `0x${byte.repeat(32)}`;

type Round = { round: number; status: string; submissions: { account: string; cid: string }[]; aggregate: { cid: string } | null };
type Outcome = { kind: string; account: string | null; amount: string; round: number | null };

describe('the index of agents and federated training', () => {
  let chain: TestChain;
  let db: Database;
  let indexer: Indexer;
  let api: RunningServer;
  let agents: AgentActivity;
  let training: TrainingActivity;
  let modelId: `0x${string}`;
  const { get, refused } = apiClient(() => api.url);

  before(async () => {
    chain = await startTestChain();
    const activity = await someActivity(chain);
    modelId = activity.modelId;
    agents = await agentActivity(chain.rpcUrl, chain.deployment, {
      client: chain.accounts[roles.client]!.address,
      provider: chain.accounts[roles.provider]!.address,
      modelId: activity.modelId,
    });
    training = await trainingActivity(chain.rpcUrl, chain.deployment);
    db = await migratedDatabase();
    indexer = await startIndexer({ rpcUrl: chain.rpcUrl, deployment: chain.deployment, db, pollIntervalMs: 50 });
    await indexer.syncOnce();
    api = await startIndexerApi({ db, indexer });
  });
  after(async () => {
    await api?.close();
    await indexer?.stop();
    await db?.close();
    await chain?.dispose();
  });

  test('an agent: identity with URI and wallet, validation, and the reputation its provider earned', async () => {
    const { status, body } = await get(`/v1/agents/${agents.agentId}`);
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.owner, agents.owner);
    assert.equal(body.uri, 'ipfs://agent-card');
    assert.equal(body.wallet, agents.owner, 'registering sets the wallet to the owner');
    const [validation] = body.validations as { requestHash: string; response: number; tag: string }[];
    assert.equal(validation?.requestHash, agents.validationHash);
    assert.equal(validation?.response, 90);
    assert.equal(validation?.tag, 'card');
    // The list row carries the latest validations, so a page of agents is one read.
    const listed = await get(`/v1/agents?owner=${agents.owner}`);
    assert.equal(listed.body.items?.length, 1);
    assert.deepEqual(
      ((listed.body.items?.[0]?.validations ?? []) as { requestHash: string; response: number }[]).map((v) => [v.requestHash, v.response]),
      [[agents.validationHash, 90]],
    );
    assert.equal((await get(`/v1/validations?agentId=${agents.agentId}`)).body.items?.length, 1);

    const reputation = await get(`/v1/reputation/${agents.reputation!.subject}`);
    assert.deepEqual(
      (reputation.body.scores as { tag: string; entries: number; total: string }[]).map((s) => [s.tag, s.entries, s.total]),
      [['redeemed', 1, agents.reputation!.value.toString()]],
    );
    const subjects = await get('/v1/reputation');
    assert.ok(subjects.body.items?.some((s) => s.subject === agents.reputation!.subject));
  });

  test('spend permissions: the limit, what the period spent, every payment, and the revoked one', async () => {
    const { status, body } = await get(`/v1/spend-permissions/${agents.permissionHash}`);
    assert.equal(status, 200, JSON.stringify(body));
    const total = agents.spends.reduce((a, b) => a + b, 0n);
    assert.equal(body.account, agents.owner);
    assert.equal(body.spender, agents.agentKey);
    assert.equal(body.allowance, tokens('5').toString());
    assert.equal(body.revoked, false);
    assert.equal(body.spentTotal, total.toString());
    const periods = body.periods as { spent: string; start: number; end: number }[];
    assert.equal(periods.length, 1);
    assert.equal(periods[0]!.spent, total.toString());
    assert.equal(periods[0]!.end - periods[0]!.start, 86_400);
    assert.deepEqual(
      (body.payments as { amount: string; payee: string }[]).map((p) => [p.payee, p.amount]),
      [...agents.spends].reverse().map((v) => [agents.payee, v.toString()]),
    );
    const revoked = await get(`/v1/spend-permissions/${agents.revokedHash}`);
    assert.equal(revoked.body.revoked, true);
    assert.equal(revoked.body.spentTotal, '0');
    const permissions = (await get(`/v1/spend-permissions?spender=${agents.agentKey}`)).body.items ?? [];
    assert.equal(permissions.length, 2);
    // Each list row carries its current period: what the page shows without a read per permission.
    const current = permissions.find((p) => p.hash === agents.permissionHash)?.currentPeriod as { spent: string; start: number } | undefined;
    assert.equal(current?.spent, total.toString());
    assert.equal(current?.start, periods[0]!.start);
    assert.equal(permissions.find((p) => p.hash === agents.revokedHash)?.currentPeriod, null, 'nothing spent under the revoked one');
    assert.equal((await get(`/v1/spend-payments?payee=${agents.payee}`)).body.items?.length, 2);
  });

  test('a training task: who submitted, the aggregate CID, the challenge and slash, the rewards', async () => {
    const { status, body } = await get(`/v1/fl/tasks/${training.taskId}`);
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.owner, training.owner);
    assert.equal(body.aggregator, training.aggregator);
    assert.equal(body.participants, 3);
    assert.equal(body.initialModelCid, 'ipfs://initial-model');
    const [round] = body.roundList as Round[];
    assert.equal(round?.round, 1);
    assert.deepEqual(
      round?.submissions.map((s) => s.account),
      training.participants,
    );
    assert.deepEqual(
      round?.submissions.map((s) => s.cid),
      ['ipfs://update-0', 'ipfs://update-1', 'ipfs://update-2'],
    );
    assert.equal(round?.aggregate?.cid, training.aggregateCid, 'the repost replaced the wrong aggregate');
    const outcomes = body.outcomes as Outcome[];
    const challenge = outcomes.find((o) => o.kind === 'challenge');
    assert.equal(challenge?.account, training.challenger);
    assert.equal(challenge?.amount, training.slashed.toString());
    assert.ok(outcomes.some((o) => o.kind === 'aggregator_slashed'));
    const rewards = outcomes.filter((o) => o.kind === 'reward');
    assert.deepEqual(
      rewards.map((r) => r.account),
      training.participants,
    );
    // Scores 3:2:1 of the round's pool.
    const [first, second, third] = rewards.map((r) => BigInt(r.amount));
    assert.ok(first! > second! && second! > third! && third! > 0n, `rewards follow the scores: ${rewards.map((r) => r.amount)}`);
    assert.equal((await get('/v1/fl/tasks')).body.items?.length, 1);
  });

  test('a spend under a revoked permission is refused on chain and adds nothing to the index', async () => {
    const key = await chain.anvil.impersonateAccount({ address: agents.agentKey }).then(() => agents.agentKey);
    const reader = (await chain.signer(0)).publicClient;
    try {
      const [approved] = await reader.getContractEvents({
        address: chain.deployment.agents!.spendPermissions,
        abi: spendPermissionsAbi,
        eventName: 'SpendPermissionRevoked',
        fromBlock: 0n,
      });
      const permission = approved!.args.spendPermission!;
      await assert.rejects(
        reader.simulateContract({
          account: key,
          address: chain.deployment.agents!.spendPermissions,
          abi: spendPermissionsAbi,
          functionName: 'spend',
          args: [permission, agents.payee, tokens('1')],
        }),
        /SpendPermissionIsRevoked/,
      );
    } finally {
      await chain.anvil.stopImpersonatingAccount({ address: key });
    }
    await indexer.syncOnce();
    assert.equal((await get(`/v1/spend-permissions/${agents.revokedHash}`)).body.spentTotal, '0');
  });

  test('a reorg that drops a spend drops it from the index; a rebuild from raw events changes nothing', async () => {
    const snapshot = await chain.anvil.snapshot();
    await chain.anvil.impersonateAccount({ address: agents.agentKey });
    const signer = await chain.signer(0);
    const [approved] = await signer.publicClient.getContractEvents({
      address: chain.deployment.agents!.spendPermissions,
      abi: spendPermissionsAbi,
      eventName: 'SpendPermissionApproved',
      args: { hash: agents.permissionHash },
      fromBlock: 0n,
    });
    await signer.walletClient.writeContract({
      account: agents.agentKey,
      chain: signer.walletClient.chain,
      address: chain.deployment.agents!.spendPermissions,
      abi: spendPermissionsAbi,
      functionName: 'spend',
      args: [approved!.args.spendPermission!, agents.payee, tokens('1')],
    });
    await chain.anvil.mine({ blocks: 1 });
    await chain.anvil.stopImpersonatingAccount({ address: agents.agentKey });
    await indexer.syncOnce();
    const before = agents.spends.reduce((a, b) => a + b, 0n);
    assert.equal((await get(`/v1/spend-permissions/${agents.permissionHash}`)).body.spentTotal, (before + tokens('1')).toString());

    await chain.anvil.revert({ id: snapshot });
    await chain.anvil.mine({ blocks: 3 });
    await indexer.syncOnce();
    const after = await get(`/v1/spend-permissions/${agents.permissionHash}`);
    assert.equal(after.body.spentTotal, before.toString(), 'the orphaned spend is gone');
    assert.equal((after.body.payments as unknown[]).length, 2);

    const dump = async () => {
      const tables: Record<string, unknown[]> = {};
      for (const table of projectionTables) tables[table] = await db.query(`SELECT * FROM ${table} ORDER BY 1, 2`);
      return JSON.stringify(tables);
    };
    const forward = await dump();
    await db.transaction((tx) => rebuildProjections(tx));
    assert.equal(await dump(), forward);
  });

  test("the availability game: the demand and its answer under the round, the game found at the coordinator's creation address", async () => {
    const { demand } = training;
    assert.equal(availabilityGameOf(chain.deployment.fl!.federatedTraining), demand.game, 'the address the indexer follows is the game the coordinator made');
    const { status, body } = await get(`/v1/fl/tasks/${training.taskId}`);
    assert.equal(status, 200, JSON.stringify(body));
    const [round] = body.roundList as { demands: Record<string, unknown>[] }[];
    assert.deepEqual(
      round?.demands.map((d) => [d.id, d.demander, d.target, d.index, d.status, d.answerer, d.value]),
      [[Number(demand.id), demand.demander, demand.target, demand.index, 'answered', demand.answerer, demand.value.toString()]],
    );
    assert.ok((round?.demands[0]?.challengeEnd as number) > 0, 'the answer extended the challenge window');
    const listed = await get(`/v1/fl/demands?taskId=${training.taskId}&status=answered`);
    assert.equal(listed.body.items?.length, 1);
  });

  test('a demand nobody answered in time: settled after its deadline it voids the round, slashes the committer and the aggregator', async () => {
    const { unanswered } = training;
    // The task as the list row carries it (what the training page reads), and as its own record: the same.
    const row = (await get('/v1/fl/tasks')).body.items?.[0] ?? {};
    const record = await get(`/v1/fl/tasks/${training.taskId}`);
    assert.deepEqual(record.body, row);
    const rounds = row.roundList as { round: number; status: string; submissions: unknown[]; demandCount: number; demands: Record<string, unknown>[] }[];
    assert.deepEqual(
      rounds.map((r) => [r.round, r.status, r.submissions.length, r.demandCount]),
      [
        [1, 'final', 3, 1],
        [2, 'empty', 3, 1],
      ],
      'the voided round closed empty',
    );
    assert.deepEqual(
      rounds[1]!.demands.map((d) => [d.id, d.round, d.demander, d.target, d.index, d.status, d.answerer, d.value, d.voided]),
      [[Number(unanswered.id), 2, unanswered.demander, unanswered.target, unanswered.index, 'unanswered', null, null, true]],
    );
    assert.ok((rounds[1]!.demands[0]!.settledBlock as number) > (rounds[1]!.demands[0]!.demandedBlock as number));
    assert.equal(row.roundCount, 2);
    assert.ok(row.finishedAt, 'the last round closed: the task finished');
    const outcomes = row.outcomes as Outcome[];
    assert.equal(row.outcomeCount, outcomes.length);
    assert.deepEqual(
      outcomes.filter((o) => o.kind === 'participant_slashed').map((o) => o.account),
      [unanswered.committer],
    );
    assert.deepEqual(
      outcomes.filter((o) => o.kind === 'aggregator_slashed').map((o) => o.round),
      [1, 2],
      'slashed for the wrong aggregate in round 1, for the unavailable update it included in round 2',
    );
    const participants = row.participantList as { account: string; slashed: boolean }[];
    assert.deepEqual(
      participants.filter((p) => p.slashed).map((p) => p.account),
      [unanswered.committer],
    );
    const listed = (await get(`/v1/fl/demands?taskId=${training.taskId}&status=unanswered`)).body.items ?? [];
    assert.deepEqual(
      listed.map((d) => [d.id, d.round, d.voided]),
      [[Number(unanswered.id), 2, true]],
    );
  });

  test('a zk verifier registered by the model owner: the verifier and its commitment, and a stranger cannot register one', async () => {
    const owner = await chain.signer(roles.modelOwner);
    const zk = chain.deployment.zk!.zkRegistry;
    const verifier = await deployBreastCancerMlpVerifier(owner);
    // Only the model's owner registers: anyone else is refused and nothing is indexed for it.
    const stranger = await chain.signer(roles.client);
    await assert.rejects(registerZkVerifier(stranger, zk, modelId, verifier, 999n), /ZkNotModelOwner|reverted/);
    await registerZkVerifier(owner, zk, modelId, verifier, 12_345n);
    await indexer.syncOnce();
    const { body } = await get('/v1/zk/verifiers');
    assert.deepEqual(
      body.items?.map((v) => [v.modelId, v.verifier, v.commitment, v.registrations]),
      [[modelId, getAddress(verifier), '12345', 1]],
    );
  });

  test('bad ids, filters and cursors: 4xx with a named code', async () => {
    await refused('/v1/agents/0', 400, 'INVALID_ID');
    await refused('/v1/agents/abc', 400, 'INVALID_ID');
    await refused('/v1/agents/1%3BDROP%20TABLE%20agents', 400, 'INVALID_ID');
    await refused('/v1/agents/99999', 404, 'AGENT_NOT_FOUND');
    await refused('/v1/fl/tasks/-1', 400, 'INVALID_ID');
    await refused('/v1/fl/tasks/12345678901234567890', 400, 'INVALID_ID');
    await refused('/v1/fl/tasks/77', 404, 'TASK_NOT_FOUND');
    await refused('/v1/spend-permissions/0x1234', 400, 'INVALID_ID');
    await refused(`/v1/spend-permissions/0x${'ab'.repeat(32)}`, 404, 'PERMISSION_NOT_FOUND');
    await refused("/v1/spend-payments?payee='%20OR%201=1--", 400, 'INVALID_ADDRESS');
    await refused('/v1/validations?agentId=1.5', 400, 'INVALID_ID');
    await refused('/v1/reputation/0xnothex', 400, 'INVALID_ADDRESS');
    await refused('/v1/fl/tasks?limit=101', 400, 'INVALID_LIMIT');
    await refused('/v1/agents?sort=id', 400, 'INVALID_QUERY');
    // A cursor of another list does not fit this one's key.
    const permissions = await get(`/v1/spend-permissions?spender=${agents.agentKey}&limit=1`);
    assert.ok(permissions.body.nextCursor);
    await refused(`/v1/agents?cursor=${permissions.body.nextCursor}`, 400, 'INVALID_CURSOR');
    const next = await get(`/v1/spend-permissions?spender=${agents.agentKey}&limit=1&cursor=${permissions.body.nextCursor}`);
    assert.equal(next.body.items?.length, 1);
    assert.notEqual(next.body.items?.[0]?.hash, permissions.body.items?.[0]?.hash);
  });

  // The same database: an embedded one takes seconds to start.
  describe("the gateway's request log, followed by the indexer", () => {
    let gateway: RunningServer;
    let liar: RunningServer;
    let lies: unknown = { instance: 'x', items: [] };
    const requests = new RequestLog();

    before(async () => {
      // The gateway's own wiring (server.ts): the middleware in front of /v1/infer, the log's routes.
      const app = new Hono();
      app.onError((error, c) => c.json((error as ProtocolError).toJSON(), (error as ProtocolError).status as 400));
      app.use('/v1/infer', logRequests(requests));
      app.route('/', requestLogRoutes(requests));
      app.post('/v1/infer', async (c) => {
        const body = (await c.req.json()) as { fail?: boolean };
        if (body.fail) throw new ProtocolError('NO_PROVIDER', 'No provider serves the model.');
        return c.json({ output: [1], receipt: { requestHash: hash('ab'), modelId: hash('cd'), verification: 2 }, provider, attempts: 2 });
      });
      app.get('/v1/providers', (c) => c.json({ providers: [{ address: provider, latencyMs: 12.5, errorRate: 0.25, healthy: true, healthReason: 'ok' }] }));
      gateway = await listen(app, '127.0.0.1', 0);

      const lying = new Hono();
      lying.get('/v1/requests', (c) => c.json(lies));
      lying.get('/v1/providers', (c) => c.json({ providers: [{ address: 'not an address', latencyMs: -1, errorRate: 7 }] }));
      liar = await listen(lying, '127.0.0.1', 0);
    });
    after(async () => {
      await gateway?.close();
      await liar?.close();
    });

    const infer = (body: object) => fetch(`${gateway.url}/v1/infer`, { method: 'POST', body: JSON.stringify(body) });

    test('each exchange is logged with its routing; the follower stores it and the summary counts it', async () => {
      assert.equal((await infer({})).status, 200);
      assert.equal((await infer({ fail: true })).status, 503);
      const log = (await (await fetch(`${gateway.url}/v1/requests?after=0`)).json()) as { instance: string; items: Record<string, unknown>[] };
      assert.deepEqual(
        log.items.map((e) => [e.seq, e.status, e.attempts, e.verification, e.providers]),
        [
          [1, 'ok', 2, 'optimistic', [provider]],
          [2, 'NO_PROVIDER', null, null, []],
        ],
      );
      assert.equal((await fetch(`${gateway.url}/v1/requests?after=-1`)).status, 400, 'a bad cursor is refused');

      const follower = startGatewayFollower({ gatewayUrl: gateway.url, db, pollIntervalMs: 60_000 });
      try {
        await follower.syncOnce();
        await follower.syncOnce();
        assert.equal(follower.status().stored, 2);
      } finally {
        await follower.stop();
      }
      const api = createIndexerApp({ db, indexer: {} as Pick<Indexer, 'status' | 'subscribe'> });
      const summary = (await (await api.request('/v1/gateway')).json()) as Record<string, unknown> & { providers: Record<string, unknown>[] };
      assert.equal(summary.requests, 2);
      assert.equal(summary.failed, 1);
      assert.equal(summary.errorRate, 0.5);
      assert.ok((summary.requestsPerSecond as number) > 0);
      assert.deepEqual(
        summary.providers.map((p) => [p.address, p.latencyMs, p.errorRate, p.served]),
        [[provider, 12.5, 0.25, 1]],
      );
      const page = (await (await api.request('/v1/gateway/requests?limit=1')).json()) as { items: unknown[]; nextCursor: string };
      assert.equal(page.items.length, 1);
      assert.equal((await api.request(`/v1/gateway/requests?cursor=${page.nextCursor}`)).status, 200);
      assert.equal((await api.request('/v1/gateway/requests?cursor=abc')).status, 400);
    });

    test('a lying gateway: malformed, replayed and out-of-order entries are refused; a restart is followed without duplicates', async () => {
      const instance = '11111111-2222-3333-4444-555555555555';
      const good = (seq: number) => ({
        seq,
        at: Date.now(),
        requestHash: hash('01'),
        modelId: null,
        providers: [provider],
        attempts: 1,
        latencyMs: 5,
        status: 'ok',
        verification: 'none',
      });
      lies = {
        instance,
        items: [good(1), { ...good(2), status: "ok'); DROP TABLE gateway_requests;--" }, { ...good(3), providers: ['0x12'] }, good(1), good(4)],
      };
      const follower = startGatewayFollower({ gatewayUrl: liar.url, db, pollIntervalMs: 60_000 });
      try {
        await follower.syncOnce();
        const seqs = await db.query<{ seq: string }>("SELECT seq FROM gateway_requests WHERE gateway = '0x11111111222233334444555555555555' ORDER BY seq");
        assert.deepEqual(
          seqs.map((r) => Number(r.seq)),
          [1, 4],
          'entries 1 and 4 only',
        );
        assert.ok(follower.status().rejected >= 3, 'the bad status, the bad provider and the repeated entry are counted');
        // The same entries again (the gateway replays its log): nothing new is stored.
        await follower.syncOnce();
        const [count] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM gateway_requests WHERE gateway = '0x11111111222233334444555555555555'");
        assert.equal(count?.n, 2);
        // Restarted: a new instance whose numbers start over; they are stored as its own.
        lies = { instance: 'aaaaaaaa-2222-3333-4444-555555555555', items: [good(1)] };
        await follower.syncOnce();
        const [total] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM gateway_requests WHERE gateway LIKE '0xaaaa%'");
        assert.equal(total?.n, 1);
        // No instance id: the whole answer is refused, and the failure is reported.
        lies = { items: [good(9)] };
        await assert.rejects(follower.syncOnce(), /without an instance id/);
        // Measurements out of range are not stored.
        const [stats] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM gateway_provider_stats WHERE provider = 'not an address'");
        assert.equal(stats?.n, 0);
      } finally {
        await follower.stop();
      }
    });
  });
});
