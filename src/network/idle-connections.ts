// How long the HTTP servers of a role process keep an idle keep-alive connection open.
// The gateway calls its providers over keep-alive connections (src/net/http-client.ts)
// and checks their health every 5 s: with Node's default of 5 s, a provider in another
// process closes the connection at the very moment the gateway reuses it, and the
// health check or the request on it fails as "could not be reached". In one process
// the two timers fire in order and never meet, which is why only role processes need
// this. Servers are found as they take their first request (Node's HTTP diagnostics
// channel), so the provider and gateway code need no option for it.
import { subscribe } from 'node:diagnostics_channel';
import type { Server } from 'node:http';

/** Well above the gateway's health interval and the pauses of a client between two calls. */
export const ROLE_KEEP_ALIVE_MS = 30_000;

export function holdIdleConnections(keepAliveMs = ROLE_KEEP_ALIVE_MS): void {
  const seen = new WeakSet<Server>();
  subscribe('http.server.request.start', (message) => {
    const { server } = message as { server: Server };
    if (seen.has(server)) return;
    seen.add(server);
    if (server.keepAliveTimeout < keepAliveMs) server.keepAliveTimeout = keepAliveMs;
    // A request's headers must be allowed at least as long as an idle connection waits.
    if (server.headersTimeout !== 0 && server.headersTimeout <= keepAliveMs) server.headersTimeout = keepAliveMs + 1_000;
  });
}
