// Whether the chain node a server depends on answers: a quick probe for health routes
// (reachable or not, chain id, latest block) and a test telling errors caused by an
// unreachable node (refused connection, timeout, an HTTP failure of the endpoint)
// from a contract's answer, so that they are reported as such instead of as a bug.
import { BaseError, createPublicClient, http, HttpRequestError, SocketClosedError, TimeoutError, WebSocketRequestError, type PublicClient } from 'viem';
import { TrellisError } from '../errors.ts';
import type { Connection } from './connect.ts';

export type ChainStatus = {
  reachable: boolean;
  /** What the node reports; null when it does not answer. */
  chainId: number | null;
  latestBlock: bigint | null;
  /** Why the probe failed; absent when reachable. */
  reason?: string;
};

/** Probes one endpoint with a short timeout and no retries, so a dead node is seen at once. */
export class ChainProbe {
  private readonly client: PublicClient;

  constructor(connection: Pick<Connection, 'rpcUrl'>, timeoutMs = 2_000) {
    this.client = createPublicClient({ transport: http(connection.rpcUrl, { retryCount: 0, timeout: timeoutMs }) });
  }

  async status(): Promise<ChainStatus> {
    try {
      const [chainId, latestBlock] = await Promise.all([this.client.getChainId(), this.client.getBlockNumber({ cacheTime: 0 })]);
      return { reachable: true, chainId, latestBlock };
    } catch (error) {
      return { reachable: false, chainId: null, latestBlock: null, reason: error instanceof BaseError ? error.shortMessage : String(error) };
    }
  }
}

/** True when `error` comes from the chain node not answering, not from what it answered. */
export function isChainUnreachable(error: unknown): boolean {
  if (error instanceof TrellisError && error.code === 'RPC_UNREACHABLE') return true;
  if (!(error instanceof BaseError)) return false;
  return (
    error.walk((e) => e instanceof HttpRequestError || e instanceof TimeoutError || e instanceof WebSocketRequestError || e instanceof SocketClosedError) !==
    null
  );
}
