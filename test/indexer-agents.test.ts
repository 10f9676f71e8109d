// The index of the agent contracts and of federated training over a real chain: an
// agent's identity, limits, spends per period, validation and reputation; a training
// task's participants, submissions, the wrong aggregate proven and slashed, the right
// one and the rewards. A reorg removes a spend from the index; a rebuild from raw
// events reproduces every table; a spend under a revoked permission moves nothing and
// adds nothing; bad ids, filters and cursors get a 4xx with a named code.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { spendPermissionsAbi } from '../src/chain/generated/SpendPermissions.ts';
import { tokens } from '../src/chain/parameters.ts';
import { startIndexerApi } from '../src/indexer/api/server.ts';
import type { Database } from '../src/indexer/db/database.ts';
import { startIndexer, type Indexer } from '../src/indexer/indexer.ts';
import { projectionTables, rebuildProjections } from '../src/indexer/projections.ts';
import type { RunningServer } from '../src/net/http.ts';
import {
  agentActivity,
  migratedDatabase,
  roles,
  someActivity,
  startTestChain,
  trainingActivity,
  type AgentActivity,
  type TestChain,
  type TrainingActivity,
} from './support/indexer.ts';

type Body = Record<string, unknown> & { error?: { code: string }; items?: Record<string, unknown>[]; nextCursor?: string | null };
type Round = { round: number; status: string; submissions: { account: string; cid: string }[]; aggregate: { cid: string } | null };
type Outcome = { kind: string; account: string | null; amount: string; round: number | null };

describe('the index of agents and federated training', () => {
  let chain: TestChain;
  let db: Database;
  let indexer: Indexer;
  let api: RunningServer;
  let agents: AgentActivity;
  let training: TrainingActivity;
  const get = async (path: string): Promise<{ status: number; body: Body }> => {
    const response = await fetch(`${api.url}${path}`);
    return { status: response.status, body: (await response.json()) as Body };
  };
  const refused = async (path: string, status: number, code: string) => {
    const { status: got, body } = await get(path);
    assert.equal(got, status, `${path}: ${JSON.stringify(body)}`);
    assert.equal(body.error?.code, code, path);
  };

  before(async () => {
    chain = await startTestChain();
    const activity = await someActivity(chain);
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
    assert.equal((await get(`/v1/agents?owner=${agents.owner}`)).body.items?.length, 1);
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
    assert.equal((await get(`/v1/spend-permissions?spender=${agents.agentKey}`)).body.items?.length, 2);
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
});
