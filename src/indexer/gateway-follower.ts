// Follows a gateway's request log (GET /v1/requests?after=, src/gateway/request-log.ts)
// and its per-provider measurements (GET /v1/providers) into the database. The gateway
// is one party among others and may answer anything: each entry is checked field by
// field and a malformed one is skipped and counted, never stored. When the gateway's
// instance changes (it restarted and its numbers start over), reading starts from the
// newest entry stored for that instance, so nothing is stored twice.
import { isAddress } from 'viem';
import { silentLogger, type Logger } from '../log.ts';
import { verificationModes } from '../protocol/verification-modes.ts';
import type { Database } from './db/database.ts';

export type GatewayFollowerOptions = {
  gatewayUrl: string;
  db: Database;
  /** Milliseconds between polls once caught up (default 1000). */
  pollIntervalMs?: number;
  log?: Logger;
};

export type GatewayFollowerStatus = { gatewayUrl: string; stored: number; rejected: number; failures: number; lastError: string | null };

export type GatewayFollower = {
  status(): GatewayFollowerStatus;
  /** Reads until the gateway has nothing newer (tests and one-shot use). */
  syncOnce(): Promise<void>;
  stop(): Promise<void>;
};

const PAGE = 500;
const hex32 = /^0x[0-9a-f]{64}$/;
const code = /^[A-Z0-9_]{1,64}$/;

type Entry = {
  seq: number;
  at: number;
  requestHash: string | null;
  modelId: string | null;
  providers: string[];
  attempts: number | null;
  latencyMs: number;
  status: string;
  verification: string | null;
};

const whole = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const hashOrNull = (v: unknown) => v === null || (typeof v === 'string' && hex32.test(v.toLowerCase()));

/** One entry as the gateway sent it, or undefined when any field is not what request-log.ts writes. */
export function parseEntry(value: unknown): Entry | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const e = value as Record<string, unknown>;
  if (!whole(e.seq) || (e.seq as number) < 1 || !whole(e.at) || !whole(e.latencyMs)) return undefined;
  if (!hashOrNull(e.requestHash) || !hashOrNull(e.modelId)) return undefined;
  if (!Array.isArray(e.providers) || e.providers.length > 16 || !e.providers.every((p) => typeof p === 'string' && isAddress(p, { strict: false })))
    return undefined;
  if (e.attempts !== null && (!whole(e.attempts) || (e.attempts as number) > 1000)) return undefined;
  if (typeof e.status !== 'string' || !(e.status === 'ok' || code.test(e.status))) return undefined;
  if (e.verification !== null && !(verificationModes as readonly string[]).includes(e.verification as string)) return undefined;
  return {
    seq: e.seq as number,
    at: e.at as number,
    requestHash: (e.requestHash as string | null)?.toLowerCase() ?? null,
    modelId: (e.modelId as string | null)?.toLowerCase() ?? null,
    providers: e.providers as string[],
    attempts: e.attempts as number | null,
    latencyMs: e.latencyMs as number,
    status: e.status,
    verification: e.verification as string | null,
  };
}

/** The instance id as 0x-hex, so that it can sit in a keyset cursor. */
function instanceKey(value: unknown): string | undefined {
  if (typeof value !== 'string' || !/^[0-9a-f-]{32,36}$/i.test(value)) return undefined;
  const hex = value.replace(/-/g, '').toLowerCase();
  return hex.length === 32 ? `0x${hex}` : undefined;
}

export function startGatewayFollower(options: GatewayFollowerOptions): GatewayFollower {
  const { db } = options;
  const base = options.gatewayUrl.replace(/\/+$/, '');
  const log = (options.log ?? silentLogger).child('gateway-follower');
  const pollMs = options.pollIntervalMs ?? 1000;
  const state: GatewayFollowerStatus = { gatewayUrl: base, stored: 0, rejected: 0, failures: 0, lastError: null };
  let instance: string | undefined;
  let after = 0;
  let stopped = false;
  let wake: (() => void) | undefined;
  let busy: Promise<unknown> = Promise.resolve();

  const getJson = async (path: string): Promise<unknown> => {
    const response = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`the gateway answered ${response.status} to ${path}`);
    return response.json();
  };

  /** One page of requests; true when there may be more. */
  const readRequests = async (): Promise<boolean> => {
    const body = (await getJson(`/v1/requests?after=${after}&limit=${PAGE}`)) as { instance?: unknown; items?: unknown };
    const key = instanceKey(body.instance);
    if (!key || !Array.isArray(body.items)) throw new Error('the gateway sent a request log without an instance id and items');
    if (key !== instance) {
      const [row] = await db.query<{ seq: string | null }>('SELECT max(seq) AS seq FROM gateway_requests WHERE gateway = $1', [key]);
      const resume = Number(row?.seq ?? 0);
      if (instance !== undefined) log.info('the gateway restarted; following its new log', { from: resume });
      instance = key;
      after = resume;
      return true;
    }
    const entries: Entry[] = [];
    for (const item of body.items.slice(0, PAGE)) {
      const entry = parseEntry(item);
      // Entries come oldest first and only after `after`: anything else is not a log entry.
      if (!entry || entry.seq <= after || (entries.length > 0 && entry.seq <= entries[entries.length - 1]!.seq)) {
        state.rejected++;
        continue;
      }
      entries.push(entry);
    }
    if (state.rejected > 0 && entries.length < body.items.length) log.warn('skipped malformed request log entries', { rejected: state.rejected });
    if (entries.length === 0) return false;
    await db.transaction(async (tx) => {
      for (const e of entries) {
        await tx.query(
          `INSERT INTO gateway_requests (gateway, seq, at_ms, request_hash, model_id, providers, attempts, latency_ms, status, verification)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (gateway, seq) DO NOTHING`,
          [key, e.seq, e.at, e.requestHash, e.modelId, JSON.stringify(e.providers), e.attempts, e.latencyMs, e.status, e.verification],
        );
      }
    });
    after = entries[entries.length - 1]!.seq;
    state.stored += entries.length;
    return body.items.length >= PAGE;
  };

  const readProviders = async (): Promise<void> => {
    const body = (await getJson('/v1/providers')) as { providers?: unknown };
    if (!Array.isArray(body.providers)) throw new Error('the gateway sent a provider list without providers');
    const now = Date.now();
    await db.transaction(async (tx) => {
      for (const p of body.providers as Record<string, unknown>[]) {
        const latency = p?.latencyMs;
        const errorRate = p?.errorRate;
        if (typeof p?.address !== 'string' || !isAddress(p.address, { strict: false })) continue;
        if (!(latency === null || (typeof latency === 'number' && Number.isFinite(latency) && latency >= 0))) continue;
        if (typeof errorRate !== 'number' || !(errorRate >= 0 && errorRate <= 1)) continue;
        await tx.query(
          `INSERT INTO gateway_provider_stats (provider, latency_ms, error_rate, healthy, health_reason, updated_ms) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (provider) DO UPDATE SET latency_ms = $2, error_rate = $3, healthy = $4, health_reason = $5, updated_ms = $6`,
          [p.address, latency, errorRate, p.healthy === true, String(p.healthReason ?? '').slice(0, 200), now],
        );
      }
    });
  };

  const sync = async () => {
    while (await readRequests()) {}
    await readProviders();
  };
  const exclusive = (work: () => Promise<void>) => {
    const result = busy.then(work);
    busy = result.catch(() => {});
    return result;
  };

  const loop = (async () => {
    while (!stopped) {
      try {
        await exclusive(sync);
        if (state.failures > 0) log.info('the gateway answers again', { after: state.failures });
        state.failures = 0;
        state.lastError = null;
      } catch (error) {
        state.failures++;
        state.lastError = error instanceof Error ? error.message.split('\n')[0]! : String(error);
        if (state.failures === 1 || state.failures % 30 === 0)
          log.warn('reading the gateway failed; retrying', { attempt: state.failures, reason: state.lastError });
      }
      if (!stopped)
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pollMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
    }
  })();

  return {
    status: () => ({ ...state }),
    syncOnce: () => exclusive(sync),
    async stop() {
      stopped = true;
      wake?.();
      await loop;
      await busy.catch(() => {});
    },
  };
}
