// The projections: tables shaped for reading (providers, models, payments, disputes,
// slashes, payouts), each derived from decoded events by `applyEvent` alone. The
// indexer calls it once per new event, and again for every stored event when it
// rebuilds after a rewind, so a rebuilt index cannot differ from one built forward.
import type { Queryable } from './db/database.ts';
import type { EventArgs, IndexedEvent } from './events.ts';
import { agentAppliers, agentTables, type Apply } from './projections-agents.ts';
import { flAvailabilityAppliers, flAvailabilityTables } from './projections-fl-availability.ts';
import { flAppliers, flTables } from './projections-fl.ts';
import { zkAppliers, zkTables } from './projections-zk.ts';

export const projectionTables = [
  'providers',
  'provider_prices',
  'models',
  'payments',
  'disputes',
  'dispute_moves',
  'slashes',
  'payouts',
  ...agentTables,
  ...flTables,
  ...flAvailabilityTables,
  ...zkTables,
] as const;

const at = (e: IndexedEvent) => [e.blockNumber, e.logIndex, e.txHash] as const;
const str = (value: unknown): string => String(value);

const payment =
  (
    kind: string,
    fields: (a: EventArgs) => {
      account: unknown;
      amount: unknown;
      provider?: unknown;
      modelId?: unknown;
      balance?: unknown;
      cumulative?: unknown;
      shortfall?: unknown;
    },
  ): Apply =>
  (tx, e, a) => {
    const f = fields(a);
    return tx.query(
      `INSERT INTO payments (block_number, log_index, tx_hash, kind, account, provider, model_id, amount, balance, cumulative_amount, shortfall)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [...at(e), kind, f.account, f.provider ?? null, f.modelId ?? null, f.amount, f.balance ?? null, f.cumulative ?? null, f.shortfall ?? null],
    );
  };

const payout =
  (kind: string, fields: (a: EventArgs) => { account: unknown; amount: bigint | string; disputeId?: unknown }): Apply =>
  (tx, e, a) => {
    const f = fields(a);
    return tx.query(
      `INSERT INTO payouts (block_number, log_index, tx_hash, contract, kind, account, dispute_id, amount, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [...at(e), e.contract, kind, f.account ?? null, f.disputeId ?? null, f.amount.toString(), JSON.stringify(a)],
    );
  };

/** A step of a dispute: stored as a move; the dispute's last move and deadline follow it. */
const move: Apply = async (tx, e, a) => {
  await tx.query('INSERT INTO dispute_moves (block_number, log_index, tx_hash, dispute_id, name, args) VALUES ($1, $2, $3, $4, $5, $6)', [
    ...at(e),
    a.id,
    e.name,
    JSON.stringify(a),
  ]);
  await tx.query('UPDATE disputes SET last_move = $2, deadline = COALESCE($3, deadline), updated_block = $4 WHERE id = $1', [
    a.id,
    e.name,
    a.deadline === undefined ? null : Number(a.deadline),
    e.blockNumber,
  ]);
};

const updateProvider =
  (set: string, values: (a: EventArgs) => unknown[]): Apply =>
  (tx, e, a) =>
    tx.query(`UPDATE providers SET ${set}, updated_block = $2 WHERE address = $1`, [a.provider, e.blockNumber, ...values(a)]);

const updateModel =
  (set: string, values: (a: EventArgs) => unknown[]): Apply =>
  (tx, e, a) =>
    tx.query(`UPDATE models SET ${set}, updated_block = $2 WHERE id = $1`, [a.modelId, e.blockNumber, ...values(a)]);

// Keyed by "contract.EventName". Events absent here stay in raw_events only.
const appliers: Record<string, Apply> = {
  'providerRegistry.ProviderRegistered': (tx, e, a) =>
    tx.query(
      `INSERT INTO providers (address, endpoint, pub_key, active_stake, registered_block, updated_block) VALUES ($1, $2, $3, $4, $5, $5)
       ON CONFLICT (address) DO UPDATE SET endpoint = $2, pub_key = $3, active_stake = $4, updated_block = $5`,
      [a.provider, a.endpoint, a.pubKey, a.stake, e.blockNumber],
    ),
  'providerRegistry.EndpointUpdated': updateProvider('endpoint = $3', (a) => [a.endpoint]),
  'providerRegistry.PriceSet': (tx, e, a) =>
    tx.query(
      `INSERT INTO provider_prices (provider, model_id, price, updated_block) VALUES ($1, $2, $3, $4)
       ON CONFLICT (provider, model_id) DO UPDATE SET price = $3, updated_block = $4`,
      [a.provider, a.modelId, a.price, e.blockNumber],
    ),
  'providerRegistry.StakeAdded': updateProvider('active_stake = $3', (a) => [a.activeStake]),
  'providerRegistry.UnbondingStarted': updateProvider('active_stake = $3, unbonding_stake = unbonding_stake + $4::numeric', (a) => [a.activeStake, a.amount]),
  'providerRegistry.StakeWithdrawn': updateProvider(
    'unbonding_stake = GREATEST(unbonding_stake - $3::numeric, 0), withdrawn_stake = withdrawn_stake + $3::numeric',
    (a) => [a.amount],
  ),
  'providerRegistry.ProviderJailed': updateProvider('jailed_until = $3', (a) => [Number(a.until)]),
  'providerRegistry.DisputeCountChanged': updateProvider('open_disputes = $3', (a) => [Number(a.open)]),
  'providerRegistry.ProviderSlashed': async (tx, e, a) => {
    await tx.query(
      `INSERT INTO slashes (block_number, log_index, tx_hash, provider, recipient, slasher, requested, from_active, from_unbonding)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [...at(e), a.provider, a.recipient, a.slasher, a.requested, a.fromActive, a.fromUnbonding],
    );
    await updateProvider(
      `active_stake = GREATEST(active_stake - $3::numeric, 0), unbonding_stake = GREATEST(unbonding_stake - $4::numeric, 0),
       slashed_total = slashed_total + $3::numeric + $4::numeric, slash_count = slash_count + 1`,
      (x) => [x.fromActive, x.fromUnbonding],
    )(tx, e, a);
  },

  'modelRegistry.ModelPublished': (tx, e, a) =>
    tx.query(
      `INSERT INTO models (id, owner, content_hash, weight_commitment, metadata_uri, royalty_bps, published_block, published_tx, updated_block)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $7)`,
      [a.modelId, a.owner, a.contentHash, a.weightCommitment, a.metadataURI, Number(a.royaltyBps), e.blockNumber, e.txHash],
    ),
  'modelRegistry.WeightCommitmentSet': updateModel('weight_commitment = $3', (a) => [a.weightCommitment]),
  'modelRegistry.ModelShapeSet': updateModel('input_size = $3, row_count = $4, layer_count = $5', (a) => [
    Number(a.inputSize),
    Number(a.rowCount),
    Number(a.layerCount),
  ]),
  'modelRegistry.RoyaltySet': updateModel('royalty_bps = $3, pending_royalty_bps = NULL, pending_royalty_at = NULL', (a) => [Number(a.newRoyaltyBps)]),
  'modelRegistry.RoyaltyIncreaseScheduled': updateModel('pending_royalty_bps = $3, pending_royalty_at = $4', (a) => [
    Number(a.newRoyaltyBps),
    Number(a.effectiveAt),
  ]),
  'modelRegistry.RoyaltyIncreaseCancelled': updateModel('pending_royalty_bps = NULL, pending_royalty_at = NULL', () => []),
  'modelRegistry.ModelTransferred': updateModel('owner = $3', (a) => [a.newOwner]),
  'modelRegistry.ModelDeprecated': updateModel('deprecated = TRUE', () => []),

  'escrow.Deposited': payment('deposit', (a) => ({ account: a.client, amount: a.amount, balance: a.balance })),
  'escrow.WithdrawalRequested': payment('withdrawal_requested', (a) => ({ account: a.client, amount: a.amount })),
  'escrow.Withdrawn': payment('withdrawal', (a) => ({ account: a.client, amount: a.amount, balance: a.balance })),
  'escrow.VoucherRedeemed': payment('redemption', (a) => ({
    account: a.client,
    provider: a.provider,
    modelId: a.modelId,
    amount: a.paid,
    cumulative: a.cumulativeAmount,
    shortfall: a.shortfall,
  })),
  'escrow.Claimed': payment('claim', (a) => ({ account: a.account, amount: a.amount })),
  'escrow.PaymentSplit': payout('payment_split', (a) => ({
    account: a.provider,
    amount: BigInt(str(a.providerAmount)) + BigInt(str(a.royalty)) + BigInt(str(a.protocolFee)),
  })),

  'disputeGame.DisputeOpened': async (tx, e, a) => {
    await tx.query(
      `INSERT INTO disputes (id, challenger, provider, receipt_id, client, model_id, bond, last_move, deadline, opened_block, opened_tx, updated_block)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $10)`,
      [a.id, a.challenger, a.provider, a.receiptId, a.client, a.modelId, a.bond, e.name, Number(a.deadline), e.blockNumber, e.txHash],
    );
    await move(tx, e, a);
  },
  'disputeGame.RootsRevealed': move,
  'disputeGame.LayerChosen': move,
  'disputeGame.NodesRevealed': move,
  'disputeGame.NodePicked': move,
  'disputeGame.ChunkNamed': move,
  'disputeGame.ElementNamed': move,
  'disputeGame.StepExecuted': move,
  'disputeGame.DisputeResolved': async (tx, e, a) => {
    await move(tx, e, a);
    await tx.query('UPDATE disputes SET resolved = TRUE, provider_lost = $2, outcome = $3, winner = $4 WHERE id = $1', [
      a.id,
      a.providerLost,
      Number(a.outcome),
      a.winner,
    ]);
  },
  'disputeGame.ProviderPenalized': payout('penalty', (a) => ({ account: a.provider, amount: str(a.slashed), disputeId: a.id })),
  'disputeGame.BondForfeited': payout('bond_forfeited', (a) => ({
    account: a.challenger,
    amount: BigInt(str(a.toProvider)) + BigInt(str(a.toTreasury)),
    disputeId: a.id,
  })),
  'disputeGame.Credited': payout('credited', (a) => ({ account: a.account, amount: str(a.amount) })),
  'disputeGame.Claimed': payout('claimed', (a) => ({ account: a.account, amount: str(a.amount) })),
  'disputeGame.RefundPaid': payout('refund', (a) => ({ account: a.client, amount: str(a.amount) })),
  'disputeGame.RefundSwept': payout('refund_swept', (a) => ({ account: null, amount: str(a.amount) })),
  ...agentAppliers,
  ...flAppliers,
  ...flAvailabilityAppliers,
  ...zkAppliers,
};

export async function applyEvent(tx: Queryable, event: IndexedEvent): Promise<void> {
  await appliers[`${event.contract}.${event.name}`]?.(tx, event, event.args);
}

/** Empties every projection and derives them again from the stored events, in order. */
export async function rebuildProjections(tx: Queryable): Promise<number> {
  await tx.exec(`TRUNCATE ${projectionTables.join(', ')}`);
  const rows = await tx.query<StoredEventRow>(`SELECT ${storedEventColumns} FROM raw_events ORDER BY block_number, log_index`);
  for (const row of rows) await applyEvent(tx, fromStoredRow(row));
  return rows.length;
}

export type StoredEventRow = {
  block_number: number;
  log_index: number;
  tx_hash: string;
  contract: string;
  address: string;
  name: string;
  args: EventArgs;
};

export const storedEventColumns = 'block_number, log_index, tx_hash, contract, address, name, args';

export function fromStoredRow(row: StoredEventRow): IndexedEvent {
  return {
    blockNumber: Number(row.block_number),
    logIndex: row.log_index,
    txHash: row.tx_hash as IndexedEvent['txHash'],
    contract: row.contract as IndexedEvent['contract'],
    address: row.address as IndexedEvent['address'],
    name: row.name,
    args: row.args,
  };
}
