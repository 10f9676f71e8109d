// The automated dispute players under interruption, on a real anvil: a watcher stopped in
// the middle of a dispute and started again over the same journal finishes it and wins
// without opening it twice; a provider node that stops answering loses by timeout, which
// the watcher claims by itself once the chain's clock passes the deadline; and when the
// watcher is the one that misses a deadline, the provider node claims the timeout, keeps
// its stake and is paid its defence from the bond (the rest of the bond goes to the treasury). Each test uses its own provider and watcher accounts, so
// one test's slash or jail never shows in another's figures.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { getAddress, type Address, type Hex } from 'viem';
import { disputeGameAbi } from '../src/chain/generated/DisputeGame.ts';
import { hashReceipt, type Receipt } from '../src/protocol/messages.ts';
import { claimable, claimRefund, readDispute } from '../src/verify/game-client.ts';
import { chainTime, readResolution } from '../src/verify/game-events.ts';
import { startWatcher, Watcher } from '../src/verify/watcher.ts';
import { WATCHER_JOURNAL } from '../src/verify/watcher-journal.ts';
import { NODE_STAKE, startDisputeAutomationNetwork, until, type DisputeAutomationNetwork } from './support/dispute-automation.ts';

let net: DisputeAutomationNetwork;

before(async () => {
  net = await startDisputeAutomationNetwork();
});
after(async () => {
  await net?.stop();
});

const game = () => net.chain.deployment.contracts.disputeGame;
const gameConfig = () => net.reader.publicClient.readContract({ address: game(), abi: disputeGameAbi, functionName: 'config' });
const receiptIdOf = (receipt: Receipt) => hashReceipt({ chainId: net.chain.deployment.chainId, escrow: net.chain.deployment.contracts.escrow }, receipt);
const isSettled = (receipt: Receipt) =>
  net.reader.publicClient.readContract({ address: game(), abi: disputeGameAbi, functionName: 'isSettled', args: [receiptIdOf(receipt)] });

/** Moves the chain's clock just past the deadline of the move due in dispute `id`. */
async function travelPastDeadline(id: Hex): Promise<void> {
  const { deadline } = await readDispute(net.reader, game(), id);
  const now = await chainTime(net.reader);
  await net.travel(deadline - now + 1n);
}

/** What the parties a lost dispute pays hold (the watcher claims its payouts; the treasury's stay claimable). */
async function payouts(client: Address, watcher: Address) {
  const treasury = await net.treasury();
  return { client: await net.tokenBalance(client), watcher: await net.tokenBalance(watcher), treasury: await claimable(net.reader, game(), treasury) };
}

/**
 * Asserts the provider lost the way docs/disputes.md says: slashed, jailed, the client's
 * fee reserved (paid once the escrow shows it charged), the rest split.
 */
async function assertProviderPunished(
  provider: Address,
  receipt: Receipt,
  before: Awaited<ReturnType<typeof payouts>>,
  after: Awaited<ReturnType<typeof payouts>>,
): Promise<void> {
  const config = await gameConfig();
  const info = await net.providerInfo(provider);
  assert.equal(info.activeStake, NODE_STAKE - config.slashAmount, 'the stake is down by the slash amount');
  assert.ok(info.jailedUntil > (await chainTime(net.reader)), 'the provider is jailed');
  const cap = receipt.fee < config.maxRefund ? receipt.fee : config.maxRefund;
  const reserved = cap < config.slashAmount ? cap : config.slashAmount;
  const reward = ((config.slashAmount - reserved) * BigInt(config.challengerShareBps)) / 10_000n;
  const refund = await net.reader.publicClient.readContract({ address: game(), abi: disputeGameAbi, functionName: 'refundOf', args: [receiptIdOf(receipt)] });
  assert.equal(refund.reserved, reserved, "the client's fee is reserved");
  assert.equal(after.client, before.client, 'nothing is refunded before the escrow charged the fee');
  assert.equal(after.watcher - before.watcher, reward, 'the watcher got its bond back and its share of the slash');
  assert.equal(after.treasury - before.treasury, config.slashAmount - reserved - reward, 'the treasury got the rest');
}

test('a watcher restarted in the middle of a dispute resumes it from its journal and wins', async () => {
  const node = await net.startFaultyNode(await net.faultyNodeSpec(2));
  const journalDir = join(net.dataDir, 'watcher-restart');
  const result = await net.buyResult(node);
  const watcherAddress = getAddress((await net.watcherOptions(6, journalDir)).connection.account.address);
  const before = await payouts(result.receipt.client, watcherAddress);

  // The first run's rounds are driven by the test, so that it stops at a known phase:
  // after it opened the dispute and chose the layer, before the step.
  const first = new Watcher(await net.watcherOptions(6, journalDir));
  first.observe(result);
  await first.tick();
  assert.equal(first.stats.wrong, 1, 'the re-execution found the result wrong');
  const [opened] = first.disputes();
  assert.equal(opened?.status, 'open', 'the first run opened the dispute');
  const id = opened.id;
  await until('the node to reveal its roots', async () => (await net.phase(id)) === 'AwaitLayer');
  await first.tick();
  // The tampered tensor (the output, 10 elements) is one chunk: choosing it reaches the step.
  assert.equal(await net.phase(id), 'AwaitStep', 'the first run chose the layer');
  await first.stop();

  const second = startWatcher(await net.watcherOptions(6, journalDir));
  try {
    assert.deepEqual(
      second.disputes().map((d) => d.id),
      [id],
      'the journal brought back the running dispute',
    );
    // The same result seen again after the restart must not start a second dispute.
    second.observe(result);
    await until('the restarted watcher to win the dispute', () => second.disputes()[0]?.status === 'providerLost');
    await until('the restarted watcher to re-check the result', () => second.stats.checked === 1);
    assert.equal(second.stats.wrong, 1);
    assert.equal(second.disputes().length, 1);
    assert.equal(second.disputes()[0]!.outcome, 'ProviderComputedWrong', 'lost on the step, not by a timeout');
    assert.equal(await net.resolvedBy(id), watcherAddress, 'the restarted watcher made the final move');
  } finally {
    await second.stop();
  }

  const disputes = (await net.openedDisputes()).filter((d) => d.provider === getAddress(node.address));
  assert.deepEqual(disputes, [{ id, challenger: watcherAddress, provider: getAddress(node.address) }], 'one dispute opened, by the watcher');
  const journal = readFileSync(join(journalDir, WATCHER_JOURNAL), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { kind: string });
  assert.equal(journal.filter((r) => r.kind === 'opened').length, 1, 'the journal records one opening');
  assert.equal(await isSettled(result.receipt), true, 'the receipt can never be disputed again');
  await until('the watcher to claim its payouts', async () => (await claimable(net.reader, game(), watcherAddress)) === 0n);
  await assertProviderPunished(node.address, result.receipt, before, await payouts(result.receipt.client, watcherAddress));
  // Once the node redeems the client's voucher, the fee it charged comes back to the client.
  await node.redeemNow();
  await claimRefund(net.reader, game(), receiptIdOf(result.receipt));
  assert.equal(await claimable(net.reader, game(), result.receipt.client), result.receipt.fee, 'the charged fee is refunded');
  await node.stop();
});

test('a provider node that stops answering loses by timeout, and the watcher claims it', async () => {
  const node = await net.startFaultyNode(await net.faultyNodeSpec(3));
  const options = await net.watcherOptions(7, join(net.dataDir, 'watcher-provider-silent'));
  const watcherAddress = getAddress(options.connection.account.address);
  const result = await net.buyResult(node);
  const before = await payouts(result.receipt.client, watcherAddress);
  const watcher = new Watcher(options);
  try {
    // The node goes away before the dispute opens, so its roots (its one move here: the
    // disputed output is one chunk, with no descent) never come.
    await node.stop();
    watcher.observe(result);
    await watcher.tick();
    const id = watcher.disputes()[0]!.id;
    assert.equal(watcher.disputes()[0]!.status, 'open');
    watcher.start();
    // Two more whole rounds before the deadline: the watcher must wait, not claim early.
    await watcher.tick();
    await watcher.tick();
    assert.equal(await net.phase(id), 'AwaitRoots', 'nothing is claimed before the deadline');
    assert.equal(watcher.disputes()[0]!.status, 'open');

    await travelPastDeadline(id);
    await until('the watcher to claim the timeout', () => watcher.disputes()[0]!.status === 'providerLost');
    assert.equal(watcher.disputes()[0]!.outcome, 'ProviderTimedOut');
    assert.equal(await net.resolvedBy(id), watcherAddress, 'the watcher claimed the timeout itself');
    assert.equal(await isSettled(result.receipt), true);
    assert.equal((await net.openedDisputes()).filter((d) => d.provider === getAddress(node.address)).length, 1);
    await until('the watcher to claim its payouts', async () => (await claimable(net.reader, game(), watcherAddress)) === 0n);
    await assertProviderPunished(node.address, result.receipt, before, await payouts(result.receipt.client, watcherAddress));
  } finally {
    await watcher.stop();
  }
});

test('a watcher that misses its deadline loses its bond to the provider node, which claims the timeout', async () => {
  const node = await net.startFaultyNode(await net.faultyNodeSpec(4));
  const journalDir = join(net.dataDir, 'watcher-silent');
  const options = await net.watcherOptions(8, journalDir);
  const watcherAddress = getAddress(options.connection.account.address);
  const result = await net.buyResult(node);
  const { minBond, defenceCompensation } = await gameConfig();
  const providerBefore = await net.tokenBalance(node.address);
  const watcherBefore = await net.tokenBalance(watcherAddress);

  const watcher = new Watcher(options);
  watcher.observe(result);
  await watcher.tick();
  const id = watcher.disputes()[0]!.id;
  assert.equal(watcher.disputes()[0]!.status, 'open');
  await until('the node to reveal its roots', async () => (await net.phase(id)) === 'AwaitLayer');
  // The watcher's move is due, and it goes away.
  await watcher.stop();
  await travelPastDeadline(id);
  await until('the node to claim the timeout', async () => (await net.phase(id)) === 'None');

  const resolution = await readResolution(net.reader, game(), id, 0n);
  assert.equal(resolution?.outcome, 'ChallengerTimedOut');
  assert.equal(resolution.providerLost, false);
  assert.equal(getAddress(resolution.winner), getAddress(node.address));
  assert.equal(await net.resolvedBy(id), getAddress(node.address), 'the provider node claimed the timeout itself');
  const info = await net.providerInfo(node.address);
  assert.equal(info.activeStake, NODE_STAKE, 'the provider keeps its whole stake');
  assert.ok(info.jailedUntil <= (await chainTime(net.reader)), 'the provider is not jailed');
  await until('the node to claim its defence compensation', async () => (await net.tokenBalance(node.address)) - providerBefore === defenceCompensation);
  assert.equal(watcherBefore - (await net.tokenBalance(watcherAddress)), minBond, 'the watcher lost its bond');
  assert.equal(await isSettled(result.receipt), false, 'the receipt stays open to other challengers');

  // Started again, the watcher records the loss from the chain and opens nothing new.
  const again = startWatcher(await net.watcherOptions(8, journalDir));
  try {
    await until('the restarted watcher to record the outcome', () => again.disputes()[0]?.status === 'providerWon');
    assert.equal(again.disputes()[0]!.outcome, 'ChallengerTimedOut');
    assert.equal((await net.openedDisputes()).filter((d) => d.provider === getAddress(node.address)).length, 1);
  } finally {
    await again.stop();
  }
  await node.stop();
});
