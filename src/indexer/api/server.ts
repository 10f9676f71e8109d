// The index's HTTP API (docs/indexer.md): read-only routes over the database, the
// indexer's status, and a stream of new events. Every input is validated before a
// query (params.ts); an error answers with its code and the status the code names.
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { silentLogger, type Logger } from '../../log.ts';
import { listen, type RunningServer } from '../../net/http.ts';
import type { Queryable } from '../db/database.ts';
import { IndexerError } from '../errors.ts';
import { eventNames, indexedContracts, type IndexedContract } from '../events.ts';
import type { Indexer } from '../indexer.ts';
import { dashboardFile } from './dashboard-files.ts';
import { matrixData } from './matrix.ts';
import { indexerOpenApi } from './openapi.ts';
import { parseAddress, parseBoolean, parseChoice, parseHash, parseId, parseInteger, parseLimit, readQuery } from './params.ts';
import {
  agentDetail,
  listAgents,
  listPermissions,
  listSpendPayments,
  listSubjects,
  listValidations,
  permissionDetail,
  reputationOf,
} from './queries-agents.ts';
import { demandStatuses, listDemands, listTasks, taskDetail } from './queries-fl.ts';
import { gatewaySummary, listGatewayRequests } from './queries-gateway.ts';
import { disputeDetail, listDisputes, listEvents, listModels, listPayments, listProviders, modelDetail, providerDetail } from './queries.ts';
import { listVerifiers, listZkRequests, listZkResults, listZkSlashes, proofStatuses } from './queries-zk.ts';
import { searchHash } from './search.ts';
import { streamEvents } from './stream.ts';
import { activity, overview } from './summary.ts';

export type IndexerApiOptions = {
  db: Queryable;
  indexer: Pick<Indexer, 'status' | 'subscribe'>;
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  log?: Logger;
  /** A built dashboard (dashboard/dist) to serve at / beside the API; none when unset. */
  dashboardDir?: string;
};

export const paymentKinds = ['deposit', 'withdrawal_requested', 'withdrawal', 'redemption', 'claim'] as const;

export async function startIndexerApi(options: IndexerApiOptions): Promise<RunningServer> {
  const log = (options.log ?? silentLogger).child('indexer-api');
  // Streams never end by themselves; closing the server ends them first, or it would wait for them forever.
  const closing = new AbortController();
  const server = await listen(createIndexerApp(options, log, closing.signal), options.host ?? '127.0.0.1', options.port ?? 0);
  log.info('listening', { url: server.url });
  return {
    ...server,
    close: () => {
      closing.abort();
      return server.close();
    },
  };
}

const PAGE = ['limit', 'cursor'] as const;

type NotFound = 'AGENT_NOT_FOUND' | 'PERMISSION_NOT_FOUND' | 'TASK_NOT_FOUND';

export function createIndexerApp(options: Pick<IndexerApiOptions, 'db' | 'indexer' | 'dashboardDir'>, log: Logger = silentLogger, closing?: AbortSignal): Hono {
  const { db, indexer, dashboardDir } = options;
  const app = new Hono();
  const page = (q: Map<string, string>) => ({ limit: parseLimit(q.get('limit')), cursor: q.get('cursor') });
  const query = (c: Context, ...allowed: string[]) => readQuery(c.req.url, allowed);
  const optional = <T>(value: string | undefined, parse: (v: string) => T) => (value === undefined ? undefined : parse(value));
  const found = <T>(value: T | undefined, code: 'PROVIDER_NOT_FOUND' | 'MODEL_NOT_FOUND' | 'DISPUTE_NOT_FOUND' | NotFound, what: string): T => {
    if (value === undefined)
      throw new IndexerError(code, `No ${what} in the index.`, { details: ['it may not exist, or not be indexed yet: see GET /v1/status'] });
    return value;
  };

  app.get('/openapi.json', (c) => c.json(indexerOpenApi));

  app.get('/v1/status', (c) => {
    query(c);
    return c.json(indexer.status());
  });

  app.get('/v1/providers', async (c) => c.json(await listProviders(db, page(query(c, ...PAGE)))));
  app.get('/v1/providers/:address', async (c) => {
    query(c);
    const address = parseAddress('address', c.req.param('address'));
    return c.json(found(await providerDetail(db, address), 'PROVIDER_NOT_FOUND', `provider ${address}`));
  });

  app.get('/v1/models', async (c) => {
    const q = query(c, 'owner', ...PAGE);
    return c.json(await listModels(db, { owner: optional(q.get('owner'), (v) => parseAddress('owner', v)) }, page(q)));
  });
  app.get('/v1/models/:id', async (c) => {
    query(c);
    const id = parseHash('model id', c.req.param('id'));
    return c.json(found(await modelDetail(db, id), 'MODEL_NOT_FOUND', `model ${id}`));
  });

  app.get('/v1/disputes', async (c) => {
    const q = query(c, 'provider', 'resolved', ...PAGE);
    const filter = {
      provider: optional(q.get('provider'), (v) => parseAddress('provider', v)),
      resolved: optional(q.get('resolved'), (v) => parseBoolean('resolved', v)),
    };
    return c.json(await listDisputes(db, filter, page(q)));
  });
  app.get('/v1/disputes/:id', async (c) => {
    query(c);
    const id = parseHash('dispute id', c.req.param('id'));
    return c.json(found(await disputeDetail(db, id), 'DISPUTE_NOT_FOUND', `dispute ${id}`));
  });

  app.get('/v1/payments', async (c) => {
    const q = query(c, 'kind', 'account', 'provider', ...PAGE);
    const filter = {
      kind: optional(q.get('kind'), (v) => parseChoice('kind', v, paymentKinds)),
      account: optional(q.get('account'), (v) => parseAddress('account', v)),
      provider: optional(q.get('provider'), (v) => parseAddress('provider', v)),
    };
    return c.json(await listPayments(db, filter, page(q)));
  });

  app.get('/v1/agents', async (c) => {
    const q = query(c, 'owner', ...PAGE);
    return c.json(await listAgents(db, { owner: optional(q.get('owner'), (v) => parseAddress('owner', v)) }, page(q)));
  });
  app.get('/v1/agents/:id', async (c) => {
    query(c);
    const id = parseId('agent id', c.req.param('id'));
    return c.json(found(await agentDetail(db, id), 'AGENT_NOT_FOUND', `agent ${id}`));
  });
  app.get('/v1/spend-permissions', async (c) => {
    const q = query(c, 'account', 'spender', ...PAGE);
    const filter = {
      account: optional(q.get('account'), (v) => parseAddress('account', v)),
      spender: optional(q.get('spender'), (v) => parseAddress('spender', v)),
    };
    return c.json(await listPermissions(db, filter, page(q)));
  });
  app.get('/v1/spend-permissions/:hash', async (c) => {
    query(c);
    const hash = parseHash('permission hash', c.req.param('hash'));
    return c.json(found(await permissionDetail(db, hash), 'PERMISSION_NOT_FOUND', `spend permission ${hash}`));
  });
  app.get('/v1/spend-payments', async (c) => {
    const q = query(c, 'account', 'spender', 'payee', ...PAGE);
    const filter = {
      account: optional(q.get('account'), (v) => parseAddress('account', v)),
      spender: optional(q.get('spender'), (v) => parseAddress('spender', v)),
      payee: optional(q.get('payee'), (v) => parseAddress('payee', v)),
    };
    return c.json(await listSpendPayments(db, filter, page(q)));
  });
  app.get('/v1/validations', async (c) => {
    const q = query(c, 'agentId', 'validator', ...PAGE);
    const filter = {
      agentId: optional(q.get('agentId'), (v) => parseId('agentId', v)),
      validator: optional(q.get('validator'), (v) => parseAddress('validator', v)),
    };
    return c.json(await listValidations(db, filter, page(q)));
  });
  app.get('/v1/reputation', async (c) => c.json(await listSubjects(db, page(query(c, ...PAGE)))));
  app.get('/v1/reputation/:address', async (c) => {
    query(c);
    return c.json(await reputationOf(db, parseAddress('address', c.req.param('address'))));
  });
  app.get('/v1/fl/tasks', async (c) => c.json(await listTasks(db, page(query(c, ...PAGE)))));
  app.get('/v1/fl/tasks/:id', async (c) => {
    query(c);
    const id = parseId('task id', c.req.param('id'));
    return c.json(found(await taskDetail(db, id), 'TASK_NOT_FOUND', `training task ${id}`));
  });
  app.get('/v1/fl/demands', async (c) => {
    const q = query(c, 'taskId', 'status', ...PAGE);
    const filter = {
      taskId: optional(q.get('taskId'), (v) => parseId('taskId', v)),
      status: optional(q.get('status'), (v) => parseChoice('status', v, demandStatuses)),
    };
    return c.json(await listDemands(db, filter, page(q)));
  });

  app.get('/v1/zk/verifiers', async (c) => c.json(await listVerifiers(db, page(query(c, ...PAGE)))));
  app.get('/v1/zk/requests', async (c) => {
    const q = query(c, 'proofStatus', 'modelId', ...PAGE);
    const filter = {
      proofStatus: optional(q.get('proofStatus'), (v) => parseChoice('proofStatus', v, proofStatuses)),
      modelId: optional(q.get('modelId'), (v) => parseHash('modelId', v)),
    };
    return c.json(await listZkRequests(db, filter, page(q)));
  });
  app.get('/v1/zk/results', async (c) => {
    const q = query(c, 'modelId', 'submitter', ...PAGE);
    const filter = {
      modelId: optional(q.get('modelId'), (v) => parseHash('modelId', v)),
      submitter: optional(q.get('submitter'), (v) => parseAddress('submitter', v)),
    };
    return c.json(await listZkResults(db, filter, page(q)));
  });
  app.get('/v1/zk/slashes', async (c) => {
    const q = query(c, 'provider', ...PAGE);
    return c.json(await listZkSlashes(db, { provider: optional(q.get('provider'), (v) => parseAddress('provider', v)) }, page(q)));
  });

  app.get('/v1/gateway', async (c) => {
    query(c);
    return c.json(await gatewaySummary(db));
  });
  app.get('/v1/gateway/requests', async (c) => c.json(await listGatewayRequests(db, page(query(c, ...PAGE)))));

  app.get('/v1/events', async (c) => {
    const q = query(c, 'contract', 'name', ...PAGE);
    return c.json(await listEvents(db, eventFilter(q), page(q)));
  });

  app.get('/v1/overview', async (c) => {
    query(c);
    return c.json(await overview(db));
  });
  app.get('/v1/activity', async (c) => {
    const q = query(c, 'bucket');
    return c.json(await activity(db, optional(q.get('bucket'), (v) => parseInteger('bucket', v, 1, 86_400)) ?? 60));
  });
  app.get('/v1/search/:hash', async (c) => {
    query(c);
    return c.json(await searchHash(db, parseHash('hash', c.req.param('hash'))));
  });
  app.get('/v1/matrix', (c) => {
    query(c);
    return c.json(matrixData());
  });

  app.get('/v1/stream', (c) => streamEvents(c, indexer, eventFilter(query(c, 'contract', 'name')), closing));

  app.notFound((c) => {
    const file = dashboardDir && c.req.method === 'GET' && !c.req.path.startsWith('/v1/') ? dashboardFile(dashboardDir, c.req.path) : undefined;
    if (file) {
      const cache = file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache';
      return c.body(file.body, 200, { 'content-type': file.type, 'cache-control': cache });
    }
    const unbuilt = dashboardDir && !c.req.path.startsWith('/v1/') ? [`the dashboard is not built in ${dashboardDir}: run npm run build`] : [];
    const error = new IndexerError('ROUTE_NOT_FOUND', `No route ${c.req.method} ${c.req.path}.`, { details: [...unbuilt, 'see GET /openapi.json'] });
    return c.json(error.toJSON(), 404);
  });
  app.onError((error, c) => {
    const known = error instanceof IndexerError ? error : new IndexerError('INTERNAL', 'The server failed to handle the request.');
    if (known.code === 'INTERNAL') log.error('request failed', { path: c.req.path, reason: error.message.split('\n')[0] });
    return c.json(known.toJSON(), known.status as ContentfulStatusCode);
  });
  return app;
}

/** contract and name filters; a name alone must be an event of some contract. */
function eventFilter(q: Map<string, string>): { contract?: IndexedContract; name?: string } {
  const contract = q.has('contract') ? parseChoice('contract', q.get('contract')!, indexedContracts) : undefined;
  const name = q.get('name');
  if (name !== undefined) {
    const known = contract ? eventNames[contract] : [...new Set(Object.values(eventNames).flat())].sort();
    parseChoice(contract ? `name (an event of ${contract})` : 'name', name, known);
  }
  return { ...(contract ? { contract } : {}), ...(name !== undefined ? { name } : {}) };
}
