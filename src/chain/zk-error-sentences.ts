// Sentences for the zk contracts' errors (ZkRegistry, ZkReceiptSlasher with its Poseidon
// library, and the generated Groth16 verifiers), merged into src/chain/error-sentences.ts.
import { short, text, type ErrorSentence } from './sentence-parts.ts';

/** The EIP-196/197 precompiles a verifier calls (docs/zk.md). */
const PRECOMPILES: Record<string, string> = { '6': 'point addition (0x06)', '7': 'scalar multiplication (0x07)', '8': 'the pairing check (0x08)' };

export const zkErrorSentences: Readonly<Record<string, ErrorSentence>> = {
  // Groth16 verifiers
  PublicInputCount: (a) => `The proof comes with ${text(a.got)} public inputs; this verifier takes ${text(a.expected)}.`,
  PublicInputNotInField: (a) => `Public input ${text(a.index)} is not below the BN254 field order.`,
  PrecompileFailed: (a) =>
    `The elliptic-curve precompile for ${PRECOMPILES[text(a.precompile)] ?? text(a.precompile)} refused the proof's points (not on the curve, or out of range).`,

  // ZkRegistry
  ZkModelUnknown: (a) => `No model ${short(a.modelId)} is published in the ModelRegistry.`,
  ZkNotModelOwner: (a) => `Only the owner ${text(a.owner)} of model ${short(a.modelId)} can register its verifier, not ${text(a.caller)}.`,
  ZkVerifierNotContract: (a) => `The verifier ${text(a.verifier)} has no code.`,
  ZkBadCommitment: (a) => `The Poseidon weight commitment ${text(a.poseidonCommitment)} is zero or not below the BN254 field order.`,
  ZkNoVerifier: (a) => `Model ${short(a.modelId)} has no zk verifier registered.`,
  ZkPublicSignalCount: (a) => `The proof comes with ${text(a.got)} public signals; the registry expects ${text(a.expected)}.`,
  ZkWeightCommitmentMismatch: (a) => `The proof is for weights committed as ${text(a.got)}; model ${short(a.modelId)} is registered with ${text(a.expected)}.`,
  ZkProofRejected: (a) => `The proof for model ${short(a.modelId)} and I/O hash ${text(a.ioHash)} does not verify: nothing was recorded.`,

  // ZkReceiptSlasher
  ZkSlashBadConfig: (a) => `The zk slasher's ${text(a.field)} cannot be ${text(a.value)}.`,
  ZkSlashNotZkReceipt: (a) => `Receipt ${short(a.receiptId)} is not a zk receipt (verification ${text(a.verification)}): it has no proof to judge.`,
  ZkSlashBadSignature: (a) => `Receipt ${short(a.receiptId)} is signed by ${text(a.recovered)}, not by its provider ${text(a.provider)}: nothing was slashed.`,
  ZkSlashProofNotBound: (a) =>
    `The proof given is not the one receipt ${short(a.receiptId)} binds (its traceRoot ${short(a.traceRoot)}, the proof's binding ${short(a.binding)}).`,
  ZkSlashNoVerifier: (a) => `Model ${short(a.modelId)} has no zk verifier registered, so no proof of it can be judged.`,
  ZkSlashVerifierReplaced: (a) =>
    `Receipt ${short(a.receiptId)} was signed at ${text(a.issuedAt)}, before the model's current verifier was registered at ${text(a.registeredAt)}: it is not judged by it.`,
  ZkSlashProofValid: (a) =>
    `The proof of receipt ${short(a.receiptId)} verifies and is about its model, input and output: the provider kept its word and is not slashed.`,
  ZkSlashInputNotReceipt: (a) =>
    `The input given is not the one receipt ${short(a.receiptId)} commits to (its inputHash ${short(a.inputHash)}, the input's root ${short(a.root)}): nothing was judged.`,
  ZkSlashOutputNotReceipt: (a) =>
    `The output given is not the one receipt ${short(a.receiptId)} commits to (its outputHash ${short(a.outputHash)}, the output's root ${short(a.root)}): nothing was judged.`,

  // Poseidon (the slasher's recomputation of a proof's I/O hash)
  PoseidonParamsWrong: (a) =>
    `The Poseidon parameters given for width ${text(a.t)} are not circomlib's (keccak256 ${short(a.got)}, expected ${short(a.expected)}): pass poseidonParamsFor's.`,
  PoseidonWidthUnknown: (a) => `There is no Poseidon of width ${text(a.t)} here (widths 2 to 17: 1 to 16 inputs).`,
  ZkSlashAlreadySlashed: (a) => `Receipt ${short(a.receiptId)} was already slashed for.`,
  ZkSlashGasTooLow: (a) => `The transaction left ${text(a.left)} gas; judging the proof fairly needs ${text(a.needed)}. Send it with more gas.`,
};
