// Proving inferences off the event loop: one child process (prove-worker.ts, run with
// tsx's loader since the project runs TypeScript directly) takes jobs one at a time; the
// caller awaits its proof while it goes on serving. A process, not a worker thread:
// snarkjs's curve code starts its own thread pool through the `web-worker` package, which
// takes over any worker thread that loads it (it reads the thread's workerData as its own),
// so snarkjs cannot prove inside a worker thread. The public signals that come back are
// checked against the engine's own output before anyone signs them: the circuit and the
// engine agree by construction, so a mismatch means the committed artifacts are for other
// weights, and such a proof would be worthless (and slashable) once signed.
import { type ChildProcess, fork } from 'node:child_process';
import type { Artifact } from '../engine/index.ts';
import { repoPath } from '../repo-root.ts';
import { requireZkArtifacts } from './artifacts.ts';
import { ioHash, poseidonWeightCommitment } from './commitment.ts';
import { ZkProofInvalidError } from './errors.ts';
import type { Groth16Proof, ZkProofResult } from './proof-format.ts';
import { circuitInput } from './witness-input.ts';

// The source file, found from the repository root: this module may run from the CLI's bundle.
const ENTRY = repoPath('src', 'zk', 'prove-worker.ts');

type Pending = { resolve: (r: ZkProofResult) => void; reject: (e: Error) => void };
type Answer = { id: number; proof?: Groth16Proof; publicSignals?: string[]; error?: string };

export class ZkProver {
  private worker: ChildProcess | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly commitments = new Map<string, bigint>();

  /** Proves that `artifact` (the committed weights of `model`) maps `quantized` to `output`. */
  async prove(model: string, artifact: Artifact, quantized: readonly number[], output: readonly number[]): Promise<ZkProofResult> {
    const paths = requireZkArtifacts(model);
    const input = circuitInput(artifact, quantized);
    const id = this.nextId++;
    const answer = new Promise<ZkProofResult>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    const worker = this.start();
    worker.channel?.ref();
    worker.send({ id, input, wasm: paths.wasm, zkey: paths.zkey });
    const result = await answer.finally(() => {
      if (this.pending.size === 0) worker.channel?.unref();
    });
    let commitment = this.commitments.get(model);
    if (commitment === undefined) {
      commitment = poseidonWeightCommitment(artifact);
      this.commitments.set(model, commitment);
    }
    const expected = [commitment.toString(), ioHash(quantized, output).toString()];
    if (result.publicSignals.length !== 2 || result.publicSignals[0] !== expected[0] || result.publicSignals[1] !== expected[1]) {
      throw new ZkProofInvalidError([`model: ${model}`, `expected public signals: ${expected.join(', ')}`, `got: ${result.publicSignals.join(', ')}`]);
    }
    return result;
  }

  /** Ends the prover process; jobs still waiting fail. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (!worker || worker.exitCode !== null || worker.signalCode !== null) return;
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.kill();
    await exited;
  }

  private start(): ChildProcess {
    if (this.worker) return this.worker;
    const worker = fork(ENTRY, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    worker.on('message', (answer: Answer) => {
      const job = this.pending.get(answer.id);
      this.pending.delete(answer.id);
      if (!job) return;
      if (answer.error !== undefined || !answer.proof || !answer.publicSignals)
        job.reject(new ZkProofInvalidError([`the prover failed: ${answer.error ?? 'no proof'}`]));
      else job.resolve({ proof: answer.proof, publicSignals: answer.publicSignals });
    });
    const failAll = (reason: string) => {
      for (const job of this.pending.values()) job.reject(new ZkProofInvalidError([reason]));
      this.pending.clear();
      if (this.worker === worker) this.worker = undefined;
    };
    worker.on('error', (error) => failAll(`the prover process failed: ${error.message}`));
    worker.on('exit', (code, signal) => failAll(`the prover process exited (${code ?? signal})`));
    // An idle prover keeps no process alive: only jobs waiting for it do.
    worker.unref();
    worker.channel?.unref();
    this.worker = worker;
    return worker;
  }
}
