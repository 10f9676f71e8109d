// The reads behind the gateway routes: the routing decisions the gateway reported
// (gateway-follower.ts) and a summary of them for the overview and providers pages.
import type { Queryable, Row } from '../db/database.ts';
import { listPage, type Page, type PageRequest, type Item } from './pages.ts';

/** The window requests per second are counted over. */
export const RATE_WINDOW_SECONDS = 60;

const requestItem = (r: Row): Item => ({
  gateway: r.gateway,
  seq: Number(r.seq),
  at: Number(r.at_ms),
  requestHash: r.request_hash,
  modelId: r.model_id,
  providers: r.providers,
  attempts: r.attempts,
  latencyMs: r.latency_ms,
  status: r.status,
  verification: r.verification,
});

export const listGatewayRequests = (db: Queryable, page: PageRequest): Promise<Page<Item>> =>
  listPage(
    db,
    {
      select: 'SELECT * FROM gateway_requests',
      key: [
        { column: 'at_ms', kind: 'integer' },
        { column: 'gateway', kind: 'text' },
        { column: 'seq', kind: 'integer' },
      ],
      descending: true,
    },
    [],
    page,
    requestItem,
    (r) => [Number(r.at_ms), String(r.gateway), Number(r.seq)],
  );

/** Totals of the reported requests, the rate over the last minute, and per provider what it served and what the gateway measured. */
export async function gatewaySummary(db: Queryable, nowMs = Date.now()): Promise<Item> {
  const since = nowMs - RATE_WINDOW_SECONDS * 1000;
  const [[totals], providers] = await Promise.all([
    db.query(
      `SELECT count(*)::int AS requests, count(*) FILTER (WHERE status <> 'ok')::int AS failed,
              count(*) FILTER (WHERE at_ms >= $1)::int AS recent, max(at_ms) AS latest
       FROM gateway_requests`,
      [since],
    ),
    db.query(
      `SELECT s.provider, s.latency_ms, s.error_rate, s.healthy, s.health_reason, s.updated_ms,
              (SELECT count(*)::int FROM gateway_requests r WHERE r.providers ? s.provider AND r.status = 'ok') AS served,
              (SELECT avg(latency_ms) FROM gateway_requests r WHERE r.providers ? s.provider AND r.status = 'ok') AS served_latency
       FROM gateway_provider_stats s ORDER BY s.provider`,
    ),
  ]);
  const requests = Number(totals?.requests ?? 0);
  return {
    requests,
    failed: Number(totals?.failed ?? 0),
    errorRate: requests === 0 ? null : Number(totals?.failed ?? 0) / requests,
    requestsPerSecond: Number(totals?.recent ?? 0) / RATE_WINDOW_SECONDS,
    windowSeconds: RATE_WINDOW_SECONDS,
    latestAt: totals?.latest === null || totals?.latest === undefined ? null : Number(totals.latest),
    providers: providers.map((p) => ({
      address: p.provider,
      latencyMs: p.latency_ms === null ? null : Number(p.latency_ms),
      errorRate: Number(p.error_rate),
      healthy: p.healthy,
      healthReason: p.health_reason,
      served: Number(p.served),
      servedLatencyMs: p.served_latency === null ? null : Number(p.served_latency),
      updatedAt: Number(p.updated_ms),
    })),
  };
}
