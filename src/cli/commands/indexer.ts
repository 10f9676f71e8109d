// `trellis indexer` runs the indexer and its HTTP API: every event of the deployment
// into PostgreSQL (embedded PGlite under the data folder, or $DATABASE_URL), served
// read-only with a live event stream (docs/indexer.md). Stopping it is safe at any
// moment: the next start resumes from the last stored block.
import { join } from 'node:path';
import type { Command } from 'commander';
import { DATABASE_URL_VARIABLE, readEnvironment } from '../../config.ts';
import { readContext } from '../context.ts';
import { untilStopSignal } from '../stop-signal.ts';

type IndexerOptions = {
  dataDir?: string;
  rpcUrl?: string;
  manifest?: string;
  databaseUrl?: string;
  dbDir?: string;
  confirmations: string;
  port: string;
  host: string;
  pollMs: string;
  gatewayUrl?: string;
};

export function registerIndexerCommands(program: Command): void {
  program
    .command('indexer')
    .description('index every event of the deployment into PostgreSQL and serve it over HTTP (docs/indexer.md)')
    .option('--data-dir <path>', 'the local network folder (default: $TRELLIS_DATA_DIR, else the folder the last `trellis up` here used, else .trellis)')
    .option('--rpc-url <url>', 'JSON-RPC endpoint (default: the local network, or $TRELLIS_RPC_URL)')
    .option('--manifest <path>', 'deployment manifest (default: <data-dir>/deployment.json)')
    .option('--database-url <url>', `a PostgreSQL server to index into (default: $${DATABASE_URL_VARIABLE}; unset, an embedded database)`)
    .option('--db-dir <path>', 'folder of the embedded database (default: <data-dir>/indexer/db)')
    .option('--confirmations <n>', 'blocks on top of a block before it is indexed', '0')
    .option('--port <port>', 'HTTP port of the API (0: a free port)', '8560')
    .option('--host <host>', 'address the API listens on', '127.0.0.1')
    .option('--poll-ms <ms>', 'milliseconds between polls of the chain once caught up', '1000')
    .option('--gateway-url <url>', "a gateway whose request log (routing decisions, latencies) to store beside the chain's events")
    .action(async (options: IndexerOptions) => {
      const { parseIntegerOption, parseUrlOption } = await import('../options.ts');
      const { lineLogger } = await import('../../log.ts');
      const confirmations = parseIntegerOption('--confirmations', options.confirmations, 0, 10_000);
      const port = parseIntegerOption('--port', options.port, 0, 65_535);
      const pollIntervalMs = parseIntegerOption('--poll-ms', options.pollMs, 10, 3_600_000);
      const gatewayUrl = options.gatewayUrl === undefined ? undefined : parseUrlOption('--gateway-url', options.gatewayUrl);
      const context = await readContext(options);
      const [{ openDatabase }, { migrate }, { startIndexer }, { startIndexerApi }] = await Promise.all([
        import('../../indexer/db/database.ts'),
        import('../../indexer/db/migrate.ts'),
        import('../../indexer/indexer.ts'),
        import('../../indexer/api/server.ts'),
      ]);
      const [{ defaultDashboardDir }, { startGatewayFollower }] = await Promise.all([
        import('../../indexer/api/dashboard-files.ts'),
        import('../../indexer/gateway-follower.ts'),
      ]);
      const log = lineLogger((line) => process.stderr.write(`${line}\n`), 'trellis');
      const databaseUrl = options.databaseUrl ?? readEnvironment().databaseUrl;
      const db = await openDatabase(databaseUrl ? { databaseUrl } : { dataDir: options.dbDir ?? join(context.dataDir, 'indexer', 'db') });
      try {
        const applied = await migrate(db);
        if (applied.length > 0) log.info('database migrated', { versions: applied.join(',') });
        const indexer = await startIndexer({ rpcUrl: context.connection.rpcUrl, deployment: context.deployment, db, confirmations, pollIntervalMs, log });
        const follower = gatewayUrl ? startGatewayFollower({ gatewayUrl, db, pollIntervalMs, log }) : undefined;
        const api = await startIndexerApi({ db, indexer, host: options.host, port, log, dashboardDir: defaultDashboardDir() });
        console.log(
          `Indexing chain ${context.deployment.chainId} into ${db.description}; API at ${api.url} (OpenAPI: ${api.url}/openapi.json); dashboard at ${api.url}/. Ctrl-C to stop.`,
        );
        await untilStopSignal();
        await api.close();
        await follower?.stop();
        await indexer.stop();
        console.log(`Stopped at block ${indexer.status().indexedBlock}.`);
      } finally {
        await db.close();
      }
    });
}
