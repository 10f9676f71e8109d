// What the process of `trellis up` and the role processes it starts say to each other
// over the IPC channel of `child_process.fork`. Control (start, stop, redeem now) only
// travels here, where no one but the parent can write; the role's stats endpoint on
// loopback only reads (src/network/role-stats.ts). Amounts travel as decimal strings,
// since the channel carries JSON.
import type { Hex } from 'viem';
import type { SettlementOptions } from '../provider/settlement.ts';

/** Where a role finds the chain: the manifest the parent wrote, the RPC URL, the chain id. */
export type ChainAccess = { rpcUrl: string; chainId: number; manifestPath: string };

/**
 * A private key handed to a role by its parent, which derives the dev keys once (each
 * derivation from the mnemonic costs a role process a noticeable share of its start).
 */
export type RoleKey = { privateKey: Hex; source: string };

export type ProviderRoleSpec = {
  role: 'provider';
  /** How the parent names it in logs and reports: `provider 1`, `the faulty provider`. */
  name: string;
  /** The log scope, as in the in-process network: `provider-1`, `provider-faulty`. */
  scope: string;
  chain: ChainAccess;
  /** The key it signs with (a dev account's, src/network/roles.ts), and what to call it in errors. */
  key: RoleKey;
  dataDir: string;
  models: { name: string; price: string }[];
  port: number;
  stake: string;
  settlement: Partial<SettlementOptions>;
  fault?: { rate: number; seed: number };
  disputePollMs?: number;
  /** Settle paid x402 calls through this facilitator (the gateway's /x402 or an external one). */
  x402FacilitatorUrl?: string;
  /** What `onStopped` says once it has stopped. */
  stoppedAs: string;
};

export type GatewayRoleSpec = {
  role: 'gateway';
  name: string;
  chain: ChainAccess;
  /** The routing key (no funds): a dev key or $TRELLIS_GATEWAY_KEY. */
  routingKey: Hex;
  /** The network's data folder: the gateway keeps gateway/, the watcher watcher/, the facilitator facilitator/. */
  dataDir: string;
  port: number;
  healthTimeoutMs?: number;
  /** Serve an x402 facilitator at /x402, settling with this key. */
  facilitatorKey?: RoleKey;
  /** Watch the results the gateway delivers (it sees them through onResult) and dispute wrong ones. */
  watcher?: { key: RoleKey; intervalMs?: number };
};

export type RoleSpec = ProviderRoleSpec | GatewayRoleSpec;

/** What `redeemNow` and `refresh` are to a role process: calls the parent makes and awaits. */
export type RoleCall = 'redeemNow' | 'refresh';

export type ParentMessage =
  | { type: 'start'; spec: RoleSpec }
  | { type: 'call'; id: number; call: RoleCall }
  /** Stop every part in order and exit (also what a SIGTERM or a lost parent does). */
  | { type: 'stop' };

export type RoleReady = {
  url: string;
  address: Hex;
  /** GET <statsUrl> answers the role's CPU time and requests served (loopback only). */
  statsUrl: string;
  models: { name: string; modelId: Hex; price: string }[];
  watcherAddress?: Hex;
  facilitatorAddress?: Hex;
};

export type ChildMessage =
  | ({ type: 'ready' } & RoleReady)
  | { type: 'start-failed'; message: string }
  | { type: 'answer'; id: number; error?: string }
  /** One part of the role has stopped, named as `onStopped` names it. */
  | { type: 'stopped'; part: string };

/** The CPU time and the requests a role process has served since it started. */
export type RoleStats = {
  role: string;
  pid: number;
  /** process.cpuUsage() of the role process, in microseconds. */
  cpuUs: { user: number; system: number };
  /** Inference requests it answered with a success status (POST /v1/infer, x402 paid calls). */
  served: number;
  uptimeMs: number;
};
