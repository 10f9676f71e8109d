// Decoding of raw logs into named events with JSON-safe arguments (uint256 as decimal
// strings), using the ABIs generated from the contracts. Each Trellis contract's full
// ABI is used, so inherited events (the token's Transfer, ...) are indexed too.
import { decodeEventLog, getAddress, getContractAddress, type Abi, type Address, type Hex, type Log } from 'viem';
import type { ContractName, Deployment } from '../chain/manifest.ts';
import { agentIdentityAbi } from '../chain/generated/AgentIdentity.ts';
import { contributorRoyaltiesAbi } from '../chain/generated/ContributorRoyalties.ts';
import { contributorRoyaltiesFactoryAbi } from '../chain/generated/ContributorRoyaltiesFactory.ts';
import { disputeGameAbi } from '../chain/generated/DisputeGame.ts';
import { escrowAbi } from '../chain/generated/Escrow.ts';
import { federatedTrainingAbi } from '../chain/generated/FederatedTraining.ts';
import { flAvailabilityAbi } from '../chain/generated/FlAvailability.ts';
import { modelRegistryAbi } from '../chain/generated/ModelRegistry.ts';
import { providerRegistryAbi } from '../chain/generated/ProviderRegistry.ts';
import { reputationRegistryAbi } from '../chain/generated/ReputationRegistry.ts';
import { spendPermissionsAbi } from '../chain/generated/SpendPermissions.ts';
import { trellisParamsAbi } from '../chain/generated/TrellisParams.ts';
import { trellisTokenAbi } from '../chain/generated/TrellisToken.ts';
import { validationRegistryAbi } from '../chain/generated/ValidationRegistry.ts';
import { zkReceiptSlasherAbi } from '../chain/generated/ZkReceiptSlasher.ts';
import { zkRegistryAbi } from '../chain/generated/ZkRegistry.ts';

/**
 * The contracts whose events are indexed: the core ones, the optional areas' (agents,
 * federated training and its availability game, zk verification) when the manifest has
 * them, and the royalty splitters the coordinator creates for each published final
 * model (found from its events).
 */
export const indexedContracts = [
  'token',
  'params',
  'modelRegistry',
  'providerRegistry',
  'escrow',
  'disputeGame',
  'spendPermissions',
  'agentIdentity',
  'validationRegistry',
  'reputationRegistry',
  'federatedTraining',
  'flAvailability',
  'royaltiesFactory',
  'contributorRoyalties',
  'zkRegistry',
  'zkReceiptSlasher',
] as const;
export type IndexedContract = (typeof indexedContracts)[number];

export const contractAbis: Record<IndexedContract, Abi> = {
  token: trellisTokenAbi,
  params: trellisParamsAbi,
  modelRegistry: modelRegistryAbi,
  providerRegistry: providerRegistryAbi,
  escrow: escrowAbi,
  disputeGame: disputeGameAbi,
  spendPermissions: spendPermissionsAbi,
  agentIdentity: agentIdentityAbi,
  validationRegistry: validationRegistryAbi,
  reputationRegistry: reputationRegistryAbi,
  federatedTraining: federatedTrainingAbi,
  flAvailability: flAvailabilityAbi,
  royaltiesFactory: contributorRoyaltiesFactoryAbi,
  contributorRoyalties: contributorRoyaltiesAbi,
  zkRegistry: zkRegistryAbi,
  zkReceiptSlasher: zkReceiptSlasherAbi,
};

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type EventArgs = Record<string, JsonValue>;

/** One decoded event, as stored in raw_events. */
export type IndexedEvent = {
  blockNumber: number;
  logIndex: number;
  txHash: Hex;
  contract: IndexedContract;
  address: Address;
  name: string;
  args: EventArgs;
};

/** Every event name each contract can emit, for validating API filters. */
export const eventNames: Record<IndexedContract, readonly string[]> = Object.fromEntries(
  Object.entries(contractAbis).map(([contract, abi]) => [contract, [...new Set(abi.filter((item) => item.type === 'event').map((item) => item.name))].sort()]),
) as unknown as Record<IndexedContract, readonly string[]>;

export type AddressBook = Map<string, IndexedContract>;

/** Every fixed address of the deployment by contract name, optional areas included when deployed. */
export function deployedContracts(deployment: Deployment): Record<string, Address> {
  const { fl } = deployment;
  const availability = fl ? { flAvailability: availabilityGameOf(fl.federatedTraining) } : {};
  return { ...deployment.contracts, ...deployment.agents, ...fl, ...availability, ...deployment.zk } as Record<ContractName | string, Address>;
}

/**
 * The coordinator's availability game (FlAvailability), which the manifest does not list:
 * the coordinator's constructor creates it as its first contract, so it lives at the
 * CREATE address of the coordinator's nonce 1 (a contract's nonce starts at 1, EIP-161).
 * test/indexer-agents.test.ts checks it against the coordinator's own answer.
 */
export function availabilityGameOf(coordinator: Address): Address {
  return getContractAddress({ from: coordinator, nonce: 1n });
}

export function addressBook(deployment: Deployment): AddressBook {
  return new Map(Object.entries(deployedContracts(deployment)).map(([name, address]) => [address.toLowerCase(), name as IndexedContract]));
}

/** Decodes one log of a Trellis contract; throws when it cannot (the caller skips it). */
export function decodeLog(book: AddressBook, log: Log): IndexedEvent {
  const contract = book.get(log.address.toLowerCase());
  if (!contract) throw new Error(`log from ${log.address}, not a contract of this deployment`);
  if (log.blockNumber === null || log.logIndex === null || log.transactionHash === null) throw new Error('pending log without a block');
  const decoded = decodeEventLog({ abi: contractAbis[contract], data: log.data, topics: log.topics, strict: true });
  return {
    blockNumber: Number(log.blockNumber),
    logIndex: log.logIndex,
    txHash: log.transactionHash,
    contract,
    address: getAddress(log.address),
    name: decoded.eventName ?? 'unknown',
    args: toJson(decoded.args ?? {}) as EventArgs,
  };
}

function toJson(value: unknown): JsonValue {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(toJson);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]));
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return null;
}
