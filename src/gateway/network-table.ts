// The gateway's picture of the network, rebuilt only from registry events: which
// providers exist (endpoint, key, stake, jail, prices per model) and which models
// (owner, metadata, deprecation). `apply` is the one transition every event goes
// through; feeding it the same logs in chain order always gives the same table.
import { getAddress, type Address, type GetContractEventsReturnType, type Hex } from 'viem';
import type { modelRegistryAbi } from '../chain/generated/ModelRegistry.ts';
import type { providerRegistryAbi } from '../chain/generated/ProviderRegistry.ts';

export type ProviderRecord = {
  address: Address;
  endpoint: string;
  pubKey: Hex;
  activeStake: bigint;
  unbondingStake: bigint;
  /** Unix seconds; 0 when never jailed. */
  jailedUntil: bigint;
  /** Price per request by model id; a model priced 0 is not offered and is absent here. */
  prices: Map<Hex, bigint>;
  /**
   * The registry's own `isActive` (registered, not jailed, stake at least the minimum).
   * Events cannot tell when a jail term ends, so the gateway confirms this with a view call.
   */
  active: boolean;
};

export type ModelRecord = {
  modelId: Hex;
  owner: Address;
  contentHash: Hex;
  weightCommitment: Hex;
  metadataURI: string;
  royaltyBps: number;
  deprecated: boolean;
};

export type ProviderRegistryLog = GetContractEventsReturnType<typeof providerRegistryAbi, undefined, true>[number];
export type ModelRegistryLog = GetContractEventsReturnType<typeof modelRegistryAbi, undefined, true>[number];
export type RegistryLog = ProviderRegistryLog | ModelRegistryLog;

const id = (value: Hex): Hex => value.toLowerCase() as Hex;

export class NetworkTable {
  readonly providers = new Map<Address, ProviderRecord>();
  readonly models = new Map<Hex, ModelRecord>();

  /** Applies one decoded log; returns the provider it changed, if any. */
  apply(log: RegistryLog): Address | undefined {
    switch (log.eventName) {
      case 'ProviderRegistered': {
        const address = getAddress(log.args.provider);
        this.providers.set(address, {
          address,
          endpoint: log.args.endpoint,
          pubKey: log.args.pubKey,
          activeStake: log.args.stake,
          unbondingStake: 0n,
          jailedUntil: 0n,
          prices: new Map(),
          // Confirmed by the view call that follows every sync touching this provider.
          active: false,
        });
        return address;
      }
      case 'EndpointUpdated':
        return this.update(log.args.provider, (p) => (p.endpoint = log.args.endpoint));
      case 'PriceSet':
        return this.update(log.args.provider, (p) => {
          if (log.args.price === 0n) p.prices.delete(id(log.args.modelId));
          else p.prices.set(id(log.args.modelId), log.args.price);
        });
      case 'StakeAdded':
        return this.update(log.args.provider, (p) => (p.activeStake = log.args.activeStake));
      case 'UnbondingStarted':
        return this.update(log.args.provider, (p) => {
          p.activeStake = log.args.activeStake;
          p.unbondingStake += log.args.amount;
        });
      case 'StakeWithdrawn':
        return this.update(log.args.provider, (p) => (p.unbondingStake -= log.args.amount));
      case 'ProviderJailed':
        return this.update(log.args.provider, (p) => (p.jailedUntil = log.args.until));
      case 'ProviderSlashed':
        return this.update(log.args.provider, (p) => {
          p.activeStake -= log.args.fromActive;
          p.unbondingStake -= log.args.fromUnbonding;
        });
      case 'ModelPublished':
        this.models.set(id(log.args.modelId), {
          modelId: id(log.args.modelId),
          owner: getAddress(log.args.owner),
          contentHash: id(log.args.contentHash),
          weightCommitment: id(log.args.weightCommitment),
          metadataURI: log.args.metadataURI,
          royaltyBps: log.args.royaltyBps,
          deprecated: false,
        });
        return undefined;
      case 'WeightCommitmentSet':
        this.updateModel(log.args.modelId, (m) => (m.weightCommitment = id(log.args.weightCommitment)));
        return undefined;
      case 'RoyaltySet':
        this.updateModel(log.args.modelId, (m) => (m.royaltyBps = log.args.newRoyaltyBps));
        return undefined;
      case 'ModelTransferred':
        this.updateModel(log.args.modelId, (m) => (m.owner = getAddress(log.args.newOwner)));
        return undefined;
      case 'ModelDeprecated':
        this.updateModel(log.args.modelId, (m) => (m.deprecated = true));
        return undefined;
      default:
        // Events that change nothing the gateway routes on (SlasherSet, ownership, ...).
        return undefined;
    }
  }

  /** Models that can still be requested. */
  liveModel(modelId: Hex): ModelRecord | undefined {
    const model = this.models.get(id(modelId));
    return model && !model.deprecated ? model : undefined;
  }

  private update(provider: Address, change: (record: ProviderRecord) => void): Address | undefined {
    const record = this.providers.get(getAddress(provider));
    // An event for an unknown provider cannot happen on a consistent log; ignore it.
    if (!record) return undefined;
    change(record);
    return record.address;
  }

  private updateModel(modelId: Hex, change: (record: ModelRecord) => void): void {
    const record = this.models.get(id(modelId));
    if (record) change(record);
  }
}
