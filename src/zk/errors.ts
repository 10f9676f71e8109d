// Errors of the zk area: circuit generation, witnesses and proofs.
import { TrellisError } from '../errors.ts';

export type ZkErrorCode =
  | 'ZK_UNSUPPORTED_LAYER'
  | 'ZK_INPUT'
  | 'ZK_ARTIFACTS_MISSING'
  | 'ZK_PROOF_INVALID'
  | 'ZK_COMPILE'
  | 'ZK_NO_VERIFIER'
  | 'ZK_NOT_DEPLOYED'
  | 'ZK_CEREMONY_MISSING'
  | 'ZK_CEREMONY_TAMPERED'
  | 'ZK_CIRCUIT_TOO_LARGE'
  | 'ZK_KEYS_EXIST'
  | 'ZK_VERIFIER_COMPILE'
  | 'ZK_KEYS_OTHER_WEIGHTS'
  | 'ZK_NOT_MODEL_OWNER';

export class ZkError extends TrellisError<ZkErrorCode> {
  override name = 'ZkError';
}

/** The generator handles dense and relu layers only (conv and pooling are not yet in circuits). */
export class ZkUnsupportedLayerError extends ZkError {
  override name = 'ZkUnsupportedLayerError';
  readonly op: string;
  constructor(layer: number, op: string) {
    super('ZK_UNSUPPORTED_LAYER', `The circuit generator cannot express the ${op} operator (layer ${layer}).`, {
      details: [`layer: ${layer}`, `op: ${op}`, 'supported: dense, relu'],
    });
    this.op = op;
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

/** The committed powers of tau (models/zk/ceremony/) is not there or its meta file is unreadable. */
export class ZkCeremonyMissingError extends ZkError {
  override name = 'ZkCeremonyMissingError';
  constructor(path: string, reason: string) {
    super('ZK_CEREMONY_MISSING', 'The prepared powers of tau is missing.', {
      details: [`path: ${path}`, reason, 'run: npx tsx scripts/zk-setup.ts --ceremony --power 14'],
    });
  }
}

/** The ptau file does not hash to the value its meta file records: it is not the committed ceremony. */
export class ZkCeremonyTamperedError extends ZkError {
  override name = 'ZkCeremonyTamperedError';
  constructor(path: string, expected: string, got: string) {
    super('ZK_CEREMONY_TAMPERED', 'The powers of tau file is not the one the ceremony recorded.', {
      details: [`file: ${path}`, `expected sha256: ${expected}`, `got sha256: ${got}`, 'restore it from the repository, or run the ceremony again'],
    });
  }
}

/**
 * The circuit has more constraints than the ceremony supports. `exact` is false when the
 * count is a lower bound taken from the artifact before compiling (a large model is
 * refused without minutes of compilation).
 */
export class ZkCircuitTooLargeError extends ZkError {
  override name = 'ZkCircuitTooLargeError';
  readonly constraints: number;
  readonly power: number;
  readonly neededPower: number;
  constructor(model: string, constraints: number, exact: boolean, power: number, neededPower: number) {
    super('ZK_CIRCUIT_TOO_LARGE', `The circuit of ${model} does not fit the committed ceremony (2^${power}).`, {
      details: [
        `constraints: ${exact ? '' : 'at least '}${constraints.toLocaleString('en-US')}${exact ? '' : ' (counted from the artifact before compiling)'}`,
        `the ceremony supports fewer than 2^${power} = ${(2 ** power).toLocaleString('en-US')} (constraints + public signals)`,
        `needed: a ceremony of power ${exact ? '' : 'at least '}${neededPower} (2^${neededPower} = ${(2 ** neededPower).toLocaleString('en-US')})`,
        `make one: npx tsx scripts/zk-setup.ts --ceremony --power ${neededPower} --out DIR (preparing phase 2 takes long: over 20 minutes at power 15 on 2 cores)`,
        'then: trellis model import ... --zk --zk-ceremony DIR',
      ],
    });
    this.constraints = constraints;
    this.power = power;
    this.neededPower = neededPower;
  }
}

/** Keys for another model's weights already live where these would be written. */
export class ZkKeysExistError extends ZkError {
  override name = 'ZkKeysExistError';
  constructor(model: string, dir: string, commitment: string) {
    super('ZK_KEYS_EXIST', `${dir} already holds zk keys of other weights named ${model}.`, {
      details: [`their Poseidon weight commitment: ${commitment}`, 'import the model under another name (--name), or remove that folder'],
    });
  }
}

/** solc refused the generated verifier contract. */
export class ZkVerifierCompileError extends ZkError {
  override name = 'ZkVerifierCompileError';
  constructor(contract: string, messages: string[]) {
    super('ZK_VERIFIER_COMPILE', `The Solidity compiler refused the generated verifier ${contract}.`, { details: messages.slice(0, 10) });
  }
}

/** The keys found for a model were made for other weights than the model's artifact. */
export class ZkKeysOtherWeightsError extends ZkError {
  override name = 'ZkKeysOtherWeightsError';
  constructor(model: string, dir: string, held: string, expected: string) {
    super('ZK_KEYS_OTHER_WEIGHTS', `The zk keys in ${dir} are not for the weights of ${model}.`, {
      details: [`their Poseidon weight commitment: ${held}`, `the artifact's: ${expected}`, 'build them again: trellis model import --zk'],
    });
  }
}

/** Only a model's owner registers its verifier; checked before anything is deployed. */
export class ZkNotModelOwnerError extends ZkError {
  override name = 'ZkNotModelOwnerError';
  constructor(modelId: string, owner: string, caller: string) {
    super('ZK_NOT_MODEL_OWNER', `Only the owner of model ${modelId} can register its verifier.`, {
      details: [`owner: ${owner}`, `caller: ${caller}`, 'nothing was deployed'],
    });
  }
}
