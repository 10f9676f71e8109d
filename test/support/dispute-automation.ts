// A small network for testing the automated dispute players against each other: the
// local chain (anvil with the contracts and funded dev accounts), digits-mlp published,
// faulty provider nodes started on demand (each with its own dev account, so tests do not
// share a stake or a jail), a paying client that talks to a node directly (no gateway),
// watchers driven by the test, anvil time travel, and readers for balances and outcomes.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestClient, getAddress, http, type Address, type Hex } from 'viem';
import { connectDevSigner, type SignerConnection } from '../../src/chain/connect.ts';
import { disputeGameAbi } from '../../src/chain/generated/DisputeGame.ts';
import { providerRegistryAbi } from '../../src/chain/generated/ProviderRegistry.ts';
import { trellisParamsAbi } from '../../src/chain/generated/TrellisParams.ts';
import { trellisTokenAbi } from '../../src/chain/generated/TrellisToken.ts';
import { startLocalChain, type LocalChain } from '../../src/chain/local-chain.ts';
import { tokens } from '../../src/chain/parameters.ts';
import { applyPreprocess } from '../../src/train/preprocess.ts';
import { silentLogger } from '../../src/log.ts';
import { loadModel } from '../../src/models/catalog.ts';
import { startProviderNode, type ProviderNode } from '../../src/provider/node.ts';
import { deposit, publishModel } from '../../src/sdk/accounts.ts';
import { TrellisClient } from '../../src/sdk/client.ts';
import { readDispute, type Phase } from '../../src/verify/game-client.ts';
import type { ObservedResult } from '../../src/verify/observed-result.ts';
import type { WatcherOptions } from '../../src/verify/watcher.ts';

export const MODEL = 'digits-mlp';
export const NODE_STAKE = tokens('500');
const NODE_PRICE = tokens('0.01');
const CLIENT_ACCOUNT = 1;
const MODEL_OWNER_ACCOUNT = 9;
const DIGIT = JSON.parse(readFileSync(new URL('../../examples/digit-3.json', import.meta.url), 'utf8')) as number[];

export type FaultyNodeSpec = { account: number; dataDir: string; port: number };

export type DisputeAutomationNetwork = {
  chain: LocalChain;
  dataDir: string;
  /** A read connection for assertions (the deployer's). */
  reader: SignerConnection;
  signer(account: number): Promise<SignerConnection>;
  /** The settings of a faulty node on `account` (rate 1: every fixed-point result is wrong). */
  faultyNodeSpec(account: number): Promise<FaultyNodeSpec>;
  /** Starts (or restarts, with the same spec) a faulty node; it answers disputes every 150 ms. */
  startFaultyNode(spec: FaultyNodeSpec): Promise<ProviderNode>;
  /** A result the client bought from `node` directly, as a watcher would observe it. */
  buyResult(node: ProviderNode): Promise<ObservedResult>;
  /** Watcher options for `account` with its journal in `dataDir` (rounds every 150 ms). */
  watcherOptions(account: number, dataDir: string): Promise<WatcherOptions>;
  /** Moves the chain's clock forward by `seconds` and mines a block. */
  travel(seconds: bigint): Promise<void>;
  phase(id: Hex): Promise<Phase>;
  tokenBalance(who: Address): Promise<bigint>;
  providerInfo(provider: Address): Promise<{ activeStake: bigint; jailedUntil: bigint }>;
  treasury(): Promise<Address>;
  /** Every DisputeOpened event of the game, oldest first. */
  openedDisputes(): Promise<{ id: Hex; challenger: Address; provider: Address }[]>;
  /** The account that sent the transaction that ended dispute `id`. */
  resolvedBy(id: Hex): Promise<Address>;
  stop(): Promise<void>;
};

export async function startDisputeAutomationNetwork(): Promise<DisputeAutomationNetwork> {
  const dataDir = mkdtempSync(join(tmpdir(), 'trellis-recovery-'));
  const chain = await startLocalChain({ dataDir, port: 0, fresh: true });
  // Nodes still running, stopped at the end unless a test stopped them first.
  const nodes = new Set<ProviderNode>();
  let client: TrellisClient | undefined;
  const stop = async () => {
    client?.close();
    for (const node of [...nodes]) await node.stop();
    await chain.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const signer = (account: number) => connectDevSigner(chain.rpcUrl, account, chain.deployment.chainId);
    const reader = await signer(0);
    const { deployment } = chain;
    const game = deployment.contracts.disputeGame;
    const model = loadModel(MODEL);
    const owner = await signer(MODEL_OWNER_ACCOUNT);
    const trust = { publisher: owner.account.address };
    await publishModel(owner, deployment, {
      contentHash: model.contentHash,
      weightCommitment: model.weightCommitment,
      shape: model.shape,
      metadataURI: model.metadataURI,
      royaltyBps: 0,
    });
    const clientConnection = await signer(CLIENT_ACCOUNT);
    await deposit(clientConnection, deployment, tokens('10'));
    client = new TrellisClient({ connection: clientConnection, deployment, dataDir: join(dataDir, 'client'), trust });
    const testClient = createTestClient({ mode: 'anvil', transport: http(chain.rpcUrl) });

    const startFaultyNode = async (spec: FaultyNodeSpec) => {
      const node = await startProviderNode({
        connection: await signer(spec.account),
        deployment,
        dataDir: spec.dataDir,
        models: [{ name: MODEL, price: NODE_PRICE }],
        trust,
        port: spec.port,
        stake: NODE_STAKE,
        fault: { rate: 1, seed: spec.account },
        disputePollMs: 150,
        // Hold redemption back, so provider balances move only through the game.
        settlement: { batchSize: 1_000_000, maxAgeMs: 3_600_000 },
        log: silentLogger,
      });
      const tracked: ProviderNode = { ...node, stop: () => (nodes.delete(tracked) ? node.stop() : Promise.resolve()) };
      nodes.add(tracked);
      return tracked;
    };

    return {
      chain,
      dataDir,
      reader,
      signer,
      faultyNodeSpec: async (account) => ({ account, dataDir: join(dataDir, `provider-${account}`), port: 0 }),
      startFaultyNode,
      async buyResult(node) {
        const result = await client!.infer({ model: MODEL, input: DIGIT, providerUrl: node.url });
        const { receipt, signature } = result.receipts[0]!;
        // The watcher takes the input as the provider received it: after preprocessing.
        return { input: Array.from(applyPreprocess(model.preprocess, DIGIT)), receipt, signature };
      },
      watcherOptions: async (account, journalDir) => ({
        connection: await signer(account),
        deployment,
        dataDir: journalDir,
        intervalMs: 150,
        log: silentLogger,
      }),
      async travel(seconds) {
        await testClient.increaseTime({ seconds: Number(seconds) });
        await testClient.mine({ blocks: 1 });
      },
      phase: async (id) => (await readDispute(reader, game, id)).phase,
      tokenBalance: (who) =>
        reader.publicClient.readContract({ address: deployment.contracts.token, abi: trellisTokenAbi, functionName: 'balanceOf', args: [who] }),
      async providerInfo(provider) {
        const info = await reader.publicClient.readContract({
          address: deployment.contracts.providerRegistry,
          abi: providerRegistryAbi,
          functionName: 'getProvider',
          args: [provider],
        });
        return { activeStake: info.activeStake, jailedUntil: BigInt(info.jailedUntil) };
      },
      treasury: () => reader.publicClient.readContract({ address: deployment.contracts.params, abi: trellisParamsAbi, functionName: 'treasury' }),
      async openedDisputes() {
        const events = await reader.publicClient.getContractEvents({
          address: game,
          abi: disputeGameAbi,
          eventName: 'DisputeOpened',
          fromBlock: 0n,
          strict: true,
        });
        return events.map((e) => ({ id: e.args.id, challenger: getAddress(e.args.challenger), provider: getAddress(e.args.provider) }));
      },
      async resolvedBy(id) {
        const events = await reader.publicClient.getContractEvents({
          address: game,
          abi: disputeGameAbi,
          eventName: 'DisputeResolved',
          args: { id },
          fromBlock: 0n,
          strict: true,
        });
        const last = events.at(-1);
        if (!last) throw new Error(`dispute ${id} is not resolved`);
        return getAddress((await reader.publicClient.getTransaction({ hash: last.transactionHash })).from);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Polls `check` every 100 ms until it holds; fails after `timeoutMs` naming what was awaited. */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
