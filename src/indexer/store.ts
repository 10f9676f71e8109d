// The indexer's writes: its state row, stored blocks and events, and the two ways of
// undoing them, a rewind to a block (orphaned blocks deleted, projections rebuilt)
// and a wipe (a chain or deployment that is not the one indexed).
import type { Database, Queryable } from './db/database.ts';
import type { IndexedEvent } from './events.ts';
import type { BlockHeader } from './chain-reader.ts';
import { applyEvent, projectionTables, rebuildProjections } from './projections.ts';

export type ChainIdentity = { chainId: number; genesisHash: string; deploymentBlock: number; contracts: Record<string, string> };

export type IndexerState = ChainIdentity & { indexedBlock: number; skippedLogs: number };

export type SkippedLog = { blockNumber: number; logIndex: number; txHash: string; address: string; reason: string };

export async function readState(db: Queryable): Promise<IndexerState | undefined> {
  const [row] = await db.query<{
    chain_id: number;
    genesis_hash: string;
    deployment_block: number;
    contracts: Record<string, string>;
    indexed_block: number;
    skipped_logs: number;
  }>('SELECT chain_id, genesis_hash, deployment_block, contracts, indexed_block, skipped_logs FROM indexer_state WHERE id = 1');
  if (!row) return undefined;
  return {
    chainId: Number(row.chain_id),
    genesisHash: row.genesis_hash,
    deploymentBlock: Number(row.deployment_block),
    contracts: row.contracts,
    indexedBlock: Number(row.indexed_block),
    skippedLogs: Number(row.skipped_logs),
  };
}

/** Empties the whole index and records the chain it now follows, nothing indexed yet. */
export async function startIndex(tx: Queryable, identity: ChainIdentity): Promise<void> {
  await tx.exec(`TRUNCATE indexer_state, blocks, raw_events, skipped_logs, ${projectionTables.join(', ')}`);
  await tx.query('INSERT INTO indexer_state (id, chain_id, genesis_hash, deployment_block, contracts, indexed_block) VALUES (1, $1, $2, $3, $4, $5)', [
    identity.chainId,
    identity.genesisHash,
    identity.deploymentBlock,
    JSON.stringify(identity.contracts),
    identity.deploymentBlock - 1,
  ]);
}

export type StoredRange = { blocks: BlockHeader[]; events: IndexedEvent[]; skipped: SkippedLog[]; toBlock: number };

export async function storeRange(db: Database, range: StoredRange): Promise<void> {
  await db.transaction(async (tx) => {
    for (const b of range.blocks) {
      await tx.query('INSERT INTO blocks (number, hash, parent_hash, timestamp) VALUES ($1, $2, $3, $4)', [b.number, b.hash, b.parentHash, b.timestamp]);
    }
    for (const e of range.events) {
      await tx.query('INSERT INTO raw_events (block_number, log_index, tx_hash, contract, address, name, args) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
        e.blockNumber,
        e.logIndex,
        e.txHash,
        e.contract,
        e.address,
        e.name,
        JSON.stringify(e.args),
      ]);
      await applyEvent(tx, e);
    }
    for (const s of range.skipped) {
      await tx.query('INSERT INTO skipped_logs (block_number, log_index, tx_hash, address, reason) VALUES ($1, $2, $3, $4, $5)', [
        s.blockNumber,
        s.logIndex,
        s.txHash,
        s.address,
        s.reason,
      ]);
    }
    await tx.query('UPDATE indexer_state SET indexed_block = $1, skipped_logs = skipped_logs + $2 WHERE id = 1', [range.toBlock, range.skipped.length]);
  });
}

/** Stored blocks at or below `atOrBelow`, newest first: the candidates for a common ancestor. */
export async function storedBlocks(db: Queryable, atOrBelow: number, limit: number): Promise<{ number: number; hash: string }[]> {
  const rows = await db.query<{ number: number; hash: string }>('SELECT number, hash FROM blocks WHERE number <= $1 ORDER BY number DESC LIMIT $2', [
    atOrBelow,
    limit,
  ]);
  return rows.map((r) => ({ number: Number(r.number), hash: r.hash }));
}

export async function storedBlock(db: Queryable, number: number): Promise<{ number: number; hash: string } | undefined> {
  return (await storedBlocks(db, number, 1)).find((b) => b.number === number);
}

/**
 * Forgets everything after block `keep` in one transaction: the orphaned blocks with
 * their events and skipped logs (ON DELETE CASCADE), then every projection rebuilt
 * from the events that remain. Returns how many events were removed.
 */
export async function rewindTo(db: Database, keep: number): Promise<number> {
  return db.transaction(async (tx) => {
    const [removed] = await tx.query<{ count: number }>('SELECT count(*)::int AS count FROM raw_events WHERE block_number > $1', [keep]);
    await tx.query('DELETE FROM blocks WHERE number > $1', [keep]);
    await tx.query('UPDATE indexer_state SET indexed_block = $1, skipped_logs = (SELECT count(*) FROM skipped_logs) WHERE id = 1', [keep]);
    await rebuildProjections(tx);
    return removed?.count ?? 0;
  });
}

/** The royalty splitters of published final models, whose events are indexed beside the deployment's. */
export async function royaltyAddresses(db: Queryable): Promise<string[]> {
  const rows = await db.query<{ royalties: string }>('SELECT royalties FROM fl_tasks WHERE royalties IS NOT NULL');
  return rows.map((r) => r.royalties);
}
