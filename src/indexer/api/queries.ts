// The reads behind each API route: one list (keyset-paginated, filtered by validated
// values) or one record per route, with rows turned into the JSON the API documents.
// Amounts are decimal strings of token base units; block numbers and times are numbers.
import type { Queryable, Row } from '../db/database.ts';
import { storedEventColumns, type StoredEventRow } from '../projections.ts';
import { listPage, type ListSpec, type Page, type PageRequest, type Item, num, at, present, maybe, byPosition, positionOf } from './pages.ts';

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
  providers: { select: 'SELECT * FROM providers', key: [{ column: 'address', kind: 'text' }], descending: false },
  models: {
    select: 'SELECT * FROM models',
    key: [
      { column: 'published_block', kind: 'integer' },
      { column: 'id', kind: 'text' },
    ],
    descending: true,
  },
  disputes: {
    select: 'SELECT * FROM disputes',
    key: [
      { column: 'opened_block', kind: 'integer' },
      { column: 'id', kind: 'text' },
    ],
    descending: true,
  },
} satisfies Record<string, ListSpec>;

export const listEvents = (db: Queryable, f: { contract?: string; name?: string }, page: PageRequest): Promise<Page<Item>> =>
  listPage<StoredEventRow, Item>(db, specs.events, present([maybe('contract', f.contract), maybe('name', f.name)]), page, eventItem, positionOf);

export const listPayments = (db: Queryable, f: { kind?: string; account?: string; provider?: string }, page: PageRequest): Promise<Page<Item>> =>
  listPage(db, specs.payments, present([maybe('kind', f.kind), maybe('account', f.account), maybe('provider', f.provider)]), page, paymentItem, positionOf);

export const listProviders = (db: Queryable, page: PageRequest): Promise<Page<Item>> =>
  listPage(db, specs.providers, [], page, providerItem, (r) => [String(r.address)]);

export const listModels = (db: Queryable, f: { owner?: string }, page: PageRequest): Promise<Page<Item>> =>
  listPage(db, specs.models, present([maybe('owner', f.owner)]), page, modelItem, (r) => [Number(r.published_block), String(r.id)]);

export const listDisputes = (db: Queryable, f: { provider?: string; resolved?: boolean }, page: PageRequest): Promise<Page<Item>> =>
  listPage(db, specs.disputes, present([maybe('provider', f.provider), maybe('resolved', f.resolved)]), page, disputeItem, (r) => [
    Number(r.opened_block),
    String(r.id),
  ]);

/** The most recent rows of a record's history shown with it; the full lists are paginated routes. */
const HISTORY = 100;

export async function providerDetail(db: Queryable, address: string): Promise<Item | undefined> {
  const [row] = await db.query('SELECT * FROM providers WHERE address = $1', [address]);
  if (!row) return undefined;
  const [prices, slashes] = await Promise.all([
    db.query('SELECT * FROM provider_prices WHERE provider = $1 ORDER BY model_id', [address]),
    db.query('SELECT * FROM slashes WHERE provider = $1 ORDER BY block_number DESC, log_index DESC LIMIT $2', [address, HISTORY]),
  ]);
  return { ...providerItem(row), prices: prices.map(priceItem), slashes: slashes.map(slashItem) };
}

export async function modelDetail(db: Queryable, id: string): Promise<Item | undefined> {
  const [row] = await db.query('SELECT * FROM models WHERE id = $1', [id]);
  if (!row) return undefined;
  const prices = await db.query('SELECT * FROM provider_prices WHERE model_id = $1 ORDER BY provider', [id]);
  return { ...modelItem(row), prices: prices.map(priceItem) };
}

export async function disputeDetail(db: Queryable, id: string): Promise<Item | undefined> {
  const [row] = await db.query('SELECT * FROM disputes WHERE id = $1', [id]);
  if (!row) return undefined;
  const [moves, payouts] = await Promise.all([
    db.query('SELECT * FROM dispute_moves WHERE dispute_id = $1 ORDER BY block_number, log_index', [id]),
    db.query('SELECT * FROM payouts WHERE dispute_id = $1 ORDER BY block_number, log_index', [id]),
  ]);
  return { ...disputeItem(row), moves: moves.map(moveItem), payouts: payouts.map(payoutItem) };
}
