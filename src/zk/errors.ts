// Errors of the zk area: circuit generation, witnesses and proofs.
import { TrellisError } from '../errors.ts';

export type ZkErrorCode =
  | 'ZK_UNSUPPORTED_LAYER'
  | 'ZK_INPUT'
  | 'ZK_ARTIFACTS_MISSING'
  | 'ZK_PROOF_INVALID'
  | 'ZK_COMPILE'
  | 'ZK_NO_VERIFIER'
  | 'ZK_NOT_DEPLOYED';

export class ZkError extends TrellisError<ZkErrorCode> {
  override name = 'ZkError';
}

/** The generator handles dense and relu layers only (conv and pooling are not yet in circuits). */
export class ZkUnsupportedLayerError extends ZkError {
  override name = 'ZkUnsupportedLayerError';
  constructor(layer: number, op: string) {
    super('ZK_UNSUPPORTED_LAYER', 'The model has a layer the circuit generator does not handle.', {
      details: [`layer: ${layer}`, `op: ${op}`, 'supported: dense, relu'],
    });
  }
}

/** The quantized input does not fit the circuit (wrong length or not int16). */
export class ZkInputError extends ZkError {
  override name = 'ZkInputError';
  constructor(details: string[]) {
    super('ZK_INPUT', 'The input does not fit the circuit.', { details });
  }
}

/** The compiled circuit or proving key of a model is not on disk. */
export class ZkArtifactsMissingError extends ZkError {
  override name = 'ZkArtifactsMissingError';
  constructor(model: string, path: string) {
    super('ZK_ARTIFACTS_MISSING', 'The model has no committed zk proving artifacts.', {
      details: [`model: ${model}`, `missing: ${path}`, 'run: npm run zk:setup'],
    });
  }
}

/** A proof did not verify against the model's verification key. */
export class ZkProofInvalidError extends ZkError {
  override name = 'ZkProofInvalidError';
  constructor(details: string[]) {
    super('ZK_PROOF_INVALID', 'The proof does not verify.', { details });
  }
}

/** The model has no verifier in the ZkRegistry: no proof of it can be checked against the chain. */
export class ZkNoVerifierError extends ZkError {
  override name = 'ZkNoVerifierError';
  constructor(modelId: string, zkRegistry: string) {
    super('ZK_NO_VERIFIER', 'The model has no zk verifier registered on chain.', {
      details: [`model id: ${modelId}`, `ZkRegistry: ${zkRegistry}`, "the model's owner registers one (registerVerifier)"],
    });
  }
}

/** The deployment has no zk contracts (a manifest written before they existed). */
export class ZkNotDeployedError extends ZkError {
  override name = 'ZkNotDeployedError';
  constructor() {
    super('ZK_NOT_DEPLOYED', 'This deployment has no zk contracts (ZkRegistry, ZkReceiptSlasher).', {
      details: ['deploy again with this version to get them'],
    });
  }
}
