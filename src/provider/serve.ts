// What a provider does with one request, in order: check the client's signature, the
// route (this provider is the request's router or holds its router's assignment), the
// deadline (not passed, not more than MAX_REQUEST_TTL_SECONDS ahead) and the nonce (no
// replay); take the vouchers paying for earlier results; check the model, the fee and
// the input; write off what the client shows it never received; check the channel's
// credit and the client's escrow; run the model; sign a receipt; persist it; answer.
// Every refusal happens before a receipt is recorded, so a refused request charges
// nothing. A sealed input (docs/privacy.md) is opened with the request hash as
// associated data right before the input check, which then holds the plaintext to the
// signed input hash exactly as for an input in the clear; its answer is sealed back,
// and that sealed answer is what is recorded and served again, never the output.
import { getAddress, zeroHash, type Address, type Hex, type LocalAccount } from 'viem';
import { quantizeInput, run } from '../engine/index.ts';
import type { FloatModel } from '../engine/float.ts';
import type { Trace } from '../engine/trace.ts';
import type { CatalogModel } from '../models/catalog.ts';
import { fixedOutputHash, floatOutputHash, inputHashOf } from '../protocol/commitments.ts';
import { ProtocolError } from '../protocol/errors.ts';
import {
  hashRequest,
  MAX_REQUEST_TTL_SECONDS,
  recoverRequestSigner,
  signReceipt,
  verificationModes,
  type InferenceRequest,
  type ProtocolDomain,
  type Receipt,
} from '../protocol/messages.ts';
import { checkSealable, decodeValues, encodeValues, openInput, type SealedInput } from '../protocol/sealed-input.ts';
import { parseSample, toWire, type InferResult, type ParsedInferBody, type SealedInferResult } from '../protocol/wire.ts';
import { zkProofBinding, type ZkProofResult } from '../zk/proof-format.ts';
import type { ZkProver } from '../zk/prover.ts';
import { recoverVoucherSigner, type EscrowDomain, type SignedVoucher } from '../payments/voucher.ts';
import { channelKey, type Ledger, type StoredResult } from './ledger.ts';
import { checkRoute } from './route-check.ts';
import type { SealingKeys } from './sealing-key.ts';

/** `zk`: this node holds the model's proving key (models/zk/<model>/) and serves verification zk; absent: it does not. */
export type ServedModel = { model: CatalogModel; modelId: Hex; price: bigint; float: FloatModel; zk?: boolean };

/** A zk answer before it is signed: the output and the proof that the committed weights give it. */
export type ZkAnswer = { output: number[]; zk: ZkProofResult };

export type ServeDependencies = {
  account: LocalAccount;
  domain: ProtocolDomain & EscrowDomain;
  ledger: Ledger;
  models: ReadonlyMap<Hex, ServedModel>;
  /** Unpaid receipts a channel may have before the provider refuses more work on it. */
  maxUnpaid: number;
  /** What the client's escrow can still pay: balance less any pending withdrawal. */
  escrowAvailable(client: Address): Promise<bigint>;
  /** Unix seconds, injected so that tests control time. */
  now(): bigint;
  /** Milliseconds after which an unpaid receipt is written off (see Ledger). */
  unpaidGraceMs: number;
  /**
   * Milliseconds a client has to pay for a result it received before its next request
   * on the channel takes the result as never delivered (Ledger.writeOffUndelivered).
   */
  paymentWindowMs: number;
  /** The trace to sign instead of the honest one (the faulty-provider option, src/provider/faults.ts). */
  signedTrace?(requestHash: Hex, honest: Trace): Trace;
  /** Proves zk requests off the event loop; without it no model is served in zk. */
  prover?: ZkProver;
  /**
   * Checks a proof against the model's verifier on chain before it is signed, so that
   * this node never signs a proof the chain would judge failed (and slash).
   */
  checkZkOnChain?(modelId: Hex, zk: ZkProofResult): Promise<void>;
  /** The zk answer to sign instead of the honest one (the faulty-provider option, src/provider/faults.ts). */
  signedZk?(requestHash: Hex, honest: ZkAnswer, quantizedInput: readonly number[]): ZkAnswer;
  /** The keys sealed inputs are opened with; without them sealed inputs are refused (SEALING_KEY_UNKNOWN). */
  sealingKeys?: SealingKeys;
};

export class RequestServer {
  /**
   * Requests being computed, with their channel and fee: a replay racing the original
   * is refused, and their fees count against the client's credit and escrow.
   */
  private readonly inFlight = new Map<Hex, { key: string; client: string; fee: bigint }>();
  /** Serializes receipts per channel so their channel totals are issued in order. */
  private readonly channelLocks = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: ServeDependencies) {}

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Serves one request: an input in the clear gets its output in the clear, a sealed one its output sealed. */
  serve(body: ParsedInferBody & { sealedInput?: undefined }): Promise<InferResult>;
  serve(body: ParsedInferBody): Promise<InferResult | SealedInferResult>;
  async serve(body: ParsedInferBody): Promise<InferResult | SealedInferResult> {
    const { request, signature, vouchers } = body;
    const { deps } = this;
    const requestHash = hashRequest(deps.domain, request);

    const signer = await recoverRequestSigner(deps.domain, request, signature, requestHash).catch(() => undefined);
    if (signer === undefined || getAddress(signer) !== getAddress(request.client)) {
      throw new ProtocolError('BAD_SIGNATURE', "The request signature is not the client's.", {
        details: [`client: ${request.client}`, `recovered signer: ${signer ?? 'none'}`],
      });
    }
    await checkRoute(deps.domain, deps.account.address, request, requestHash, body.assignment);
    const now = deps.now();
    if (request.deadline <= now) {
      throw new ProtocolError('DEADLINE_EXPIRED', 'The request deadline has passed.', { details: [`deadline: ${request.deadline}`, `now: ${now}`] });
    }
    if (request.deadline > now + MAX_REQUEST_TTL_SECONDS) {
      throw new ProtocolError('DEADLINE_TOO_FAR', `The request deadline is more than ${MAX_REQUEST_TTL_SECONDS} seconds ahead.`, {
        details: [`deadline: ${request.deadline}`, `now: ${now}`, `latest accepted: ${now + MAX_REQUEST_TTL_SECONDS}`],
      });
    }
    if (deps.ledger.served(requestHash) || this.inFlight.has(requestHash)) {
      throw new ProtocolError('REPLAYED', 'This request was already served here.', { details: [`request hash: ${requestHash}`] });
    }
    const served = deps.models.get(request.modelId);
    if (!served) {
      throw new ProtocolError('UNKNOWN_MODEL', 'This provider does not serve the model.', {
        details: [`model id: ${request.modelId}`, `served: ${[...deps.models.values()].map((m) => `${m.model.name} (${m.modelId})`).join(', ')}`],
      });
    }
    if (request.verification >= verificationModes.length) {
      throw new ProtocolError('INVALID_BODY', 'request.verification: unknown verification mode.', {
        details: [`expected 0..${verificationModes.length - 1} (${verificationModes.join(', ')})`, `got ${request.verification}`],
      });
    }
    this.checkZkServed(served, request);
    if (served.price > request.maxFee) {
      throw new ProtocolError('FEE_TOO_LOW', "The request's maxFee is below this provider's price.", {
        details: [`price: ${served.price}`, `maxFee: ${request.maxFee}`],
      });
    }
    if (body.sealedInput) checkSealable(request.verification);
    const { input, sealOutput } = body.sealedInput ? await this.openSealed(body.sealedInput, requestHash) : { input: body.input, sealOutput: undefined };
    const { inputHash } = inputHashOf(served.model.engine, input);
    if (inputHash !== request.inputHash) {
      throw new ProtocolError('INVALID_INPUT', "The input does not match the request's input hash.", {
        details: [`signed inputHash: ${request.inputHash}`, `hash of the input sent: ${inputHash}`],
      });
    }
    await this.acceptVouchers(vouchers);

    const available = await deps.escrowAvailable(request.client);
    // From here to the reservation no await may intervene, so that two requests of one
    // channel cannot both pass the credit check.
    const nowMs = Number(deps.now()) * 1000;
    const since = nowMs - deps.unpaidGraceMs;
    deps.ledger.writeOffUndelivered(request.client, request.modelId, nowMs, { graceMs: deps.unpaidGraceMs, paymentWindowMs: deps.paymentWindowMs });
    const unpaid = deps.ledger.unpaidCount(request.client, request.modelId, since) + this.inFlightOnChannel(request.client, request.modelId);
    if (unpaid >= deps.maxUnpaid) {
      throw new ProtocolError('CREDIT_EXHAUSTED', 'Earlier results on this channel are not paid yet.', {
        details: [`unpaid receipts: ${unpaid}`, `allowed: ${deps.maxUnpaid}`, 'send the voucher for the latest receipt (POST /v1/vouchers) first'],
      });
    }
    const owed = deps.ledger.owedBy(request.client, since) + this.inFlightFees(request.client);
    if (owed + served.price > available) {
      throw new ProtocolError('INSUFFICIENT_ESCROW', "The client's escrow does not cover this request.", {
        details: [`escrow available: ${available}`, `owed to this provider: ${owed}`, `price: ${served.price}`],
      });
    }
    this.inFlight.set(requestHash, { key: channelKey(request.client, request.modelId), client: request.client.toLowerCase(), fee: served.price });
    try {
      const computed = await this.compute(served, request, input, requestHash);
      return await this.withChannelLock(channelKey(request.client, request.modelId), async () => {
        const receipt: Receipt = {
          requestHash,
          client: request.client,
          provider: deps.account.address,
          modelId: request.modelId,
          inputHash,
          outputHash: computed.outputHash,
          traceRoot: computed.traceRoot,
          fee: served.price,
          channelTotal: deps.ledger.nextTotal(request.client, request.modelId, served.price, since),
          issuedAt: deps.now(),
          verification: request.verification,
        };
        const result: InferResult | SealedInferResult = {
          ...(sealOutput ? { sealedOutput: sealOutput(encodeValues(computed.output)) } : { output: computed.output }),
          shape: computed.shape,
          frac: computed.frac,
          receipt: toWire(receipt),
          signature: await signReceipt(deps.account, deps.domain, receipt),
          ...(computed.zk ? { zk: computed.zk } : {}),
        };
        await deps.ledger.recordResult({ ...result, issuedAt: Number(deps.now()) * 1000 });
        return result;
      });
    } finally {
      this.inFlight.delete(requestHash);
    }
  }

  /**
   * Serves a call paid by x402 (docs/x402.md): `request` is the one the payment stands
   * for (src/x402/payment.ts, paidRequest), checked here like a signed one except that
   * the payment, not the client's signature, authorizes it, and nothing is owed on a
   * channel (channelTotal 0; a batched payment's voucher amount instead). The result is
   * returned, not recorded: the caller records it once the payment is settled or held,
   * so an unpaid result is never on file to be fetched.
   */
  async serveX402(request: InferenceRequest, input: number[], fee: bigint, channelTotal = 0n): Promise<StoredResult> {
    const { deps } = this;
    const requestHash = hashRequest(deps.domain, request);
    if (deps.ledger.served(requestHash) || this.inFlight.has(requestHash)) {
      throw new ProtocolError('REPLAYED', 'This paid call was already served here.', { details: [`request hash: ${requestHash}`] });
    }
    const served = deps.models.get(request.modelId);
    if (!served) throw new ProtocolError('UNKNOWN_MODEL', 'This provider does not serve the model.', { details: [`model id: ${request.modelId}`] });
    if (request.verification >= verificationModes.length) {
      throw new ProtocolError('INVALID_BODY', 'verification: unknown verification mode.', {
        details: [`expected 0..${verificationModes.length - 1} (${verificationModes.join(', ')})`, `got ${request.verification}`],
      });
    }
    if (verificationModes[request.verification] === 'zk') {
      throw new ProtocolError('ZK_NOT_SERVED', 'verification zk is not offered for paid calls over x402.', {
        details: ['send the request through a gateway or to POST /v1/infer'],
      });
    }
    this.inFlight.set(requestHash, { key: `x402:${requestHash}`, client: request.client.toLowerCase(), fee: 0n });
    try {
      const computed = await this.compute(served, request, input, requestHash);
      const receipt: Receipt = {
        requestHash,
        client: request.client,
        provider: deps.account.address,
        modelId: request.modelId,
        inputHash: request.inputHash,
        outputHash: computed.outputHash,
        traceRoot: computed.traceRoot,
        fee,
        channelTotal,
        issuedAt: deps.now(),
        verification: request.verification,
      };
      return {
        output: computed.output,
        shape: computed.shape,
        frac: computed.frac,
        receipt: toWire(receipt),
        signature: await signReceipt(deps.account, deps.domain, receipt),
        issuedAt: Number(deps.now()) * 1000,
      };
    } finally {
      this.inFlight.delete(requestHash);
    }
  }

  /**
   * Opens a sealed input with the key version it names and this request's hash: a key
   * this node no longer holds is SEALING_KEY_UNKNOWN, anything that does not open
   * (another key, another request's input, altered bytes) or holds no sample is
   * SEALED_INPUT_INVALID. Returns the sample and how to seal the answer to this client.
   */
  private async openSealed(sealed: SealedInput, requestHash: Hex): Promise<{ input: number[]; sealOutput: (output: Uint8Array) => Hex }> {
    const keys = this.deps.sealingKeys;
    const privateKey = keys?.privateKeyOf(sealed.keyVersion);
    if (!keys || privateKey === undefined) {
      throw new ProtocolError('SEALING_KEY_UNKNOWN', `This provider holds no sealing key of version ${sealed.keyVersion}.`, {
        details: [
          keys ? `versions held: ${keys.versions.join(', ') || 'none'}` : 'this provider takes no sealed inputs',
          "read the provider's current key (ProviderRegistry.encryptionKeyOf) and seal again",
        ],
      });
    }
    const opened = await openInput({ privateKey, requestHash, sealed });
    let input: number[];
    try {
      input = parseSample({ path: 'sealedInput (opened)', value: decodeValues(opened.input, 'The sealed input') });
    } catch (error) {
      if (error instanceof ProtocolError && error.code === 'INVALID_BODY')
        throw new ProtocolError('SEALED_INPUT_INVALID', 'The sealed input opened but holds no sample.', { details: [error.shortMessage, ...error.details] });
      throw error;
    }
    return { input, sealOutput: opened.sealOutput };
  }

  /** Takes vouchers (attached to a request or sent alone); returns how many were new. */
  async acceptVouchers(vouchers: readonly SignedVoucher[]): Promise<number> {
    let accepted = 0;
    for (const signed of vouchers) {
      // A client sends its latest vouchers for every provider; only ours matter here.
      if (getAddress(signed.voucher.provider) !== getAddress(this.deps.account.address)) continue;
      // Most attached vouchers repeat an amount already held: skip them before the
      // costly signature recovery, since an amount already paid changes nothing.
      if (signed.voucher.cumulativeAmount <= this.deps.ledger.paidAmount(signed.voucher.client, signed.voucher.modelId)) continue;
      const signer = await recoverVoucherSigner(this.deps.domain, signed).catch(() => undefined);
      if (signer === undefined || getAddress(signer) !== getAddress(signed.voucher.client)) {
        throw new ProtocolError('VOUCHER_INVALID', "A voucher signature is not its client's.", {
          details: [`client: ${signed.voucher.client}`, `recovered signer: ${signer ?? 'none'}`],
        });
      }
      if (this.deps.ledger.acceptVoucher(signed)) accepted++;
    }
    return accepted;
  }

  private inFlightOnChannel(client: Address, modelId: Hex): number {
    const key = channelKey(client, modelId);
    return [...this.inFlight.values()].filter((m) => m.key === key).length;
  }

  private inFlightFees(client: Address): bigint {
    return [...this.inFlight.values()].filter((m) => m.client === client.toLowerCase()).reduce((sum, m) => sum + m.fee, 0n);
  }

  /** verification zk is served only for a model whose proving key this node holds. */
  private checkZkServed(served: ServedModel, request: InferenceRequest): void {
    if (verificationModes[request.verification] !== 'zk' || (served.zk && this.deps.prover)) return;
    const zkModels = [...this.deps.models.values()].filter((m) => m.zk).map((m) => m.model.name);
    throw new ProtocolError('ZK_NOT_SERVED', `This provider holds no zk proving key for model ${served.model.name}.`, {
      details: [`model id: ${request.modelId}`, `zk served for: ${zkModels.length > 0 && this.deps.prover ? zkModels.join(', ') : 'no model'}`],
    });
  }

  private async compute(
    served: ServedModel,
    request: InferenceRequest,
    input: number[],
    requestHash: Hex,
  ): Promise<{ output: number[]; shape: number[]; frac: number | null; outputHash: Hex; traceRoot: Hex; zk?: ZkProofResult }> {
    if (verificationModes[request.verification] === 'zk') return this.prove(served, input, requestHash);
    if (verificationModes[request.verification] === 'none') {
      const { logits, width } = await served.float.run(input, 1);
      const output = Array.from(logits);
      return { output, shape: [width], frac: null, outputHash: floatOutputHash(output), traceRoot: zeroHash };
    }
    // The input's root was computed once, by the input-hash check: the trace reuses it.
    const result = run(served.model.engine, input, { batch: 1, trace: true, inputRoot: request.inputHash });
    const honest = result.traces![0]!;
    const trace = this.deps.signedTrace?.(requestHash, honest) ?? honest;
    // The output answered is the last tensor of the trace signed, and its hash that
    // tensor's root, already computed with the trace: the two always match.
    const output = Array.from(trace.tensors[trace.tensors.length - 1]!);
    return { output, shape: result.shape, frac: result.frac, outputHash: trace.layerRoots[trace.layerRoots.length - 1]!, traceRoot: trace.root };
  }

  /** The zk mode: the fixed-point output and its proof; the receipt's traceRoot binds the proof. */
  private async prove(served: ServedModel, input: number[], requestHash: Hex) {
    const { engine } = served.model;
    const result = run(engine, input, { batch: 1 });
    const quantized = Array.from(quantizeInput(engine, input, { batch: 1 }).data);
    const honestOutput = Array.from(result.output);
    const prover = this.deps.prover as ZkProver;
    const proved = await prover.prove(served.model.name, engine.artifact, quantized, honestOutput);
    const honest: ZkAnswer = { output: honestOutput, zk: proved };
    const signed = this.deps.signedZk?.(requestHash, honest, quantized) ?? honest;
    // A lie injected on purpose (faults) is signed as it is: that is what it demonstrates.
    if (signed === honest) await this.deps.checkZkOnChain?.(served.modelId, proved);
    return {
      output: signed.output,
      shape: result.shape,
      frac: result.frac,
      outputHash: fixedOutputHash(signed.output),
      traceRoot: zkProofBinding(signed.zk),
      zk: signed.zk,
    };
  }

  private async withChannelLock<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.channelLocks.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => undefined);
    this.channelLocks.set(key, settled);
    try {
      return await next;
    } finally {
      if (this.channelLocks.get(key) === settled) this.channelLocks.delete(key);
    }
  }
}
