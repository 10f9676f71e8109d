// The reads behind the zk routes (docs/zk.md): each model's verifier and weight
// commitment, the requests the gateway routed in verification zk with what became of
// their proof, the results recorded on chain, and the providers slashed for a failing proof.
import type { Queryable, Row } from '../db/database.ts';
import { listPage, type Page, type PageRequest, type Item, num, at, present, maybe, byPosition, positionOf } from './pages.ts';

/**
 * What became of a zk request's proof, as far as the index can tell: `bound` when the
 * gateway passed the answer on (the receipt binds the proof it carries: the gateway checks
 * that much; whether the proof verifies is the paying client's check), `refused` when the
 * gateway answered an error instead (no proof reached the client; `status` says why).
 */
export const proofStatuses = ['bound', 'refused'] as const;

const verifierItem = (r: Row): Item => ({
  modelId: r.model_id,
  metadataURI: r.metadata_uri ?? null,
  verifier: r.verifier,
  commitment: r.commitment,
  registrations: r.registrations,
  registeredBlock: num(r.registered_block),
  registeredTx: r.registered_tx,
  results: Number(r.results),
  requests: Number(r.requests),
});

const requestItem = (r: Row): Item => ({
  gateway: r.gateway,
  seq: Number(r.seq),
  at: Number(r.at_ms),
  requestHash: r.request_hash,
  modelId: r.model_id,
  providers: r.providers,
  latencyMs: r.latency_ms,
  status: r.status,
  proofStatus: r.status === 'ok' ? 'bound' : 'refused',
});

const resultItem = (r: Row): Item => ({ ...at(r), modelId: r.model_id, ioHash: r.io_hash, commitment: r.commitment, submitter: r.submitter });

const slashItem = (r: Row): Item => ({
  ...at(r),
  receiptId: r.receipt_id,
  provider: r.provider,
  reporter: r.reporter,
  slashed: r.slashed,
  reward: r.reward,
});

/** Every model with a registered verifier; the counts are one grouped read, not one per model. */
export const listVerifiers = (db: Queryable, page: PageRequest): Promise<Page<Item>> =>
  listPage(
    db,
    {
      select: `SELECT * FROM (SELECT v.*, m.metadata_uri,
                 (SELECT count(*) FROM zk_results r WHERE r.model_id = v.model_id) AS results,
                 (SELECT count(*) FROM gateway_requests g WHERE g.model_id = v.model_id AND g.verification = 'zk') AS requests
               FROM zk_verifiers v LEFT JOIN models m ON m.id = v.model_id) verifiers`,
      key: [{ column: 'model_id', kind: 'text' }],
      descending: false,
    },
    [],
    page,
    verifierItem,
    (r) => [String(r.model_id)],
  );

export const listZkRequests = (db: Queryable, f: { proofStatus?: (typeof proofStatuses)[number]; modelId?: string }, page: PageRequest): Promise<Page<Item>> =>
  listPage(
    db,
    {
      select: `SELECT * FROM gateway_requests`,
      key: [
        { column: 'at_ms', kind: 'integer' },
        { column: 'gateway', kind: 'text' },
        { column: 'seq', kind: 'integer' },
      ],
      descending: true,
    },
    present([
      { sql: (p) => `verification = ${p}`, value: 'zk' },
      f.proofStatus === undefined ? undefined : { sql: (p) => (f.proofStatus === 'bound' ? `status = ${p}` : `status <> ${p}`), value: 'ok' },
      maybe('model_id', f.modelId),
    ]),
    page,
    requestItem,
    (r) => [Number(r.at_ms), String(r.gateway), Number(r.seq)],
  );

export const listZkResults = (db: Queryable, f: { modelId?: string; submitter?: string }, page: PageRequest): Promise<Page<Item>> =>
  listPage(
    db,
    { select: 'SELECT * FROM zk_results', key: byPosition, descending: true },
    present([maybe('model_id', f.modelId), maybe('submitter', f.submitter)]),
    page,
    resultItem,
    positionOf,
  );

export const listZkSlashes = (db: Queryable, f: { provider?: string }, page: PageRequest): Promise<Page<Item>> =>
  listPage(
    db,
    { select: 'SELECT * FROM zk_slashes', key: byPosition, descending: true },
    present([maybe('provider', f.provider)]),
    page,
    slashItem,
    positionOf,
  );
