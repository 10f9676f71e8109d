// The provider's view of client escrows, kept from the Escrow's events, against the
// chain itself: a random run of deposits, withdrawal requests, withdrawals and voucher
// redemptions by several clients compared after every step; a client leaving in the
// middle of its traffic; clients never seen; a tracker left behind; a reorg that takes a
// deposit away. In steady state a request costs the provider no chain read, and neither
// does a batched payment's check (each channel's redeemed amount is followed too).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { createPublicClient, createTestClient, http, type Address, type Hex } from 'viem';
import { generatePrivateKey } from 'viem/accounts';
import { connectSigner, type SignerConnection } from '../src/chain/connect.ts';
import { escrowAbi } from '../src/chain/generated/Escrow.ts';
import { trellisParamsAbi } from '../src/chain/generated/TrellisParams.ts';
import { trellisTokenAbi } from '../src/chain/generated/TrellisToken.ts';
import type { TrellisError } from '../src/errors.ts';
import { signVoucher, type SignedVoucher } from '../src/payments/voucher.ts';
import { EscrowTracker, readEscrowAvailable, readEscrowRedeemed } from '../src/provider/escrow-tracker.ts';
import { deposit, requestWithdrawal, withdraw } from '../src/sdk/accounts.ts';
import { transact } from '../src/sdk/transact.ts';
import { postJson, signedBody, startTestNetwork, type TestNetwork } from './support/network.ts';
import { startProxy } from './support/tcp-proxy.ts';

const digit = JSON.parse(readFileSync(new URL('../examples/digit-3.json', import.meta.url), 'utf8')) as number[];
const MODEL = 'digits-mlp';

/** A deterministic generator (mulberry32), so a failing run can be replayed from its seed. */
function random(seed: number): (below: number) => number {
  let state = seed >>> 0;
  return (below) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * below);
  };
}

describe('escrow balances followed from events', () => {
  let net: TestNetwork;
  let funder: SignerConnection;
  let testClient: ReturnType<typeof createTestClient>;
  let notice: bigint;
  const escrow = () => net.chain.deployment.contracts.escrow;
  const domain = () => ({ chainId: net.chain.deployment.chainId, escrow: escrow() });
  const trackers: EscrowTracker[] = [];

  /** A tracker of this test's own, polled only when the test says (`sync`), on a clock the test moves. */
  const ownTracker = async (clock = { ms: 0 }) => {
    const tracker = new EscrowTracker({ publicClient: funder.publicClient, escrow: escrow(), pollMs: 3_600_000, now: () => clock.ms });
    trackers.push(tracker);
    await tracker.start();
    return tracker;
  };

  /** A new account with ether and tokens, so that each test's clients start from nothing. */
  const freshAccount = async (): Promise<SignerConnection> => {
    const signer = await connectSigner({ rpcUrl: net.chain.rpcUrl, privateKey: generatePrivateKey(), keySource: 'test' });
    await testClient.setBalance({ address: signer.account.address, value: 10n ** 20n });
    await transact(funder, 'faucet', () =>
      funder.walletClient.writeContract({
        address: net.chain.deployment.contracts.token,
        abi: trellisTokenAbi,
        functionName: 'faucet',
        args: [signer.account.address, 1_000_000_000n],
      }),
    );
    // Approved once, so that each deposit is one transaction.
    await transact(signer, 'approve', () =>
      signer.walletClient.writeContract({
        address: net.chain.deployment.contracts.token,
        abi: trellisTokenAbi,
        functionName: 'approve',
        args: [escrow(), 2n ** 255n],
      }),
    );
    return signer;
  };

  const chainAvailable = (client: Address) => readEscrowAvailable(funder.publicClient, escrow(), client);

  before(async () => {
    net = await startTestNetwork();
    funder = await net.signer(0);
    testClient = createTestClient({ mode: 'anvil', transport: http(net.chain.rpcUrl) });
    notice = await funder.publicClient.readContract({
      address: net.chain.deployment.contracts.params,
      abi: trellisParamsAbi,
      functionName: 'withdrawalNotice',
    });
  });
  after(async () => {
    for (const tracker of trackers) await tracker.stop();
    await net?.dispose();
  });

  test('a random run of every balance change: the tracker equals the chain after each step, reading each client once', async () => {
    const seed = Number(process.env.ESCROW_SEED ?? Date.now() % 1_000_000);
    const rand = random(seed);
    const clients: SignerConnection[] = [];
    for (let i = 0; i < 4; i++) clients.push(await freshAccount());
    const provider = await freshAccount();
    const modelId = `0x${'ab'.repeat(32)}` as Hex;
    const tracker = await ownTracker();
    const read = <T>(functionName: 'balanceOf' | 'pendingWithdrawal', client: Address) =>
      funder.publicClient.readContract({ address: escrow(), abi: escrowAbi, functionName, args: [client] }) as Promise<T>;
    const send = (who: SignerConnection, write: Parameters<SignerConnection['walletClient']['writeContract']>[0]) =>
      transact(who, String(write.functionName), () => who.walletClient.writeContract(write));
    // Three clients are seen from the start; the fourth only halfway, after it has a history.
    for (const c of clients.slice(0, 3)) assert.equal(await tracker.available(c.account.address), 0n);
    const reached = { deposit: 0, request: 0, withdraw: 0, redeem: 0, shortfall: 0, batch: 0 };
    // Every kind of step a few times, in a random order; a step no client can take yet
    // (a withdrawal with no request pending) becomes a deposit and is tried again later.
    const schedule = [
      'deposit',
      'deposit',
      'deposit',
      'deposit',
      'request',
      'request',
      'request',
      'withdraw',
      'withdraw',
      'redeem',
      'redeem',
      'redeem',
      'batch',
      'batch',
    ];
    for (let i = schedule.length - 1; i > 0; i--) {
      const k = rand(i + 1);
      [schedule[i], schedule[k]] = [schedule[k]!, schedule[i]!];
    }
    const halfway = Math.floor(schedule.length / 2);
    for (let step = 0; step < schedule.length && step < 30; step++) {
      const states = await Promise.all(
        clients.map(async (who) => ({
          who,
          balance: await read<bigint>('balanceOf', who.account.address),
          pending: (await read<{ amount: bigint }>('pendingWithdrawal', who.account.address)).amount,
        })),
      );
      const able = {
        deposit: states,
        request: states.filter((c) => c.balance > 0n && c.pending === 0n),
        withdraw: states.filter((c) => c.pending > 0n),
        redeem: states.filter((c) => c.balance > 0n),
        batch: states.filter((c) => c.balance > 0n),
      };
      let action = schedule[step] as keyof typeof able;
      if (able[action].length === 0) {
        schedule.push(action);
        action = 'deposit';
      }
      const { who, balance } = able[action][rand(able[action].length)]!;
      const context = `seed ${seed}, step ${step}, ${action} by ${who.account.address}`;
      if (action === 'deposit') {
        await send(who, { address: escrow(), abi: escrowAbi, functionName: 'deposit', args: [BigInt(1 + rand(5_000))] });
      } else if (action === 'request') {
        await send(who, { address: escrow(), abi: escrowAbi, functionName: 'requestWithdrawal', args: [BigInt(1 + rand(Number(balance)))] });
      } else if (action === 'withdraw') {
        // Past the notice, inside the window: pays the smaller of the request and what
        // redemptions during the notice left.
        await testClient.increaseTime({ seconds: Number(notice) + 1 + rand(3_600) });
        await testClient.mine({ blocks: 1 });
        await send(who, { address: escrow(), abi: escrowAbi, functionName: 'withdraw' });
      } else {
        // Vouchers of one client or of all at once, every other one above the balance (a shortfall).
        const payers = action === 'batch' ? states.filter((c) => c.balance > 0n) : [states.find((c) => c.who === who)!];
        const vouchers: SignedVoucher[] = [];
        for (const payer of payers) {
          const address = payer.who.account.address;
          const already = await funder.publicClient.readContract({
            address: escrow(),
            abi: escrowAbi,
            functionName: 'redeemed',
            args: [address, provider.account.address, modelId],
          });
          const short = (reached.redeem + reached.batch + vouchers.length) % 2 === 0;
          const owed = short ? payer.balance + BigInt(1 + rand(1_000)) : BigInt(1 + rand(Number(payer.balance)));
          if (short) reached.shortfall++;
          vouchers.push(
            await signVoucher(payer.who.account, domain(), { client: address, provider: provider.account.address, modelId, cumulativeAmount: already + owed }),
          );
        }
        await send(provider, {
          address: escrow(),
          abi: escrowAbi,
          functionName: 'redeemMany',
          args: [vouchers.map((v) => v.voucher), vouchers.map((v) => v.signature)],
        });
      }
      reached[action]++;
      await tracker.sync();
      const readsBefore = tracker.counts.stateReads;
      const seen = step >= halfway ? clients : clients.slice(0, 3);
      const [tracked, onChain] = await Promise.all([
        Promise.all(seen.map((c) => tracker.available(c.account.address))),
        Promise.all(seen.map((c) => chainAvailable(c.account.address))),
      ]);
      assert.deepEqual(tracked, onChain, context);
      // Tracked clients are answered from memory; only the late one is read, once.
      assert.equal(tracker.counts.stateReads - readsBefore, step === halfway ? 1 : 0, context);
      // What each channel has redeemed, followed from VoucherRedeemed the same way (the batched scheme's check reads it).
      const channelReadsBefore = tracker.counts.channelReads;
      const [trackedRedeemed, chainRedeemed] = await Promise.all([
        Promise.all(seen.map((c) => tracker.redeemed(c.account.address, provider.account.address, modelId))),
        Promise.all(
          seen.map((c) => readEscrowRedeemed(funder.publicClient, escrow(), { client: c.account.address, provider: provider.account.address, modelId })),
        ),
      ]);
      assert.deepEqual(trackedRedeemed, chainRedeemed, context);
      assert.equal(tracker.counts.channelReads - channelReadsBefore, step === 0 ? 3 : step === halfway ? 1 : 0, context);
    }
    assert.equal(tracker.counts.stateReads, 4, 'one read per client over the whole run');
    assert.equal(tracker.counts.channelReads, 4, 'one read per channel over the whole run');
    assert.equal(tracker.counts.resets, 0);
    for (const [path, count] of Object.entries(reached)) assert.ok(count > 0, `seed ${seed}: the run reached ${path} (${JSON.stringify(reached)})`);
  });

  // The timeout only turns a redemption that never comes (the watch below) into a failure instead of a hang.
  test('a client asking to withdraw in the middle of its traffic is refused once the request is seen, and the provider keeps every fee it served', {
    timeout: 120_000,
  }, async () => {
    const node = net.providers[0]!;
    const tracker = node.escrowTracker;
    assert.ok(tracker, 'tracking is on by default');
    const client = await freshAccount();
    const modelId = node.models.find((m) => m.name === MODEL)!.modelId;
    const price = node.models.find((m) => m.name === MODEL)!.price;
    await deposit(client, net.chain.deployment, 5n * price);

    let paid: SignedVoucher | undefined;
    const ask = async (vouchers: SignedVoucher[] = []) => {
      const { body } = await signedBody(client, net, { model: MODEL, input: digit, router: node.address, maxFee: price });
      return postJson(`${node.url}/v1/infer`, { ...body, vouchers: vouchers.map(wireVoucher) });
    };
    const pay = async (answer: Awaited<ReturnType<typeof ask>>) => {
      const receipt = answer.json.receipt as { channelTotal: string };
      paid = await signVoucher(client.account, domain(), {
        client: client.account.address,
        provider: node.address,
        modelId,
        cumulativeAmount: BigInt(receipt.channelTotal),
      });
    };
    for (let i = 0; i < 2; i++) {
      const answer = await ask(paid ? [paid] : []);
      assert.equal(answer.status, 200, JSON.stringify(answer.json));
      await pay(answer);
    }
    const sent = await postJson(`${node.url}/v1/vouchers`, { vouchers: [wireVoucher(paid!)] });
    assert.equal(sent.status, 200, JSON.stringify(sent.json));
    // Everything but what the provider is owed leaves: nothing is left for a third request.
    const fromBlock = await funder.publicClient.getBlockNumber();
    await requestWithdrawal(client, net.chain.deployment, 3n * price);
    await tracker.sync();
    const readsBefore = tracker.counts.stateReads;
    const refused = await ask();
    assert.equal(refused.status, 402, JSON.stringify(refused.json));
    assert.equal(refused.json.error?.code, 'INSUFFICIENT_ESCROW');
    assert.equal(tracker.counts.stateReads, readsBefore, 'refused from memory, without a chain read');

    // Seeing the request, the node redeems what it holds of this client without waiting
    // for its batch (held back for an hour in this network): paid before the notice ends.
    await new Promise<void>((resolve) => {
      const unwatch = funder.publicClient.watchContractEvent({
        address: escrow(),
        abi: escrowAbi,
        eventName: 'VoucherRedeemed',
        args: { client: client.account.address, provider: node.address },
        fromBlock,
        pollingInterval: 50,
        onLogs: () => {
          unwatch();
          resolve();
        },
      });
    });
    const redeemed = await funder.publicClient.readContract({
      address: escrow(),
      abi: escrowAbi,
      functionName: 'redeemed',
      args: [client.account.address, node.address, modelId],
    });
    assert.equal(redeemed, 2n * price, 'the provider is paid for both results it served');

    await testClient.increaseTime({ seconds: Number(notice) + 1 });
    await testClient.mine({ blocks: 1 });
    await withdraw(client, net.chain.deployment);
    await tracker.sync();
    assert.equal(await chainAvailable(client.account.address), 0n);
    assert.equal(await tracker.available(client.account.address), 0n);
    const again = await ask();
    assert.equal(again.json.error?.code, 'INSUFFICIENT_ESCROW', 'nothing left, nothing served');
  });

  test('a client never seen is read from the chain once, then its requests cost no chain read', async () => {
    const node = net.providers[0]!;
    const tracker = node.escrowTracker!;
    const client = await freshAccount();
    const { modelId, price } = node.models.find((m) => m.name === MODEL)!;
    await deposit(client, net.chain.deployment, 100n * price);
    await tracker.sync();
    const reads = tracker.counts.stateReads;
    const polls = tracker.counts.polls;
    let voucher: SignedVoucher | undefined;
    const served = 6;
    for (let i = 0; i < served; i++) {
      const { body } = await signedBody(client, net, { model: MODEL, input: digit, router: node.address, maxFee: price });
      const answer = await postJson(`${node.url}/v1/infer`, { ...body, ...(voucher ? { vouchers: [wireVoucher(voucher)] } : {}) });
      assert.equal(answer.status, 200, JSON.stringify(answer.json));
      const total = BigInt((answer.json.receipt as { channelTotal: string }).channelTotal);
      voucher = await signVoucher(client.account, domain(), { client: client.account.address, provider: node.address, modelId, cumulativeAmount: total });
      assert.equal(tracker.counts.stateReads, reads + 1, `request ${i + 1}: only the first one read the chain`);
    }
    // Polls go on at their own pace, whatever the number of requests.
    assert.ok(tracker.counts.polls >= polls);
  });

  test('a tracker left behind (its polls paused, or failing) reads the chain instead of answering from memory', async () => {
    const clock = { ms: 0 };
    const tracker = await ownTracker(clock);
    const client = await freshAccount();
    await deposit(client, net.chain.deployment, 1_000n);
    assert.equal(await tracker.available(client.account.address), 1_000n);
    assert.equal(tracker.counts.stateReads, 1);

    tracker.pause();
    await deposit(client, net.chain.deployment, 500n);
    // Inside the bound the answer is the tracker's, late by one deposit...
    assert.equal(await tracker.available(client.account.address), 1_000n);
    assert.equal(tracker.counts.stateReads, 1);
    // ...past it every answer is read from the chain.
    clock.ms += 15_001;
    assert.equal(tracker.live, false);
    assert.equal(await tracker.available(client.account.address), 1_500n);
    assert.equal(tracker.counts.stateReads, 2);

    tracker.resume();
    await tracker.sync();
    assert.equal(tracker.live, true);
    assert.equal(await tracker.available(client.account.address), 1_500n, 'the entry followed the events it missed');
    assert.equal(tracker.counts.stateReads, 2);

    // An entry older than its bound is read again even while the tracker is live.
    clock.ms += 600_001;
    await tracker.sync();
    assert.equal(await tracker.available(client.account.address), 1_500n);
    assert.equal(tracker.counts.stateReads, 3);
  });

  test('a poll that fails makes the tracker read every answer until one succeeds', async () => {
    const proxy = await startProxy(new URL(net.chain.rpcUrl).port);
    try {
      // No retries, so that each failure is one refused connection.
      const viaProxy = createPublicClient({ chain: funder.chain, transport: http(proxy.url, { retryCount: 0 }) });
      const tracker = new EscrowTracker({ publicClient: viaProxy, escrow: escrow(), pollMs: 3_600_000 });
      trackers.push(tracker);
      await tracker.start();
      const client = await freshAccount();
      await deposit(client, net.chain.deployment, 700n);
      await tracker.sync();
      assert.equal(await tracker.available(client.account.address), 700n);
      const reads = tracker.counts.stateReads;

      await proxy.stop();
      await tracker.sync();
      assert.equal(tracker.counts.pollFailures, 1);
      assert.equal(tracker.live, false);
      await assert.rejects(tracker.available(client.account.address), 'no answer from memory while the chain is out of sight');
      assert.equal(tracker.counts.stateReads, reads + 1);

      await proxy.start();
      await tracker.sync();
      assert.equal(tracker.live, true);
      assert.equal(await tracker.available(client.account.address), 700n);
    } finally {
      await proxy.stop();
    }
  });

  test('a reorg that removes a deposit, or a reverted snapshot, leaves nothing of it credited', async () => {
    const tracker = await ownTracker();
    const client = await freshAccount();
    await deposit(client, net.chain.deployment, 1_000n);
    assert.equal(await tracker.available(client.account.address), 1_000n);

    // The deposit's block is replaced by an empty one at the same height.
    await deposit(client, net.chain.deployment, 4_000n);
    await tracker.sync();
    assert.equal(await tracker.available(client.account.address), 5_000n);
    await testClient.request({ method: 'anvil_reorg', params: [1, []] } as never);
    assert.equal(await chainAvailable(client.account.address), 1_000n, 'the chain lost the deposit');
    await tracker.sync();
    assert.equal(tracker.counts.resets, 1);
    assert.equal(await tracker.available(client.account.address), 1_000n);

    // A reverted snapshot takes the chain below the block the tracker had reached.
    const snapshot = await testClient.snapshot();
    await deposit(client, net.chain.deployment, 2_000n);
    await tracker.sync();
    assert.equal(await tracker.available(client.account.address), 3_000n);
    await testClient.revert({ id: snapshot });
    await tracker.sync();
    assert.equal(tracker.counts.resets, 2);
    assert.equal(await tracker.available(client.account.address), 1_000n);
  });
});

test('tracking options out of range are refused, naming each one', () => {
  const publicClient = createPublicClient({ transport: http('http://127.0.0.1:1') }) as never;
  const escrow = `0x${'11'.repeat(20)}` as Address;
  assert.throws(
    () => new EscrowTracker({ publicClient, escrow, pollMs: 0, maxLagMs: 7_200_000, maxEntryAgeMs: -1 }),
    (error: TrellisError) =>
      error.code === 'INVALID_OPTION' &&
      error.details.length === 3 &&
      error.details.some((d) => d.startsWith('maxLagMs')) &&
      error.details.some((d) => d.startsWith('pollMs')),
  );
});

const wireVoucher = (v: SignedVoucher) => ({ ...v.voucher, cumulativeAmount: v.voucher.cumulativeAmount.toString(), signature: v.signature });
