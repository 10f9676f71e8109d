// The stats endpoint of a role process: its own CPU time and the inference requests it
// served, for the network benchmark and for anyone on the machine who asks. It listens
// on 127.0.0.1 only and answers GET alone, so that it can tell but never change
// anything; control travels over the parent's IPC channel (src/network/role-messages.ts).
//
// Requests are counted from Node's own HTTP diagnostics channel, as their responses
// finish, so that neither the provider nor the gateway code needs a counter of its own.
import { subscribe } from 'node:diagnostics_channel';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NetworkError } from './errors.ts';
import type { RoleStats } from './role-messages.ts';

export const STATS_PATH = '/stats';

/** An inference: POST /v1/infer (signed requests) or POST /x402/v1/infer/<modelId> (paid calls). */
const isInference = (request: IncomingMessage) =>
  request.method === 'POST' && (request.url === '/v1/infer' || (request.url ?? '').startsWith('/x402/v1/infer/'));

export type StatsServer = { url: string; close(): Promise<void> };

export async function startStatsServer(role: string): Promise<StatsServer> {
  const started = Date.now();
  let served = 0;
  let own: Server | undefined;
  subscribe('http.server.response.finish', (message) => {
    const { request, response, server } = message as { request: IncomingMessage; response: ServerResponse; server: Server };
    if (server !== own && response.statusCode < 400 && isInference(request)) served++;
  });
  const server = createServer((request, response) => {
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(JSON.stringify(body));
    };
    if (request.url !== STATS_PATH) {
      return answer(404, { error: { code: 'NOT_FOUND', message: 'No such route.', details: [`routes: GET ${STATS_PATH}`] } });
    }
    if (request.method !== 'GET') {
      return answer(
        405,
        { error: { code: 'METHOD_NOT_ALLOWED', message: 'The stats endpoint only reads.', details: [`got ${request.method}`, `allowed: GET`] } },
        { allow: 'GET' },
      );
    }
    const cpu = process.cpuUsage();
    const stats: RoleStats = { role, pid: process.pid, cpuUs: { user: cpu.user, system: cpu.system }, served, uptimeMs: Date.now() - started };
    answer(200, stats);
  });
  own = server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${STATS_PATH}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Reads a role's stats from its endpoint. */
export async function readRoleStats(statsUrl: string): Promise<RoleStats> {
  const response = await fetch(statsUrl).catch((cause: unknown) => {
    throw new NetworkError('ROLE_STATS_UNAVAILABLE', 'A role process did not answer its stats endpoint.', { details: [`url: ${statsUrl}`], cause });
  });
  if (!response.ok) {
    throw new NetworkError('ROLE_STATS_UNAVAILABLE', 'A role process refused its stats.', { details: [`url: ${statsUrl}`, `status: ${response.status}`] });
  }
  return (await response.json()) as RoleStats;
}
