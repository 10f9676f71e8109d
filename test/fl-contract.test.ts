// Differential test of the federated-training coordinator against src/fl on a real
// anvil: updates are committed with roots from src/fl/commitment.ts, the aggregator
// posts an aggregate with one wrong element, and challenges built with TypeScript
// proofs and values run against the contract. At every honest index the contract's
// recomputation must equal aggregateElement (it refuses FlAggregateCorrect); at the
// wrong one it must compute the TypeScript value and slash.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createTestClient, http, parseEventLogs, type Address, type Hex } from 'viem';
import { startAnvil, type Anvil } from '../src/chain/anvil.ts';
import { connectDevSigner, type SignerConnection } from '../src/chain/connect.ts';
import { deployTrellis } from '../src/chain/deploy.ts';
import { federatedTrainingAbi } from '../src/chain/generated/FederatedTraining.ts';
import { trellisTokenAbi } from '../src/chain/generated/TrellisToken.ts';
import type { Deployment } from '../src/chain/manifest.ts';
import { aggregateElement, flStrategyIds, type FlStrategy } from '../src/fl/aggregate-element.ts';
import { FL_MAX_ABS, commitWeights, elementProof, type WeightCommitment } from '../src/fl/commitment.ts';

const ELEMENTS = 7;
const WINDOW = 3600n;
const STAKE = 10_000_000n;
const AGG_STAKE = 40_000_000n;
const EXAMPLES = [120n, 45n, 300n, 7n];

let anvil: Anvil;
let dir: string;
let deployment: Deployment;
let owner: SignerConnection;
let aggregator: SignerConnection;
let watcher: SignerConnection;
let people: SignerConnection[];
let fl: Address;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trellis-fl-contract-'));
  anvil = await startAnvil({ stateDir: dir, port: 0 });
  owner = await connectDevSigner(anvil.rpcUrl, 0);
  deployment = await deployTrellis(owner, { faucetChainId: 31337n, initialSupply: 10_000_000_000n });
  fl = deployment.fl!.federatedTraining;
  aggregator = await connectDevSigner(anvil.rpcUrl, 5);
  watcher = await connectDevSigner(anvil.rpcUrl, 6);
  people = await Promise.all([1, 2, 3, 4].map((i) => connectDevSigner(anvil.rpcUrl, i)));
  for (const who of [aggregator, ...people]) {
    await send(owner, deployment.contracts.token, trellisTokenAbi, 'transfer', [who.account.address, 1_000_000_000n]);
    await send(who, deployment.contracts.token, trellisTokenAbi, 'approve', [fl, 2n ** 255n]);
  }
  await send(owner, deployment.contracts.token, trellisTokenAbi, 'approve', [fl, 2n ** 255n]);
});
after(async () => {
  await anvil?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// biome-ignore lint/suspicious/noExplicitAny: one helper for writes to contracts of different ABIs
async function send(who: SignerConnection, address: Address, abi: any, functionName: string, args: readonly unknown[]): Promise<Hex> {
  const { request } = await who.publicClient.simulateContract({ account: who.account, address, abi, functionName, args });
  const hash = await who.walletClient.writeContract(request);
  const receipt = await who.publicClient.waitForTransactionReceipt({ hash });
  assert.equal(receipt.status, 'success', `${functionName} reverted`);
  return hash;
}

async function warpTo(timestamp: bigint): Promise<void> {
  const testClient = createTestClient({ mode: 'anvil', transport: http(anvil.rpcUrl) });
  await testClient.setNextBlockTimestamp({ timestamp });
  await testClient.mine({ blocks: 1 });
}

/** Participant k's update: values across the range, negatives, and the range's ends. */
function update(k: number, strategy: string): bigint[] {
  const seed = BigInt(k * 7919 + strategy.length * 104729);
  return Array.from({ length: ELEMENTS }, (_, i) => {
    if (i === 5) return k % 2 === 0 ? FL_MAX_ABS : -FL_MAX_ABS;
    const x = ((seed * BigInt(i + 3) * 2654435761n) % 2000003n) - 1000001n;
    return x * BigInt(k + 1) * (i % 3 === 0 ? 65536n : 1n);
  });
}

async function runTask(strategy: FlStrategy): Promise<void> {
  const latest = await owner.publicClient.getBlock();
  const startsAt = latest.timestamp + 1000n;
  const initial = commitWeights(Array.from({ length: ELEMENTS }, () => 0n));
  const config = {
    initialRoot: initial.root,
    elementCount: ELEMENTS,
    strategy: flStrategyIds[strategy],
    trimBetaBps: 2500,
    krumByzantine: 0,
    krumSelect: 0,
    proximalMuMicros: 0,
    rounds: 1,
    quorum: 3,
    maxParticipants: 8,
    startsAt,
    submitWindow: Number(WINDOW),
    aggregateWindow: Number(WINDOW),
    challengeWindow: Number(WINDOW),
    rewardPool: 100_000_000n,
    joinStake: STAKE,
    aggregator: aggregator.account.address,
    aggregatorStake: AGG_STAKE,
    allowlistRoot: `0x${'0'.repeat(64)}` as Hex,
    validationCommitment: `0x${'11'.repeat(32)}` as Hex,
    royaltyBps: 500,
  } as const;
  await send(owner, fl, federatedTrainingAbi, 'createTask', [config, 'ipfs://initial']);
  const taskId = await owner.publicClient.readContract({ address: fl, abi: federatedTrainingAbi, functionName: 'taskCount' });
  await send(aggregator, fl, federatedTrainingAbi, 'stakeAggregator', [taskId]);
  for (const [k, who] of people.entries()) {
    await send(who, fl, federatedTrainingAbi, 'join', [taskId, EXAMPLES[k]!, `0x${'22'.repeat(32)}`, '0x', []]);
  }

  await warpTo(startsAt);
  const vectors = people.map((_, k) => update(k, strategy));
  const commitments: WeightCommitment[] = vectors.map(commitWeights);
  for (const [k, who] of people.entries()) {
    const hash = await send(who, fl, federatedTrainingAbi, 'submitUpdate', [taskId, commitments[k]!.root, ELEMENTS, `ipfs://update-${k}`]);
    const { gasUsed } = await who.publicClient.getTransactionReceipt({ hash });
    // One new storage word, the round's counter and an event (the first also opens the round).
    if (k > 0) assert.ok(gasUsed < 75_000n, `submitUpdate used ${gasUsed} gas`);
  }
  // The contract holds exactly the TypeScript roots.
  for (let k = 0; k < people.length; k++) {
    const onChain = await owner.publicClient.readContract({ address: fl, abi: federatedTrainingAbi, functionName: 'updateRoot', args: [taskId, 1n, k] });
    assert.equal(onChain, commitments[k]!.root);
  }

  const honest = Array.from({ length: ELEMENTS }, (_, i) =>
    aggregateElement(
      strategy,
      { trimBetaBps: 2500 },
      vectors.map((v) => v[i]!),
      EXAMPLES,
    ),
  );
  const wrongAt = 6;
  const posted = honest.map((v, i) => (i === wrongAt ? v - 1n : v));
  const aggregate = commitWeights(posted);
  await warpTo(startsAt + WINDOW);
  await send(aggregator, fl, federatedTrainingAbi, 'postAggregate', [taskId, aggregate.root, 'ipfs://aggregate', [], []]);

  const challenge = (index: number) => ({
    index,
    participants: people.map((_, k) => k),
    values: vectors.map((v) => v[index]!),
    proofs: commitments.map((c) => elementProof(c, index)),
    aggregateValue: posted[index]!,
    aggregateProof: elementProof(aggregate, index),
  });
  for (let i = 0; i < ELEMENTS; i++) {
    if (i === wrongAt) continue;
    await assert.rejects(
      watcher.publicClient.simulateContract({
        account: watcher.account,
        address: fl,
        abi: federatedTrainingAbi,
        functionName: 'challengeAggregate',
        args: [taskId, challenge(i)],
      }),
      /FlAggregateCorrect/,
      `${strategy}: element ${i} recomputes to the TypeScript value`,
    );
  }
  const lie = { ...challenge(wrongAt), values: challenge(wrongAt).values.map((v, k) => (k === 0 ? v + 1n : v)) };
  await assert.rejects(
    watcher.publicClient.simulateContract({
      account: watcher.account,
      address: fl,
      abi: federatedTrainingAbi,
      functionName: 'challengeAggregate',
      args: [taskId, lie],
    }),
    /FlProofInvalid/,
  );
  const before = await watcher.publicClient.readContract({
    address: fl,
    abi: federatedTrainingAbi,
    functionName: 'claimable',
    args: [watcher.account.address],
  });
  const hash = await send(watcher, fl, federatedTrainingAbi, 'challengeAggregate', [taskId, challenge(wrongAt)]);
  const receipt = await watcher.publicClient.getTransactionReceipt({ hash });
  const [event] = parseEventLogs({ abi: federatedTrainingAbi, logs: receipt.logs, eventName: 'AggregateChallenged' });
  assert.equal(event!.args.recomputed, honest[wrongAt], `${strategy}: the contract recomputed the TypeScript value`);
  assert.equal(event!.args.posted, posted[wrongAt]);
  const afterClaim = await watcher.publicClient.readContract({
    address: fl,
    abi: federatedTrainingAbi,
    functionName: 'claimable',
    args: [watcher.account.address],
  });
  assert.equal(afterClaim - before, AGG_STAKE / 2n, 'half the aggregator stake to the watcher');
}

describe('federated-training coordinator against src/fl', () => {
  for (const strategy of ['FedAvg', 'FedMedian', 'FedTrimmedAvg'] as const) {
    test(`${strategy}: TypeScript commitments and challenges agree with the contract`, async () => {
      await runTask(strategy);
    });
  }
});
