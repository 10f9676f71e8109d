// Decoding of raw logs into named events with JSON-safe arguments (uint256 as decimal
// strings), using the ABIs generated from the contracts. Each Trellis contract's full
// ABI is used, so inherited events (the token's Transfer, ...) are indexed too.
import { decodeEventLog, getAddress, type Abi, type Address, type Hex, type Log } from 'viem';
import type { ContractName, Deployment } from '../chain/manifest.ts';
import { disputeGameAbi } from '../chain/generated/DisputeGame.ts';
import { escrowAbi } from '../chain/generated/Escrow.ts';
import { modelRegistryAbi } from '../chain/generated/ModelRegistry.ts';
import { providerRegistryAbi } from '../chain/generated/ProviderRegistry.ts';
import { trellisParamsAbi } from '../chain/generated/TrellisParams.ts';
import { trellisTokenAbi } from '../chain/generated/TrellisToken.ts';

export const contractAbis: Record<ContractName, Abi> = {
  token: trellisTokenAbi,
  params: trellisParamsAbi,
  modelRegistry: modelRegistryAbi,
  providerRegistry: providerRegistryAbi,
  escrow: escrowAbi,
  disputeGame: disputeGameAbi,
};

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type EventArgs = Record<string, JsonValue>;

/** One decoded event, as stored in raw_events. */
export type IndexedEvent = {
  blockNumber: number;
  logIndex: number;
  txHash: Hex;
  contract: ContractName;
  address: Address;
  name: string;
  args: EventArgs;
};

/** Every event name each contract can emit, for validating API filters. */
export const eventNames: Record<ContractName, readonly string[]> = Object.fromEntries(
  Object.entries(contractAbis).map(([contract, abi]) => [contract, [...new Set(abi.filter((item) => item.type === 'event').map((item) => item.name))].sort()]),
) as unknown as Record<ContractName, readonly string[]>;

export type AddressBook = Map<string, ContractName>;

export function addressBook(deployment: Deployment): AddressBook {
  return new Map(Object.entries(deployment.contracts).map(([name, address]) => [address.toLowerCase(), name as ContractName]));
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
