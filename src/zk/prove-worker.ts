// The prover process of ZkProver (prover.ts): proves one circuit input at a time with the
// model's committed witness calculator and proving key, so that a provider's event loop
// keeps serving while a proof takes seconds. It ends with its parent. Messages in: { id, input, wasm, zkey };
// out: { id, proof, publicSignals } or { id, error }.
import { groth16 } from 'snarkjs';

type Job = { id: number; input: Record<string, string[]>; wasm: string; zkey: string };

// One job at a time: snarkjs already spreads one proof over the machine's cores.
let queue: Promise<unknown> = Promise.resolve();
process.on('message', (job: Job) => {
  queue = queue.then(() =>
    groth16.fullProve(job.input, job.wasm, job.zkey).then(
      ({ proof, publicSignals }) => process.send?.({ id: job.id, proof, publicSignals }),
      (error: unknown) => process.send?.({ id: job.id, error: error instanceof Error ? error.message : String(error) }),
    ),
  );
});
process.on('disconnect', () => process.exit(0));
