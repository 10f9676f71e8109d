// The client's side of a sealed request (docs/privacy.md, "Sealed inference inputs"):
// find the provider to seal to (named by the caller, the provider called directly, or
// the gateway's route step), read its key from the registry (never from the gateway,
// which could hand out its own), and open the sealed answer. Every refusal happens
// before anything is paid.
import { getAddress, type Address, type Hex } from 'viem';
import type { Connection } from '../chain/connect.ts';
import type { Deployment } from '../chain/manifest.ts';
import { providerRegistryAbi } from '../chain/generated/ProviderRegistry.ts';
import { TrellisError } from '../errors.ts';
import { ProtocolError } from '../protocol/errors.ts';
import { decodeValues } from '../protocol/sealed-input.ts';

export type SealingKey = { provider: Address; publicKey: Hex; version: number };

/** The provider's current sealing key, from ProviderRegistry.encryptionKeyOf; NO_SEALING_KEY when it publishes none. */
export async function sealingKeyOf(connection: Connection, deployment: Deployment, provider: Address): Promise<SealingKey> {
  const [publicKey, version] = await connection.publicClient.readContract({
    address: deployment.contracts.providerRegistry,
    abi: providerRegistryAbi,
    functionName: 'encryptionKeyOf',
    args: [provider],
  });
  if (version === 0n || /^0x0*$/.test(publicKey)) {
    throw new TrellisError('NO_SEALING_KEY', `Provider ${provider} publishes no sealing key; nothing was sent.`, {
      details: ['its ProviderRegistry.encryptionKeyOf is empty', 'choose another provider, or send the input in the clear'],
    });
  }
  return { provider, publicKey, version: Number(version) };
}

/** The gateway's route step (GET /v1/route): the provider it would send this model's request to. */
export async function routeSealed(fetcher: typeof fetch, gatewayUrl: string, modelId: Hex, maxFee: bigint): Promise<Address> {
  const url = `${gatewayUrl}/v1/route?model=${modelId}&maxFee=${maxFee}`;
  let response: Response;
  let body: unknown;
  try {
    response = await fetcher(url, { signal: AbortSignal.timeout(10_000) });
    body = await response.json();
  } catch (cause) {
    throw new ProtocolError('PROVIDER_FAILED', `No route answer from ${url}.`, { cause });
  }
  const provider = (body as { provider?: unknown } | null)?.provider;
  if (!response.ok || typeof provider !== 'string') {
    const error = (body as { error?: { code?: string; message?: string; details?: string[] } } | null)?.error;
    throw new ProtocolError(
      error?.code === 'NO_PROVIDER' || error?.code === 'UNKNOWN_MODEL' ? error.code : 'PROVIDER_BAD_RESPONSE',
      error?.message ?? `${url} named no provider.`,
      {
        details: error?.details ?? [],
      },
    );
  }
  return getAddress(provider);
}

/**
 * A sealed answer with its output opened, in the shape of an answer in the clear. An answer holding the output in the clear, or
 * no sealed output, is PROVIDER_BAD_RESPONSE; one that does not open (altered, or
 * another request's) is SEALED_INPUT_INVALID. The caller then checks the receipt
 * against this output exactly as for an answer in the clear.
 */
export function openSealedAnswer(answer: unknown, openOutput: (sealedOutput: Hex) => Uint8Array): Record<string, unknown> {
  const body = answer as { output?: unknown; sealedOutput?: unknown; receipts?: unknown } | null;
  if (body?.output !== undefined) {
    throw new ProtocolError('PROVIDER_BAD_RESPONSE', 'The answer to a sealed input carries the output in the clear; nothing was paid for it.', {
      details: ['a sealed request must be answered with sealedOutput only'],
    });
  }
  if (typeof body?.sealedOutput !== 'string') {
    throw new ProtocolError('PROVIDER_BAD_RESPONSE', 'The answer to a sealed input carries no sealedOutput; nothing was paid for it.');
  }
  const values = decodeValues(openOutput(body.sealedOutput as Hex), 'The sealed output');
  if (!Array.isArray(values) || !values.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new ProtocolError('SEALED_INPUT_INVALID', 'The sealed output opened but holds no array of numbers; nothing was paid for it.');
  }
  const { sealedOutput: _sealed, ...rest } = body as Record<string, unknown>;
  return { ...rest, output: values };
}
