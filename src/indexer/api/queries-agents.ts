// The reads behind the agent routes: identities, spend permissions with their periods
// and payments, validations, and reputation scores with their entries.
import type { Queryable, Row } from '../db/database.ts';
import { listPage, type Page, type PageRequest, type Item, num, at, present, maybe, byPosition, positionOf, jsonRows, RECENT, HISTORY } from './pages.ts';

const agentItem = (r: Row): Item => ({
  id: num(r.id),
  owner: r.owner,
  uri: r.uri,
  wallet: r.wallet,
  metadata: r.metadata,
  registeredBlock: num(r.registered_block),
  registeredTx: r.registered_tx,
  updatedBlock: num(r.updated_block),
});

const permissionItem = (r: Row): Item => ({
  hash: r.hash,
  account: r.account,
  spender: r.spender,
  token: r.token,
  allowance: r.allowance,
  period: num(r.period),
  start: num(r.starts_at),
  end: num(r.ends_at),
  salt: r.salt,
  extraData: r.extra_data,
  revoked: r.revoked,
  spentTotal: r.spent_total,
  approvedBlock: num(r.approved_block),
  updatedBlock: num(r.updated_block),
});

const periodItem = (r: Row): Item => ({ start: num(r.period_start), end: num(r.period_end), spent: r.spent, updatedBlock: num(r.updated_block) });

const spendPaymentItem = (r: Row): Item => ({ ...at(r), permission: r.hash, account: r.account, spender: r.spender, payee: r.payee, amount: r.amount });

const validationItem = (r: Row): Item => ({
  requestHash: r.request_hash,
  validator: r.validator,
  agentId: num(r.agent_id),
  requestURI: r.request_uri,
  response: r.response,
  responseURI: r.response_uri,
  responseHash: r.response_hash,
  tag: r.tag,
  requestedBlock: num(r.requested_block),
  respondedBlock: num(r.responded_block),
});

export const scoreItem = (r: Row): Item => ({ subject: r.subject, tag: r.tag, entries: r.entries, total: r.total, updatedBlock: num(r.updated_block) });
const feedbackItem = (r: Row): Item => ({ ...at(r), subject: r.subject, source: r.source, tag: r.tag, value: r.value, evidence: r.evidence });

/**
 * Agents, each with its RECENT latest validations: one query for the page (a lateral
 * read per row inside the database), where a page asking each agent's detail would
 * make one request per agent.
 */
export const listAgents = (db: Queryable, f: { owner?: string }, page: PageRequest): Promise<Page<Item>> =>
  listPage(
    db,
    {
      select: `SELECT * FROM (SELECT a.*,
                 ${jsonRows('SELECT * FROM validations WHERE agent_id = a.id', { pick: 'requested_block DESC, request_hash', limit: RECENT })} AS recent
               FROM agents a) agents`,
      key: [{ column: 'id', kind: 'integer' }],
      descending: true,
    },
    present([maybe('owner', f.owner)]),
    page,
    (r) => ({ ...agentItem(r), validations: (r.recent as Row[]).map(validationItem) }),
    (r) => [Number(r.id)],
  );

export const listPermissions = (db: Queryable, f: { account?: string; spender?: string }, page: PageRequest): Promise<Page<Item>> =>
  listPage(
    db,
    {
      // Each with its latest period (amounts as text: a JSON number would round them).
      select: `SELECT * FROM (SELECT s.*, (SELECT jsonb_build_object('period_start', p.period_start, 'period_end', p.period_end,
                 'spent', p.spent::text, 'updated_block', p.updated_block)
               FROM spend_periods p WHERE p.hash = s.hash ORDER BY p.period_start DESC LIMIT 1) AS latest_period
               FROM spend_permissions s) permissions`,
      key: [
        { column: 'approved_block', kind: 'integer' },
        { column: 'hash', kind: 'text' },
      ],
      descending: true,
    },
    present([maybe('account', f.account), maybe('spender', f.spender)]),
    page,
    (r) => ({ ...permissionItem(r), currentPeriod: r.latest_period ? periodItem(r.latest_period as Row) : null }),
    (r) => [Number(r.approved_block), String(r.hash)],
  );

export const listSpendPayments = (db: Queryable, f: { account?: string; spender?: string; payee?: string }, page: PageRequest): Promise<Page<Item>> =>
  listPage(
    db,
    { select: 'SELECT * FROM spend_payments', key: byPosition, descending: true },
    present([maybe('account', f.account), maybe('spender', f.spender), maybe('payee', f.payee)]),
    page,
    spendPaymentItem,
    positionOf,
  );

export const listValidations = (db: Queryable, f: { agentId?: number; validator?: string }, page: PageRequest): Promise<Page<Item>> =>
  listPage(
    db,
    { select: 'SELECT * FROM validations', key: [{ column: 'request_hash', kind: 'text' }], descending: false },
    present([maybe('agent_id', f.agentId), maybe('validator', f.validator)]),
    page,
    validationItem,
    (r) => [String(r.request_hash)],
  );

/** One row per subject: every entry counted, the total, and the total per tag. */
const subjectItem = (r: Row): Item => ({ subject: r.subject, entries: Number(r.entries), total: r.total, byTag: r.by_tag, updatedBlock: num(r.updated_block) });

export const listSubjects = (db: Queryable, page: PageRequest): Promise<Page<Item>> =>
  listPage(
    db,
    {
      select: `SELECT * FROM (SELECT subject, sum(entries) AS entries, sum(total) AS total, jsonb_object_agg(tag, total::text) AS by_tag,
               max(updated_block) AS updated_block FROM reputation_scores GROUP BY subject) subjects`,
      key: [{ column: 'subject', kind: 'text' }],
      descending: false,
    },
    [],
    page,
    subjectItem,
    (r) => [String(r.subject)],
  );

export async function agentDetail(db: Queryable, id: number): Promise<Item | undefined> {
  const [row] = await db.query('SELECT * FROM agents WHERE id = $1', [id]);
  if (!row) return undefined;
  const [validations, scores] = await Promise.all([
    db.query('SELECT * FROM validations WHERE agent_id = $1 ORDER BY requested_block DESC LIMIT $2', [id, HISTORY]),
    row.wallet ? db.query('SELECT * FROM reputation_scores WHERE subject = $1 ORDER BY tag', [row.wallet]) : Promise.resolve([]),
  ]);
  return { ...agentItem(row), validations: validations.map(validationItem), reputation: scores.map(scoreItem) };
}

export async function permissionDetail(db: Queryable, hash: string): Promise<Item | undefined> {
  const [row] = await db.query('SELECT * FROM spend_permissions WHERE hash = $1', [hash]);
  if (!row) return undefined;
  const [periods, payments, kill] = await Promise.all([
    db.query('SELECT * FROM spend_periods WHERE hash = $1 ORDER BY period_start DESC LIMIT $2', [hash, HISTORY]),
    db.query('SELECT * FROM spend_payments WHERE hash = $1 ORDER BY block_number DESC, log_index DESC LIMIT $2', [hash, HISTORY]),
    db.query<{ epoch: string }>('SELECT epoch FROM spend_kills WHERE account = $1', [row.account]),
  ]);
  return { ...permissionItem(row), killedEpoch: num(kill[0]?.epoch), periods: periods.map(periodItem), payments: payments.map(spendPaymentItem) };
}

export async function reputationOf(db: Queryable, subject: string): Promise<Item> {
  const [scores, feedback] = await Promise.all([
    db.query('SELECT * FROM reputation_scores WHERE subject = $1 ORDER BY tag', [subject]),
    db.query('SELECT * FROM reputation_feedback WHERE subject = $1 ORDER BY block_number DESC, log_index DESC LIMIT $2', [subject, HISTORY]),
  ]);
  return { subject, scores: scores.map(scoreItem), feedback: feedback.map(feedbackItem) };
}
