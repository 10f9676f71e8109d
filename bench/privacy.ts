// `npm run bench -- privacy [--rounds R]`: what privacy costs. DP-FedAvg (server-side
// fixed clipping, src/fl/dp) on the default models' own data at epsilon 1, 3 and 8
// (delta 1e-5, the noise multiplier the RDP accountant gives for R rounds at the
// sampling rate) against FedAvg without DP, for breast-cancer-mlp and digits-mlp; and
// one SecAgg+ round (src/fl/secagg) over a vector of digits-mlp's size at 10 and 50
// clients: milliseconds per client (clients' and aggregator's time together, divided by
// n) and the JSON bytes a client sends and receives; and the same vector aggregated
// under Paillier (src/fl/he) at 10 clients, for comparison. Seeded: the accuracy figures
// are the same on every run of the same code. Last, sealed inference inputs
// (src/protocol/sealed-input.ts): a provider's CPU per sealed request over per request in
// the clear, same model and input, in this process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Address, Hex } from 'viem';
import { FloatModel } from '../src/engine/float.ts';
import { loadModel } from '../src/models/catalog.ts';
import { inputHashOf } from '../src/protocol/commitments.ts';
import { hashRequest, signRequest, verificationModes, type InferenceRequest } from '../src/protocol/messages.ts';
import { encodeValues, sealInput } from '../src/protocol/sealed-input.ts';
import type { ParsedInferBody } from '../src/protocol/wire.ts';
import { Ledger } from '../src/provider/ledger.ts';
import { SealingKeys } from '../src/provider/sealing-key.ts';
import { RequestServer } from '../src/provider/serve.ts';
import { applyPreprocess } from '../src/train/preprocess.ts';
import { encryptUpdate, HeAggregator, HeDecryptor } from '../src/fl/he/aggregation.ts';
import { epsilonAfter, noiseMultiplierFor } from '../src/fl/dp/rdp.ts';
import { dpServerSideFixedClipping } from '../src/fl/dp/strategies.ts';
import { experimentData, runExperiment } from '../src/fl/experiment.ts';
import type { SecAggSession } from '../src/fl/secagg/messages.ts';
import { seededRandomBytes } from '../src/fl/secagg/random-bytes.ts';
import { runSecAggRound } from '../src/fl/secagg/run-round.ts';
import { fedAvg } from '../src/fl/strategies/fedavg.ts';
import { modelSpec } from '../src/train/models.ts';
import { accountOfKey } from '../src/protocol/signatures.ts';
import { report, type Figure } from './report.ts';
import { numberOption } from './support/options.ts';

const DELTA = 1e-5;
const EPSILONS = [1, 3, 8];

/** Many small clients, a fraction sampled each round: user-level DP needs a crowd to hide in. */
const DATASETS = [
  { name: 'breast_cancer', model: 'breast-cancer-mlp', clients: 100, fraction: 0.5, clippingNorm: 1, localEpochs: 3 },
  { name: 'digits', model: 'digits-mlp', clients: 200, fraction: 0.5, clippingNorm: 2, localEpochs: 3 },
] as const;

export async function main(args: string[]): Promise<void> {
  const rounds = numberOption(args, { name: 'rounds', fallback: 20, min: 1, max: 200, integer: true });
  const figures: Figure[] = [];

  for (const d of DATASETS) {
    const spec = modelSpec(d.model);
    const data = experimentData(spec);
    const sampled = Math.max(2, Math.round(d.clients * d.fraction));
    const base = { spec, clients: d.clients, partition: { kind: 'iid' } as const, rounds, localEpochs: d.localEpochs, seed: 3 };
    const plain = runExperiment({ ...base, strategy: (o) => fedAvg({ ...o, fractionFit: d.fraction }) }, data);
    figures.push({ figure: `privacy_nodp_accuracy_${d.name}`, value: plain.accuracy.at(-1)! * 100, unit: '%', label: `${d.model} FedAvg, no DP` });
    for (const epsilon of EPSILONS) {
      const samplingRate = sampled / d.clients;
      const z = noiseMultiplierFor(epsilon, { samplingRate, rounds, delta: DELTA });
      const spent = epsilonAfter({ noiseMultiplier: z, samplingRate, rounds, delta: DELTA });
      const run = runExperiment(
        {
          ...base,
          strategy: (o) =>
            dpServerSideFixedClipping(fedAvg({ ...o, fractionFit: d.fraction }), {
              noiseMultiplier: z,
              clippingNorm: d.clippingNorm,
              numSampledClients: sampled,
              random: seededRandomBytes(`bench-${d.name}-${epsilon}`),
            }),
        },
        data,
      );
      console.error(
        `privacy: ${d.model} eps ${epsilon} (spent ${spent.toFixed(3)}) z ${z.toFixed(3)} q ${samplingRate} -> ${(run.accuracy.at(-1)! * 100).toFixed(2)}%`,
      );
      figures.push({
        figure: `privacy_dp_accuracy_eps${epsilon}_${d.name}`,
        value: run.accuracy.at(-1)! * 100,
        unit: '%',
        label: `${d.model} DP-FedAvg eps ${epsilon} (z ${z.toFixed(2)})`,
      });
    }
  }

  const length = experimentData(modelSpec('digits-mlp')).initial.length;
  const accounts = Array.from({ length: 51 }, (_, i) => accountOfKey(`0x${(i + 1).toString(16).padStart(64, '0')}`));
  const roundOf = (n: number, round: number) => {
    const session: SecAggSession = {
      sessionId: `0x${'b3'.repeat(32)}`,
      round,
      aggregator: accounts[50]!.address,
      participants: accounts.slice(0, n).map((a) => a.address),
      vectorLength: length,
      config: { numShares: 7, reconstructionThreshold: 4 },
    };
    const values = Array.from({ length: n }, (_, i) => Array.from({ length }, (_, k) => Math.sin(i + k) * 0.1));
    return runSecAggRound({ session, aggregator: accounts[50]!, clients: accounts.slice(0, n), values });
  };
  await roundOf(5, 0); // warm-up: module loading and first-call compilation are not a round's cost
  for (const n of [10, 50]) {
    const out = await roundOf(n, n);
    const perClient = (out.timing.client + out.timing.server) / n;
    figures.push(
      { figure: `privacy_secagg_ms_per_client_${n}`, value: perClient, unit: 'ms', label: `SecAgg+ round, ${n} clients, ${length} values: ms per client` },
      { figure: `privacy_secagg_client_ms_${n}`, value: out.timing.client / n, unit: 'ms' },
      { figure: `privacy_secagg_server_ms_${n}`, value: out.timing.server, unit: 'ms' },
    );
    if (n === 50) {
      const bytes = out.bytes.reduce((s, b) => s + b.sent + b.received, 0) / n;
      const plainBytes = Buffer.byteLength(JSON.stringify(new Array(length).fill(2 ** 31)));
      figures.push(
        { figure: 'privacy_secagg_bytes_per_client', value: bytes, unit: 'B', label: `SecAgg+ bytes sent + received per client (50 clients)` },
        { figure: 'privacy_secagg_bytes_vs_plain_ratio', value: bytes / plainBytes, unit: 'x', label: 'those bytes / one unmasked vector of the same length' },
      );
    }
  }
  const growth =
    figures.find((f) => f.figure === 'privacy_secagg_ms_per_client_50')!.value / figures.find((f) => f.figure === 'privacy_secagg_ms_per_client_10')!.value;
  figures.push({
    figure: 'privacy_secagg_ms_per_client_growth_10_to_50',
    value: growth,
    unit: 'x',
    label: 'ms per client at 50 / at 10 (1 = linear total cost)',
  });
  figures.push(...(await paillierFigures(length, figures.find((f) => f.figure === 'privacy_secagg_ms_per_client_10')!.value)));
  figures.push(...(await sealedFigures()));
  report('privacy', figures);
}

/** Requests of each kind per measured block; two blocks of each, interleaved, so that a load change hits both kinds. */
const SEALED_REQUESTS = 150;

/**
 * A provider's own CPU time (process.cpuUsage: user + system) per request of digits-mlp
 * in verification optimistic, its input sealed against in the clear, through the
 * provider's request code (src/provider/serve.ts) with a real ledger on disk and
 * real signatures. Only the escrow read is left out (a constant balance), as it is the
 * same chain call for both kinds. The client's side (sealing the input and opening the
 * output) is timed apart, off the provider's clock.
 */
export async function sealedFigures(): Promise<Figure[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'trellis-bench-sealed-'));
  try {
    const model = loadModel('digits-mlp');
    const modelId = `0x${'5e'.repeat(32)}` as Hex;
    const provider = accountOfKey(`0x${'a1'.padStart(64, '0')}`);
    const client = accountOfKey(`0x${'c1'.padStart(64, '0')}`);
    const domain = { chainId: 31337, escrow: `0x${'e5'.repeat(20)}` as Address };
    const keys = await SealingKeys.open(dataDir);
    keys.published(keys.current.publicKey, 1);
    const ledger = new Ledger(dataDir);
    const server = new RequestServer({
      account: provider,
      domain,
      ledger,
      models: new Map([[modelId, { model, modelId, price: 1n, float: await FloatModel.load(model.onnx) }]]),
      maxUnpaid: Number.MAX_SAFE_INTEGER,
      escrowAvailable: async () => 10n ** 30n,
      now: () => BigInt(Math.floor(Date.now() / 1000)),
      unpaidGraceMs: 3_600_000,
      paymentWindowMs: 3_600_000,
      sealingKeys: keys,
    });
    const digit = Array.from({ length: 64 }, (_, i) => (i * 7) % 17);
    const input = Array.from(applyPreprocess(model.preprocess, digit));
    const { inputHash } = inputHashOf(model.engine, input);
    let nonce = 0n;
    let clientMs = 0;
    // Bodies are signed (and sealed) before the provider's clock starts: that is the client's work.
    const bodies = async (sealed: boolean, n: number) => {
      const out: { body: ParsedInferBody; open?: (output: Hex) => Uint8Array }[] = [];
      for (let i = 0; i < n; i++) {
        const request: InferenceRequest = {
          client: client.address,
          modelId,
          inputHash,
          maxFee: 1n,
          nonce: ++nonce,
          deadline: BigInt(Math.floor(Date.now() / 1000) + 290),
          verification: verificationModes.indexOf('optimistic'),
          router: provider.address,
        };
        const signature = await signRequest(client, domain, request);
        if (!sealed) {
          out.push({ body: { request, signature, input, vouchers: [] } });
          continue;
        }
        const t = performance.now();
        const sealing = await sealInput({
          publicKey: keys.current.publicKey,
          keyVersion: 1,
          requestHash: hashRequest(domain, request),
          input: encodeValues(input),
        });
        clientMs += performance.now() - t;
        out.push({ body: { request, signature, sealedInput: sealing.sealed, vouchers: [] }, open: sealing.openOutput });
      }
      return out;
    };
    const serveAll = async (batch: Awaited<ReturnType<typeof bodies>>) => {
      const start = process.cpuUsage();
      const answers = [];
      for (const { body } of batch) answers.push(await server.serve(body));
      const used = process.cpuUsage(start);
      return { cpuMs: (used.user + used.system) / 1000, answers };
    };
    await serveAll([...(await bodies(false, 10)), ...(await bodies(true, 10))]); // warm-up
    clientMs = 0;
    let plainMs = 0;
    let sealedMs = 0;
    for (let block = 0; block < 2; block++) {
      plainMs += (await serveAll(await bodies(false, SEALED_REQUESTS))).cpuMs;
      const sealedBatch = await bodies(true, SEALED_REQUESTS);
      const served = await serveAll(sealedBatch);
      sealedMs += served.cpuMs;
      const t = performance.now();
      for (const [i, answer] of served.answers.entries()) sealedBatch[i]!.open!((answer as { sealedOutput: Hex }).sealedOutput);
      clientMs += performance.now() - t;
    }
    ledger.close();
    const n = 2 * SEALED_REQUESTS;
    return [
      {
        figure: 'privacy_plain_provider_cpu_ms',
        value: plainMs / n,
        unit: 'ms',
        label: 'provider CPU per request, input in the clear (digits-mlp, optimistic)',
      },
      { figure: 'privacy_sealed_provider_cpu_ms', value: sealedMs / n, unit: 'ms', label: 'provider CPU per request, input sealed (HPKE)' },
      { figure: 'provider_encrypt_overhead_ratio', value: sealedMs / plainMs, unit: 'x', label: 'provider CPU per sealed request / per request in the clear' },
      { figure: 'privacy_sealed_client_ms', value: clientMs / n, unit: 'ms', label: "client's sealing of the input and opening of the output, per request" },
    ];
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * One Paillier-aggregated round of 10 clients over the same vector as SecAgg+ above, with
 * a 2048-bit key: each client quantizes, packs and encrypts; the aggregator multiplies;
 * the decryptor opens the sum. Per-client cost counts the aggregator's and decryptor's
 * time divided by n, as the SecAgg+ figure does.
 */
async function paillierFigures(length: number, secAggPerClient: number): Promise<Figure[]> {
  const n = 10;
  const participants = Array.from({ length: n }, (_, i) => `0x${(i + 1).toString(16).padStart(40, '0')}` as Address);
  const started = performance.now();
  const decryptor = await HeDecryptor.generate();
  const keygen = performance.now() - started;
  const session = decryptor.session({ round: 0, participants, vectorLength: length, config: { maxClients: n } });
  const values = participants.map((_, i) => Array.from({ length }, (_, k) => Math.sin(i + k) * 0.1));
  encryptUpdate(session, participants[0]!, values[0]!); // warm-up
  let client = 0;
  let bytes = 0;
  const updates = participants.map((sender, i) => {
    const t = performance.now();
    const update = encryptUpdate(session, sender, values[i]!);
    client += performance.now() - t;
    bytes += Buffer.byteLength(JSON.stringify(update.ciphertexts.map((c) => `0x${c.toString(16)}`)));
    return update;
  });
  const t = performance.now();
  const aggregator = new HeAggregator(session);
  for (const update of updates) aggregator.add(update);
  const sum = decryptor.decryptSum(session, aggregator.aggregate(), n);
  const server = performance.now() - t;
  const error = Math.max(...Array.from(sum, (s, k) => Math.abs(s - values.reduce((acc, v) => acc + v[k]!, 0))));
  if (error > 1e-4) throw new Error(`Paillier sum is off by ${error}`);
  const perClient = (client + server) / n;
  console.error(
    `privacy: Paillier ${n} clients, ${length} values in ${session.packing.blocks} ciphertexts (${session.packing.slotsPerPlaintext} per plaintext)`,
  );
  return [
    { figure: 'privacy_he_keygen_ms', value: keygen, unit: 'ms', label: 'Paillier 2048-bit key generation (once per task)' },
    { figure: 'privacy_he_ms_per_client_10', value: perClient, unit: 'ms', label: `Paillier round, ${n} clients, ${length} values: ms per client` },
    { figure: 'privacy_he_client_ms_10', value: client / n, unit: 'ms' },
    { figure: 'privacy_he_server_ms_10', value: server, unit: 'ms', label: 'aggregator multiplying plus decryptor opening the sum' },
    { figure: 'privacy_he_bytes_per_client', value: bytes / n, unit: 'B', label: 'JSON bytes a client sends' },
    {
      figure: 'privacy_he_vs_secagg_ms_ratio_10',
      value: perClient / secAggPerClient,
      unit: 'x',
      label: 'Paillier ms per client / SecAgg+ ms per client, 10 clients',
    },
  ];
}
