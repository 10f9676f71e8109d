-- The index of one deployment. Addresses are stored checksummed, hashes as lowercase
-- 0x-hex, token amounts as NUMERIC in base units (uint256 does not fit BIGINT).

-- What was indexed: the chain (its id and genesis hash) and the deployment. A chain
-- or deployment that no longer matches makes the indexer start over.
CREATE TABLE indexer_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  chain_id BIGINT NOT NULL,
  genesis_hash TEXT NOT NULL,
  deployment_block BIGINT NOT NULL,
  contracts JSONB NOT NULL,
  -- The last block whose logs are all stored: the next range starts after it.
  indexed_block BIGINT NOT NULL,
  skipped_logs BIGINT NOT NULL DEFAULT 0
);

-- Blocks holding indexed events, plus the last block of every indexed range, so that
-- a reorg is found by comparing stored hashes with the chain's.
CREATE TABLE blocks (
  number BIGINT PRIMARY KEY,
  hash TEXT NOT NULL UNIQUE,
  parent_hash TEXT NOT NULL,
  timestamp BIGINT NOT NULL
);

-- Every event of every Trellis contract, decoded. The projections below derive from
-- these rows alone.
CREATE TABLE raw_events (
  block_number BIGINT NOT NULL REFERENCES blocks (number) ON DELETE CASCADE,
  log_index INTEGER NOT NULL,
  tx_hash TEXT NOT NULL,
  contract TEXT NOT NULL,
  address TEXT NOT NULL,
  name TEXT NOT NULL,
  args JSONB NOT NULL,
  PRIMARY KEY (block_number, log_index)
);
CREATE INDEX raw_events_by_name ON raw_events (contract, name, block_number, log_index);

-- Logs from Trellis addresses that could not be decoded: recorded, counted, skipped.
CREATE TABLE skipped_logs (
  block_number BIGINT NOT NULL REFERENCES blocks (number) ON DELETE CASCADE,
  log_index INTEGER NOT NULL,
  tx_hash TEXT NOT NULL,
  address TEXT NOT NULL,
  reason TEXT NOT NULL,
  PRIMARY KEY (block_number, log_index)
);

-- Projections, rebuilt from raw_events after a rewind (docs/indexer.md).
CREATE TABLE providers (
  address TEXT PRIMARY KEY,
  endpoint TEXT NOT NULL,
  pub_key TEXT NOT NULL,
  active_stake NUMERIC(78, 0) NOT NULL,
  unbonding_stake NUMERIC(78, 0) NOT NULL DEFAULT 0,
  withdrawn_stake NUMERIC(78, 0) NOT NULL DEFAULT 0,
  slashed_total NUMERIC(78, 0) NOT NULL DEFAULT 0,
  slash_count INTEGER NOT NULL DEFAULT 0,
  jailed_until BIGINT NOT NULL DEFAULT 0,
  open_disputes INTEGER NOT NULL DEFAULT 0,
  registered_block BIGINT NOT NULL,
  updated_block BIGINT NOT NULL
);

CREATE TABLE provider_prices (
  provider TEXT NOT NULL,
  model_id TEXT NOT NULL,
  price NUMERIC(78, 0) NOT NULL,
  updated_block BIGINT NOT NULL,
  PRIMARY KEY (provider, model_id)
);

CREATE TABLE models (
  id TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  weight_commitment TEXT NOT NULL,
  metadata_uri TEXT NOT NULL,
  royalty_bps INTEGER NOT NULL,
  pending_royalty_bps INTEGER,
  pending_royalty_at BIGINT,
  input_size INTEGER,
  row_count INTEGER,
  layer_count INTEGER,
  deprecated BOOLEAN NOT NULL DEFAULT FALSE,
  published_block BIGINT NOT NULL,
  published_tx TEXT NOT NULL,
  updated_block BIGINT NOT NULL
);
CREATE INDEX models_by_owner ON models (owner);

-- Money in and out of escrow: deposits, withdrawal requests, withdrawals, voucher
-- redemptions (paid and shortfall) and claims of earnings.
CREATE TABLE payments (
  block_number BIGINT NOT NULL,
  log_index INTEGER NOT NULL,
  tx_hash TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('deposit', 'withdrawal_requested', 'withdrawal', 'redemption', 'claim')),
  account TEXT NOT NULL,
  provider TEXT,
  model_id TEXT,
  amount NUMERIC(78, 0) NOT NULL,
  balance NUMERIC(78, 0),
  cumulative_amount NUMERIC(78, 0),
  shortfall NUMERIC(78, 0),
  PRIMARY KEY (block_number, log_index)
);
CREATE INDEX payments_by_account ON payments (account, block_number, log_index);
CREATE INDEX payments_by_provider ON payments (provider, block_number, log_index);

CREATE TABLE disputes (
  id TEXT PRIMARY KEY,
  challenger TEXT NOT NULL,
  provider TEXT NOT NULL,
  receipt_id TEXT NOT NULL,
  client TEXT NOT NULL,
  model_id TEXT NOT NULL,
  bond NUMERIC(78, 0) NOT NULL,
  last_move TEXT NOT NULL,
  deadline BIGINT NOT NULL,
  resolved BOOLEAN NOT NULL DEFAULT FALSE,
  provider_lost BOOLEAN,
  outcome INTEGER,
  winner TEXT,
  opened_block BIGINT NOT NULL,
  opened_tx TEXT NOT NULL,
  updated_block BIGINT NOT NULL
);
CREATE INDEX disputes_by_provider ON disputes (provider);

-- Every step of a dispute's bisection game, in order.
CREATE TABLE dispute_moves (
  block_number BIGINT NOT NULL,
  log_index INTEGER NOT NULL,
  tx_hash TEXT NOT NULL,
  dispute_id TEXT NOT NULL,
  name TEXT NOT NULL,
  args JSONB NOT NULL,
  PRIMARY KEY (block_number, log_index)
);
CREATE INDEX dispute_moves_by_dispute ON dispute_moves (dispute_id, block_number, log_index);

CREATE TABLE slashes (
  block_number BIGINT NOT NULL,
  log_index INTEGER NOT NULL,
  tx_hash TEXT NOT NULL,
  provider TEXT NOT NULL,
  recipient TEXT NOT NULL,
  slasher TEXT NOT NULL,
  requested NUMERIC(78, 0) NOT NULL,
  from_active NUMERIC(78, 0) NOT NULL,
  from_unbonding NUMERIC(78, 0) NOT NULL,
  PRIMARY KEY (block_number, log_index)
);
CREATE INDEX slashes_by_provider ON slashes (provider);

-- Who received what from a dispute or a payment: penalties split, forfeited bonds,
-- credits and claims, refunds, and the provider/royalty/fee split of a redemption.
CREATE TABLE payouts (
  block_number BIGINT NOT NULL,
  log_index INTEGER NOT NULL,
  tx_hash TEXT NOT NULL,
  contract TEXT NOT NULL,
  kind TEXT NOT NULL,
  account TEXT,
  dispute_id TEXT,
  amount NUMERIC(78, 0) NOT NULL,
  details JSONB NOT NULL,
  PRIMARY KEY (block_number, log_index)
);
