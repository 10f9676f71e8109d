// The reads behind each API route: one list (keyset-paginated, filtered by validated
// values) or one record per route, with rows turned into the JSON the API documents.
// Amounts are decimal strings of token base units; block numbers and times are numbers.
import type { Queryable, Row } from '../db/database.ts';
import { storedEventColumns, type StoredEventRow } from '../projections.ts';
import {
  listPage,
  type ListSpec,
  type Page,
  type PageRequest,
  type Item,
  num,
  at,
  present,
  maybe,
  equals,
  byPosition,
  positionOf,
  jsonRows,
  onlyRow,
  ONE,
  RECENT,
  HISTORY,
} from './pages.ts';
import { scoreItem } from './queries-agents.ts';
import { splitItem, splitSums } from './summary.ts';

export const eventItem = (r: StoredEventRow): Item => ({
  blockNumber: Number(r.block_number),
  logIndex: r.log_index,
  txHash: r.tx_hash,
  contract: r.contract,
  address: r.address,
  name: r.name,
  args: r.args,
});

const providerItem = (r: Row): Item => ({
  address: r.address,
  endpoint: r.endpoint,
  pubKey: r.pub_key,
  activeStake: r.active_stake,
  unbondingStake: r.unbonding_stake,
  withdrawnStake: r.withdrawn_stake,
  slashedTotal: r.slashed_total,
  slashCount: r.slash_count,
  jailedUntil: num(r.jailed_until),
  openDisputes: r.open_disputes,
  registeredBlock: num(r.registered_block),
  updatedBlock: num(r.updated_block),
});

export const modelItem = (r: Row): Item => ({
  id: r.id,
  owner: r.owner,
  contentHash: r.content_hash,
  weightCommitment: r.weight_commitment,
  metadataURI: r.metadata_uri,
  royaltyBps: r.royalty_bps,
  pendingRoyalty: r.pending_royalty_bps === null ? null : { royaltyBps: r.pending_royalty_bps, effectiveAt: num(r.pending_royalty_at) },
  shape: r.input_size === null ? null : { inputSize: r.input_size, rowCount: r.row_count, layerCount: r.layer_count },
  deprecated: r.deprecated,
  publishedBlock: num(r.published_block),
  publishedTx: r.published_tx,
  updatedBlock: num(r.updated_block),
});

export const paymentItem = (r: Row): Item => ({
  blockNumber: num(r.block_number),
  logIndex: r.log_index,
  txHash: r.tx_hash,
  kind: r.kind,
  account: r.account,
  provider: r.provider,
  modelId: r.model_id,
  amount: r.amount,
  balance: r.balance,
  cumulativeAmount: r.cumulative_amount,
  shortfall: r.shortfall,
});

export const disputeItem = (r: Row): Item => ({
  id: r.id,
  challenger: r.challenger,
  provider: r.provider,
  receiptId: r.receipt_id,
  client: r.client,
  modelId: r.model_id,
  bond: r.bond,
  lastMove: r.last_move,
  deadline: num(r.deadline),
  resolved: r.resolved,
  providerLost: r.provider_lost,
  outcome: r.outcome,
  winner: r.winner,
  openedBlock: num(r.opened_block),
  openedTx: r.opened_tx,
  updatedBlock: num(r.updated_block),
});

const moveItem = (r: Row): Item => ({ ...at(r), name: r.name, args: r.args });
const slashItem = (r: Row): Item => ({
  ...at(r),
  provider: r.provider,
  recipient: r.recipient,
  slasher: r.slasher,
  requested: r.requested,
  fromActive: r.from_active,
  fromUnbonding: r.from_unbonding,
});
const payoutItem = (r: Row): Item => ({
  ...at(r),
  contract: r.contract,
  kind: r.kind,
  account: r.account,
  disputeId: r.dispute_id,
  amount: r.amount,
  details: r.details,
});
const priceItem = (r: Row): Item => ({ provider: r.provider, modelId: r.model_id, price: r.price, updatedBlock: num(r.updated_block) });

const specs = {
  events: { select: `SELECT ${storedEventColumns} FROM raw_events`, key: byPosition, descending: true },
  payments: { select: 'SELECT * FROM payments', key: byPosition, descending: true },
} satisfies Record<string, ListSpec>;

/** Every model a provider prices, and every provider pricing a model, fits (a row per pair). */
const PRICES = HISTORY;

/**
 * Providers, each with its prices (the model's metadata URI beside each, for its name),
 * its latest `slashes` slashes and its reputation per tag (the `slashes` tags with the
 * most entries: anyone may write feedback under any tag): one query for a page.
 */
const providerSpec = (slashes: number): ListSpec => ({
  select: `SELECT * FROM (SELECT p.*,
      ${jsonRows(
        `SELECT pp.provider, pp.model_id, pp.price::text AS price, pp.updated_block, m.metadata_uri
         FROM provider_prices pp LEFT JOIN models m ON m.id = pp.model_id WHERE pp.provider = p.address`,
        { pick: 'model_id', limit: PRICES },
      )} AS price_list,
      ${jsonRows(
        `SELECT block_number, log_index, tx_hash, provider, recipient, slasher, requested::text AS requested,
                from_active::text AS from_active, from_unbonding::text AS from_unbonding
         FROM slashes WHERE provider = p.address`,
        { pick: 'block_number DESC, log_index DESC', limit: slashes },
      )} AS slash_list,
      ${jsonRows('SELECT subject, tag, entries, total::text AS total, updated_block FROM reputation_scores WHERE subject = p.address', {
        pick: 'entries DESC, tag',
        limit: slashes,
      })} AS score_list
    FROM providers p) providers`,
  key: [{ column: 'address', kind: 'text' }],
  descending: false,
});

/**
 * Models, each with the providers pricing it and what its redemptions earned: the split
 * summed over its payouts (through an index on the model id), in the select list so that
 * only the rows of the page are summed.
 */
const modelSpec: ListSpec = {
  select: `SELECT * FROM (SELECT m.*,
      ${jsonRows('SELECT provider, model_id, price::text AS price, updated_block FROM provider_prices WHERE model_id = m.id', {
        pick: 'provider',
        limit: PRICES,
      })} AS price_list,
      (SELECT jsonb_build_object('redemptions', e.redemptions, 'provider_amount', e.provider_amount::text, 'royalty', e.royalty::text,
                                 'protocol_fee', e.protocol_fee::text)
       FROM (SELECT count(*) AS redemptions, ${splitSums} FROM payouts WHERE kind = 'payment_split' AND details->>'modelId' = m.id) e) AS earned
    FROM models m) models`,
  key: [
    { column: 'published_block', kind: 'integer' },
    { column: 'id', kind: 'text' },
  ],
  descending: true,
};

/** A dispute game has a few dozen moves at most (the bisection's depth) and a few payouts: all of them fit. */
const disputeSpec: ListSpec = {
  select: `SELECT * FROM (SELECT d.*,
      ${jsonRows('SELECT block_number, log_index, tx_hash, name, args FROM dispute_moves WHERE dispute_id = d.id', {
        pick: 'block_number, log_index',
        limit: HISTORY,
      })} AS move_list,
      ${jsonRows(
        `SELECT block_number, log_index, tx_hash, contract, kind, account, dispute_id, amount::text AS amount, details
         FROM payouts WHERE dispute_id = d.id`,
        { pick: 'block_number, log_index', limit: HISTORY },
      )} AS payout_list
    FROM disputes d) disputes`,
  key: [
    { column: 'opened_block', kind: 'integer' },
    { column: 'id', kind: 'text' },
  ],
  descending: true,
};

const providerRow = (r: Row): Item => ({
  ...providerItem(r),
  prices: (r.price_list as Row[]).map((p) => ({ ...priceItem(p), metadataURI: p.metadata_uri ?? null })),
  slashes: (r.slash_list as Row[]).map(slashItem),
  reputation: (r.score_list as Row[]).map(scoreItem),
});
const modelRow = (r: Row): Item => ({
  ...modelItem(r),
  prices: (r.price_list as Row[]).map(priceItem),
  earnings: { redemptions: Number((r.earned as Row).redemptions), ...splitItem(r.earned as Row) },
});
const disputeRow = (r: Row): Item => ({ ...disputeItem(r), moves: (r.move_list as Row[]).map(moveItem), payouts: (r.payout_list as Row[]).map(payoutItem) });
const providerKey = (r: Row) => [String(r.address)];
const modelKey = (r: Row) => [Number(r.published_block), String(r.id)];
const disputeKey = (r: Row) => [Number(r.opened_block), String(r.id)];

export const listEvents = (db: Queryable, f: { contract?: string; name?: string }, page: PageRequest): Promise<Page<Item>> =>
  listPage<StoredEventRow, Item>(db, specs.events, present([maybe('contract', f.contract), maybe('name', f.name)]), page, eventItem, positionOf);

export const listPayments = (db: Queryable, f: { kind?: string; account?: string; provider?: string }, page: PageRequest): Promise<Page<Item>> =>
  listPage(db, specs.payments, present([maybe('kind', f.kind), maybe('account', f.account), maybe('provider', f.provider)]), page, paymentItem, positionOf);

export const listProviders = (db: Queryable, page: PageRequest): Promise<Page<Item>> => listPage(db, providerSpec(RECENT), [], page, providerRow, providerKey);

export const listModels = (db: Queryable, f: { owner?: string }, page: PageRequest): Promise<Page<Item>> =>
  listPage(db, modelSpec, present([maybe('owner', f.owner)]), page, modelRow, modelKey);

export const listDisputes = (db: Queryable, f: { provider?: string; resolved?: boolean }, page: PageRequest): Promise<Page<Item>> =>
  listPage(db, disputeSpec, present([maybe('provider', f.provider), maybe('resolved', f.resolved)]), page, disputeRow, disputeKey);

// One record is its list row, narrowed to its key; a provider's carries its latest HISTORY slashes.
export const providerDetail = (db: Queryable, address: string): Promise<Item | undefined> =>
  onlyRow(listPage(db, providerSpec(HISTORY), [equals('address', address)], ONE, providerRow, providerKey));

export const modelDetail = (db: Queryable, id: string): Promise<Item | undefined> =>
  onlyRow(listPage(db, modelSpec, [equals('id', id)], ONE, modelRow, modelKey));

export const disputeDetail = (db: Queryable, id: string): Promise<Item | undefined> =>
  onlyRow(listPage(db, disputeSpec, [equals('id', id)], ONE, disputeRow, disputeKey));
