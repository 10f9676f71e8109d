// Helpers for indexer tests: a fresh local chain in a temporary folder, signers for its
// dev accounts, and a little of every kind of activity the index projects.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestClient, http, keccak256, parseEther, toHex, type Address, type Hex } from 'viem';
import { generatePrivateKey } from 'viem/accounts';
import { buildPermission, permissionHash, signPermission } from '../../src/agents/permission.ts';
import { allowManager, approvePermission, epochOf, revokePermission, spend } from '../../src/agents/spend-permissions.ts';
import { connectDevSigner, connectSigner, type SignerConnection } from '../../src/chain/connect.ts';
import { agentIdentityAbi } from '../../src/chain/generated/AgentIdentity.ts';
import { escrowAbi } from '../../src/chain/generated/Escrow.ts';
import { federatedTrainingAbi } from '../../src/chain/generated/FederatedTraining.ts';
import { flAvailabilityAbi } from '../../src/chain/generated/FlAvailability.ts';
import { reputationRegistryAbi } from '../../src/chain/generated/ReputationRegistry.ts';
import { trellisTokenAbi } from '../../src/chain/generated/TrellisToken.ts';
import { validationRegistryAbi } from '../../src/chain/generated/ValidationRegistry.ts';
import type { Deployment } from '../../src/chain/manifest.ts';
import { writeContract } from '../../src/chain/write.ts';
import { aggregateElement, flStrategyIds } from '../../src/fl/aggregate-element.ts';
import { commitWeights, elementProof, type WeightCommitment } from '../../src/fl/commitment.ts';
import { startLocalChain, type LocalChain } from '../../src/chain/local-chain.ts';
import { defaultParameters, tokens } from '../../src/chain/parameters.ts';
import { openDatabase, type Database } from '../../src/indexer/db/database.ts';
import { bundledMigrations, migrate } from '../../src/indexer/db/migrate.ts';
import { loadModel } from '../../src/models/catalog.ts';
import { repoPath } from '../../src/repo-root.ts';
import { signVoucher } from '../../src/payments/voucher.ts';
import { deposit, publishModel, registerProvider } from '../../src/sdk/accounts.ts';
import { transact } from '../../src/sdk/transact.ts';

export const roles = { client: 1, provider: 2, modelOwner: 9 } as const;

export type TestChain = LocalChain & {
  dataDir: string;
  signer(index: number): Promise<SignerConnection>;
  /** anvil's own methods: snapshots, reverts, mining. */
  anvil: ReturnType<typeof createTestClient>;
  dispose(): Promise<void>;
};

export async function startTestChain(): Promise<TestChain> {
  const dataDir = mkdtempSync(join(tmpdir(), 'trellis-indexer-'));
  const chain = await startLocalChain({ dataDir, port: 0, fresh: true });
  return {
    ...chain,
    dataDir,
    signer: (index) => connectDevSigner(chain.rpcUrl, index, chain.deployment.chainId),
    anvil: createTestClient({ mode: 'anvil', transport: http(chain.rpcUrl) }),
    async dispose() {
      await chain.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A migrated PGlite database, in `dataDir` or in a temporary folder removed on close.
 * Making one runs initdb and every migration (about 6 s of CPU), opening a copy of a
 * folder that had both about 1 s: the first call on a machine makes that folder once, in
 * the system's temporary folder under a name hashed from the migrations, the migration
 * runner and the PGlite version (so a change to any of them makes a new one), and every
 * call opens a copy of it. migrate() still runs on each: it must find nothing to do.
 */
export async function migratedDatabase(dataDir?: string): Promise<Database> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'trellis-db-'));
  if (!existsSync(dir) || readdirSync(dir).length === 0) cpSync(await migratedTemplate(), dir, { recursive: true });
  const db = await openDatabase({ dataDir: dir });
  await migrate(db);
  if (dataDir !== undefined) return db;
  ownedFolders.add(dir);
  return {
    ...db,
    async close() {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
      ownedFolders.delete(dir);
    },
  };
}

const ownedFolders = new Set<string>();
// A test that never closes its database still leaves no folder behind.
process.on('exit', () => {
  for (const dir of ownedFolders) rmSync(dir, { recursive: true, force: true });
});
let template: Promise<string> | undefined;

function migratedTemplate(): Promise<string> {
  template ??= (async () => {
    const hash = createHash('sha256');
    for (const migration of bundledMigrations()) hash.update(`${migration.version} ${migration.name}\n${migration.sql}\n`);
    hash.update(readFileSync(repoPath('src', 'indexer', 'db', 'migrate.ts')));
    hash.update(readFileSync(repoPath('node_modules', '@electric-sql', 'pglite', 'package.json')));
    const folder = join(tmpdir(), `trellis-test-pglite-${hash.digest('hex').slice(0, 16)}`);
    if (existsSync(folder)) return folder;
    // Made beside its final name and renamed into place: a test file running at the same
    // time sees no folder or a whole one, never half of one.
    const making = mkdtempSync(`${folder}-making-`);
    const db = await openDatabase({ dataDir: making });
    await migrate(db);
    await db.close();
    try {
      renameSync(making, folder);
    } catch (error) {
      // Another test file made it first.
      rmSync(making, { recursive: true, force: true });
      if (!existsSync(folder)) throw error;
    }
    return folder;
  })();
  return template;
}

export type Activity = { modelId: Hex; deposited: bigint; stake: bigint; paid: bigint };

/** A model published, a client's deposit, a provider's stake and one redeemed voucher. */
export async function someActivity(chain: TestChain): Promise<Activity> {
  const { deployment } = chain;
  const model = loadModel('digits-mlp');
  const owner = await chain.signer(roles.modelOwner);
  const modelId = await publishModel(owner, deployment, {
    contentHash: model.contentHash,
    weightCommitment: model.weightCommitment,
    shape: model.shape,
    metadataURI: model.metadataURI,
    royaltyBps: 500,
  });
  const client = await chain.signer(roles.client);
  const deposited = tokens('25');
  await deposit(client, deployment, deposited);
  const provider = await chain.signer(roles.provider);
  const stake = defaultParameters.minStake;
  await registerProvider(provider, deployment, 'http://127.0.0.1:1', stake);
  const paid = tokens('2');
  const signed = await signVoucher(
    client.account,
    { chainId: deployment.chainId, escrow: deployment.contracts.escrow },
    { client: client.account.address, provider: provider.account.address, modelId, cumulativeAmount: paid },
  );
  await transact(provider, 'redeem', () =>
    provider.walletClient.writeContract({
      address: deployment.contracts.escrow,
      abi: escrowAbi,
      functionName: 'redeem',
      args: [signed.voucher, signed.signature],
    }),
  );
  return { modelId, deposited, stake, paid };
}

/** A new account with gas money and tokens from the local faucet: no clash with the dev accounts other activity uses. */
export async function freshAccount(rpcUrl: string, deployment: Deployment, funds = tokens('1000')): Promise<SignerConnection> {
  const who = await connectSigner({ rpcUrl, privateKey: generatePrivateKey(), keySource: 'a test key', expectedChainId: deployment.chainId });
  await createTestClient({ mode: 'anvil', transport: http(rpcUrl) }).setBalance({ address: who.account.address, value: parseEther('10') });
  await transact(who, 'faucet', () =>
    who.walletClient.writeContract({ address: deployment.contracts.token, abi: trellisTokenAbi, functionName: 'faucet', args: [who.account.address, funds] }),
  );
  return who;
}

/** `count` fresh accounts (at least four, so that destructuring them is typed). */
type Four = [SignerConnection, SignerConnection, SignerConnection, SignerConnection, ...SignerConnection[]];
async function freshAccounts(rpcUrl: string, deployment: Deployment, count: number): Promise<Four> {
  return (await Promise.all(Array.from({ length: Math.max(4, count) }, () => freshAccount(rpcUrl, deployment)))) as Four;
}

// biome-ignore lint/suspicious/noExplicitAny: one helper for writes to contracts of different ABIs
async function send(who: SignerConnection, address: Address, abi: any, functionName: string, args: readonly unknown[]): Promise<Hex> {
  return transact(who, functionName, async () => {
    const { request } = await who.publicClient.simulateContract({ account: who.account, address, abi, functionName, args });
    // With the margin of every write (src/chain/write.ts): validationResponse after
    // validationRequest, both setting lastUpdate, costs more when mined a second later.
    return writeContract(who, request);
  });
}

export type AgentActivity = {
  owner: Address;
  agentKey: Address;
  payee: Address;
  agentId: bigint;
  permissionHash: Hex;
  revokedHash: Hex;
  spends: bigint[];
  validationHash: Hex;
  /** Set when a redemption was given: the provider whose reputation it recorded, and the amount. */
  reputation?: { subject: Address; value: bigint };
};

/**
 * An owner registers an agent identity, grants its session key a spend permission and
 * the key pays twice; a second permission is granted and revoked; a validator answers a
 * validation request; and, given a redeemed voucher, its redemption is recorded as
 * reputation of the provider.
 */
export async function agentActivity(
  rpcUrl: string,
  deployment: Deployment,
  redemption?: { client: Address; provider: Address; modelId: Hex },
): Promise<AgentActivity> {
  const agents = deployment.agents;
  if (!agents) throw new Error('the deployment has no agent contracts');
  const [owner, agentKey, payee, validator] = await freshAccounts(rpcUrl, deployment, 4);
  const manager = agents.spendPermissions;
  const token = deployment.contracts.token;

  await send(owner, agents.agentIdentity, agentIdentityAbi, 'register', ['ipfs://agent-card']);
  const [registered] = await owner.publicClient.getContractEvents({
    address: agents.agentIdentity,
    abi: agentIdentityAbi,
    eventName: 'Registered',
    args: { owner: owner.account.address },
    fromBlock: 0n,
  });
  if (!registered?.args.agentId) throw new Error('the agent was not registered');

  await allowManager(owner, token, manager, tokens('100'));
  const now = Number((await owner.publicClient.getBlock()).timestamp);
  const grant = async (salt: bigint) => {
    const permission = buildPermission({
      account: owner.account.address,
      spender: agentKey.account.address,
      token,
      allowance: tokens('5'),
      period: 86_400,
      start: now,
      end: now + 30 * 86_400,
      salt,
      terms: {
        maxPerCall: tokens('2'),
        epoch: await epochOf(owner, manager, owner.account.address),
        anyActiveProvider: false,
        payees: [payee.account.address],
      },
    });
    await approvePermission(owner, manager, permission, await signPermission(owner.account, { chainId: deployment.chainId, manager }, permission));
    return permission;
  };
  const permission = await grant(1n);
  const spends = [tokens('1.25'), tokens('0.5')];
  for (const value of spends) await spend(agentKey, manager, permission, payee.account.address, value);
  const revoked = await grant(2n);
  await revokePermission(owner, manager, revoked);

  const validationHash = keccak256(toHex(`validation of the agent card of ${owner.account.address}`));
  await send(owner, agents.validationRegistry, validationRegistryAbi, 'validationRequest', [
    validator.account.address,
    registered.args.agentId!,
    'ipfs://request',
    validationHash,
  ]);
  await send(validator, agents.validationRegistry, validationRegistryAbi, 'validationResponse', [
    validationHash,
    90,
    'ipfs://response',
    `0x${'ab'.repeat(32)}`,
    'card',
  ]);

  let reputation: AgentActivity['reputation'];
  if (redemption) {
    await send(owner, agents.reputationRegistry, reputationRegistryAbi, 'recordRedemption', [redemption.client, redemption.provider, redemption.modelId]);
    const redeemed = await owner.publicClient.readContract({
      address: deployment.contracts.escrow,
      abi: escrowAbi,
      functionName: 'redeemed',
      args: [redemption.client, redemption.provider, redemption.modelId],
    });
    reputation = { subject: redemption.provider, value: redeemed };
  }
  const domain = { chainId: deployment.chainId, manager };
  return {
    owner: owner.account.address,
    agentKey: agentKey.account.address,
    payee: payee.account.address,
    agentId: registered.args.agentId!,
    permissionHash: permissionHash(domain, permission),
    revokedHash: permissionHash(domain, revoked),
    spends,
    validationHash,
    ...(reputation ? { reputation } : {}),
  };
}

export type TrainingActivity = {
  taskId: bigint;
  owner: Address;
  aggregator: Address;
  challenger: Address;
  participants: Address[];
  wrongCid: string;
  aggregateCid: string;
  slashed: bigint;
  /** A demand of the availability game on an update's element, answered by its participant. */
  demand: { id: bigint; game: Address; demander: Address; answerer: Address; target: number; index: number; value: bigint };
  /** A demand in round 2 on participant `target`'s update that nobody answered: settled after its deadline, it voided the round. */
  unanswered: { id: bigint; round: number; demander: Address; target: number; index: number; committer: Address };
};

const FL_ELEMENTS = 4;
const FL_EXAMPLES = [100n, 50n, 25n];

/**
 * A federated training task of two FedAvg rounds. Round 1: three participants join and
 * submit, the aggregator posts a wrong aggregate, a watcher proves it wrong (the
 * aggregator is slashed), the aggregator stakes again and posts the right one, the
 * watcher demands that an element of the first participant's update be opened (the
 * availability game) and that participant answers it, and once the aggregate stood the
 * owner posts scores that credit rewards. Round 2: the three submit again, the
 * aggregator posts, and the watcher's demand on the second participant's update goes
 * unanswered; settled after its deadline, it slashes that participant and the
 * aggregator and voids the post, so the round closes empty and the task finishes.
 * Moves the chain's clock about three minutes forward.
 */
export async function trainingActivity(rpcUrl: string, deployment: Deployment): Promise<TrainingActivity> {
  const fl = deployment.fl?.federatedTraining;
  if (!fl) throw new Error('the deployment has no federated training');
  const anvil = createTestClient({ mode: 'anvil', transport: http(rpcUrl) });
  const warpTo = async (timestamp: bigint) => {
    await anvil.setNextBlockTimestamp({ timestamp });
    await anvil.mine({ blocks: 1 });
  };
  const [owner, aggregator, challenger, ...people] = await freshAccounts(rpcUrl, deployment, 6);
  for (const who of [owner, aggregator, ...people]) await send(who, deployment.contracts.token, trellisTokenAbi, 'approve', [fl, tokens('1000')]);

  const startsAt = (await owner.publicClient.getBlock()).timestamp + 30n;
  const window = 30;
  const aggregatorStake = tokens('40');
  const config = {
    initialRoot: commitWeights(Array.from({ length: FL_ELEMENTS }, () => 0n)).root,
    elementCount: FL_ELEMENTS,
    strategy: flStrategyIds.FedAvg,
    trimBetaBps: 0,
    krumByzantine: 0,
    krumSelect: 0,
    proximalMuMicros: 0,
    rounds: 2,
    quorum: 3,
    maxParticipants: 8,
    startsAt,
    submitWindow: window,
    aggregateWindow: window,
    challengeWindow: window,
    rewardPool: tokens('90'),
    joinStake: tokens('10'),
    aggregator: aggregator.account.address,
    aggregatorStake,
    allowlistRoot: `0x${'0'.repeat(64)}` as Hex,
    validationCommitment: `0x${'11'.repeat(32)}` as Hex,
    royaltyBps: 500,
    dpEpsilonMicros: 0,
    dpDeltaAtto: 0n,
    dpNoiseMicros: 0,
    dpClipMicros: 0,
  } as const;
  await send(owner, fl, federatedTrainingAbi, 'createTask', [config, 'ipfs://initial-model']);
  const taskId = await owner.publicClient.readContract({ address: fl, abi: federatedTrainingAbi, functionName: 'taskCount' });
  await send(aggregator, fl, federatedTrainingAbi, 'stakeAggregator', [taskId]);
  for (const [k, who] of people.entries()) await send(who, fl, federatedTrainingAbi, 'join', [taskId, FL_EXAMPLES[k]!, `0x${'22'.repeat(32)}`, '0x', []]);

  await warpTo(startsAt);
  const vectors = people.map((_, k) => Array.from({ length: FL_ELEMENTS }, (_, i) => BigInt((k + 1) * 1000 + i * 7 - 20)));
  const commitments: WeightCommitment[] = vectors.map(commitWeights);
  for (const [k, who] of people.entries())
    await send(who, fl, federatedTrainingAbi, 'submitUpdate', [taskId, commitments[k]!.root, FL_ELEMENTS, `ipfs://update-${k}`]);

  const fedAvg = (updates: bigint[][]) =>
    Array.from({ length: FL_ELEMENTS }, (_, i) =>
      aggregateElement(
        'FedAvg',
        {},
        updates.map((v) => v[i]!),
        FL_EXAMPLES,
      ),
    );
  const honest = fedAvg(vectors);
  const wrongAt = 2;
  const posted = honest.map((v, i) => (i === wrongAt ? v + 5n : v));
  const wrong = commitWeights(posted);
  await warpTo(startsAt + BigInt(window));
  await send(aggregator, fl, federatedTrainingAbi, 'postAggregate', [taskId, wrong.root, 'ipfs://aggregate-wrong', [], []]);
  await send(challenger, fl, federatedTrainingAbi, 'challengeAggregate', [
    taskId,
    {
      index: wrongAt,
      participants: people.map((_, k) => k),
      values: vectors.map((v) => v[wrongAt]!),
      proofs: commitments.map((c) => elementProof(c, wrongAt)),
      aggregateValue: posted[wrongAt]!,
      aggregateProof: elementProof(wrong, wrongAt),
    },
  ]);
  // Slashed, the aggregator must stake again before it posts the right aggregate.
  await send(aggregator, fl, federatedTrainingAbi, 'stakeAggregator', [taskId]);
  const right = commitWeights(honest);
  await send(aggregator, fl, federatedTrainingAbi, 'postAggregate', [taskId, right.root, 'ipfs://aggregate', [], []]);
  const postedAt = (await owner.publicClient.getBlock()).timestamp;
  // The availability game, during the right aggregate's challenge window: a bonded demand
  // for element `opened` of participant 0's update, answered with its value and path.
  const game = await owner.publicClient.readContract({ address: fl, abi: federatedTrainingAbi, functionName: 'availability' });
  const bond = await owner.publicClient.readContract({ address: game, abi: flAvailabilityAbi, functionName: 'demandBond', args: [taskId] });
  await send(challenger, deployment.contracts.token, trellisTokenAbi, 'approve', [game, bond]);
  const opened = 1;
  await send(challenger, game, flAvailabilityAbi, 'demandOpening', [taskId, 0, opened]);
  const demandId = await owner.publicClient.readContract({ address: game, abi: flAvailabilityAbi, functionName: 'demandCount' });
  await send(people[0]!, game, flAvailabilityAbi, 'answerDemand', [demandId, vectors[0]![opened]!, elementProof(commitments[0]!, opened)]);
  // An answer extends the challenge window: scores wait until it ends.
  const { challengeEnd } = await owner.publicClient.readContract({ address: game, abi: flAvailabilityAbi, functionName: 'availability', args: [taskId, 1n] });
  const ends = postedAt + BigInt(window) > challengeEnd ? postedAt + BigInt(window) : challengeEnd;
  await warpTo(ends + 1n);
  await send(owner, fl, federatedTrainingAbi, 'postScores', [taskId, 1n, [0, 1, 2], [3n, 2n, 1n]]);

  // Round 2 opened when round 1 stood (at `ends`); its submit window runs a `window` from then.
  const second = vectors.map((v) => v.map((x) => x + 1n));
  for (const [k, who] of people.entries())
    await send(who, fl, federatedTrainingAbi, 'submitUpdate', [taskId, commitWeights(second[k]!).root, FL_ELEMENTS, `ipfs://update-${k}-round-2`]);
  await warpTo(ends + BigInt(window));
  await send(aggregator, fl, federatedTrainingAbi, 'postAggregate', [taskId, commitWeights(fedAvg(second)).root, 'ipfs://aggregate-round-2', [], []]);
  // Nobody opens element 3 of participant 1's update before the deadline; the demander then settles it.
  const silent = { target: 1, index: 3 };
  await send(challenger, deployment.contracts.token, trellisTokenAbi, 'approve', [game, bond]);
  await send(challenger, game, flAvailabilityAbi, 'demandOpening', [taskId, silent.target, silent.index]);
  const unansweredId = await owner.publicClient.readContract({ address: game, abi: flAvailabilityAbi, functionName: 'demandCount' });
  const { deadline } = await owner.publicClient.readContract({ address: game, abi: flAvailabilityAbi, functionName: 'demandOf', args: [unansweredId] });
  await warpTo(BigInt(deadline));
  await send(challenger, game, flAvailabilityAbi, 'settleDemand', [unansweredId]);
  return {
    taskId,
    owner: owner.account.address,
    aggregator: aggregator.account.address,
    challenger: challenger.account.address,
    participants: people.map((p) => p.account.address),
    wrongCid: 'ipfs://aggregate-wrong',
    aggregateCid: 'ipfs://aggregate',
    slashed: aggregatorStake,
    demand: {
      id: demandId,
      game,
      demander: challenger.account.address,
      answerer: people[0]!.account.address,
      target: 0,
      index: opened,
      value: vectors[0]![opened]!,
    },
    unanswered: {
      id: unansweredId,
      round: 2,
      demander: challenger.account.address,
      ...silent,
      committer: people[silent.target]!.account.address,
    },
  };
}

/** A JSON body of the index API: a record, a page of items, or an error. */
export type ApiBody = Record<string, unknown> & {
  error?: { code: string; message: string; details: string[] };
  items?: Record<string, unknown>[];
  nextCursor?: string | null;
};

/** GET against the index API at `baseUrl()` (read at call time, once the server is up), and the refusal check every API test makes. */
export function apiClient(baseUrl: () => string) {
  const get = async (path: string): Promise<{ status: number; body: ApiBody }> => {
    const response = await fetch(`${baseUrl()}${path}`);
    return { status: response.status, body: (await response.json()) as ApiBody };
  };
  const refused = async (path: string, status: number, code: string) => {
    const { status: got, body } = await get(path);
    assert.equal(got, status, `${path}: ${JSON.stringify(body)}`);
    assert.equal(body.error?.code, code, path);
    assert.ok(body.error?.message, 'says what is wrong');
  };
  return { get, refused };
}
