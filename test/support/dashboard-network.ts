// A chain with a little of everything the dashboard shows, indexed and served with the
// built dashboard: a faulty provider caught by a watcher (a dispute played to the end,
// a slash, payouts), an honest provider's voucher redeemed, deposits, an agent with a
// spend permission, a training round with a challenge, a demand of the availability
// game and rewards, and a zk request through the SDK and a gateway whose request log the
// indexer follows. Shared by
// test/dashboard.test.ts and scripts/dashboard-screenshots.ts.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Address, Hex } from 'viem';
import { escrowAbi } from '../../src/chain/generated/Escrow.ts';
import { tokens } from '../../src/chain/parameters.ts';
import { defaultDashboardDir } from '../../src/indexer/api/dashboard-files.ts';
import { startIndexerApi } from '../../src/indexer/api/server.ts';
import { openDatabase, type Database } from '../../src/indexer/db/database.ts';
import { migrate } from '../../src/indexer/db/migrate.ts';
import { startGatewayFollower } from '../../src/indexer/gateway-follower.ts';
import { startIndexer, type Indexer } from '../../src/indexer/indexer.ts';
import type { RunningServer } from '../../src/net/http.ts';
import { signVoucher } from '../../src/payments/voucher.ts';
import { hashReceipt } from '../../src/protocol/messages.ts';
import { deposit, registerProvider } from '../../src/sdk/accounts.ts';
import { transact } from '../../src/sdk/transact.ts';
import { startWatcher } from '../../src/verify/watcher.ts';
import { startDisputeAutomationNetwork, until, type DisputeAutomationNetwork } from './dispute-automation.ts';
import { agentActivity, trainingActivity, type AgentActivity, type TrainingActivity } from './indexer.ts';
import { zkActivity, type ZkActivity } from './zk-activity.ts';

const FAULTY = 2;
const HONEST = 3;
const WATCHER = 6;
const CLIENT = 1;
const ZK_PROVIDER = 4;
const MODEL_OWNER = 9;
export const HOSTILE_ENDPOINT = 'http://127.0.0.1:9/"><img src=x onerror="globalThis.pwned=1">';

export type DashboardNetwork = {
  net: DisputeAutomationNetwork;
  db: Database;
  indexer: Indexer;
  api: RunningServer;
  faultyProvider: Address;
  honestProvider: Address;
  receiptId: Hex;
  disputeId: Hex;
  /** An agent's identity, limits, spends and validation; its redemption recorded as the honest provider's reputation. */
  agents: AgentActivity;
  /** A training round with a wrong aggregate proven and slashed, then rewards. */
  training: TrainingActivity;
  /** A zk request routed by a gateway to a provider proving breast-cancer-mlp, its verifier registered. */
  zk: ZkActivity;
  /** A deposit of `amount` by the client, mined (the dashboard learns of it from the stream). */
  deposit(amount: bigint): Promise<void>;
  stop(): Promise<void>;
};

/** `endpoint`: what the paid provider registers (default: hostile markup, which the test checks is shown as text). */
export async function startDashboardNetwork(options: { endpoint?: string } = {}): Promise<DashboardNetwork> {
  const dashboardDir = defaultDashboardDir();
  if (!existsSync(join(dashboardDir, 'index.html'))) throw new Error(`The dashboard is not built (no ${dashboardDir}/index.html): run npm run build first.`);
  // The embedded database takes seconds to start: it does so while the chain plays.
  const opening = openDatabase({}).then(async (db) => {
    await migrate(db).catch(async (error: unknown) => {
      await db.close();
      throw error;
    });
    return db;
  });
  const net = await startDisputeAutomationNetwork().catch(async (error: unknown) => {
    await opening.then((db) => db.close()).catch(() => {});
    throw error;
  });
  let db: Database | undefined;
  let indexer: Indexer | undefined;
  let api: RunningServer | undefined;
  let zk: ZkActivity | undefined;
  const stop = async () => {
    await api?.close();
    await indexer?.stop();
    await db?.close();
    await zk?.stop();
    await net.stop();
  };
  const zkStarted = zkActivity(net, { owner: MODEL_OWNER, provider: ZK_PROVIDER, client: CLIENT });
  // Awaited below (or on a failure, to stop what it started); this keeps an early failure from going unhandled meanwhile.
  zkStarted.catch(() => {});
  try {
    const { deployment } = net.chain;
    // A dispute played to the end: the faulty node answers wrong, the watcher re-executes and wins.
    const node = await net.startFaultyNode(await net.faultyNodeSpec(FAULTY));
    const result = await net.buyResult(node);
    const watcher = startWatcher(await net.watcherOptions(WATCHER, join(net.dataDir, 'watcher')));
    watcher.observe(result);
    try {
      await until('the watcher to win the dispute', () => watcher.disputes()[0]?.status === 'providerLost', 60_000);
    } finally {
      await watcher.stop();
    }
    const disputeId = watcher.disputes()[0]!.id;
    const receiptId = hashReceipt({ chainId: deployment.chainId, escrow: deployment.contracts.escrow }, result.receipt);

    // A provider paid by a voucher, redeemed on chain. Anyone may register any endpoint
    // string; this one is markup that would run if a page inserted it as HTML.
    const honest = await net.signer(HONEST);
    await registerProvider(honest, deployment, options.endpoint ?? HOSTILE_ENDPOINT, tokens('750'));
    const client = await net.signer(CLIENT);
    const signed = await signVoucher(
      client.account,
      { chainId: deployment.chainId, escrow: deployment.contracts.escrow },
      { client: client.account.address, provider: honest.account.address, modelId: result.receipt.modelId, cumulativeAmount: tokens('1.5') },
    );
    await transact(honest, 'redeem', () =>
      honest.walletClient.writeContract({
        address: deployment.contracts.escrow,
        abi: escrowAbi,
        functionName: 'redeem',
        args: [signed.voucher, signed.signature],
      }),
    );

    // The zk proof takes most of the zk request's time, in the provider's prover process:
    // it runs while the dispute plays (on accounts of its own), and is awaited before the
    // agent and training activity move the chain's clock.
    zk = await zkStarted;
    const agents = await agentActivity(net.chain.rpcUrl, deployment, {
      client: client.account.address,
      provider: honest.account.address,
      modelId: result.receipt.modelId,
    });
    const training = await trainingActivity(net.chain.rpcUrl, deployment);

    db = await opening;
    indexer = await startIndexer({ rpcUrl: net.chain.rpcUrl, deployment, db, pollIntervalMs: 50 });
    await indexer.syncOnce();
    // The gateway's request log, read once: the zk request with its routing and status.
    const follower = startGatewayFollower({ gatewayUrl: zk.gatewayUrl, db, pollIntervalMs: 60_000 });
    try {
      await follower.syncOnce();
    } finally {
      await follower.stop();
    }
    await zk.stopGateway();
    api = await startIndexerApi({ db, indexer, dashboardDir });
    return {
      net,
      db,
      indexer,
      api,
      faultyProvider: node.address,
      honestProvider: honest.account.address,
      receiptId,
      disputeId,
      agents,
      training,
      zk,
      deposit: async (amount) => {
        await deposit(client, deployment, amount);
      },
      stop,
    };
  } catch (error) {
    db ??= await opening.catch(() => undefined);
    zk ??= await zkStarted.catch(() => undefined);
    await stop();
    throw error;
  }
}
