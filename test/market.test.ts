// The model market on a real anvil: a model owner stakes behind its commitment and
// answers a challenge of one leaf; a poster posts a bounty that asks for staked models,
// the owner enters, the poster reveals, the owner claims with its predictions, a
// watcher challenges a row and the owner answers with a provider's receipt; after the
// windows the owner is paid the reward, its bond and the watcher's bond.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { bytesToHex, concat, createTestClient, encodeAbiParameters, encodePacked, http, keccak256, toHex, type Hex } from 'viem';
import { connectDevSigner, type SignerConnection } from '../src/chain/connect.ts';
import { trellisTokenAbi } from '../src/chain/generated/TrellisToken.ts';
import { startLocalChain, type LocalChain } from '../src/chain/local-chain.ts';
import { tokens } from '../src/chain/parameters.ts';
import { merkleLevels, merkleProof, merkleRoot } from '../src/engine/merkle/tree.ts';
import { buildTrace, tensorRoot } from '../src/engine/trace.ts';
import {
  answerRow,
  bountyCredits,
  bountyStatus,
  challengeRow,
  claimBounty,
  finalizeBounty,
  postBounty,
  revealEvalSet,
  settleRowAnswer,
  submitModel,
  withdrawBountyCredits,
} from '../src/market/bounty.ts';
import { argmax, evalRows } from '../src/market/eval-set.ts';
import { answerRowLeaf, challengeModel, claimStakingCredits, modelStakeOf, stakeModel } from '../src/market/staking.ts';
import { signReceipt, type Receipt } from '../src/protocol/messages.ts';
import { publishModel, registerProvider } from '../src/sdk/accounts.ts';

// A two-layer model small enough to commit by hand: dense (K = 2, M = 2, shift 1), relu.
const rows = [
  { weights: [3, -2], bias: -10 },
  { weights: [-1, 4], bias: -3 },
];
const weightBytes = (w: number[]): Hex => concat(w.map((v) => encodePacked(['int16'], [v])));
const rowLeaf = (row: number): Hex =>
  keccak256(encodePacked(['uint32', 'uint32', 'uint8', 'int64', 'bytes'], [1, row, 1, BigInt(rows[row]!.bias), weightBytes(rows[row]!.weights)]));
const paramsLeaf = (layer: number): Hex => {
  // The 26 words of the parameter leaf (docs/engine-spec.md, section 6).
  const w = [layer, 2, layer === 1 ? 1 : 3, layer - 1, 0, 2, 1, 1, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, layer === 1 ? 1 : 0, 0, 0, 0];
  return keccak256(
    encodeAbiParameters(
      w.map(() => ({ type: 'uint256' })),
      w.map(BigInt),
    ),
  );
};
const leaves = [rowLeaf(0), rowLeaf(1), paramsLeaf(1), paramsLeaf(2)];
const packed = Uint8Array.from(leaves.flatMap((l) => [...Buffer.from(l.slice(2), 'hex')]));
const commitment = bytesToHex(merkleRoot(packed));
const shape = {
  inputSize: 2,
  rowCount: 2,
  layers: [
    { outSize: 2, inputA: 0, inputB: 0, fanIn: 2, rowLength: 2, rowStart: 0 },
    { outSize: 2, inputA: 1, inputB: 0, fanIn: 1, rowLength: 0, rowStart: 2 },
  ],
};
/** What the model computes, every tensor of the trace. */
function run(input: number[]): Int32Array[] {
  const dense = rows.map(({ weights, bias }) => (weights[0]! * input[0]! + weights[1]! * input[1]! + bias + 1) >> 1);
  return [Int32Array.from(input), Int32Array.from(dense), Int32Array.from(dense.map((v) => Math.max(0, v)))];
}

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'trellis.js');

type Run = { status: number | null; stdout: string; stderr: string };
function trellis(args: string[]): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.TRELLIS_DATA_DIR;
  delete env.TRELLIS_PRIVATE_KEY;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env, timeout: 120_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('model market end to end', () => {
  let chain: LocalChain;
  let dataDir: string;
  let poster: SignerConnection;
  let provider: SignerConnection;
  let watcher: SignerConnection;
  let owner: SignerConnection;
  let modelId: Hex;

  const testClient = () => createTestClient({ mode: 'anvil', transport: http(chain.rpcUrl) });
  const warp = async (seconds: bigint) => {
    await testClient().increaseTime({ seconds: Number(seconds) });
    await testClient().mine({ blocks: 1 });
  };
  const now = async () => (await poster.publicClient.getBlock()).timestamp;
  const wallet = (c: SignerConnection) =>
    c.publicClient.readContract({ address: chain.deployment.contracts.token, abi: trellisTokenAbi, functionName: 'balanceOf', args: [c.account.address] });

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'trellis-market-'));
    chain = await startLocalChain({ dataDir: join(dataDir, 'net'), port: 0, fresh: true });
    const signer = (index: number) => connectDevSigner(chain.rpcUrl, index, chain.deployment.chainId);
    [poster, provider, watcher, owner] = (await Promise.all([1, 2, 8, 9].map(signer))) as [
      SignerConnection,
      SignerConnection,
      SignerConnection,
      SignerConnection,
    ];
    await registerProvider(provider, chain.deployment, 'http://127.0.0.1:1', tokens('100'));
  });
  after(async () => {
    await chain?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('a staked model wins a bounty through a row challenge it answers', async () => {
    const d = chain.deployment;
    assert.ok(d.market, 'the manifest names the market contracts');
    modelId = await publishModel(owner, d, {
      contentHash: keccak256(toHex('tiny')),
      weightCommitment: commitment,
      shape,
      metadataURI: 'tiny',
      royaltyBps: 500,
    });

    // Staking, and the data-availability game on leaf 1 (weight row 1).
    await stakeModel(owner, d, modelId, tokens('50'));
    const leafId = await challengeModel(watcher, d, modelId, 1n);
    assert.equal((await modelStakeOf(owner, d, modelId)).openChallenges, 1);
    const path = merkleProof(merkleLevels(packed), 1).map((n) => bytesToHex(n));
    await answerRowLeaf(owner, d, leafId, { rowShift: 1n, bias: BigInt(rows[1]!.bias), weights: weightBytes(rows[1]!.weights), path });
    const stake = await modelStakeOf(owner, d, modelId);
    assert.equal(stake.active, tokens('50'), 'the stake is intact');
    assert.equal(stake.openChallenges, 0);
    await claimStakingCredits(owner, d);

    // The bounty: two rows the model gets right, staked models only.
    const inputs = [
      [5, 7],
      [9, 1],
    ];
    const evalSet = evalRows(
      inputs.map((x) => Int32Array.from(x)),
      [1, 0],
    );
    const t0 = await now();
    const reward = tokens('300');
    const bountyId = await postBounty(
      poster,
      d,
      {
        inputSize: 2,
        classCount: 2,
        rows: evalSet,
        targetBps: 5_000,
        minModelStake: tokens('50'),
        submitDeadline: t0 + 7_200n,
        revealDeadline: t0 + 14_400n,
        claimDeadline: t0 + 21_600n,
      },
      reward,
    );
    await submitModel(owner, d, bountyId, modelId);
    await warp(7_201n);
    await revealEvalSet(poster, d, bountyId, evalSet, 'file://eval.json');
    const predictions = inputs.map((x) => argmax(run(x)[2]!));
    assert.deepEqual(predictions, [1, 0]);
    await claimBounty(owner, d, bountyId, modelId, predictions);

    const challengeId = await challengeRow(watcher, d, bountyId, modelId, evalSet, 0);
    const tensors = run(inputs[0]!);
    const receipt: Receipt = {
      requestHash: keccak256(toHex('row 0')),
      client: owner.account.address,
      provider: provider.account.address,
      modelId,
      inputHash: tensorRoot(tensors[0]!),
      outputHash: tensorRoot(tensors[2]!),
      traceRoot: buildTrace(tensors).root,
      fee: 0n,
      channelTotal: 0n,
      issuedAt: await now(),
      verification: 2,
    };
    const signature = await signReceipt(provider.account, { chainId: d.chainId, escrow: d.contracts.escrow }, receipt);
    await assert.rejects(answerRow(owner, d, challengeId, receipt, signature, [10, 0]), /outputHash/, 'another output is refused, named');
    await answerRow(owner, d, challengeId, receipt, signature, tensors[2]!);
    await assert.rejects(settleRowAnswer(watcher, d, challengeId), /settles after/, 'not before the receipt window passed');

    await warp(86_401n + 21_600n);
    await settleRowAnswer(watcher, d, challengeId);
    await finalizeBounty(watcher, d, bountyId);
    const { bounty } = await bountyStatus(owner, d, bountyId);
    assert.equal(bounty.winner, 1, 'the owner submission wins');
    const credited = await bountyCredits(owner, d, owner.account.address);
    assert.equal(credited, reward + tokens('10') + tokens('5'), 'reward, submission bond and the watcher bond');
    const before = await wallet(owner);
    await withdrawBountyCredits(owner, d);
    assert.equal((await wallet(owner)) - before, credited);
  });

  test('the CLI shows the stake and names what is wrong', async () => {
    const network = ['--manifest', chain.manifestPath, '--rpc-url', chain.rpcUrl];
    const status = await trellis(['model', 'stake-status', modelId, '--json', ...network]);
    assert.equal(status.status, 0, status.stderr);
    const stake = JSON.parse(status.stdout) as { active: string; slashed: boolean; openChallenges: number };
    assert.equal(stake.active, String(tokens('50')));
    assert.equal(stake.slashed, false);
    const nothing = await trellis(['bounty', 'withdraw', ...network]);
    assert.notEqual(nothing.status, 0);
    assert.match(nothing.stderr, /Nothing is credited to 0x[0-9a-fA-F]{40} in the bounties\./);
    const missing = await trellis(['bounty', 'post', '--eval', join(dataDir, 'none.json'), '--input-size', '2', '--classes', '2', '--reward', '1', ...network]);
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /none\.json: cannot be read/);
    const unfit = await trellis(['model', 'unstake', modelId, ...network]);
    assert.match(unfit.stderr, /has no unstaking stake to withdraw/);
  });
});
