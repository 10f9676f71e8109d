// The verification modes a request can ask for, by index (request.verification). On
// their own so that the CLI can list them in its help without loading the signing code.
//
// zk (docs/zk.md): the provider proves the fixed-point inference with the model's
// committed Groth16 key and returns the proof with the receipt; the receipt's traceRoot
// is then the proof's binding (src/zk/proof-format.ts), not a trace root, so a zk receipt
// is never disputed: a proof that fails is slashed by ZkReceiptSlasher instead.
export const verificationModes = ['none', 'redundant', 'optimistic', 'zk'] as const;
export type Verification = (typeof verificationModes)[number];
