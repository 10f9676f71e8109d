// The address a request names as its router: the gateway's routing address or the
// provider's own, read from the health answer of the URL the request goes to. A
// request signed for the wrong router is refused everywhere, and one naming no router
// could be replayed at any provider, so a client that cannot learn it signs nothing.
import { getAddress, isAddress, type Address } from 'viem';
import { TrellisError } from '../errors.ts';

export type RouterKind = 'gateway' | 'provider';

const HEALTH_TIMEOUT_MS = 10_000;

export async function fetchRouterAddress(fetcher: typeof fetch, baseUrl: string, kind: RouterKind): Promise<Address> {
  const url = `${baseUrl}/v1/health`;
  let body: unknown;
  try {
    // A degraded node (503) still names itself; only the address matters here.
    const response = await fetcher(url, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
    body = await response.json();
  } catch (cause) {
    throw new TrellisError('ROUTER_UNKNOWN', `Cannot learn the ${kind} address from ${url}; the request was not signed.`, { cause });
  }
  const value = (body as Record<string, unknown> | null)?.[kind];
  if (typeof value !== 'string' || !isAddress(value)) {
    throw new TrellisError('ROUTER_UNKNOWN', `${url} names no ${kind} address; the request was not signed.`, {
      details: [`expected a field "${kind}" holding an address`, `got ${JSON.stringify(value) ?? 'nothing'}`],
    });
  }
  return getAddress(value);
}
