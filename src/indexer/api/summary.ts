// Aggregates over the index for a dashboard's first screen: totals (providers, stake,
// models, disputes, money in and out of escrow), earnings per model and per provider
// from each redemption's split, and activity over time in buckets of block time.
// Everything is derived from indexed events, so it is as current as GET /v1/status.
import type { Queryable, Row } from '../db/database.ts';
import type { Item } from './pages.ts';

const text = (value: unknown) => (value === null || value === undefined ? '0' : String(value));

export async function overview(db: Queryable): Promise<Item> {
  const [[providers], [models], [disputes], [money], [fees], [latest], byModel, byProvider] = await Promise.all([
    db.query(`SELECT count(*) AS count, coalesce(sum(active_stake), 0) AS stake, coalesce(sum(slashed_total), 0) AS slashed,
                     coalesce(sum(slash_count), 0) AS slashes FROM providers`),
    db.query('SELECT count(*) AS count, count(*) FILTER (WHERE deprecated) AS deprecated FROM models'),
    db.query(`SELECT count(*) FILTER (WHERE NOT resolved) AS open, count(*) FILTER (WHERE resolved) AS resolved,
                     count(*) FILTER (WHERE provider_lost) AS provider_lost FROM disputes`),
    db.query(`SELECT coalesce(sum(amount) FILTER (WHERE kind = 'deposit'), 0) AS deposited,
                     coalesce(sum(amount) FILTER (WHERE kind = 'withdrawal'), 0) AS withdrawn,
                     coalesce(sum(amount) FILTER (WHERE kind = 'redemption'), 0) AS redeemed,
                     count(*) FILTER (WHERE kind = 'redemption') AS redemptions FROM payments`),
    db.query(`SELECT ${splitSums} FROM payouts WHERE kind = 'payment_split'`),
    db.query('SELECT max(timestamp) AS timestamp FROM blocks'),
    db.query(`SELECT details->>'modelId' AS key, count(*) AS redemptions, ${splitSums} FROM payouts WHERE kind = 'payment_split' GROUP BY 1 ORDER BY 1`),
    db.query(`SELECT details->>'provider' AS key, count(*) AS redemptions, ${splitSums} FROM payouts WHERE kind = 'payment_split' GROUP BY 1 ORDER BY 1`),
  ]);
  return {
    providers: {
      count: Number(providers!.count),
      activeStake: text(providers!.stake),
      slashedTotal: text(providers!.slashed),
      slashes: Number(providers!.slashes),
    },
    models: { count: Number(models!.count), deprecated: Number(models!.deprecated) },
    disputes: { open: Number(disputes!.open), resolved: Number(disputes!.resolved), providerLost: Number(disputes!.provider_lost) },
    escrow: {
      deposited: text(money!.deposited),
      withdrawn: text(money!.withdrawn),
      redeemed: text(money!.redeemed),
      redemptions: Number(money!.redemptions),
    },
    fees: splitItem(fees!),
    earningsByModel: byModel.map((r) => ({ modelId: r.key, redemptions: Number(r.redemptions), ...splitItem(r) })),
    earningsByProvider: byProvider.map((r) => ({ provider: r.key, redemptions: Number(r.redemptions), ...splitItem(r) })),
    latestBlockTime: latest?.timestamp === null || latest?.timestamp === undefined ? null : Number(latest.timestamp),
  };
}

export const splitSums = `coalesce(sum((details->>'providerAmount')::numeric), 0) AS provider_amount,
  coalesce(sum((details->>'royalty')::numeric), 0) AS royalty, coalesce(sum((details->>'protocolFee')::numeric), 0) AS protocol_fee`;
export const splitItem = (r: Row) => ({ providerAmount: text(r.provider_amount), royalty: text(r.royalty), protocolFee: text(r.protocol_fee) });

/** How many buckets an activity answer holds: the latest ones, ending at the newest indexed block. */
export const ACTIVITY_BUCKETS = 60;

/** Deposits, redemptions (count and amount paid) and protocol fees per bucket of `bucketSeconds` of block time. */
export async function activity(db: Queryable, bucketSeconds: number): Promise<Item> {
  const [latest] = await db.query('SELECT max(timestamp) AS timestamp FROM blocks');
  if (latest?.timestamp === null || latest?.timestamp === undefined) return { bucketSeconds, buckets: [] };
  const end = Math.floor(Number(latest.timestamp) / bucketSeconds) * bucketSeconds;
  const start = end - (ACTIVITY_BUCKETS - 1) * bucketSeconds;
  const bucket = `(floor(b.timestamp / $1) * $1)::bigint`;
  const [payments, splits] = await Promise.all([
    db.query(
      `SELECT ${bucket} AS start, count(*) FILTER (WHERE p.kind = 'redemption') AS redemptions,
              coalesce(sum(p.amount) FILTER (WHERE p.kind = 'redemption'), 0) AS paid,
              coalesce(sum(p.amount) FILTER (WHERE p.kind = 'deposit'), 0) AS deposited
       FROM payments p JOIN blocks b ON b.number = p.block_number WHERE b.timestamp >= $2 GROUP BY 1`,
      [bucketSeconds, start],
    ),
    db.query(
      `SELECT ${bucket} AS start, coalesce(sum((o.details->>'protocolFee')::numeric), 0) AS protocol_fee,
              coalesce(sum((o.details->>'royalty')::numeric), 0) AS royalty
       FROM payouts o JOIN blocks b ON b.number = o.block_number WHERE o.kind = 'payment_split' AND b.timestamp >= $2 GROUP BY 1`,
      [bucketSeconds, start],
    ),
  ]);
  const paymentsAt = new Map(payments.map((r) => [Number(r.start), r]));
  const splitsAt = new Map(splits.map((r) => [Number(r.start), r]));
  const buckets = Array.from({ length: ACTIVITY_BUCKETS }, (_, i) => {
    const at = start + i * bucketSeconds;
    const p = paymentsAt.get(at);
    const s = splitsAt.get(at);
    return {
      start: at,
      redemptions: Number(p?.redemptions ?? 0),
      paid: text(p?.paid),
      deposited: text(p?.deposited),
      protocolFee: text(s?.protocol_fee),
      royalty: text(s?.royalty),
    };
  });
  return { bucketSeconds, buckets };
}
