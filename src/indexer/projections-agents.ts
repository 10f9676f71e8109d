// Projections of the agent contracts (docs/agents.md): spend permissions with what each
// period spent and every payment, agent identities (owner, URI, wallet), validations,
// and reputation entries with a score per subject and tag. Like projections.ts, each
// row derives from events alone, so a rebuild after a rewind yields the same tables.
import { getAddress, hexToString, isAddress, type Hex } from 'viem';
import type { Queryable } from './db/database.ts';
import type { EventArgs, IndexedEvent } from './events.ts';

export type Apply = (tx: Queryable, event: IndexedEvent, a: EventArgs) => Promise<unknown>;

export const agentTables = [
  'spend_permissions',
  'spend_periods',
  'spend_payments',
  'spend_kills',
  'agents',
  'validations',
  'reputation_feedback',
  'reputation_scores',
] as const;

const at = (e: IndexedEvent) => [e.blockNumber, e.logIndex, e.txHash] as const;
const record = (value: unknown) => value as EventArgs;

/** The agentWallet metadata holds 20 address bytes, or nothing once cleared by a transfer. */
function walletOf(value: unknown): string | null {
  const hex = String(value);
  return hex.length === 42 && isAddress(hex, { strict: false }) ? getAddress(hex) : null;
}

/** Reputation tags are short strings in a bytes32, zero-padded on the right. */
export function tagName(tag: unknown): string {
  try {
    const text = hexToString(tag as Hex, { size: 32 }).replace(/\0+$/, '');
    return /^[\x20-\x7e]+$/.test(text) ? text : String(tag);
  } catch {
    return String(tag);
  }
}

export const agentAppliers: Record<string, Apply> = {
  'spendPermissions.SpendPermissionApproved': (tx, e, a) => {
    const p = record(a.spendPermission);
    return tx.query(
      `INSERT INTO spend_permissions (hash, account, spender, token, allowance, period, starts_at, ends_at, salt, extra_data, approved_block, updated_block)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) ON CONFLICT (hash) DO NOTHING`,
      [a.hash, p.account, p.spender, p.token, p.allowance, Number(p.period), Number(p.start), Number(p.end), p.salt, p.extraData, e.blockNumber],
    );
  },
  'spendPermissions.SpendPermissionRevoked': (tx, e, a) =>
    tx.query('UPDATE spend_permissions SET revoked = TRUE, updated_block = $2 WHERE hash = $1', [a.hash, e.blockNumber]),
  'spendPermissions.SpendPermissionUsed': async (tx, e, a) => {
    const period = record(a.periodSpend);
    // The event carries the period's running total; the total spent grows by the difference.
    const [before] = await tx.query<{ spent: string }>('SELECT spent FROM spend_periods WHERE hash = $1 AND period_start = $2', [a.hash, Number(period.start)]);
    await tx.query(
      `INSERT INTO spend_periods (hash, period_start, period_end, spent, updated_block) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (hash, period_start) DO UPDATE SET spent = $4, updated_block = $5`,
      [a.hash, Number(period.start), Number(period.end), period.spend, e.blockNumber],
    );
    await tx.query('UPDATE spend_permissions SET spent_total = spent_total + $2::numeric - $3::numeric, updated_block = $4 WHERE hash = $1', [
      a.hash,
      period.spend,
      before?.spent ?? '0',
      e.blockNumber,
    ]);
  },
  'spendPermissions.SpendPaid': (tx, e, a) =>
    tx.query(
      `INSERT INTO spend_payments (block_number, log_index, tx_hash, hash, account, spender, payee, amount)
       SELECT $1, $2, $3, $4, p.account, p.spender, $5, $6 FROM (SELECT 1) one LEFT JOIN spend_permissions p ON p.hash = $4`,
      [...at(e), a.hash, a.payee, a.value],
    ),
  'spendPermissions.SpendPermissionsKilled': (tx, e, a) =>
    tx.query(
      `INSERT INTO spend_kills (account, epoch, updated_block) VALUES ($1, $2, $3)
       ON CONFLICT (account) DO UPDATE SET epoch = $2, updated_block = $3`,
      [a.account, Number(a.newEpoch), e.blockNumber],
    ),

  'agentIdentity.Registered': (tx, e, a) =>
    tx.query(
      `INSERT INTO agents (id, owner, uri, registered_block, registered_tx, updated_block) VALUES ($1, $2, $3, $4, $5, $4)
       ON CONFLICT (id) DO UPDATE SET owner = $2, uri = $3, updated_block = $4`,
      [Number(a.agentId), a.owner, a.agentURI, e.blockNumber, e.txHash],
    ),
  'agentIdentity.URIUpdated': (tx, e, a) =>
    tx.query('UPDATE agents SET uri = $2, updated_block = $3 WHERE id = $1', [Number(a.agentId), a.newURI, e.blockNumber]),
  'agentIdentity.MetadataSet': (tx, e, a) =>
    a.metadataKey === 'agentWallet'
      ? tx.query('UPDATE agents SET wallet = $2, updated_block = $3 WHERE id = $1', [Number(a.agentId), walletOf(a.metadataValue), e.blockNumber])
      : tx.query('UPDATE agents SET metadata = metadata || jsonb_build_object($2::text, $3::text), updated_block = $4 WHERE id = $1', [
          Number(a.agentId),
          a.metadataKey,
          a.metadataValue,
          e.blockNumber,
        ]),
  // A mint precedes Registered (no row yet); a later transfer moves the identity.
  'agentIdentity.Transfer': (tx, e, a) => tx.query('UPDATE agents SET owner = $2, updated_block = $3 WHERE id = $1', [Number(a.tokenId), a.to, e.blockNumber]),

  'validationRegistry.ValidationRequest': (tx, e, a) =>
    tx.query(
      `INSERT INTO validations (request_hash, validator, agent_id, request_uri, requested_block) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (request_hash) DO NOTHING`,
      [a.requestHash, a.validatorAddress, Number(a.agentId), a.requestURI, e.blockNumber],
    ),
  'validationRegistry.ValidationResponse': (tx, e, a) =>
    tx.query('UPDATE validations SET response = $2, response_uri = $3, response_hash = $4, tag = $5, responded_block = $6 WHERE request_hash = $1', [
      a.requestHash,
      Number(a.response),
      a.responseURI,
      a.responseHash,
      a.tag,
      e.blockNumber,
    ]),

  'reputationRegistry.NewFeedback': async (tx, e, a) => {
    const tag = tagName(a.tag);
    await tx.query(
      `INSERT INTO reputation_feedback (block_number, log_index, tx_hash, subject, source, tag, value, evidence)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [...at(e), a.subject, a.source, tag, a.value, a.evidence],
    );
    await tx.query(
      `INSERT INTO reputation_scores (subject, tag, entries, total, updated_block) VALUES ($1, $2, 1, $3, $4)
       ON CONFLICT (subject, tag) DO UPDATE SET entries = reputation_scores.entries + 1, total = reputation_scores.total + $3::numeric, updated_block = $4`,
      [a.subject, tag, a.value, e.blockNumber],
    );
  },
};
