// The agents suite's payment-path phase: what the batched x402 scheme adds to a call on
// each side, measured in this process apart from HTTP and the model, on the functions the
// node and the client run (nothing here re-implements a step):
//  - the client: `buildBatchedPayload` (the voucher hashed and signed) wrapped as x402's
//    client wraps it and encoded as a PAYMENT-SIGNATURE header, one after the other;
//  - the provider: for each of those headers, `readBatchedPaymentHeader` (decode, parse,
//    the resource), `checkBatchedPayment` (the channel, the signature, the cumulative
//    amount and the cover, from a live EscrowTracker on the network's chain) and
//    `holdBatchedPayment` (the voucher and the receipt written with group commit, then the
//    ledger's acceptance), for PAYMENT_PATH_CHANNELS channels at once, each channel one
//    call at a time as the route runs them, on a ledger in a fresh data directory.
// The receipts the ledger takes are signed by the receiver's key before the timing starts:
// signing them is the served call's work (exact pays it too), not the payment's.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { encodePaymentSignatureHeader } from '@x402/core/http';
import type { PaymentPayload } from '@x402/core/types';
import { keccak256, toHex, zeroHash, type Address, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { accountBatchedSigner } from '../src/agents/agent-account.ts';
import { createAgent, fundAgent } from '../src/agents/agent.ts';
import { connectSigner, type SignerConnection } from '../src/chain/connect.ts';
import { trellisTokenAbi } from '../src/chain/generated/TrellisToken.ts';
import { EscrowTracker } from '../src/provider/escrow-tracker.ts';
import { Ledger, type StoredResult } from '../src/provider/ledger.ts';
import { hashRequest, signReceipt, type Receipt } from '../src/protocol/messages.ts';
import { accountOfKey } from '../src/protocol/signatures.ts';
import { toWire } from '../src/protocol/wire.ts';
import { transact } from '../src/sdk/transact.ts';
import { checkBatchedPayment, type BatchedCheckInit } from '../src/x402/batched-check.ts';
import { holdBatchedPayment } from '../src/x402/batched-hold.ts';
import { batchedRequest, buildBatchedPayload, localBatchedSigner, readBatchedPaymentHeader, type BatchedSigner } from '../src/x402/batched-payload.ts';
import { batchedRequirements, type BatchedRequirements } from '../src/x402/batched-requirements.ts';
import { BatchedVouchers } from '../src/x402/batched-vouchers.ts';
import { X402_INFER_PREFIX } from '../src/x402/payment.ts';
import type { TestNetwork } from '../test/support/network.ts';
import type { Figure } from './report.ts';
import { BenchError } from './support/errors.ts';

/** Channels checked at once: the concurrency whose writes share an fsync, as under load. */
const PAYMENT_PATH_CHANNELS = 16;
/** The price per call here: small, so one deposit per payer covers every call. */
const PRICE = 1_000n;
/** The goal of the issue: batched paid calls per second on two cores. */
const GOAL_PER_SECOND = 1_000;
/** The input every receipt names (its hash only: no model runs here). */
const INPUT_HASH = keccak256(toHex('bench payment path input'));

export type PaymentPathInit = {
  net: TestNetwork;
  /** Funds the payers (tokens) and the receiver (ether for the deposits it submits). */
  funder: SignerConnection;
  seconds: number;
  progress: (line: string) => void;
};

type Payer = { signer: BatchedSigner; requirements: BatchedRequirements; path: string };

export async function paymentPathFigures(p: PaymentPathInit): Promise<Figure[]> {
  const { net, funder } = p;
  const { chainId, contracts } = net.chain.deployment;
  // As many calls as the goal rate makes in S seconds, split over the channels.
  const perChannel = Math.max(10, Math.ceil((p.seconds * GOAL_PER_SECOND) / PAYMENT_PATH_CHANNELS));
  const receiver = await connectSigner({ rpcUrl: net.chain.rpcUrl, privateKey: generatePrivateKey(), keySource: 'bench receiver' });
  await transact(funder, 'gas for the bench receiver', () => funder.walletClient.sendTransaction({ to: receiver.account.address, value: 10n ** 18n }));
  const receiptKey = accountOfKey(generatePrivateKey());
  const dataDir = mkdtempSync(join(tmpdir(), 'trellis-bench-payment-'));
  const ledger = new Ledger(dataDir);
  const vouchers = new BatchedVouchers(dataDir);
  const tracker = new EscrowTracker({ publicClient: receiver.publicClient, escrow: contracts.escrow });
  await tracker.start();
  const check: BatchedCheckInit = {
    connection: receiver,
    domain: { chainId, escrow: contracts.escrow },
    ledger,
    vouchers,
    escrowAvailable: (client) => tracker.available(client),
    escrowRedeemed: (client, provider, modelId) => tracker.redeemed(client, provider, modelId),
    afterDeposit: () => tracker.sync(),
  };
  const hold = { ledger, vouchers };
  const withdrawDelay = 3_600;
  const requirementsOf = (modelId: Hex) =>
    batchedRequirements({
      chainId,
      token: contracts.token,
      escrow: contracts.escrow,
      provider: receiver.account.address,
      modelId,
      price: PRICE,
      withdrawDelay,
      minDeposit: PRICE * 10n,
    });
  const modelOf = (i: number) => keccak256(toHex(`bench payment path model ${i}`));

  /** The header of the call that takes the channel to `cumulative`, as an x402 client sends it. */
  const headerOf = async (payer: Payer, cumulative: bigint, deposit?: bigint): Promise<string> => {
    const config = payer.requirements.extra.channelConfig;
    const payload = await buildBatchedPayload(payer.signer, {
      chainId,
      config,
      cumulativeAmount: cumulative,
      ...(deposit === undefined
        ? {}
        : { deposit: { amount: deposit, validBefore: BigInt(Math.floor(Date.now() / 1000) + 120), nonce: keccak256(toHex(`${payer.path}:deposit`)) } }),
    });
    const wrapped: PaymentPayload = {
      x402Version: 2,
      resource: { url: `http://127.0.0.1${payer.path}`, description: 'bench', mimeType: 'application/json' },
      accepted: payer.requirements,
      payload: payload as unknown as Record<string, unknown>,
    };
    return encodePaymentSignatureHeader(wrapped);
  };

  /** A receipt at `cumulative` on the payer's channel, signed by the receiver's receipt key. */
  const receiptOf = async (payer: Payer, header: string): Promise<StoredResult> => {
    const payment = readBatchedPaymentHeader(header, payer.path);
    const domain = { chainId, escrow: contracts.escrow };
    const request = batchedRequest(payment, { price: PRICE, inputHash: INPUT_HASH, verification: 0 });
    const receipt: Receipt = {
      requestHash: hashRequest(domain, request),
      client: payment.payer,
      provider: receiver.account.address,
      modelId: payment.config.modelId,
      inputHash: INPUT_HASH,
      outputHash: zeroHash,
      traceRoot: zeroHash,
      fee: PRICE,
      channelTotal: payment.voucher.cumulativeAmount,
      issuedAt: BigInt(Math.floor(Date.now() / 1000)),
      verification: 0,
    };
    return { output: [], shape: [0], frac: null, receipt: toWire(receipt), signature: await signReceipt(receiptKey, domain, receipt), issuedAt: Date.now() };
  };

  /** The provider's whole side of one call. */
  const serveOne = async (payer: Payer, header: string, stored: StoredResult): Promise<void> => {
    const payment = readBatchedPaymentHeader(header, payer.path);
    await checkBatchedPayment(check, payment, payer.requirements);
    await holdBatchedPayment(hold, payment, stored);
  };

  /** Opens every channel with a deposit payment (the provider submits it), then times the client's signing and the provider's checks. */
  const measure = async (label: string, payers: Payer[], depositOf: (channel: number) => bigint | undefined) => {
    p.progress(`payment path (${label}): ${payers.length} channels opened, then ${perChannel} calls on each`);
    for (const [i, payer] of payers.entries()) {
      const header = await headerOf(payer, PRICE, depositOf(i));
      await serveOne(payer, header, await receiptOf(payer, header));
    }
    const headers: string[][] = payers.map(() => []);
    const t0 = performance.now();
    for (let k = 0; k < perChannel; k++) {
      for (const [i, payer] of payers.entries()) headers[i]!.push(await headerOf(payer, PRICE * BigInt(k + 2)));
    }
    const signMs = performance.now() - t0;
    const receipts = await Promise.all(payers.map((payer, i) => Promise.all(headers[i]!.map((h) => receiptOf(payer, h)))));
    const t1 = performance.now();
    await Promise.all(
      payers.map(async (payer, i) => {
        for (let k = 0; k < perChannel; k++) await serveOne(payer, headers[i]![k]!, receipts[i]![k]!);
      }),
    );
    const checkMs = performance.now() - t1;
    const calls = payers.length * perChannel;
    const held = payers.map((payer) => ledger.paidAmount(payer.signer.address, payer.requirements.extra.channelConfig.modelId));
    if (held.some((amount) => amount !== PRICE * BigInt(perChannel + 1))) {
      throw new BenchError('BENCH_NOTHING_MEASURED', 'A channel does not hold the voucher of its last call.', { details: held.map(String) });
    }
    return { signsPerSecond: (calls * 1000) / signMs, checksPerSecond: (calls * 1000) / checkMs };
  };

  try {
    // Plain keys, in the project's fast signer (libsecp256k1), one channel each.
    const keys = Array.from({ length: PAYMENT_PATH_CHANNELS }, () => generatePrivateKey());
    const deposit = PRICE * BigInt(perChannel + 10);
    for (const key of keys) {
      await transact(funder, 'tokens for a bench payer', () =>
        funder.walletClient.writeContract({
          address: contracts.token,
          abi: trellisTokenAbi,
          functionName: 'transfer',
          args: [privateKeyToAccount(key).address, deposit],
        }),
      );
    }
    const eoa = await measure(
      'keys',
      keys.map((key, i) => ({
        signer: localBatchedSigner(accountOfKey(key)),
        requirements: requirementsOf(modelOf(i)),
        path: `${X402_INFER_PREFIX}${modelOf(i)}`,
      })),
      () => deposit,
    );

    // One agent account (ERC-1271: its session key signs), one channel per model.
    const accountDeposit = PRICE * BigInt(perChannel + 10) * BigInt(PAYMENT_PATH_CHANNELS);
    await fundAgent(funder, net.chain.deployment, accountDeposit * 2n);
    const agent = await createAgent({
      owner: funder,
      deployment: net.chain.deployment,
      name: 'bench-payment-path',
      limits: { allowance: accountDeposit * 2n, perCall: accountDeposit, period: 86_400, lifetime: 86_400 },
    });
    // The agent's signer as openAgent makes it.
    const agentSigner = accountBatchedSigner(agent.address as Address, accountOfKey(agent.record.privateKey));
    const account = await measure(
      'agent account',
      Array.from({ length: PAYMENT_PATH_CHANNELS }, (_, i) => ({
        signer: agentSigner,
        requirements: requirementsOf(modelOf(100 + i)),
        path: `${X402_INFER_PREFIX}${modelOf(100 + i)}`,
      })),
      // The first channel's deposit pays for all of them.
      (channel) => (channel === 0 ? accountDeposit : undefined),
    );
    return [
      {
        figure: 'agents_batched_payment_signs_per_s',
        value: eoa.signsPerSecond,
        unit: 'payloads/s',
        label: 'batched payment, client: one voucher payload built, signed and encoded (plain key), per second',
      },
      {
        figure: 'agents_batched_payment_checks_per_s',
        value: eoa.checksPerSecond,
        unit: 'checks/s',
        label: `batched payment, provider: one PAYMENT-SIGNATURE read, checked and held on disk (plain key, ${PAYMENT_PATH_CHANNELS} channels at once), per second`,
      },
      {
        figure: 'agents_batched_payment_vs_goal_ratio',
        value: eoa.checksPerSecond / GOAL_PER_SECOND,
        unit: 'x',
        label: `batched payment checks per second / the goal of ${GOAL_PER_SECOND}`,
      },
      {
        figure: 'agents_batched_payment_account_signs_per_s',
        value: account.signsPerSecond,
        unit: 'payloads/s',
        label: 'batched payment, client: the same from an agent account (its session key signs)',
      },
      {
        figure: 'agents_batched_payment_account_checks_per_s',
        value: account.checksPerSecond,
        unit: 'checks/s',
        label: "batched payment, provider: the same for an agent account (one eth_call per check: the account's ERC-1271 answer)",
      },
    ];
  } finally {
    await tracker.stop();
    vouchers.close();
    ledger.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
