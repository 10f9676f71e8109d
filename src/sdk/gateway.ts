// Reading what a gateway knows from the chain: the providers it discovered, with their
// prices, stake and health, and the published models with the providers serving them.
import type { Address, Hex } from 'viem';
import { TrellisError } from '../errors.ts';

export type ProviderListing = {
  address: Address;
  endpoint: string;
  activeStake: string;
  active: boolean;
  healthy: boolean;
  healthReason: string;
  models: { modelId: Hex; price: string; served: boolean }[];
  inFlight: number;
  latencyMs: number | null;
  errorRate: number;
};

export type ModelListing = { modelId: Hex; owner: Address; contentHash: Hex; metadataURI: string; royaltyBps: number; providers: Address[] };

async function get<T>(gatewayUrl: string, path: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${gatewayUrl}${path}`, { signal: AbortSignal.timeout(10_000) });
  } catch (cause) {
    throw new TrellisError('GATEWAY_UNREACHABLE', `The gateway at ${gatewayUrl} does not answer.`, { cause });
  }
  if (!response.ok) throw new TrellisError('GATEWAY_ERROR', `The gateway answered HTTP ${response.status} to GET ${path}.`);
  return (await response.json()) as T;
}

export const listProviders = async (gatewayUrl: string): Promise<ProviderListing[]> =>
  (await get<{ providers: ProviderListing[] }>(gatewayUrl, '/v1/providers')).providers;

export const listModels = async (gatewayUrl: string): Promise<ModelListing[]> => (await get<{ models: ModelListing[] }>(gatewayUrl, '/v1/models')).models;

/**
 * The name a listing shows for a model: a package's manifest name, read from the
 * gateway's store (for display only: whoever uses the model fetches and verifies the
 * package), or a default model's name from its `trellis:models/<name>` URI.
 */
export async function modelDisplayName(gatewayUrl: string, metadataURI: string): Promise<string> {
  if (!metadataURI.startsWith('ipfs://')) return metadataURI.replace(/^trellis:models\//, '');
  const cid = metadataURI.slice('ipfs://'.length);
  try {
    const response = await fetch(`${gatewayUrl}/ipfs/${cid}/trellis-model.json`, { signal: AbortSignal.timeout(10_000) });
    const name = response.ok ? ((await response.json()) as { name?: unknown }).name : undefined;
    if (typeof name === 'string' && name !== '') return name;
  } catch {
    // A package the gateway cannot give is shown by its URI.
  }
  return metadataURI;
}
