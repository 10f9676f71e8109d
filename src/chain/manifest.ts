// The deployment manifest: where the contracts of one deployment live. Written once
// the whole deployment has succeeded (never half), read by every component that
// talks to the chain, and checked against the chain it is used with.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { isAddress, type Address, type PublicClient } from 'viem';
import { ChainError } from './errors.ts';

export const contractNames = ['token', 'params', 'modelRegistry', 'providerRegistry', 'escrow', 'disputeGame'] as const;
export type ContractName = (typeof contractNames)[number];

export type Deployment = {
  chainId: number;
  deployer: Address;
  /** First block of the deployment: where indexers start reading events. */
  deploymentBlock: number;
  contracts: Record<ContractName, Address>;
  /** The timelock that owns TrellisParams (absent in manifests written before it existed). */
  timelock?: Address;
  /**
   * The account whose publications of a model clients and providers trust unless told
   * otherwise (src/models/registry.ts): on the local network, the owner of the default
   * models. Optional, so manifests written before it existed still read.
   */
  modelPublisher?: Address;
  /** The model market (docs/market.md); absent in manifests written before it existed. */
  market?: MarketContracts;
  /** Agent spending limits, identity and reputation (docs/agents.md); absent in manifests written before they existed. */
  agents?: AgentContracts;
  /** Federated training (docs/fl.md); absent in manifests written before it existed. */
  fl?: FlContracts;
  /** zk verification (docs/zk.md): verifier registry and receipt slasher; absent in manifests written before it existed. */
  zk?: ZkContracts;
};

export const zkContractNames = ['zkRegistry', 'zkReceiptSlasher'] as const;
export type ZkContracts = Record<(typeof zkContractNames)[number], Address>;

export const flContractNames = ['federatedTraining', 'royaltiesFactory'] as const;
export type FlContracts = Record<(typeof flContractNames)[number], Address>;

export const marketContractNames = ['marketParams', 'modelStaking', 'modelBounty'] as const;
export type MarketContracts = Record<(typeof marketContractNames)[number], Address>;

export const agentContractNames = ['spendPermissions', 'agentAccounts', 'agentIdentity', 'validationRegistry', 'reputationRegistry'] as const;
export type AgentContracts = Record<(typeof agentContractNames)[number], Address>;

/** The areas deployed after the core contracts, each optional in older manifests. */
const optionalAreas = { market: marketContractNames, agents: agentContractNames, fl: flContractNames, zk: zkContractNames } as const;
type OptionalArea = keyof typeof optionalAreas;
const optionalAreaNames = Object.keys(optionalAreas) as OptionalArea[];

export function writeManifest(path: string, deployment: Deployment): void {
  mkdirSync(dirname(path), { recursive: true });
  // Write then rename, so that a crash never leaves a truncated manifest behind.
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(deployment, null, 2)}\n`);
  renameSync(temporary, path);
}

/** Reads and validates a manifest; `undefined` when there is none at `path`. */
export function readManifest(path: string): Deployment | undefined {
  if (!existsSync(path)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw invalid(path, 'it is not valid JSON', cause);
  }
  return parseManifest(path, value);
}

function parseManifest(path: string, value: unknown): Deployment {
  if (typeof value !== 'object' || value === null) throw invalid(path, 'expected a JSON object');
  const record = value as Record<string, unknown>;
  const chainId = record.chainId;
  if (!Number.isSafeInteger(chainId) || (chainId as number) <= 0) throw invalid(path, `chainId: expected a positive integer, got ${JSON.stringify(chainId)}`);
  const block = record.deploymentBlock;
  if (!Number.isSafeInteger(block) || (block as number) < 0) throw invalid(path, `deploymentBlock: expected a block number, got ${JSON.stringify(block)}`);
  if (typeof record.deployer !== 'string' || !isAddress(record.deployer))
    throw invalid(path, `deployer: expected an address, got ${JSON.stringify(record.deployer)}`);
  const contracts = (record.contracts ?? {}) as Record<string, unknown>;
  for (const name of contractNames) {
    const address = contracts[name];
    if (typeof address !== 'string' || !isAddress(address)) throw invalid(path, `contracts.${name}: expected an address, got ${JSON.stringify(address)}`);
  }
  const timelock = record.timelock;
  if (timelock !== undefined && (typeof timelock !== 'string' || !isAddress(timelock)))
    throw invalid(path, `timelock: expected an address, got ${JSON.stringify(timelock)}`);
  const publisher = record.modelPublisher;
  if (publisher !== undefined && (typeof publisher !== 'string' || !isAddress(publisher)))
    throw invalid(path, `modelPublisher: expected an address, got ${JSON.stringify(publisher)}`);
  const areas: Partial<Record<OptionalArea, Record<string, Address>>> = {};
  for (const area of optionalAreaNames) {
    const found = record[area] as Record<string, unknown> | undefined;
    if (found === undefined) continue;
    for (const name of optionalAreas[area]) {
      const address = found?.[name];
      if (typeof address !== 'string' || !isAddress(address)) throw invalid(path, `${area}.${name}: expected an address, got ${JSON.stringify(address)}`);
    }
    areas[area] = Object.fromEntries(optionalAreas[area].map((name) => [name, found[name] as Address]));
  }
  return {
    chainId: chainId as number,
    deployer: record.deployer,
    deploymentBlock: block as number,
    contracts: Object.fromEntries(contractNames.map((name) => [name, contracts[name]])) as Record<ContractName, Address>,
    ...(timelock === undefined ? {} : { timelock }),
    ...(publisher === undefined ? {} : { modelPublisher: publisher }),
    ...(areas as Pick<Deployment, OptionalArea>),
  };
}

/**
 * Checks that a manifest describes the chain a client is connected to: the same chain
 * id, and code at every address (a chain whose state was lost has none).
 */
export async function checkManifestMatchesChain(path: string, deployment: Deployment, client: PublicClient): Promise<void> {
  const chainId = await client.getChainId();
  if (chainId !== deployment.chainId) {
    throw new ChainError('MANIFEST_CHAIN_MISMATCH', 'The deployment manifest belongs to another chain.', {
      details: [`manifest: ${path}`, `manifest chain id: ${deployment.chainId}`, `connected chain id: ${chainId}`],
    });
  }
  const addresses: [string, Address][] = [
    ...contractNames.map((name): [string, Address] => [name, deployment.contracts[name]]),
    ...optionalAreaNames.flatMap((area) => {
      const addresses: Record<string, Address> | undefined = deployment[area];
      return addresses ? Object.entries(addresses).map(([name, address]): [string, Address] => [`${area}.${name}`, address]) : [];
    }),
  ];
  for (const [name, address] of addresses) {
    const code = await client.getCode({ address });
    if (!code || code === '0x') {
      throw new ChainError('MANIFEST_CODE_MISSING', `No contract code at the manifest's ${name} address.`, {
        details: [`manifest: ${path}`, `${name}: ${address}`, 'the chain state was reset or the manifest is stale; deploy again (locally: --fresh)'],
      });
    }
  }
}

function invalid(path: string, problem: string, cause?: unknown): ChainError {
  return new ChainError('MANIFEST_INVALID', `The deployment manifest ${path} is invalid: ${problem}.`, { cause });
}
