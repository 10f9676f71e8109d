// Projections of zk verification (docs/zk.md): each model's registered verifier and
// Poseidon weight commitment, the results whose proof ZkRegistry checked and recorded,
// and the providers ZkReceiptSlasher slashed for a signed zk receipt whose proof fails.
// The slash itself also reaches ProviderRegistry (ProviderSlashed, in `slashes`); the
// row here names the receipt and the reporter.
import type { IndexedEvent } from './events.ts';
import type { Apply } from './projections-agents.ts';

export const zkTables = ['zk_verifiers', 'zk_results', 'zk_slashes'] as const;

const at = (e: IndexedEvent) => [e.blockNumber, e.logIndex, e.txHash] as const;

export const zkAppliers: Record<string, Apply> = {
  // A model's owner may register again (a new key): the latest registration is the one that counts.
  'zkRegistry.VerifierRegistered': (tx, e, a) =>
    tx.query(
      `INSERT INTO zk_verifiers (model_id, verifier, commitment, registered_block, registered_tx) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (model_id) DO UPDATE SET verifier = $2, commitment = $3, registered_block = $4, registered_tx = $5,
         registrations = zk_verifiers.registrations + 1`,
      [String(a.modelId).toLowerCase(), a.verifier, a.poseidonCommitment, e.blockNumber, e.txHash],
    ),
  'zkRegistry.ResultVerified': (tx, e, a) =>
    tx.query(`INSERT INTO zk_results (block_number, log_index, tx_hash, model_id, io_hash, commitment, submitter) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
      ...at(e),
      String(a.modelId).toLowerCase(),
      a.ioHash,
      a.poseidonCommitment,
      a.submitter,
    ]),
  'zkReceiptSlasher.ZkReceiptSlashed': (tx, e, a) =>
    tx.query(
      `INSERT INTO zk_slashes (block_number, log_index, tx_hash, receipt_id, provider, reporter, slashed, reward) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [...at(e), String(a.receiptId).toLowerCase(), a.provider, a.reporter, a.slashed, a.reward],
    ),
};
