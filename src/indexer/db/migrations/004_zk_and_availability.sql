-- zk verification (docs/zk.md) and the availability game of federated training
-- (docs/fl.md, "Data availability: demand and open"). Like every projection, each table
-- is derived from raw_events alone and rebuilt from them after a rewind.

-- A model's verifier and Poseidon weight commitment as last registered in ZkRegistry;
-- `registrations` counts how often the owner (re)registered one.
CREATE TABLE zk_verifiers (
  model_id TEXT PRIMARY KEY,
  verifier TEXT NOT NULL,
  commitment NUMERIC(78, 0) NOT NULL,
  registrations INTEGER NOT NULL DEFAULT 1,
  registered_block BIGINT NOT NULL,
  registered_tx TEXT NOT NULL
);

-- Results whose proof ZkRegistry.verifyAndRecord checked on chain and recorded.
CREATE TABLE zk_results (
  block_number BIGINT NOT NULL,
  log_index INTEGER NOT NULL,
  tx_hash TEXT NOT NULL,
  model_id TEXT NOT NULL,
  io_hash NUMERIC(78, 0) NOT NULL,
  commitment NUMERIC(78, 0) NOT NULL,
  submitter TEXT NOT NULL,
  PRIMARY KEY (block_number, log_index)
);
CREATE INDEX zk_results_by_model ON zk_results (model_id, block_number, log_index);

-- Providers slashed by ZkReceiptSlasher: a signed zk receipt whose proof fails.
CREATE TABLE zk_slashes (
  block_number BIGINT NOT NULL,
  log_index INTEGER NOT NULL,
  tx_hash TEXT NOT NULL,
  receipt_id TEXT NOT NULL,
  provider TEXT NOT NULL,
  reporter TEXT NOT NULL,
  slashed NUMERIC(78, 0) NOT NULL,
  reward NUMERIC(78, 0) NOT NULL,
  PRIMARY KEY (block_number, log_index)
);

-- Demands that an element of a committed update (target = participant index) or of the
-- aggregate (target 4294967295) be opened; then answered (by whom, with what value) or
-- left unanswered (the committer slashed, the post void when it still stood).
CREATE TABLE fl_demands (
  demand_id BIGINT PRIMARY KEY,
  task_id BIGINT NOT NULL,
  round BIGINT NOT NULL,
  demander TEXT NOT NULL,
  target BIGINT NOT NULL,
  element_index BIGINT NOT NULL,
  bond NUMERIC(78, 0) NOT NULL,
  deadline BIGINT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'answered', 'unanswered')),
  answerer TEXT,
  opened_value NUMERIC(78, 0),
  challenge_end BIGINT,
  voided BOOLEAN,
  demanded_block BIGINT NOT NULL,
  demanded_tx TEXT NOT NULL,
  settled_block BIGINT,
  settled_tx TEXT
);
CREATE INDEX fl_demands_by_round ON fl_demands (task_id, round, demand_id);
