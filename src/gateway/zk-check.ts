// The gateway's own check of a zk answer (docs/zk.md): before passing a zk result on, it
// runs the client's check (src/sdk/zk.ts zkClaimProblems: the proof verifies against the
// model's committed key, and its signals are the model's weight commitment and the I/O
// hash of this request's input with the output returned). A provider whose proof fails,
// or is a valid proof of something else, is then the provider's failure: the router tries
// the next provider that can prove the model, and the client never sees, nor pays for,
// the failed attempt. The client still checks what it gets: this check only saves it a
// refused answer.
//
// A failed answer is kept as slash evidence in an append-only JSON-lines file beside the
// disagreements log (zk-failures.jsonl): the signed receipt, the proof it binds, and the
// input and output its hashes commit to, which is all ZkReceiptSlasher needs.
//
// The gateway judges only models it has with their committed key for these very weights
// (holdsZkKey); for any other it passes the answer on for the client to judge.
//
// snarkjs verifies on a curve whose thread pool takes seconds to start on a loaded machine
// (`zk_gateway_first_check_ms`) and a tenth of a second to verify on once up
// (`zk_gateway_check_ms`): the checker starts it at the first zk answer and keeps it until
// the gateway stops (`close`), rather than per answer as a one-shot client does.
import { existsSync, readFileSync } from 'node:fs';
import type { Address, Hex } from 'viem';
import { type Engine, quantizeInput } from '../engine/index.ts';
import type { Receipt } from '../protocol/messages.ts';
import { parseReceipt, toWire, type Wire } from '../protocol/wire.ts';
import { zkClaimProblems, type ZkEvidence } from '../sdk/zk.ts';
import { holdsZkKey, readZkMeta } from '../zk/artifacts.ts';
import { tensorHash } from '../zk/commitment.ts';
import { releaseProver } from '../zk/curve-threads.ts';
import { parseZkProofResult, type ZkProofResult } from '../zk/proof-format.ts';
import { appendJsonLine } from './disagreements.ts';

export const ZK_FAILURES_FILE = 'zk-failures.jsonl';

export type ZkFailureRecord = {
  /** ISO time the gateway saw it. */
  at: string;
  requestHash: Hex;
  modelId: Hex;
  client: Address;
  provider: Address;
  /** What was wrong, as zkClaimProblems says it. */
  problems: string[];
  receipt: Wire<Receipt>;
  signature: Hex;
  zk: ZkProofResult;
  /** The quantized input (what receipt.inputHash commits to). */
  input: number[];
  /** The output integers returned (what receipt.outputHash commits to). */
  output: number[];
};

export type ZkAnswer = { receipt: Receipt; signature: Hex; output: number[]; zk?: ZkProofResult };

export class ZkAnswerChecker {
  private curve: Promise<unknown> | undefined;
  /** Content hashes whose keys were found for their weights: the commitment is not hashed again per answer. */
  private readonly keyed = new Set<Hex>();

  constructor(
    /** The model the gateway holds under a content hash, if any (its name and engine). */
    private readonly modelOf: (contentHash: Hex) => { name: string; engine: Engine } | undefined,
    private readonly failuresPath: string,
  ) {}

  /**
   * What is wrong with a zk answer the receipt checks already passed; empty when the
   * proof checks out or the gateway cannot judge this model. A non-empty answer has been
   * recorded as evidence before this returns.
   */
  async problems(contentHash: Hex | undefined, requestHash: Hex, input: readonly number[], answer: ZkAnswer): Promise<string[]> {
    const model = contentHash === undefined ? undefined : this.modelOf(contentHash);
    if (!model || !answer.zk || contentHash === undefined) return [];
    if (!this.keyed.has(contentHash)) {
      if (!holdsZkKey(model.name, model.engine.artifact)) return [];
      this.keyed.add(contentHash);
    }
    const quantized = Array.from(quantizeInput(model.engine, input, { batch: 1 }).data);
    this.curve ??= import('snarkjs').then(({ curves }) => curves.getCurveFromName('bn128'));
    await this.curve;
    const problems = await zkClaimProblems({
      model: model.name,
      recordHash: tensorHash(quantized),
      output: answer.output,
      commitment: BigInt(readZkMeta(model.name).poseidonWeightCommitment),
      zk: answer.zk,
    });
    if (problems.length > 0) {
      const { receipt } = answer;
      const record: ZkFailureRecord = {
        at: new Date().toISOString(),
        requestHash,
        modelId: receipt.modelId,
        client: receipt.client,
        provider: receipt.provider,
        problems,
        receipt: toWire(receipt),
        signature: answer.signature,
        zk: answer.zk,
        input: quantized,
        output: answer.output,
      };
      appendJsonLine(this.failuresPath, record);
    }
    return problems;
  }

  /** Ends the curve's thread pool, if a check started it. */
  async close(): Promise<void> {
    if (!this.curve) return;
    await this.curve.catch(() => undefined);
    this.curve = undefined;
    await releaseProver();
  }
}

/** The evidence a gateway kept (its zk-failures.jsonl), ready for ZkReceiptSlasher (client.slashZkReceipt). */
export function readZkFailures(path: string): (ZkFailureRecord & { evidence: ZkEvidence })[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      const record = JSON.parse(line) as ZkFailureRecord;
      const receipt = parseReceipt({ path: `${path}:${i + 1}.receipt`, value: record.receipt });
      const zk = parseZkProofResult(`${path}:${i + 1}.zk`, record.zk);
      return { ...record, evidence: { receipt, signature: record.signature, zk, input: record.input, output: record.output } };
    });
}
