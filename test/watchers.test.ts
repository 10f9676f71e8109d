// Watchers and automatic dispute answering on a whole local network with the faulty
// provider: client traffic alone gets the faulty provider caught, slashed and jailed and
// the client refunded the fee it was charged; honest providers are never disputed; correct results are
// ignored; and a provider node restarted in the middle of a dispute still answers it.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { getAddress, type Address } from 'viem';
import { connectDevSigner, type SignerConnection } from '../src/chain/connect.ts';
import { disputeGameAbi } from '../src/chain/generated/DisputeGame.ts';
import { providerRegistryAbi } from '../src/chain/generated/ProviderRegistry.ts';
import { trellisTokenAbi } from '../src/chain/generated/TrellisToken.ts';
import { defaultDisputeParameters, tokens } from '../src/chain/parameters.ts';
import { silentLogger } from '../src/log.ts';
import { startLocalNetwork, type LocalNetwork } from '../src/network/local-network.ts';
import { startProviderNode, type ProviderNode } from '../src/provider/node.ts';
import { deposit } from '../src/sdk/accounts.ts';
import { TrellisClient } from '../src/sdk/client.ts';
import { hashReceipt } from '../src/protocol/messages.ts';
import { chooseLayer, claimable, claimRefund, openDispute, playChallenger, readDispute, receiptIdOf, revealedRoots } from '../src/verify/game-client.ts';
import { readOpenCall, readResolution } from '../src/verify/game-events.ts';
import { firstDisagreement } from '../src/verify/moves.ts';
import { quantizedEngine, traceOfQuantized } from '../src/verify/quantized-trace.ts';
import { loadModel } from '../src/models/catalog.ts';
import { inputHashOf } from '../src/protocol/commitments.ts';

const digit = JSON.parse(readFileSync(new URL('../examples/digit-3.json', import.meta.url), 'utf8')) as number[];
const CLIENT_ACCOUNT = 7;
const CHALLENGER_ACCOUNT = 6;
const STAKE = tokens('500');

let net: LocalNetwork;
let dataDir: string;
const signer = (index: number): Promise<SignerConnection> => connectDevSigner(net.chain.rpcUrl, index);

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'trellis-watch-'));
  net = await startLocalNetwork({
    dataDir,
    port: 0,
    fresh: true,
    log: silentLogger,
    settlement: { batchSize: 1_000_000, maxAgeMs: 3_600_000 },
    faulty: { rate: 1, seed: 7, watcherIntervalMs: 150, disputePollMs: 150 },
  });
});
after(async () => {
  await net?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

const registry = () => net.chain.deployment.contracts.providerRegistry;
const providerInfo = (connection: SignerConnection, provider: Address) =>
  connection.publicClient.readContract({ address: registry(), abi: providerRegistryAbi, functionName: 'getProvider', args: [provider] });
const tokenBalance = (connection: SignerConnection, who: Address) =>
  connection.publicClient.readContract({ address: net.chain.deployment.contracts.token, abi: trellisTokenAbi, functionName: 'balanceOf', args: [who] });

test('client traffic alone gets the faulty provider caught, slashed, jailed; the client is refunded', async () => {
  const faulty = net.faultyProvider!;
  const watcher = net.watcher!;
  const connection = await signer(CLIENT_ACCOUNT);
  await deposit(connection, net.chain.deployment, tokens('10'));
  const client = new TrellisClient({ connection, deployment: net.chain.deployment, gatewayUrl: net.gatewayUrl, dataDir: join(dataDir, 'client') });
  try {
    const balanceBefore = await tokenBalance(connection, connection.account.address);
    // The faulty provider is the cheapest, so the first request goes to it (rate 1: wrong).
    const first = await client.infer({ model: 'digits-mlp', input: digit });
    assert.equal(getAddress(first.receipts[0]!.receipt.provider), getAddress(faulty.address), 'routing sent the request to the cheapest provider');
    const fee = first.receipts[0]!.receipt.fee;

    await until('the watcher to win its dispute', () => watcher.disputes().some((d) => d.status === 'providerLost'));
    const lost = watcher.disputes().filter((d) => d.status === 'providerLost');
    assert.ok(lost.every((d) => getAddress(d.receipt.provider) === getAddress(faulty.address)));
    assert.equal(lost[0]!.outcome, 'ProviderComputedWrong');

    const info = await providerInfo(connection, faulty.address);
    assert.equal(info.activeStake, STAKE - defaultDisputeParameters.slashAmount * BigInt(lost.length), 'stake slashed once per lost dispute');
    const now = (await connection.publicClient.getBlock()).timestamp;
    assert.ok(info.jailedUntil > now, 'the faulty provider is jailed');
    // The fee is reserved for the client and paid once the escrow shows it charged.
    const game = net.chain.deployment.contracts.disputeGame;
    const domain = { chainId: net.chain.deployment.chainId, escrow: net.chain.deployment.contracts.escrow };
    await client.flushVouchers();
    await faulty.redeemNow();
    for (const d of lost) await claimRefund(connection, game, hashReceipt(domain, d.receipt));
    assert.equal(await claimable(connection, game, connection.account.address), fee * BigInt(lost.length), 'the client got the fee it paid back');
    assert.equal(await tokenBalance(connection, connection.account.address), balanceBefore, 'nothing else moved');

    // Once the gateway sees the jail, traffic goes to honest providers, whose correct
    // results the watcher re-executes and leaves alone.
    await until('the gateway to drop the jailed provider', async () => {
      const { providers } = (await (await fetch(`${net.gatewayUrl}/v1/providers`)).json()) as { providers: { address: Address; active: boolean }[] };
      return providers.some((p) => getAddress(p.address) === getAddress(faulty.address) && !p.active);
    });
    const correctBefore = watcher.stats.correct;
    for (let i = 0; i < 4; i++) {
      const result = await client.infer({ model: 'digits-mlp', input: digit });
      assert.notEqual(getAddress(result.receipts[0]!.receipt.provider), getAddress(faulty.address));
    }
    await until('the watcher to re-execute the honest results', () => watcher.stats.correct >= correctBefore + 4);

    // No dispute ever named an honest provider.
    const opened = await connection.publicClient.getContractEvents({
      address: net.chain.deployment.contracts.disputeGame,
      abi: disputeGameAbi,
      eventName: 'DisputeOpened',
      fromBlock: 0n,
      strict: true,
    });
    assert.ok(opened.length >= 1);
    for (const event of opened) assert.equal(getAddress(event.args.provider), getAddress(faulty.address));
    for (const p of net.providers) assert.equal((await providerInfo(connection, p.address)).activeStake, STAKE, 'honest stake untouched');
  } finally {
    client.close();
  }
});

test('a provider node restarted in the middle of a dispute still answers it', async () => {
  const original = net.faultyProvider!;
  const game = net.chain.deployment.contracts.disputeGame;
  const connection = await signer(CHALLENGER_ACCOUNT);
  await deposit(connection, net.chain.deployment, tokens('10'));
  // A result straight from the faulty node (jailed by now, but it still serves directly),
  // so the gateway's watcher does not see it and this test plays the challenger.
  const client = new TrellisClient({ connection, deployment: net.chain.deployment, gatewayUrl: net.gatewayUrl, dataDir: join(dataDir, 'challenger-client') });
  let restarted: ProviderNode | undefined;
  try {
    const result = await client.infer({ model: 'digits-mlp', input: digit, providerUrl: original.url });
    const { receipt, signature } = result.receipts[0]!;
    const model = loadModel('digits-mlp');
    const honest = traceOfQuantized(quantizedEngine(model.engine), inputHashOf(model.engine, digit).quantized);
    assert.notEqual(honest.root, receipt.traceRoot, 'the faulty node signed a wrong trace');
    const { id, moves } = await openDispute(connection, {
      game,
      token: net.chain.deployment.contracts.token,
      receipt,
      signature,
      quantizedInput: honest.tensors[0]!,
      bond: defaultDisputeParameters.minBond,
    });
    assert.equal((await readOpenCall(connection, moves[1]!.hash)).receipt.requestHash, receipt.requestHash);

    await until('the node to reveal its roots', async () => (await readDispute(connection, game, id)).phase === 'AwaitLayer');
    await original.stop();
    const layer = firstDisagreement(honest, await revealedRoots(connection, game, id));
    await chooseLayer(connection, game, id, model.engine.artifact, layer);

    restarted = await startProviderNode({
      connection: await signer(5),
      deployment: net.chain.deployment,
      dataDir: join(dataDir, 'providers', 'faulty'),
      models: [{ name: 'digits-mlp', price: tokens('0.008') }],
      port: 0,
      stake: STAKE,
      fault: { rate: 1, seed: 7 },
      disputePollMs: 150,
      settlement: { batchSize: 1_000_000, maxAgeMs: 3_600_000 },
      log: silentLogger,
    });
    // The restarted node reveals each round of the descent; the test plays the challenger.
    for (;;) {
      await until('the restarted node to reveal the next nodes', async () =>
        ['AwaitPick', 'AwaitStep', 'None'].includes((await readDispute(connection, game, id)).phase),
      );
      if ((await readDispute(connection, game, id)).phase === 'None') break;
      await playChallenger(connection, game, id, { artifact: model.engine.artifact, trace: honest });
    }
    const settled = await connection.publicClient.readContract({
      address: game,
      abi: disputeGameAbi,
      functionName: 'isSettled',
      args: [await receiptIdOf(connection, game, receipt)],
    });
    assert.equal(settled, true, 'the provider lost: the receipt is settled');
    const resolution = await readResolution(connection, game, id, 0n);
    assert.equal(resolution?.outcome, 'ProviderComputedWrong', 'the node answered every move; it lost on the step, not by a timeout');
  } finally {
    client.close();
    await restarted?.stop();
  }
});
