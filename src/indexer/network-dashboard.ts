// The indexer, its API and the dashboard as one component, for `trellis up`: an
// embedded database in the network's folder, indexing from the deployment block (or
// resuming), the gateway's request log followed when a gateway URL is given, and the
// dashboard served beside the API on one origin.
//
// Its database is <data-dir>/indexer/network, not the <data-dir>/indexer/db of
// `trellis indexer`: an embedded database has one process at a time, and both may run.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Deployment } from '../chain/manifest.ts';
import type { Logger } from '../log.ts';
import { defaultDashboardDir } from './api/dashboard-files.ts';
import { startIndexerApi } from './api/server.ts';
import { openDatabase } from './db/database.ts';
import { migrate } from './db/migrate.ts';
import { startGatewayFollower } from './gateway-follower.ts';
import { startIndexer } from './indexer.ts';

export type NetworkDashboard = { url: string; stop(): Promise<void> };

export async function startNetworkDashboard(options: {
  rpcUrl: string;
  deployment: Deployment;
  dataDir: string;
  host: string;
  port: number;
  log: Logger;
  /** The gateway whose request log and measurements are stored (gateway-follower.ts). */
  gatewayUrl?: string;
}): Promise<NetworkDashboard> {
  const dashboardDir = defaultDashboardDir();
  if (!existsSync(join(dashboardDir, 'index.html')))
    options.log.warn('the dashboard is not built; run npm run build (the index API answers meanwhile)', { dashboardDir });
  const db = await openDatabase({ dataDir: join(options.dataDir, 'indexer', 'network') });
  try {
    await migrate(db);
    const indexer = await startIndexer({ rpcUrl: options.rpcUrl, deployment: options.deployment, db, pollIntervalMs: 500, log: options.log });
    const follower = options.gatewayUrl ? startGatewayFollower({ gatewayUrl: options.gatewayUrl, db, pollIntervalMs: 500, log: options.log }) : undefined;
    const api = await startIndexerApi({ db, indexer, host: options.host, port: options.port, log: options.log, dashboardDir }).catch(async (error: unknown) => {
      await follower?.stop();
      await indexer.stop();
      throw error;
    });
    return {
      url: api.url,
      async stop() {
        await api.close();
        await follower?.stop();
        await indexer.stop();
        await db.close();
      },
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}
