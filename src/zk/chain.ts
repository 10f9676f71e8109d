// The zk contracts on a chain: deploy a model's verifier and the ZkRegistry, register the
// verifier (the model's owner), and submit a proof to verifyAndRecord.
import type { Address, Hex, TransactionReceipt } from 'viem';
import type { SignerConnection } from '../chain/connect.ts';
import { breastCancerMlpVerifierAbi, breastCancerMlpVerifierBytecode } from '../chain/generated/BreastCancerMlpVerifier.ts';
import { zkRegistryAbi, zkRegistryBytecode } from '../chain/generated/ZkRegistry.ts';
import type { InferenceProof } from './prove.ts';
import { solidityProof } from './prove.ts';

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

export async function registerZkVerifier(c: SignerConnection, zkRegistry: Address, modelId: Hex, verifier: Address, poseidonCommitment: bigint): Promise<void> {
  const hash = await c.walletClient.writeContract({
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
  const hash = await c.walletClient.writeContract(request);
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
