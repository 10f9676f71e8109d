// The parts of the untyped zk packages this area uses.
declare module 'circom_runtime' {
  export type WitnessCalculator = {
    calculateWitness(input: Record<string, unknown>, sanityCheck?: boolean): Promise<bigint[]>;
  };
  export function WitnessCalculatorBuilder(code: Uint8Array, options?: { sanityCheck?: boolean }): Promise<WitnessCalculator>;
}

declare module 'snarkjs' {
  export type Groth16Proof = { pi_a: string[]; pi_b: string[][]; pi_c: string[]; protocol: string; curve: string };
  export const groth16: {
    fullProve(input: Record<string, unknown>, wasm: string | Uint8Array, zkey: string | Uint8Array): Promise<{ proof: Groth16Proof; publicSignals: string[] }>;
    prove(zkey: string, wtns: string): Promise<{ proof: Groth16Proof; publicSignals: string[] }>;
    verify(vkey: unknown, publicSignals: string[], proof: Groth16Proof): Promise<boolean>;
  };
  export const wtns: {
    check(r1cs: string, wtns: string, logger?: unknown): Promise<boolean>;
  };
  export const powersOfTau: {
    newAccumulator(curve: unknown, power: number, file: string, logger?: unknown): Promise<unknown>;
    beacon(oldFile: string, newFile: string, name: string, beaconHash: string, numIterationsExp: number, logger?: unknown): Promise<unknown>;
    preparePhase2(oldFile: string, newFile: string, logger?: unknown): Promise<unknown>;
  };
  export const zKey: {
    newZKey(r1cs: string, ptau: string, zkey: string, logger?: unknown): Promise<unknown>;
    beacon(oldFile: string, newFile: string, name: string, beaconHash: string, numIterationsExp: number, logger?: unknown): Promise<unknown>;
    exportVerificationKey(zkey: string): Promise<unknown>;
    verifyFromR1cs(r1cs: string, ptau: string, zkey: string, logger?: unknown): Promise<boolean>;
  };
  export const r1cs: { info(file: string, logger?: unknown): Promise<unknown> };
  export const curves: { getCurveFromName(name: string): Promise<unknown> };
}
