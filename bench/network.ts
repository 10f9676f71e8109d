// `npm run bench -- network [--seconds S] [--max-requests N] [--channel-requests C]`:
// requests on digits-mlp (optimistic verification) through the whole path, client ->
// gateway -> provider -> signed receipt -> voucher, against the same traced engine run
// called in process; the same path straight to one provider, to show what the gateway
// adds; throughput at 1, 8 and 32 concurrent clients; the CPU each role process spends
// per request at 8 clients; the settlement gas per request once the providers redeem
// everything they were paid, and once more for one channel that carried C requests
// (default 1000). The gateway and each provider run in a process of their own, as
// under `trellis up`; the clients run in this one. Every timed phase is time-boxed
// (S seconds) and capped (N requests); the local network is stopped on success, on
// error and on Ctrl-C.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectDevSigner } from '../src/chain/connect.ts';
import { tokens } from '../src/chain/parameters.ts';
import { run } from '../src/engine/index.ts';
import { silentLogger } from '../src/log.ts';
import { startLocalNetwork, type ProcessNetwork } from '../src/network/local-network.ts';
import { applyPreprocess } from '../src/train/preprocess.ts';
import { loadModel } from '../src/models/catalog.ts';
import { TrellisClient } from '../src/sdk/client.ts';
import { report, type Figure } from './report.ts';
import { fundClients } from './support/clients.ts';
import { BenchError } from './support/errors.ts';
import { summarizeLatencies, type LatencySummary } from './support/latency.ts';
import { runLoad, type LoadResult } from './support/load.ts';
import { numberOption } from './support/options.ts';
import { cryptoSpeedRatios, providerFloorUs, traceCommitmentUs } from './support/request-floor.ts';
import { cpuBetween, snapshotRoles } from './support/role-cpu.ts';
import { redemptionGas, settledRequests } from './support/settlement.ts';

const MODEL = 'digits-mlp';
const CONCURRENCY = [1, 8, 32] as const;
/** The level at which the role processes' CPU per request is read. */
const CPU_CLIENTS = 8;
/** Deposited by each client: far more than a phase can spend (about 0.01 token a request). */
const CLIENT_ESCROW = tokens('1000');
/** Dev account paying the clients' gas money; not one of the network's own roles. */
const FUNDER_ACCOUNT = 5;
/** Untimed requests per client first: model lookup, connections, first channel. */
const WARMUP_REQUESTS = 2;
/** Calls per in-process CPU measurement (the floor, each crypto function). */
const CPU_SAMPLES = 300;

type Options = { seconds: number; maxRequests: number; channelRequests: number };

/** A network of role processes in a temporary folder, whose providers redeem only when told (redeemNow). */
type BenchNetwork = ProcessNetwork & { dataDir: string };

export async function main(args: string[]): Promise<void> {
  const options: Options = {
    seconds: numberOption(args, { name: 'seconds', fallback: 5, min: 0.2, max: 30 }),
    maxRequests: numberOption(args, { name: 'max-requests', fallback: 5000, min: 10, max: 100_000, integer: true }),
    channelRequests: numberOption(args, { name: 'channel-requests', fallback: 1000, min: 10, max: 100_000, integer: true }),
  };
  // Ctrl-C (or SIGTERM) aborts the phase under way; the network is then stopped as on
  // any error, so anvil and the servers do not outlive the process. A second signal
  // leaves at once.
  const interrupted = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted.signal.aborted) process.exit(130);
    progress(`${signal}: stopping (again to leave at once)`);
    interrupted.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let net: BenchNetwork | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'trellis-bench-net-'));
  try {
    progress('starting a local network (anvil, contracts, three providers and a gateway, each in its own process)');
    const settlement = { batchSize: 1_000_000, maxAgeMs: 3_600_000 };
    // A provider busy with 32 clients on a loaded machine can take longer than the
    // gateway's default 2 s to answer a health check; this measures throughput, not failover.
    const healthTimeoutMs = 30_000;
    // The role processes' warnings and errors are worth seeing when a phase fails.
    const onLogLine = (line: string) => {
      if (/^\S+ (warn|error) /.test(line)) progress(line);
    };
    net = {
      ...(await startLocalNetwork({ dataDir, port: 0, fresh: true, processes: true, log: silentLogger, settlement, healthTimeoutMs, onLogLine })),
      dataDir,
    };
    void net.failure.then((error) => {
      progress(`${error.message}`);
      interrupted.abort();
    });
    const figures = await measure(net, options, interrupted.signal);
    report('network', figures);
  } catch (error) {
    if (!interrupted.signal.aborted) throw error;
  } finally {
    if (net) {
      progress('stopping the local network');
      await net.stop();
    }
    rmSync(dataDir, { recursive: true, force: true });
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (interrupted.signal.aborted) process.exit(130);
}

async function measure(net: BenchNetwork, options: Options, signal: AbortSignal): Promise<Figure[]> {
  const { deployment } = net.chain;
  const digit = JSON.parse(readFileSync(new URL('../examples/digit-3.json', import.meta.url), 'utf8')) as number[];
  const model = loadModel(MODEL);
  const load = (workers: number, step: (worker: number) => Promise<unknown>) => {
    checkpoint(signal);
    return runLoad({ workers, seconds: options.seconds, maxRequests: options.maxRequests, step, signal });
  };
  const figures: Figure[] = [];
  const phase = (prefix: string, what: string, result: LoadResult): LatencySummary => {
    checkpoint(signal);
    if (result.latenciesMs.length === 0) {
      throw new BenchError('BENCH_NOTHING_MEASURED', `No request of the ${what} phase completed.`, {
        details: [`failed: ${result.failed}`],
        cause: result.firstError,
      });
    }
    if (result.failed > 0) progress(`${what}: ${result.failed} request(s) failed; first: ${String(result.firstError)}`);
    const s = summarizeLatencies(result.latenciesMs, result.elapsedMs);
    figures.push(
      { figure: `${prefix}_req_per_s`, value: s.perSecond, unit: 'req/s', label: `${what}: requests per second` },
      { figure: `${prefix}_p50_ms`, value: s.p50Ms, unit: 'ms', label: `${what}: latency p50` },
      { figure: `${prefix}_p99_ms`, value: s.p99Ms, unit: 'ms', label: `${what}: latency p99` },
      { figure: `${prefix}_requests`, value: s.count, unit: 'req', label: `${what}: requests completed` },
    );
    return s;
  };
  const ratio = (figure: string, label: string, value: number) => figures.push({ figure, value, unit: 'x', label });
  let failed = 0;

  // The provider's own work on a request, without signing, HTTP, storage or payment:
  // the same preprocessed row through the same engine, with the execution trace.
  progress(`in-process engine runs (${options.seconds} s)`);
  const row = Array.from(applyPreprocess(model.preprocess, digit));
  for (let i = 0; i < 20; i++) run(model.engine, row, { batch: 1, trace: true });
  const inprocessResult = await load(1, async () => run(model.engine, row, { batch: 1, trace: true }));
  const inprocess = phase('inprocess', 'in-process engine run with trace', inprocessResult);

  progress("the provider's necessary work per request, and the protocol's crypto against viem's");
  const floorUs = await providerFloorUs(model.engine, row, CPU_SAMPLES);
  figures.push({
    figure: 'floor_provider_us_per_req',
    value: floorUs,
    unit: 'us',
    label: 'provider floor: parse, recover, input hash, traced run, sign (CPU per request)',
  });
  const traceUs = await traceCommitmentUs(model.engine, row, CPU_SAMPLES);
  figures.push({ figure: 'trace_commitment_us_per_req', value: traceUs, unit: 'us', label: 'trace commitment: traced run less plain run (CPU per request)' });
  const crypto = await cryptoSpeedRatios(model.engine, row, CPU_SAMPLES);
  ratio('crypto_fast_vs_viem_ratio_recover', 'signature recovery, viem typed data / protocol (CPU)', crypto.recover);
  ratio('crypto_fast_vs_viem_ratio_sign', 'receipt signing, viem typed data / protocol (CPU)', crypto.sign);

  progress(`funding ${Math.max(...CONCURRENCY) + 1} client accounts`);
  const funder = await connectDevSigner(net.chain.rpcUrl, FUNDER_ACCOUNT, deployment.chainId);
  const connections = await fundClients({ funder, deployment, count: Math.max(...CONCURRENCY) + 1, escrow: CLIENT_ESCROW });
  const all = connections.map(
    (connection, i) => new TrellisClient({ connection, deployment, gatewayUrl: net.gatewayUrl, dataDir: join(net.dataDir, 'bench-clients', String(i)) }),
  );
  // The last one keeps a fresh channel for the long-channel settlement phase.
  const longChannel = all.pop()!;
  const clients = all;
  try {
    const provider = net.providers[0]!;
    const viaGateway = (worker: number) => clients[worker]!.infer({ model: MODEL, input: digit });
    const direct = () => clients[0]!.infer({ model: MODEL, input: digit, providerUrl: provider.url });

    checkpoint(signal);
    progress('warming up every client');
    await Promise.all(
      clients.map(async (_, worker) => {
        for (let i = 0; i < WARMUP_REQUESTS; i++) await viaGateway(worker);
      }),
    );
    for (let i = 0; i < WARMUP_REQUESTS; i++) await direct();

    progress(`one client straight to a provider (${options.seconds} s)`);
    const directResult = await load(1, direct);
    failed += directResult.failed;
    const straight = phase('provider', 'one client, straight to a provider', directResult);

    const levels = new Map<number, LatencySummary>();
    for (const workers of CONCURRENCY) {
      progress(`${workers} concurrent client(s) through the gateway (${options.seconds} s)`);
      const providersBefore = await snapshotRoles(net.providers.map((p) => p.statsUrl));
      const gatewayBefore = await snapshotRoles([net.gateway.statsUrl]);
      const clientCpu = process.cpuUsage();
      const result = await load(workers, viaGateway);
      const clientUs = process.cpuUsage(clientCpu);
      if (workers === CPU_CLIENTS) {
        const providers = cpuBetween(providersBefore, await snapshotRoles(net.providers.map((p) => p.statsUrl)));
        const gateway = cpuBetween(gatewayBefore, await snapshotRoles([net.gateway.statsUrl]));
        const what = `${workers} clients through the gateway`;
        figures.push(
          { figure: 'provider_cpu_us_per_req', value: providers.usPerRequest, unit: 'us', label: `${what}: CPU of the provider processes per request served` },
          { figure: 'gateway_cpu_us_per_req', value: gateway.usPerRequest, unit: 'us', label: `${what}: CPU of the gateway process per request routed` },
          {
            figure: 'client_cpu_us_per_req',
            value: (clientUs.user + clientUs.system) / Math.max(1, result.latenciesMs.length),
            unit: 'us',
            label: `${what}: CPU of the clients' process per request`,
          },
        );
        ratio('provider_cpu_vs_floor_ratio', "provider process CPU per request / the provider's floor", providers.usPerRequest / floorUs);
        ratio('gateway_cpu_vs_floor_ratio', "gateway process CPU per request / the provider's floor", gateway.usPerRequest / floorUs);
        ratio('trace_share_of_provider_cpu', "trace commitment's CPU / provider process CPU per request", traceUs / providers.usPerRequest);
      }
      failed += result.failed;
      levels.set(workers, phase(`gateway_c${workers}`, `${workers} client(s) through the gateway`, result));
    }
    const gateway = levels.get(1)!;

    ratio('gateway_vs_inprocess_latency_ratio_p50', 'latency p50, one client through the gateway / in-process run', gateway.p50Ms / inprocess.p50Ms);
    ratio('gateway_vs_inprocess_latency_ratio_p99', 'latency p99, one client through the gateway / in-process run', gateway.p99Ms / inprocess.p99Ms);
    ratio(
      'inprocess_vs_gateway_throughput_ratio',
      'requests per second, in-process run / one client through the gateway',
      inprocess.perSecond / gateway.perSecond,
    );
    ratio('provider_vs_inprocess_latency_ratio_p50', 'latency p50, one client straight to a provider / in-process run', straight.p50Ms / inprocess.p50Ms);
    ratio('gateway_vs_provider_latency_ratio_p50', 'latency p50, through the gateway / straight to a provider', gateway.p50Ms / straight.p50Ms);
    figures.push({
      figure: 'gateway_overhead_ms_p50',
      value: gateway.p50Ms - straight.p50Ms,
      unit: 'ms',
      label: 'latency p50 through the gateway less straight to a provider',
    });
    for (const workers of CONCURRENCY.slice(1)) {
      ratio(
        `gateway_c${workers}_vs_c1_throughput_ratio`,
        `requests per second, ${workers} clients / 1 client`,
        levels.get(workers)!.perSecond / gateway.perSecond,
      );
    }
    figures.push({ figure: 'failed_requests', value: failed, unit: 'req', label: 'requests that failed in the network phases' });

    // Settlement: every payment reaches its provider, then every provider redeems
    // what it holds; the gas is read back from the redemption transactions.
    checkpoint(signal);
    progress('redeeming every voucher');
    for (const client of clients) await client.flushVouchers();
    const escrow = deployment.contracts.escrow;
    const fromBlock = (await funder.publicClient.getBlockNumber()) + 1n;
    await Promise.all(net.providers.map((p) => p.redeemNow()));
    const toBlock = await funder.publicClient.getBlockNumber();
    const gas = await redemptionGas(funder, escrow, fromBlock, toBlock);
    const receipts = clients.flatMap((c) => c.receipts().map((r) => r.receipt));
    const settled = await settledRequests(funder, escrow, receipts);
    if (settled.settled === 0 || gas.transactions === 0) {
      throw new BenchError('BENCH_SETTLEMENT_INCOMPLETE', 'The providers redeemed nothing after the load.', {
        details: [`receipts held by the clients: ${receipts.length}`, `settled: ${settled.settled}`, `redemption transactions: ${gas.transactions}`],
      });
    }
    if (settled.unsettled > 0) progress(`${settled.unsettled} receipt(s) were not settled by the redemption`);
    figures.push(
      { figure: 'settlement_requests', value: settled.settled, unit: 'req', label: 'requests settled by the redemption (warm-up included)' },
      { figure: 'settlement_unsettled_requests', value: settled.unsettled, unit: 'req', label: 'receipts the redemption did not cover' },
      { figure: 'settlement_channels', value: gas.vouchers, unit: 'channels', label: 'vouchers redeemed (one per client, provider and model)' },
      { figure: 'settlement_transactions', value: gas.transactions, unit: 'tx', label: 'redemption transactions' },
      { figure: 'settlement_gas_total', value: Number(gas.gas), unit: 'gas', label: 'gas of all redemption transactions' },
      { figure: 'settlement_gas_per_request', value: Number(gas.gas) / settled.settled, unit: 'gas', label: 'settlement gas per request settled' },
    );

    // One channel that carries many requests before its voucher is redeemed: the
    // voucher is cumulative, so one redemption pays for all of them.
    checkpoint(signal);
    const n = options.channelRequests;
    progress(`${n} requests on one channel, straight to a provider, then one redemption`);
    for (let i = 0; i < n; i++) {
      if (i % 100 === 0) checkpoint(signal);
      await longChannel.infer({ model: MODEL, input: digit, providerUrl: provider.url });
    }
    await longChannel.flushVouchers();
    const longFrom = (await funder.publicClient.getBlockNumber()) + 1n;
    await provider.redeemNow();
    const longGas = await redemptionGas(funder, escrow, longFrom, await funder.publicClient.getBlockNumber());
    const longSettled = await settledRequests(
      funder,
      escrow,
      longChannel.receipts().map((r) => r.receipt),
    );
    if (longSettled.settled === 0) {
      throw new BenchError('BENCH_SETTLEMENT_INCOMPLETE', 'The provider redeemed nothing of the long channel.', {
        details: [`requests sent: ${n}`, `redemption transactions: ${longGas.transactions}`],
      });
    }
    figures.push(
      { figure: `settlement_${n}_requests`, value: longSettled.settled, unit: 'req', label: `requests settled on the one long channel` },
      { figure: `settlement_${n}_gas_total`, value: Number(longGas.gas), unit: 'gas', label: 'gas of its redemption' },
      {
        figure: `settlement_gas_per_request_${n}`,
        value: Number(longGas.gas) / longSettled.settled,
        unit: 'gas',
        label: `settlement gas per request, ${n} requests on one channel`,
      },
    );
    return figures;
  } finally {
    for (const client of [...clients, longChannel]) client.close();
  }
}

function checkpoint(signal: AbortSignal): void {
  if (signal.aborted) throw new BenchError('BENCH_INTERRUPTED', 'The benchmark was interrupted; nothing is reported.');
}

/** Progress lines go to stderr, so stdout stays the table and the JSON lines. */
function progress(text: string): void {
  console.error(`network: ${text}`);
}
