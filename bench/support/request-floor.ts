// The provider's necessary work on one request, in process and with nothing around it:
// parse the wire body, recover the client's signature, hash the input, run the engine
// with its trace and sign the receipt. Also the protocol's signing and recovery against
// viem's typed-data functions on the same messages, for the speed ratios; and what the
// trace commitment alone costs.
import { recoverTypedDataAddress, zeroHash, type LocalAccount } from 'viem';
import { generatePrivateKey } from 'viem/accounts';
import { run, type Engine } from '../../src/engine/index.ts';
import { inputHashOf } from '../../src/protocol/commitments.ts';
import {
  receiptTypes,
  recoverRequestSigner,
  requestTypes,
  signReceipt,
  signRequest,
  type InferenceRequest,
  type ProtocolDomain,
  type Receipt,
} from '../../src/protocol/messages.ts';
import { accountOfKey } from '../../src/protocol/signatures.ts';
import { parseInferBody, toWire } from '../../src/protocol/wire.ts';

const domain: ProtocolDomain = { chainId: 31337, escrow: '0x5FbDB2315678afecb367f032d93F642f64180aa3' };
const typedDomain = { name: 'Trellis Inference', version: '1', chainId: domain.chainId, verifyingContract: domain.escrow } as const;

/** CPU microseconds per call of `step`, over `count` calls after a few untimed ones. */
async function cpuPerCall(count: number, step: (i: number) => unknown): Promise<number> {
  for (let i = 0; i < 10; i++) await step(i);
  const before = process.cpuUsage();
  for (let i = 0; i < count; i++) await step(i);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / count;
}

async function fixtures(engine: Engine, row: number[]) {
  const client = accountOfKey(generatePrivateKey());
  const provider = accountOfKey(generatePrivateKey());
  const request: InferenceRequest = {
    client: client.address,
    modelId: `0x${'42'.repeat(32)}`,
    inputHash: inputHashOf(engine, row).inputHash,
    maxFee: 1_000n,
    nonce: 7n,
    deadline: 1_800_000_060n,
    verification: 2,
    router: provider.address,
  };
  const signature = await signRequest(client, domain, request);
  return { client, provider, request, signature, wire: JSON.stringify({ request: toWire(request), signature, input: row }) };
}

const receiptFor = (provider: LocalAccount, request: InferenceRequest, requestHash: `0x${string}`, nonce: number): Receipt => ({
  requestHash,
  client: request.client,
  provider: provider.address,
  modelId: request.modelId,
  inputHash: request.inputHash,
  outputHash: zeroHash,
  traceRoot: zeroHash,
  fee: 10n,
  channelTotal: 10n * BigInt(nonce + 1),
  issuedAt: 1_800_000_000n,
  verification: 2,
});

/** CPU microseconds of the provider's necessary work on one request. */
export async function providerFloorUs(engine: Engine, row: number[], count: number): Promise<number> {
  const { provider, wire } = await fixtures(engine, row);
  return cpuPerCall(count, async (i) => {
    const body = parseInferBody(JSON.parse(wire));
    if (body.input === undefined) throw new Error('the bench request carries no input in the clear');
    const { request } = body;
    const signer = await recoverRequestSigner(domain, request, body.signature);
    if (signer !== request.client) throw new Error('the bench request does not verify');
    if (inputHashOf(engine, body.input).inputHash !== request.inputHash) throw new Error('the bench input does not match');
    // As the provider does: the trace reuses the input's root, and the output hash is its last root.
    const trace = run(engine, body.input, { batch: 1, trace: true, inputRoot: request.inputHash }).traces![0]!;
    const receipt = {
      ...receiptFor(provider, request, zeroHash, i),
      outputHash: trace.layerRoots[trace.layerRoots.length - 1]!,
      traceRoot: trace.root,
    };
    await signReceipt(provider, domain, receipt);
  });
}

/** How many times faster the protocol's recovery and signing are than viem's typed-data functions (CPU). */
export async function cryptoSpeedRatios(engine: Engine, row: number[], count: number): Promise<{ recover: number; sign: number }> {
  const { provider, request, signature } = await fixtures(engine, row);
  const typedRequest = { domain: typedDomain, types: requestTypes, primaryType: 'InferenceRequest', message: request } as const;
  const ownRecover = await cpuPerCall(count, () => recoverRequestSigner(domain, request, signature));
  const viemRecover = await cpuPerCall(count, () => recoverTypedDataAddress({ ...typedRequest, signature }));
  const receipt = (i: number) => receiptFor(provider, request, zeroHash, i);
  const ownSign = await cpuPerCall(count, (i) => signReceipt(provider, domain, receipt(i)));
  const viemSign = await cpuPerCall(count, (i) =>
    provider.signTypedData({ domain: typedDomain, types: receiptTypes, primaryType: 'Receipt', message: receipt(i) }),
  );
  return { recover: viemRecover / ownRecover, sign: viemSign / ownSign };
}

/**
 * CPU microseconds the trace commitment adds to one request: the engine run with its
 * trace (every tensor kept, hashed into the trace root) less the same run without.
 */
export async function traceCommitmentUs(engine: Engine, row: number[], count: number): Promise<number> {
  const traced = await cpuPerCall(count, () => run(engine, row, { batch: 1, trace: true }));
  const plain = await cpuPerCall(count, () => run(engine, row, { batch: 1 }));
  return Math.max(0, traced - plain);
}
