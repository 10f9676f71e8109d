// Registers a model's verifier with the model in the ZkRegistry: the verifier contract built
// with its keys (verifier.json, written by `trellis model import --zk`) is deployed and
// registered, by the model's owner, with the Poseidon weight commitment of the model's
// artifact. Everything that can refuse is checked before the deployment: keys for other
// weights, no compiled verifier, a model that is not published, a caller that is not its owner.
import { existsSync, readFileSync } from 'node:fs';
import { type Address, type Hex, zeroAddress } from 'viem';
import type { SignerConnection } from '../chain/connect.ts';
import type { Deployment } from '../chain/manifest.ts';
import { modelRegistryAbi } from '../chain/generated/ModelRegistry.ts';
import type { Artifact } from '../engine/artifact.ts';
import { ModelError } from '../models/errors.ts';
import { modelIdOf } from '../models/registry.ts';
import { readZkMeta, requireZkArtifacts } from './artifacts.ts';
import { deployCompiledVerifier, registerZkVerifier } from './chain.ts';
import { poseidonWeightCommitment } from './commitment.ts';
import { ZkArtifactsMissingError, ZkKeysOtherWeightsError, ZkNotDeployedError, ZkNotModelOwnerError } from './errors.ts';
import type { CompiledVerifier } from './verifier-compile.ts';

export type RegisterModelVerifierParameters = {
  model: { name: string; contentHash: Hex; artifact: Artifact };
  /** Default: the id the caller's own publication of the model has. */
  modelId?: Hex;
  /** The folder of per-model key folders (default models/zk). */
  keysRoot?: string;
};

export type RegisteredVerifier = { modelId: Hex; verifier: Address; commitment: bigint };

export async function registerModelVerifier(c: SignerConnection, deployment: Deployment, p: RegisterModelVerifierParameters): Promise<RegisteredVerifier> {
  if (!deployment.zk) throw new ZkNotDeployedError();
  const { name, artifact } = p.model;
  const paths = requireZkArtifacts(name, p.keysRoot);
  const commitment = poseidonWeightCommitment(artifact);
  const held = readZkMeta(name, p.keysRoot).poseidonWeightCommitment;
  if (held !== commitment.toString()) throw new ZkKeysOtherWeightsError(name, paths.dir, held, commitment.toString());
  if (!existsSync(paths.verifierJson)) throw new ZkArtifactsMissingError(name, paths.verifierJson);
  const compiled = JSON.parse(readFileSync(paths.verifierJson, 'utf8')) as CompiledVerifier;

  const modelId = p.modelId ?? (await modelIdOf(c, deployment, c.account.address, p.model.contentHash));
  const owner = await c.publicClient.readContract({
    address: deployment.contracts.modelRegistry,
    abi: modelRegistryAbi,
    functionName: 'ownerOf',
    args: [modelId],
  });
  if (owner === zeroAddress) {
    throw new ModelError('MODEL_NOT_PUBLISHED', `Model "${name}" is not published as ${modelId}.`, {
      details: [`publisher: ${c.account.address}`, 'publish it first (trellis model publish), then register its verifier'],
    });
  }
  if (owner.toLowerCase() !== c.account.address.toLowerCase()) throw new ZkNotModelOwnerError(modelId, owner, c.account.address);
  // A verifier registered before is replaced: receipts signed under it are then no longer
  // judged by the slasher (ZkSlashVerifierReplaced), as for any replacement.
  const verifier = await deployCompiledVerifier(c, compiled);
  await registerZkVerifier(c, deployment.zk.zkRegistry, modelId, verifier, commitment);
  return { modelId, verifier, commitment };
}
