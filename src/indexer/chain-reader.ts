// What the indexer asks of the chain node, over its own HTTP client: viem's built-in
// retries are off, because the indexer retries whole steps itself with a backoff it
// logs, and a step must see one consistent answer or none.
import { createPublicClient, http, type Address, type Hex, type Log } from 'viem';

export type BlockHeader = { number: number; hash: Hex; parentHash: Hex; timestamp: number };

export type ChainReader = {
  chainId(): Promise<number>;
  head(): Promise<number>;
  /** The block at `number`, or undefined when the chain has none there (yet). */
  block(number: number): Promise<BlockHeader | undefined>;
  logs(addresses: Address[], fromBlock: number, toBlock: number): Promise<Log[]>;
};

export function chainReader(rpcUrl: string, timeoutMs = 10_000): ChainReader {
  const client = createPublicClient({ transport: http(rpcUrl, { retryCount: 0, timeout: timeoutMs }) });
  return {
    chainId: () => client.getChainId(),
    head: async () => Number(await client.getBlockNumber({ cacheTime: 0 })),
    async block(number) {
      try {
        const block = await client.getBlock({ blockNumber: BigInt(number) });
        if (block.hash === null) return undefined;
        return { number, hash: block.hash, parentHash: block.parentHash, timestamp: Number(block.timestamp) };
      } catch (error) {
        if (error instanceof Error && error.name === 'BlockNotFoundError') return undefined;
        throw error;
      }
    },
    logs: (addresses, fromBlock, toBlock) => client.getLogs({ address: addresses, fromBlock: BigInt(fromBlock), toBlock: BigInt(toBlock) }),
  };
}
