// `npm run bench -- agents [--seconds S] [--max-requests N]`: what agents pay per call.
// Each phase below returns its figures; add a phase to add figures (bench/README.md
// lists them). On a fresh local network:
//  - x402 exact: stock @x402/fetch clients (x402's exact EVM scheme over a viem
//    account each, holding tokens and no ether) pay digits-mlp calls through the
//    gateway: requests per second with 1 and 8 agents (each call is the 402, the paid
//    retry, the model run and an on-chain settlement), the time of the 402 round trip
//    alone, and the gas of each settlement read from its receipt.
//  - x402 through an agent account: an agent made by `createAgent` (its account pays,
//    the token's hook spends each price out of the owner's wallet under the permission)
//    pays the same calls; the gas of each settlement, hook and spend included.
//  - x402 batched: the same keys pay over the escrow channel instead (one deposit, then
//    one voucher per call, redeemed in bulk by the providers): the gas per call of the
//    deposit and the redemptions over BATCHED_GAS_CALLS calls, then requests per second
//    with 1 and 8 agents.
//  - the payment path: what the batched scheme adds per call on each side, in process
//    (bench/agents-payment-path.ts): voucher payloads signed per second by a client,
//    batched payments checked and held per second by a provider, against the goal.
import { readFileSync } from 'node:fs';
import { ExactEvmScheme } from '@x402/evm/exact/client';
import { wrapFetchWithPayment, x402Client } from '@x402/fetch';
import { decodePaymentResponseHeader } from '@x402/core/http';
import { parseEventLogs, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createAgent, fundAgent } from '../src/agents/agent.ts';
import { tokens } from '../src/chain/parameters.ts';
import { trellisTokenAbi } from '../src/chain/generated/TrellisToken.ts';
import { transact } from '../src/sdk/transact.ts';
import { escrowAbi } from '../src/chain/generated/Escrow.ts';
import { BatchedEscrowClient } from '../src/x402/batched-client.ts';
import { localBatchedSigner } from '../src/x402/batched-payload.ts';
import { networkOf } from '../src/x402/payment.ts';
import { startTestNetwork, type TestNetwork } from '../test/support/network.ts';
import { paymentPathFigures } from './agents-payment-path.ts';
import { report, type Figure } from './report.ts';
import { BenchError } from './support/errors.ts';
import { summarizeLatencies } from './support/latency.ts';
import { runLoad } from './support/load.ts';
import { numberOption } from './support/options.ts';

const MODEL = 'digits-mlp';
/** Dev account whose tokens fund the agents; not one of the network's own roles. */
const FUNDER_ACCOUNT = 6;
const AGENTS = 8;
/** Tokens each agent holds: far more than a phase spends at about 0.01 a call. */
const AGENT_TOKENS = tokens('100');
/** Unpaid calls timed for the 402 round trip. */
const ROUNDTRIP_SAMPLES = 50;

type Options = { seconds: number; maxRequests: number };
type Bench = { net: TestNetwork; options: Options; url: string; agents: Hex[]; input: number[] };
type Phase = (bench: Bench) => Promise<Figure[]>;

/** The suite's phases, in order; each one's figures are listed in bench/README.md. */
const phases: Phase[] = [x402Exact, x402AgentAccount, x402Batched, paymentPath];

export async function main(args: string[]): Promise<void> {
  const options: Options = {
    seconds: numberOption(args, { name: 'seconds', fallback: 5, min: 0.2, max: 30 }),
    maxRequests: numberOption(args, { name: 'max-requests', fallback: 2000, min: 10, max: 100_000, integer: true }),
  };
  progress('starting a local network (anvil, contracts, three providers, gateway, x402 facilitator)');
  const net = await startTestNetwork();
  try {
    const modelId = net.providers[0]!.models.find((m) => m.name === MODEL)!.modelId;
    const bench: Bench = {
      net,
      options,
      url: `${net.gatewayUrl}/x402/v1/infer/${modelId}`,
      agents: await fundAgents(net),
      input: JSON.parse(readFileSync(new URL('../examples/digit-3.json', import.meta.url), 'utf8')) as number[],
    };
    const figures: Figure[] = [];
    for (const phase of phases) figures.push(...(await phase(bench)));
    report('agents', figures);
  } finally {
    progress('stopping the local network');
    await net.dispose();
  }
}

/** Fresh agent keys with tokens and no ether: x402's exact scheme needs no gas from the payer. */
async function fundAgents(net: TestNetwork): Promise<Hex[]> {
  const funder = await net.signer(FUNDER_ACCOUNT);
  const keys = Array.from({ length: AGENTS }, () => generatePrivateKey());
  for (const key of keys) {
    await transact(funder, 'fund an agent', () =>
      funder.walletClient.writeContract({
        address: net.chain.deployment.contracts.token,
        abi: trellisTokenAbi,
        functionName: 'transfer',
        args: [privateKeyToAccount(key).address, AGENT_TOKENS],
      }),
    );
  }
  return keys;
}

async function x402Exact({ net, options, url, agents, input }: Bench): Promise<Figure[]> {
  const network = networkOf(net.chain.deployment.chainId);
  const asset = net.chain.deployment.contracts.token;
  const payers = agents.map((key) =>
    wrapFetchWithPayment(
      fetch,
      x402Client.fromConfig({
        schemes: [{ network, client: new ExactEvmScheme(privateKeyToAccount(key)) }],
        spendControls: { allowedAssets: [{ network, asset, maxAmountPerPayment: tokens('1').toString() }] },
      }),
    ),
  );
  const body = JSON.stringify({ input });
  const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body };
  const transactions: Hex[] = [];
  const paidCall = async (worker: number) => {
    const answer = await payers[worker]!(url, init);
    const text = await answer.text();
    if (answer.status !== 200) throw new BenchError('BENCH_NOTHING_MEASURED', `A paid call answered HTTP ${answer.status}.`, { details: [text.slice(0, 200)] });
    transactions.push(decodePaymentResponseHeader(answer.headers.get('PAYMENT-RESPONSE') as string).transaction as Hex);
  };
  progress('x402 exact: warming up');
  await paidCall(0);
  const figures: Figure[] = [];
  for (const workers of [1, AGENTS]) {
    progress(`x402 exact: ${workers} agent(s), ${options.seconds} s`);
    const load = await runLoad({ workers, seconds: options.seconds, maxRequests: options.maxRequests, step: (worker) => paidCall(worker) });
    if (load.latenciesMs.length === 0) throw new BenchError('BENCH_NOTHING_MEASURED', 'No paid call succeeded.', { details: [String(load.firstError)] });
    const summary = summarizeLatencies(load.latenciesMs, load.elapsedMs);
    figures.push(
      { figure: `agents_x402_exact_rps_c${workers}`, value: summary.perSecond, unit: 'req/s', label: `x402 exact, paid calls per second, ${workers} agent(s)` },
      { figure: `agents_x402_exact_p50_ms_c${workers}`, value: summary.p50Ms, unit: 'ms', label: `x402 exact, median paid call, ${workers} agent(s)` },
    );
  }
  progress('x402 exact: the 402 round trip');
  const roundTrips: number[] = [];
  for (let i = 0; i < ROUNDTRIP_SAMPLES; i++) {
    const t0 = performance.now();
    const answer = await fetch(url, init);
    await answer.arrayBuffer();
    if (answer.status !== 402) throw new BenchError('BENCH_NOTHING_MEASURED', `An unpaid call answered HTTP ${answer.status}, not 402.`);
    roundTrips.push(performance.now() - t0);
  }
  roundTrips.sort((a, b) => a - b);
  figures.push({
    figure: 'agents_x402_402_roundtrip_ms',
    value: roundTrips[Math.floor(roundTrips.length / 2)]!,
    unit: 'ms',
    label: 'x402: the 402 round trip a paid call adds (median)',
  });
  const { publicClient } = await net.signer(FUNDER_ACCOUNT);
  const sample = transactions.slice(-50);
  const gas = await Promise.all(sample.map((hash) => publicClient.getTransactionReceipt({ hash }).then((r) => r.gasUsed)));
  figures.push({
    figure: 'agents_x402_exact_gas_per_call',
    value: Number(gas.reduce((a, b) => a + b, 0n)) / gas.length,
    unit: 'gas',
    label: 'x402 exact: settlement gas per call (one transferWithAuthorization each)',
  });
  return figures;
}

/** Paid calls an agent account makes for its gas figure. */
const ACCOUNT_CALLS = 20;

async function x402AgentAccount({ net, url, input }: Bench): Promise<Figure[]> {
  progress(`x402 through an agent account: ${ACCOUNT_CALLS} paid calls`);
  const owner = await net.signer(FUNDER_ACCOUNT);
  await fundAgent(owner, net.chain.deployment, tokens('100'));
  const agent = await createAgent({
    owner,
    deployment: net.chain.deployment,
    name: 'bench',
    limits: { allowance: tokens('10'), perCall: tokens('0.1'), period: 86_400, lifetime: 86_400 },
  });
  const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input }) };
  for (let i = 0; i < ACCOUNT_CALLS; i++) {
    const answer = await agent.fetch(url, init);
    const text = await answer.text();
    if (answer.status !== 200) throw new BenchError('BENCH_NOTHING_MEASURED', `A paid call answered HTTP ${answer.status}.`, { details: [text.slice(0, 200)] });
  }
  const gas = await Promise.all(agent.payments.map((p) => owner.publicClient.getTransactionReceipt({ hash: p.settlementTransaction }).then((r) => r.gasUsed)));
  return [
    {
      figure: 'agents_x402_account_gas_per_call',
      value: Number(gas.reduce((a, b) => a + b, 0n)) / gas.length,
      unit: 'gas',
      label: "x402 through an agent account: settlement gas per call (the hook's spend from the owner included)",
    },
  ];
}

/** Calls one agent pays over the escrow channel for the batched gas figure. */
const BATCHED_GAS_CALLS = 1000;

async function x402Batched({ net, options, url, agents, input }: Bench): Promise<Figure[]> {
  const network = networkOf(net.chain.deployment.chainId);
  const asset = net.chain.deployment.contracts.token;
  const escrow = net.chain.deployment.contracts.escrow;
  const reader = await net.signer(FUNDER_ACCOUNT);
  const deposits: Hex[] = [];
  const payers = agents.map((key) => {
    // One deposit pays for every call of the phase: more than BATCHED_GAS_CALLS calls and a whole load phase at their price.
    const scheme = new BatchedEscrowClient({
      signer: localBatchedSigner(privateKeyToAccount(key)),
      connection: reader,
      chainId: net.chain.deployment.chainId,
      depositAmount: (requirements) => BigInt(requirements.amount) * BigInt(BATCHED_GAS_CALLS + options.maxRequests + 100),
    });
    const pay = wrapFetchWithPayment(
      fetch,
      x402Client.fromConfig({ schemes: [{ network, client: scheme }], spendControls: { allowedAssets: [{ network, asset }] } }),
    );
    return { scheme, pay };
  });
  const body = JSON.stringify({ input });
  const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body };
  const paidCall = async (worker: number) => {
    const { scheme, pay } = payers[worker]!;
    const answer = await pay(url, init);
    const held = await scheme.confirm(answer);
    const text = await answer.text();
    if (answer.status !== 200 || !held)
      throw new BenchError('BENCH_NOTHING_MEASURED', `A batched call answered HTTP ${answer.status}.`, { details: [text.slice(0, 200)] });
    if (held.depositTransaction) deposits.push(held.depositTransaction);
  };
  progress(`x402 batched: ${BATCHED_GAS_CALLS} calls by one agent, then one redemption per provider paid`);
  const fromBlock = await reader.publicClient.getBlockNumber();
  for (let i = 0; i < BATCHED_GAS_CALLS; i++) await paidCall(0);
  for (const provider of net.providers) await provider.redeemNow();
  const payer = privateKeyToAccount(agents[0]!).address;
  const logs = await reader.publicClient.getLogs({ address: escrow, fromBlock, toBlock: 'latest' });
  const redemptions = new Set(
    parseEventLogs({ abi: escrowAbi, eventName: 'VoucherRedeemed', logs })
      .filter((e) => e.args.client === payer)
      .map((e) => e.transactionHash),
  );
  if (redemptions.size === 0) throw new BenchError('BENCH_NOTHING_MEASURED', 'No batched voucher was redeemed.');
  const gasOf = async (hashes: Iterable<Hex>) => {
    const used = await Promise.all([...hashes].map((hash) => reader.publicClient.getTransactionReceipt({ hash }).then((r) => r.gasUsed)));
    return used.reduce((a, b) => a + b, 0n);
  };
  const gas = (await gasOf(redemptions)) + (await gasOf(deposits));
  const figures: Figure[] = [
    {
      figure: 'agents_x402_batched_gas_per_call',
      value: Number(gas) / BATCHED_GAS_CALLS,
      unit: 'gas',
      label: `x402 batched: the deposit and the redemptions, per call, over ${BATCHED_GAS_CALLS} calls`,
    },
  ];
  for (const workers of [1, AGENTS]) {
    progress(`x402 batched: ${workers} agent(s), ${options.seconds} s`);
    const load = await runLoad({ workers, seconds: options.seconds, maxRequests: options.maxRequests, step: (worker) => paidCall(worker) });
    if (load.latenciesMs.length === 0) throw new BenchError('BENCH_NOTHING_MEASURED', 'No batched call succeeded.', { details: [String(load.firstError)] });
    const summary = summarizeLatencies(load.latenciesMs, load.elapsedMs);
    figures.push(
      {
        figure: `agents_x402_batched_rps_c${workers}`,
        value: summary.perSecond,
        unit: 'req/s',
        label: `x402 batched, paid calls per second, ${workers} agent(s)`,
      },
      { figure: `agents_x402_batched_p50_ms_c${workers}`, value: summary.p50Ms, unit: 'ms', label: `x402 batched, median paid call, ${workers} agent(s)` },
    );
  }
  return figures;
}

async function paymentPath({ net, options }: Bench): Promise<Figure[]> {
  return paymentPathFigures({ net, funder: await net.signer(FUNDER_ACCOUNT), seconds: options.seconds, progress });
}

function progress(line: string): void {
  process.stderr.write(`bench agents: ${line}\n`);
}
