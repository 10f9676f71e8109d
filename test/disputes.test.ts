// The dispute game on a real anvil with the default models: a provider that signs a
// tampered trace loses at any layer and element, whoever the challenger is (client,
// watcher, a second provider); the provider never names the element re-executed; a
// griefing challenger loses its bond; a side that misses a deadline loses; stake, refund,
// reward and treasury shares add up.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseEventLogs, type Hex } from 'viem';
import type { SignerConnection } from '../src/chain/connect.ts';
import { defaultDisputeParameters } from '../src/chain/parameters.ts';
import { disputeGameAbi } from '../src/chain/generated/DisputeGame.ts';
import { providerRegistryAbi } from '../src/chain/generated/ProviderRegistry.ts';
import { trellisParamsAbi } from '../src/chain/generated/TrellisParams.ts';
import type { Trace } from '../src/engine/trace.ts';
import {
  chooseLayer,
  claimable,
  claimPayouts,
  claimTimeout,
  openDispute,
  pick,
  playChallenger,
  playProvider,
  readDispute,
  receiptIdOf,
  revealedNodes,
  revealRoots,
  submitStep,
  type GameMove,
} from '../src/verify/game-client.ts';
import { stepArgs } from '../src/verify/moves.ts';
import {
  honestTrace,
  RECEIPT_FEE,
  sampleInput,
  signedReceipt,
  startDisputeNetwork,
  tamperTrace,
  tokenBalance,
  type DisputeNetwork,
} from '../src/verify/testing/dispute-network.ts';

const BOND = defaultDisputeParameters.minBond;
let net: DisputeNetwork;
let nonce = 0;

before(async () => {
  net = await startDisputeNetwork(0);
});
after(async () => {
  await net?.stop();
});

const game = () => net.deployment.contracts.disputeGame;

async function outcomeOf(move: GameMove): Promise<{ providerLost: boolean; outcome: number }> {
  const receipt = await net.deployer.publicClient.getTransactionReceipt({ hash: move.hash });
  const [resolved] = parseEventLogs({ abi: disputeGameAbi, logs: receipt.logs, eventName: 'DisputeResolved' });
  assert.ok(resolved, `move ${move.move} did not resolve the dispute`);
  return { providerLost: resolved.args.providerLost, outcome: resolved.args.outcome };
}

/** Both sides play their due moves until the dispute ends; returns the last move. */
async function playOut(
  id: Hex,
  provider: SignerConnection,
  providerTrace: Trace,
  challenger: SignerConnection,
  challengerTrace: Trace,
  artifactIndex: number,
): Promise<GameMove> {
  const artifact = net.models[artifactIndex]!.model.engine.artifact;
  for (let moves = 0; moves < 20; moves++) {
    const p = await playProvider(provider, game(), id, { artifact, trace: providerTrace });
    const c = p ? undefined : await playChallenger(challenger, game(), id, { artifact, trace: challengerTrace });
    const last = p ?? c;
    assert.ok(last, 'no side had a move to make');
    if ((await readDispute(net.deployer, game(), id)).phase === 'None') return last;
  }
  assert.fail('the dispute did not end within 20 moves');
}

async function cheatAndChallenge(modelIndex: number, layer: number, index: number, challenger: SignerConnection) {
  const { model, modelId } = net.models[modelIndex]!;
  const honest = honestTrace(model.engine, sampleInput(model.engine, nonce + 1));
  const cheat = tamperTrace(honest, layer, index);
  const { receipt, signature } = await signedReceipt(net, net.provider, modelId, cheat, ++nonce);
  const { id } = await openDispute(challenger, {
    game: game(),
    token: net.deployment.contracts.token,
    receipt,
    signature,
    quantizedInput: honest.tensors[0]!,
    bond: BOND,
  });
  return { id, honest, cheat, receipt, signature, receiptId: await receiptIdOf(net.deployer, game(), receipt) };
}

const isSettled = (receiptId: Hex) =>
  net.deployer.publicClient.readContract({ address: game(), abi: disputeGameAbi, functionName: 'isSettled', args: [receiptId] });

/**
 * A griefer against an honest provider: it names layer 1, then always the first child of
 * the descent, and steps on the first element of the chunk that reaches.
 */
async function griefOut(id: Hex, provider: SignerConnection, griefer: SignerConnection, trace: Trace, artifactIndex: number): Promise<GameMove> {
  const artifact = net.models[artifactIndex]!.model.engine.artifact;
  await playProvider(provider, game(), id, { artifact, trace });
  await chooseLayer(griefer, game(), id, artifact, 1);
  for (;;) {
    const state = await readDispute(net.deployer, game(), id);
    if (state.phase === 'AwaitNodes') await playProvider(provider, game(), id, { artifact, trace });
    else if (state.phase === 'AwaitPick') await pick(griefer, game(), id, 0, await revealedNodes(net.deployer, game(), id));
    else {
      const index = state.nodeIndex * 16;
      return submitStep(griefer, game(), id, index, stepArgs({ artifact, trace, layer: state.layer, index }));
    }
  }
}

describe('disputes on anvil', () => {
  test('a tampered trace loses at every layer of every default model, at random elements', async () => {
    let seed = 12345;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const challengers = [net.watcher, net.client, net.rival];
    let played = 0;
    for (let m = 0; m < net.models.length; m++) {
      const sizes = net.models[m]!.model.engine.tensorSizes;
      for (let layer = 1; layer < sizes.length; layer++) {
        const index = next(sizes[layer]!);
        const challenger = challengers[played++ % challengers.length]!;
        const { id, honest, cheat, receiptId } = await cheatAndChallenge(m, layer, index, challenger);
        const last = await playOut(id, net.provider, cheat, challenger, honest, m);
        const { providerLost, outcome } = await outcomeOf(last);
        assert.equal(providerLost, true, `${net.models[m]!.model.name} layer ${layer} element ${index}`);
        assert.equal(outcome, 2, 'ProviderComputedWrong');
        assert.equal(await isSettled(receiptId), true);
      }
    }
    assert.ok(played >= 10);
  });

  test('slashing reserves the client its fee, credits the challenger its share and bond, the treasury the rest', async () => {
    const { providerRegistry, params } = net.deployment.contracts;
    const stakeBefore = await net.deployer.publicClient.readContract({
      address: providerRegistry,
      abi: providerRegistryAbi,
      functionName: 'activeStake',
      args: [net.provider.account.address],
    });
    const totalBefore = await net.deployer.publicClient.readContract({ address: providerRegistry, abi: providerRegistryAbi, functionName: 'totalStaked' });
    const treasury = await net.deployer.publicClient.readContract({ address: params, abi: trellisParamsAbi, functionName: 'treasury' });
    // Earlier games left the watcher payouts to claim: start from nothing owed.
    await claimPayouts(net.watcher, game());
    const before = { watcher: await tokenBalance(net, net.watcher.account.address), treasury: await claimable(net.deployer, game(), treasury) };

    const { id, honest, cheat, receiptId } = await cheatAndChallenge(0, 1, 0, net.watcher);
    await playOut(id, net.provider, cheat, net.watcher, honest, 0);

    const slash = defaultDisputeParameters.slashAmount;
    const rest = slash - RECEIPT_FEE;
    const reward = (rest * defaultDisputeParameters.challengerShareBps) / 10_000n;
    assert.equal(
      await net.deployer.publicClient.readContract({
        address: providerRegistry,
        abi: providerRegistryAbi,
        functionName: 'activeStake',
        args: [net.provider.account.address],
      }),
      stakeBefore - slash,
    );
    assert.equal(
      await net.deployer.publicClient.readContract({ address: providerRegistry, abi: providerRegistryAbi, functionName: 'totalStaked' }),
      totalBefore - slash,
    );
    // The fee is reserved for the client and paid as far as the escrow charged it (here: never).
    const refund = await net.deployer.publicClient.readContract({ address: game(), abi: disputeGameAbi, functionName: 'refundOf', args: [receiptId] });
    assert.equal(refund.reserved, RECEIPT_FEE);
    assert.equal(await claimable(net.deployer, game(), treasury), before.treasury + rest - reward);
    // The watcher paid the bond and, once it claims, gets it back with its reward.
    assert.equal(await claimable(net.deployer, game(), net.watcher.account.address), BOND + reward);
    await claimPayouts(net.watcher, game());
    assert.equal(await tokenBalance(net, net.watcher.account.address), before.watcher + reward);
    const info = await net.deployer.publicClient.readContract({
      address: providerRegistry,
      abi: providerRegistryAbi,
      functionName: 'getProvider',
      args: [net.provider.account.address],
    });
    assert.ok(info.jailedUntil > 0n, 'the provider is jailed');
  });

  test('a griefing challenger against an honest provider loses its bond; the provider is paid for its defence', async () => {
    const { model, modelId } = net.models[1]!;
    const honest = honestTrace(model.engine, sampleInput(model.engine, 77));
    const { receipt, signature } = await signedReceipt(net, net.rival, modelId, honest, ++nonce);
    const before = { watcher: await tokenBalance(net, net.watcher.account.address), rival: await claimable(net.deployer, game(), net.rival.account.address) };
    const { id } = await openDispute(net.watcher, {
      game: game(),
      token: net.deployment.contracts.token,
      receipt,
      signature,
      quantizedInput: honest.tensors[0]!,
      bond: BOND,
    });
    const last = await griefOut(id, net.rival, net.watcher, honest, 1);
    assert.deepEqual(await outcomeOf(last), { providerLost: false, outcome: 3 });
    assert.equal(await tokenBalance(net, net.watcher.account.address), before.watcher - BOND);
    assert.equal(await claimable(net.deployer, game(), net.rival.account.address), before.rival + defaultDisputeParameters.defenceCompensation);
    // The provider won: the receipt is not settled and may be challenged again.
    assert.equal(await isSettled(await receiptIdOf(net.deployer, game(), receipt)), false);
  });

  test('the cheating provider cannot name the element: only the challenger picks and steps', async () => {
    const { id, honest, cheat } = await cheatAndChallenge(2, 1, 3, net.watcher);
    const artifact = net.models[2]!.model.engine.artifact;
    await playProvider(net.provider, game(), id, { artifact, trace: cheat });
    await playChallenger(net.watcher, game(), id, { artifact, trace: honest });
    await playProvider(net.provider, game(), id, { artifact, trace: cheat });
    // Element 0 is honest in the cheat; the provider would like it re-executed.
    await assert.rejects(pick(net.provider, game(), id, 0, await revealedNodes(net.deployer, game(), id)), /DisputeNotYourTurn/);
    const last = await playOut(id, net.provider, cheat, net.watcher, honest, 2);
    assert.equal((await outcomeOf(last)).providerLost, true);
  });

  test('a provider that misses its deadline loses; a late move is refused', async () => {
    const { id } = await cheatAndChallenge(0, 2, 1, net.watcher);
    await assert.rejects(claimTimeout(net.watcher, game(), id), /DisputeDeadlineNotPassed/);
    await net.advance(defaultDisputeParameters.moveTimeout + 1n);
    const honest = honestTrace(net.models[0]!.model.engine, sampleInput(net.models[0]!.model.engine, nonce));
    await assert.rejects(revealRoots(net.provider, game(), id, honest.layerRoots), /DisputeDeadlinePassed/);
    const last = await claimTimeout(net.deployer, game(), id);
    assert.deepEqual(await outcomeOf(last), { providerLost: true, outcome: 0 });
  });

  test('a challenger that misses its deadline loses its bond', async () => {
    const { id, cheat } = await cheatAndChallenge(1, 1, 0, net.watcher);
    await revealRoots(net.provider, game(), id, cheat.layerRoots);
    await net.advance(defaultDisputeParameters.moveTimeout + 1n);
    const last = await claimTimeout(net.provider, game(), id);
    assert.deepEqual(await outcomeOf(last), { providerLost: false, outcome: 1 });
  });

  test('one dispute per challenger and receipt, none after the provider lost, and only the due side moves', async () => {
    const { id, receipt, signature, honest, cheat } = await cheatAndChallenge(2, 1, 2, net.watcher);
    const again = { game: game(), token: net.deployment.contracts.token, receipt, signature, quantizedInput: honest.tensors[0]!, bond: BOND };
    await assert.rejects(openDispute(net.watcher, again), /DisputeAlreadyOpen/);
    await assert.rejects(revealRoots(net.watcher, game(), id, cheat.layerRoots), /DisputeNotYourTurn/);
    await playOut(id, net.provider, cheat, net.watcher, honest, 2);
    await assert.rejects(openDispute(net.rival, again), /DisputeReceiptSettled/);
  });

  test('a bad signature and an input that does not match the receipt are refused', async () => {
    const { model, modelId } = net.models[0]!;
    const honest = honestTrace(model.engine, sampleInput(model.engine, 9));
    const { receipt, signature } = await signedReceipt(net, net.provider, modelId, honest, ++nonce);
    const base = { game: game(), token: net.deployment.contracts.token, receipt, signature, quantizedInput: honest.tensors[0]!, bond: BOND };
    await assert.rejects(openDispute(net.watcher, { ...base, receipt: { ...receipt, fee: receipt.fee + 1n } }), /DisputeBadSignature/);
    const other = Int32Array.from(honest.tensors[0]!, (v, i) => (i === 0 ? v + 1 : v));
    await assert.rejects(openDispute(net.watcher, { ...base, quantizedInput: other }), /DisputeInputMismatch/);
    await assert.rejects(openDispute(net.watcher, { ...base, bond: BOND - 1n }), /DisputeBondTooLow/);
  });
});
