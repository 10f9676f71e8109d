// The Trellis client: signs requests and vouchers with the caller's key, sends requests
// through a gateway (or straight to a provider), each naming that gateway (or provider)
// as its router so that no one else can have it served, checks every receipt it gets
// back (the provider's signature, the request it answers, the input and output hashes,
// the fee, the channel total), keeps the receipts, and pays for each checked result
// with a voucher for exactly what it had paid on the channel plus that result's fee. In
// verification zk it pays only once the proof checks out (src/sdk/zk.ts). With `sealed`
// the input travels sealed to one provider's registered key and the output comes back
// sealed to this client (src/sdk/sealed.ts); the receipt is checked the same way.
import { getAddress, hexToBigInt, toHex, type Address, type Hex } from 'viem';
import type { SignerConnection } from '../chain/connect.ts';
import type { Deployment } from '../chain/manifest.ts';
import { escrowAbi } from '../chain/generated/Escrow.ts';
import { applyPreprocess } from '../train/preprocess.ts';
import { TrellisError } from '../errors.ts';
import type { CatalogModel } from '../models/catalog.ts';
import type { ModelTrust } from '../models/registry.ts';
import { classLabelOf, describeInputShape } from '../models/schema.ts';
import { keepAliveFetch } from '../net/http-client.ts';
import { signVoucher, type SignedVoucher } from '../payments/voucher.ts';
import { fixedOutputHash, floatOutputHash, inputHashOf } from '../protocol/commitments.ts';
import { errorFromBody, ProtocolError } from '../protocol/errors.ts';
import { channelTotalProblems, expectedChannelTotal } from '../protocol/channel-total.ts';
import { receiptTermProblems, zkBindingProblems } from '../protocol/receipt-terms.ts';
import {
  hashRequest,
  MAX_REQUEST_TTL_SECONDS,
  recoverReceiptSigner,
  signRequest,
  verificationModes,
  type InferenceRequest,
  type Receipt,
  type Verification,
} from '../protocol/messages.ts';
import { checkSealable, encodeValues, sealInput } from '../protocol/sealed-input.ts';
import { parseInferResult, parseReceipt, toWire } from '../protocol/wire.ts';
import { openSealedAnswer, routeSealed, sealingKeyOf, type SealingKey } from './sealed.ts';
import { ClientState, type StoredReceipt } from './client-state.ts';
import { fetchRouterAddress, type RouterKind } from './router-address.ts';
import { findModel } from './model-source.ts';
import { checkSampled, type SelfCheck } from './self-check.ts';
import type { StoreSource } from '../store/index.ts';
import { quantizeInput } from '../engine/index.ts';
import { readZkMeta } from '../zk/artifacts.ts';
import { registeredVerifier, slashZkReceipt, verifyAndRecord } from '../zk/chain.ts';
import { tensorHash } from '../zk/commitment.ts';
import { ZkNotDeployedError, ZkNoVerifierError } from '../zk/errors.ts';
import type { ZkProofResult } from '../zk/proof-format.ts';
import { verifyZkResult, type ZkEvidence } from './zk.ts';

export type TrellisClientOptions = {
  connection: SignerConnection;
  deployment: Deployment;
  /** Gateway base URL; `infer` may name a provider URL instead. */
  gatewayUrl?: string;
  /** Where this client keeps its receipts and vouchers. */
  dataDir: string;
  modelsDir?: string;
  /** Stores to fetch model packages from after the gateway and the provider called. */
  storeSources?: readonly StoreSource[];
  /**
   * Which publication of each model to call (default: the deployment's model
   * publisher); a publication under another weight commitment than the local
   * artifact's is refused before anything is sent.
   */
  trust?: ModelTrust;
  /** Seconds a request stays valid. */
  requestTtlSeconds?: number;
  /**
   * Share (0 to 1) of verified results this client re-executes itself before paying
   * (src/sdk/self-check.ts); default 0. The sample is seeded by `selfCheckSeed` (default
   * random per client), so a provider cannot tell which results will be checked.
   */
  selfCheckRate?: number;
  selfCheckSeed?: number;
  fetch?: typeof fetch;
};

export type InferParameters = {
  /** A model id, or a name: a default model in the models folder, else a package of the trusted publisher. */
  model: string;
  /** One raw row (before the model's preprocessing), e.g. 64 pixel values for digits. */
  input: readonly number[];
  verification?: Verification;
  /** The most to pay one provider (token base units); default: no limit below 1 token. */
  maxFee?: bigint;
  /** Providers asked in redundant mode (default 2). */
  redundancy?: number;
  /** Send straight to this provider URL instead of the gateway. */
  providerUrl?: string;
  /**
   * Seal the input to one provider's registered key (docs/privacy.md): the gateway and
   * anyone on the path see ciphertext, and the output comes back sealed to this client.
   * Verification none or optimistic only.
   */
  sealed?: boolean;
  /** With `sealed` through a gateway: the provider to seal to (default: the one the gateway's GET /v1/route names). */
  provider?: Address;
};

export type CheckedReceipt = { receipt: Receipt; signature: Hex };

export type InferResult = {
  /** The model's output as numbers (dequantized logits for fixed point). */
  values: number[];
  /** Index of the largest output: the predicted class. */
  label: number;
  /** The predicted class's name from the model's schema (the index as text when it names none). */
  labelName: string;
  receipts: CheckedReceipt[];
  /** False when redundant providers disagreed (both receipts are kept). */
  agreement: boolean;
  /** verification zk: the proof, verified before anything was paid (see recordZkOnChain). */
  zk?: ZkProofResult;
};

const DEFAULT_MAX_FEE = 1_000_000n; // 1 token (6 decimals)
/** How long past a request's deadline the client still waits for its answer to arrive. */
export const WAIT_PAST_DEADLINE_MS = 2_000;
const VOUCHER_POST_TIMEOUT_MS = 10_000;

export class TrellisClient {
  readonly address: Address;
  private readonly state: ClientState;
  private readonly models = new Map<string, { model: CatalogModel; modelId: Hex }>();
  private readonly fetch: typeof fetch;
  /** The payment under way: payments run one after another (see pay). */
  private paying: Promise<unknown> = Promise.resolve();
  /** Seconds each request stays valid: providers refuse more than MAX_REQUEST_TTL_SECONDS. */
  private readonly requestTtl: number;
  private readonly selfCheck: SelfCheck;
  /** The router address learned for each gateway or provider URL. */
  private readonly routers = new Map<string, Promise<Address>>();

  constructor(private readonly options: TrellisClientOptions) {
    const ttl = options.requestTtlSeconds ?? 60;
    if (!Number.isSafeInteger(ttl) || ttl < 1 || ttl > Number(MAX_REQUEST_TTL_SECONDS)) {
      throw new TrellisError('INVALID_OPTION', `requestTtlSeconds must be a whole number of seconds from 1 to ${MAX_REQUEST_TTL_SECONDS}.`, {
        details: [`got: ${ttl}`],
      });
    }
    this.requestTtl = ttl;
    const rate = options.selfCheckRate ?? 0;
    if (!(rate >= 0 && rate <= 1)) throw new TrellisError('INVALID_OPTION', 'selfCheckRate must be a number from 0 to 1.', { details: [`got: ${rate}`] });
    this.selfCheck = { rate, seed: options.selfCheckSeed ?? crypto.getRandomValues(new Uint32Array(1))[0]! };
    this.address = options.connection.account.address;
    this.state = new ClientState(options.dataDir);
    this.fetch = options.fetch ?? keepAliveFetch;
  }

  close(): void {
    this.state.close();
  }

  receipts(): readonly StoredReceipt[] {
    return this.state.receipts();
  }

  /** The latest voucher this client signed on each channel. */
  vouchers(): readonly SignedVoucher[] {
    return this.state.allVouchers();
  }

  async infer(params: InferParameters): Promise<InferResult> {
    const { connection, deployment } = this.options;
    const verification = params.verification ?? 'optimistic';
    const mode = verificationModes.indexOf(verification);
    if (mode < 0)
      throw new TrellisError('INVALID_VERIFICATION', `Unknown verification mode "${verification}".`, {
        details: [`expected one of: ${verificationModes.join(', ')}`],
      });
    if (params.sealed) checkSealable(mode);
    const { model, modelId } = await this.model(params.model, params.providerUrl);
    const features = model.preprocess.features;
    if (params.input.length !== features) {
      throw new TrellisError('INVALID_INPUT', `Model ${model.name} takes ${describeInputShape(model.schema)} per row, not ${params.input.length}.`, {
        details: [`expected: ${features} values`, `got: ${params.input.length}`, 'give the values flattened in the order of the input shape'],
      });
    }
    const input = Array.from(applyPreprocess(model.preprocess, params.input));
    const { inputHash } = inputHashOf(model.engine, input);
    // zk: what the proof must be about is settled before anything is sent.
    const zkCommitment = verification === 'zk' ? await this.zkCommitment(model.name, modelId) : undefined;
    const domain = { chainId: deployment.chainId, escrow: deployment.contracts.escrow };
    const base = params.providerUrl ?? this.options.gatewayUrl;
    if (!base) throw new TrellisError('NO_ENDPOINT', 'No gateway or provider URL to send the request to.');
    const kind: RouterKind = params.providerUrl ? 'provider' : 'gateway';
    const routerKey = `${kind} ${base}`;
    const maxFee = params.maxFee ?? DEFAULT_MAX_FEE;
    const router = await this.router(routerKey, base, kind);
    // Sent straight to a provider, that provider is the one to seal to.
    const sealTo: SealingKey | undefined = params.sealed
      ? await sealingKeyOf(connection, deployment, kind === 'provider' ? router : (params.provider ?? (await routeSealed(this.fetch, base, modelId, maxFee))))
      : undefined;
    const request: InferenceRequest = {
      client: this.address,
      modelId,
      inputHash,
      maxFee,
      nonce: hexToBigInt(toHex(crypto.getRandomValues(new Uint8Array(16)))),
      deadline: BigInt(Math.floor(Date.now() / 1000) + this.requestTtl),
      verification: mode,
      router,
    };
    const signature = await signRequest(connection.account, domain, request);
    const sealing = sealTo
      ? await sealInput({ publicKey: sealTo.publicKey, keyVersion: sealTo.version, requestHash: hashRequest(domain, request), input: encodeValues(input) })
      : undefined;
    // Built at each attempt, so that a retry carries the vouchers signed meanwhile.
    const body = () => ({
      request: toWire(request),
      signature,
      ...(sealing ? { sealedInput: sealing.sealed, ...(kind === 'gateway' ? { provider: sealTo?.provider } : {}) } : { input }),
      vouchers: this.state.vouchersFor(modelId).map((s) => ({ ...toWire(s.voucher), signature: s.signature })),
      ...(verification === 'redundant' ? { redundancy: params.redundancy ?? 2 } : {}),
    });
    const received = await this.postInfer(`${base}/v1/infer`, body, request.deadline).catch((error: unknown) => {
      // A router whose key changed since it was learned is asked again next time.
      if (error instanceof ProtocolError && error.code === 'ROUTE_MISMATCH') this.routers.delete(routerKey);
      throw error;
    });
    // A sealed answer is opened first; from here on it is checked like one in the clear.
    const answer = sealing ? openSealedAnswer(received, sealing.openOutput) : received;

    // A gateway in redundant mode answers with several receipts; otherwise one.
    const raw = answer as { receipts?: { receipt: unknown; signature: unknown }[]; agreement?: boolean };
    const parts = Array.isArray(raw.receipts) ? raw.receipts : [answer as { receipt: unknown; signature: unknown }];
    const output = parseInferResult({
      ...(answer as object),
      frac: (answer as { frac?: unknown }).frac ?? (verification === 'none' ? null : model.engine.artifact.output.frac),
      receipt: parts[0]?.receipt,
      signature: parts[0]?.signature,
    });
    // A fixed-point output is the trace's last tensor: int16 values, or nothing its root can hold.
    if (verification !== 'none' && !output.output.every((v) => Number.isInteger(v) && v >= -32768 && v <= 32767)) {
      throw new ProtocolError('PROVIDER_BAD_RESPONSE', 'The receipt does not check out; nothing was paid for it.', {
        details: ['output: expected int16 integers for a fixed-point result'],
      });
    }
    const outputHash = verification === 'none' ? floatOutputHash(output.output) : fixedOutputHash(output.output);
    const zkProof = (answer as { zk?: unknown }).zk === undefined ? undefined : parseInferResult(answer).zk;
    // Every receipt is checked before any is kept or paid: one bad receipt refuses the whole answer.
    const receipts: CheckedReceipt[] = [];
    for (const [i, part] of parts.entries()) {
      const receipt = parseReceipt({ path: `receipts[${i}].receipt`, value: part.receipt });
      const sig = part.signature as Hex;
      await this.check(receipt, sig, { request, domain, outputHash: raw.agreement === false ? undefined : outputHash, zk: zkProof });
      receipts.push({ receipt, signature: sig });
    }
    if (sealTo && receipts.some((r) => getAddress(r.receipt.provider) !== sealTo.provider)) {
      throw new ProtocolError(
        'PROVIDER_BAD_RESPONSE',
        'The answer to a sealed input is signed by another provider than the one it was sealed to; nothing was paid.',
        {
          details: [`sealed to: ${sealTo.provider}`, `receipts from: ${receipts.map((r) => r.receipt.provider).join(', ')}`],
        },
      );
    }
    if (zkCommitment !== undefined && zkProof) {
      const { receipt, signature: sig } = receipts[0]!;
      const quantized = Array.from(quantizeInput(model.engine, input, { batch: 1 }).data);
      const recordHash = tensorHash(quantized);
      const evidence: ZkEvidence = { receipt, signature: sig, zk: zkProof, input: quantized, output: output.output };
      await verifyZkResult({ model: model.name, recordHash, output: output.output, commitment: zkCommitment, zk: zkProof }, evidence);
    }
    // Two receipts of one provider for one request would be paid twice for one result.
    const providers = receipts.map((r) => getAddress(r.receipt.provider));
    if (new Set(providers).size !== providers.length) {
      throw new ProtocolError('PROVIDER_BAD_RESPONSE', 'The answer carries two receipts of one provider for one request; nothing was paid for it.', {
        details: [`providers: ${providers.join(', ')}`],
      });
    }
    if (verification !== 'none') checkSampled(this.selfCheck, model.engine, input, receipts);
    await this.pay(receipts, base, (accepted) => {
      for (const { receipt, signature: sig } of accepted)
        this.state.addReceipt({ receipt: toWire(receipt), signature: sig, output: output.output, frac: output.frac, verification });
    });
    const values = output.frac === null ? output.output : output.output.map((q) => q * 2 ** -output.frac!);
    const label = values.indexOf(Math.max(...values));
    return { values, label, labelName: classLabelOf(model.schema, label), receipts, agreement: raw.agreement ?? true, ...(zkProof ? { zk: zkProof } : {}) };
  }

  /**
   * The Poseidon weight commitment a zk proof of this model must carry: the one the
   * ZkRegistry records on chain, which must also be the one of the committed key this
   * client verifies with (models/zk/<model>/), or no proof could be checked honestly.
   */
  private async zkCommitment(name: string, modelId: Hex): Promise<bigint> {
    const { connection, deployment } = this.options;
    if (!deployment.zk) throw new ZkNotDeployedError();
    const local = BigInt(readZkMeta(name).poseidonWeightCommitment);
    const { verifier, commitment } = await registeredVerifier(connection, deployment.zk.zkRegistry, modelId);
    if (verifier === '0x0000000000000000000000000000000000000000') throw new ZkNoVerifierError(modelId, deployment.zk.zkRegistry);
    if (commitment !== local) {
      throw new TrellisError('ZK_COMMITMENT_MISMATCH', `Model ${name} is registered on chain with other weights than its committed zk key.`, {
        details: [`on chain: ${commitment}`, `models/zk/${name}: ${local}`],
      });
    }
    return commitment;
  }

  /** Records a verified zk result on chain (ZkRegistry.verifyAndRecord); returns the transaction's receipt. */
  async recordZkOnChain(modelId: Hex, zk: ZkProofResult) {
    const { connection, deployment } = this.options;
    if (!deployment.zk) throw new ZkNotDeployedError();
    return verifyAndRecord(connection, deployment.zk.zkRegistry, modelId, zk);
  }

  /**
   * Takes a refused zk answer to ZkReceiptSlasher: the provider is slashed if the proof it
   * signed fails or is not about the receipt's model, input and output.
   */
  async slashZkReceipt(evidence: ZkEvidence) {
    const { connection, deployment } = this.options;
    if (!deployment.zk) throw new ZkNotDeployedError();
    return slashZkReceipt(connection, deployment.zk.zkReceiptSlasher, evidence.receipt, evidence.signature, evidence.zk, evidence);
  }

  /**
   * Sends the latest voucher of every channel again, through the gateway. Providers
   * ignore amounts they already hold; one that was down when it was paid gets it now.
   */
  async flushVouchers(): Promise<void> {
    const all = this.state.allVouchers();
    if (all.length === 0 || !this.options.gatewayUrl) return;
    await this.post(
      `${this.options.gatewayUrl}/v1/vouchers`,
      { vouchers: all.map((s) => ({ ...toWire(s.voucher), signature: s.signature })) },
      VOUCHER_POST_TIMEOUT_MS,
    );
  }

  /**
   * Signs and sends the vouchers paying for checked receipts. A voucher is never signed
   * above this client's own record of the channel plus the fee it accepted: a receipt
   * claiming any other total is refused with CHANNEL_TOTAL_WRONG and nothing of the
   * answer is kept or paid. Payments are taken one at a time, so that two answers on
   * one channel never read the same record.
   */
  private pay(receipts: readonly CheckedReceipt[], base: string, keep: (accepted: readonly CheckedReceipt[]) => void): Promise<void> {
    const turn = this.paying.then(() => this.payNow(receipts, base, keep));
    this.paying = turn.catch(() => undefined);
    return turn;
  }

  private async payNow(receipts: readonly CheckedReceipt[], base: string, keep: (accepted: readonly CheckedReceipt[]) => void): Promise<void> {
    const { connection, deployment } = this.options;
    const paid = await Promise.all(receipts.map(({ receipt }) => this.paidBefore(receipt)));
    const problems = receipts.flatMap(({ receipt }, i) => channelTotalProblems(receipt, paid[i]!).map((line) => `provider ${receipt.provider}: ${line}`));
    if (problems.length > 0)
      throw new ProtocolError('CHANNEL_TOTAL_WRONG', 'A receipt charges a channel total other than what was paid so far plus its fee; nothing was paid.', {
        details: problems,
      });
    keep(receipts);
    const signed = [];
    for (const [i, { receipt }] of receipts.entries()) {
      const voucher = await signVoucher(
        connection.account,
        { chainId: deployment.chainId, escrow: deployment.contracts.escrow },
        {
          client: this.address,
          provider: receipt.provider,
          modelId: receipt.modelId,
          cumulativeAmount: expectedChannelTotal(paid[i]!, receipt.fee),
        },
      );
      this.state.addVoucher(voucher);
      signed.push(voucher);
    }
    // Delivery can fail without loss: the same vouchers ride along with the next request.
    await this.post(`${base}/v1/vouchers`, { vouchers: signed.map((s) => ({ ...toWire(s.voucher), signature: s.signature })) }, VOUCHER_POST_TIMEOUT_MS).catch(
      () => undefined,
    );
  }

  /**
   * This client's record of a channel: the latest voucher it signed there, or what the
   * escrow has already paid on it when that is more (the same key used from another
   * data folder, or records lost): money already gone, so paying the fee on top of it
   * is still paying exactly the fee. The chain is read only when the receipt does not
   * match the local record.
   */
  private async paidBefore(receipt: Receipt): Promise<bigint> {
    const own = this.state.paid(receipt.provider, receipt.modelId);
    if (receipt.channelTotal === expectedChannelTotal(own, receipt.fee)) return own;
    const { connection, deployment } = this.options;
    const onChain = await connection.publicClient
      .readContract({ address: deployment.contracts.escrow, abi: escrowAbi, functionName: 'redeemed', args: [this.address, receipt.provider, receipt.modelId] })
      .catch(() => 0n);
    return onChain > own ? onChain : own;
  }

  private async check(
    receipt: Receipt,
    signature: Hex,
    expected: { request: InferenceRequest; domain: { chainId: number; escrow: Address }; outputHash: Hex | undefined; zk?: ZkProofResult },
  ): Promise<void> {
    const problems: string[] = [];
    const signer = await recoverReceiptSigner(expected.domain, receipt, signature).catch(() => undefined);
    if (!signer || getAddress(signer) !== getAddress(receipt.provider))
      problems.push(`receipt signer ${signer ?? 'unknown'} is not the provider ${receipt.provider}`);
    const requestHash = hashRequest(expected.domain, expected.request);
    if (receipt.requestHash !== requestHash) problems.push(`request hash ${receipt.requestHash}, expected ${requestHash}`);
    if (getAddress(receipt.client) !== this.address) problems.push(`client ${receipt.client}, expected ${this.address}`);
    if (receipt.modelId !== expected.request.modelId) problems.push(`model ${receipt.modelId}, expected ${expected.request.modelId}`);
    if (receipt.inputHash !== expected.request.inputHash) problems.push(`input hash ${receipt.inputHash}, expected ${expected.request.inputHash}`);
    if (expected.outputHash && receipt.outputHash !== expected.outputHash)
      problems.push(`output hash ${receipt.outputHash}, but the output hashes to ${expected.outputHash}`);
    if (receipt.fee > expected.request.maxFee) problems.push(`fee ${receipt.fee} above maxFee ${expected.request.maxFee}`);
    problems.push(...receiptTermProblems(receipt, expected.request, BigInt(Math.floor(Date.now() / 1000))));
    problems.push(...zkBindingProblems(receipt, expected.zk));
    if (problems.length) throw new ProtocolError('PROVIDER_BAD_RESPONSE', 'The receipt does not check out; nothing was paid for it.', { details: problems });
  }

  /** The router a request sent to `base` names, learned once per `key`; a failed lookup is tried again next time. */
  private router(key: string, base: string, kind: RouterKind): Promise<Address> {
    let known = this.routers.get(key);
    if (!known) {
      known = fetchRouterAddress(this.fetch, base, kind);
      this.routers.set(key, known);
      known.catch(() => this.routers.delete(key));
    }
    return known;
  }

  private async model(name: string, providerUrl: string | undefined): Promise<{ model: CatalogModel; modelId: Hex }> {
    let entry = this.models.get(name);
    if (!entry) {
      entry = await findModel(this.options, name, providerUrl);
      this.models.set(name, entry);
    }
    return entry;
  }

  /**
   * Sends an inference and waits for it until the request's own deadline (plus a
   * margin for the answer's way back): a gateway fits all its retries inside that
   * deadline, so giving up earlier would drop an answer on its way. When every provider
   * tried refused only because this client's own earlier results are not paid yet, the
   * vouchers paying them are on their way (this client's other requests run
   * concurrently): the same signed request is sent again after a short pause, with the
   * vouchers signed meanwhile. Nothing was served, so nothing is replayed.
   */
  private async postInfer(url: string, body: () => unknown, deadline: bigint): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.post(url, body(), Math.max(1, Number(deadline) * 1000 - Date.now() + WAIT_PAST_DEADLINE_MS));
      } catch (error) {
        const creditOnly =
          error instanceof ProtocolError &&
          (error.code === 'CREDIT_EXHAUSTED' || (error.details.length > 0 && error.details.every((line) => line.includes('CREDIT_EXHAUSTED'))));
        if (!creditOnly || attempt >= 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt));
      }
    }
  }

  private async post(url: string, body: unknown, timeoutMs: number): Promise<unknown> {
    let response: Response;
    let text: string;
    try {
      response = await this.fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await response.text();
    } catch (cause) {
      throw new ProtocolError('PROVIDER_FAILED', `No answer from ${url}.`, { cause });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ProtocolError('PROVIDER_BAD_RESPONSE', `${url} answered with something that is not JSON (HTTP ${response.status}).`);
    }
    if (!response.ok) throw errorFromBody(json, `${url} answered HTTP ${response.status}`);
    return json;
  }
}
