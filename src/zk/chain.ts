// The zk contracts on a chain: deploy a model's verifier and the ZkRegistry, register the
// verifier (the model's owner), submit a proof to verifyAndRecord, ask the chain whether a
// proof holds, and slash a zk receipt whose proof fails or is about something else.
import { type Abi, type Address, type Hex, type TransactionReceipt, zeroAddress } from 'viem';
import type { Connection, SignerConnection } from '../chain/connect.ts';
import { zkReceiptSlasherAbi } from '../chain/generated/ZkReceiptSlasher.ts';
import type { Receipt } from '../protocol/messages.ts';
import { breastCancerMlpVerifierAbi, breastCancerMlpVerifierBytecode } from '../chain/generated/BreastCancerMlpVerifier.ts';
import { zkRegistryAbi, zkRegistryBytecode } from '../chain/generated/ZkRegistry.ts';
import type { InferenceProof } from './prove.ts';
import { ZkNoVerifierError } from './errors.ts';
import { solidityProof, type ZkProofResult } from './proof-format.ts';
import { poseidonParamsFor } from './poseidon-params.ts';
import { writeContract } from '../chain/write.ts';

async function deployed(c: SignerConnection, hash: Hex): Promise<Address> {
  const receipt = await c.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success' || !receipt.contractAddress) throw new Error(`deployment ${hash} failed`);
  return receipt.contractAddress;
}

export async function deployZkRegistry(c: SignerConnection, modelRegistry: Address): Promise<Address> {
  return deployed(c, await c.walletClient.deployContract({ abi: zkRegistryAbi, bytecode: zkRegistryBytecode, args: [modelRegistry] }));
}

/** The committed verifier of breast-cancer-mlp (the one model with zk artifacts so far). */
export async function deployBreastCancerMlpVerifier(c: SignerConnection): Promise<Address> {
  return deployed(c, await c.walletClient.deployContract({ abi: breastCancerMlpVerifierAbi, bytecode: breastCancerMlpVerifierBytecode }));
}

/** A verifier built with a model's keys (verifier.json of `trellis model import --zk`). */
export async function deployCompiledVerifier(c: SignerConnection, compiled: { abi: Abi; bytecode: Hex }): Promise<Address> {
  return deployed(c, await c.walletClient.deployContract({ abi: compiled.abi, bytecode: compiled.bytecode }));
}

export async function registerZkVerifier(c: SignerConnection, zkRegistry: Address, modelId: Hex, verifier: Address, poseidonCommitment: bigint): Promise<void> {
  const hash = await writeContract(c, {
    address: zkRegistry,
    abi: zkRegistryAbi,
    functionName: 'registerVerifier',
    args: [modelId, verifier, poseidonCommitment],
  });
  const receipt = await c.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') throw new Error(`registerVerifier ${hash} reverted`);
}

/** Submits a proof; the receipt tells the gas a verification costs. Reverts (named) when refused. */
export async function verifyAndRecord(
  c: SignerConnection,
  zkRegistry: Address,
  modelId: Hex,
  proved: Pick<InferenceProof, 'proof' | 'publicSignals'>,
): Promise<TransactionReceipt> {
  const { a, b, c: pc } = solidityProof(proved.proof);
  const args = [modelId, proved.publicSignals.map(BigInt), a, b, pc] as const;
  // Simulating first surfaces the contract's named error instead of a bare reverted receipt.
  const { request } = await c.publicClient.simulateContract({
    account: c.account,
    address: zkRegistry,
    abi: zkRegistryAbi,
    functionName: 'verifyAndRecord',
    args,
  });
  const hash = await writeContract(c, request);
  return c.publicClient.waitForTransactionReceipt({ hash });
}

export async function isVerifiedOnChain(c: SignerConnection, zkRegistry: Address, modelId: Hex, publicSignals: string[]): Promise<boolean> {
  return c.publicClient.readContract({
    address: zkRegistry,
    abi: zkRegistryAbi,
    functionName: 'isVerified',
    args: [modelId, BigInt(publicSignals[0]!), BigInt(publicSignals[1]!)],
  });
}

/** A model's registered verifier and Poseidon weight commitment (zero address and 0n: none). */
export async function registeredVerifier(c: Connection, zkRegistry: Address, modelId: Hex): Promise<{ verifier: Address; commitment: bigint }> {
  const [verifier, commitment] = await c.publicClient.readContract({ address: zkRegistry, abi: zkRegistryAbi, functionName: 'verifierOf', args: [modelId] });
  return { verifier, commitment };
}

/**
 * Whether the model's registered verifier accepts the proof for its registered commitment,
 * asked of the chain without a transaction: what ZkReceiptSlasher would judge. Refuses
 * (ZkNoVerifierError) a model with no verifier.
 */
export async function proofHoldsOnChain(c: Connection, zkRegistry: Address, modelId: Hex, proved: ZkProofResult): Promise<boolean> {
  const { verifier, commitment } = await registeredVerifier(c, zkRegistry, modelId);
  if (verifier === zeroAddress) throw new ZkNoVerifierError(modelId, zkRegistry);
  if (proved.publicSignals.length !== 2 || BigInt(proved.publicSignals[0]!) !== commitment) return false;
  const { a, b, c: pc } = solidityProof(proved.proof);
  // Every generated verifier has this ABI (IGroth16Verifier).
  return c.publicClient
    .readContract({ address: verifier, abi: breastCancerMlpVerifierAbi, functionName: 'verifyProof', args: [a, b, pc, proved.publicSignals.map(BigInt)] })
    .catch(() => false);
}

/** What a zk receipt's inputHash and outputHash commit to: the quantized input and the output integers. */
export type ZkOpening = { input: readonly number[]; output: readonly number[] };

/** The slasher's Opening argument: the tensors and the Poseidon parameters that hash them. */
export function slashOpening({ input, output }: ZkOpening) {
  return { input: input.map(BigInt), output: output.map(BigInt), poseidonParams: poseidonParamsFor(input.length, output.length) };
}

/**
 * Slashes the provider of a zk receipt whose bound proof fails, or is a valid proof of
 * another model, input or output than the receipt's (ZkReceiptSlasher). The simulation
 * first surfaces the contract's named refusal (a proof that holds for this receipt, a
 * receipt the provider never signed, another proof than the one bound, another input or
 * output than the receipt's, a replay).
 */
export async function slashZkReceipt(
  c: SignerConnection,
  slasher: Address,
  receipt: Receipt,
  signature: Hex,
  proved: ZkProofResult,
  opening: ZkOpening,
): Promise<TransactionReceipt> {
  const { a, b, c: pc } = solidityProof(proved.proof);
  const { request } = await c.publicClient.simulateContract({
    account: c.account,
    address: slasher,
    abi: zkReceiptSlasherAbi,
    functionName: 'slash',
    args: [receipt, signature, proved.publicSignals.map(BigInt), { a, b, c: pc }, slashOpening(opening)],
    // The slasher refuses to judge with less gas than its verifier needs, after recomputing
    // the Poseidon I/O hash (about 1 M gas for breast-cancer-mlp): give it plenty.
    gas: 5_000_000n,
  });
  const hash = await writeContract(c, request);
  return c.publicClient.waitForTransactionReceipt({ hash });
}
