-- Projections of the agent contracts (docs/agents.md) and of federated training
-- (docs/fl.md), rebuilt from raw_events like the others. Agent, task and round ids
-- are small counters and fit BIGINT.

-- Spend permissions as approved on chain, keyed by their EIP-712 hash.
CREATE TABLE spend_permissions (
  hash TEXT PRIMARY KEY,
  account TEXT NOT NULL,
  spender TEXT NOT NULL,
  token TEXT NOT NULL,
  allowance NUMERIC(78, 0) NOT NULL,
  period BIGINT NOT NULL,
  starts_at BIGINT NOT NULL,
  ends_at BIGINT NOT NULL,
  salt NUMERIC(78, 0) NOT NULL,
  extra_data TEXT NOT NULL,
  revoked BOOLEAN NOT NULL DEFAULT FALSE,
  spent_total NUMERIC(78, 0) NOT NULL DEFAULT 0,
  approved_block BIGINT NOT NULL,
  updated_block BIGINT NOT NULL
);
CREATE INDEX spend_permissions_by_account ON spend_permissions (account);
CREATE INDEX spend_permissions_by_spender ON spend_permissions (spender);

-- What each period of a permission has spent so far (the contract's PeriodSpend).
CREATE TABLE spend_periods (
  hash TEXT NOT NULL,
  period_start BIGINT NOT NULL,
  period_end BIGINT NOT NULL,
  spent NUMERIC(78, 0) NOT NULL,
  updated_block BIGINT NOT NULL,
  PRIMARY KEY (hash, period_start)
);

-- Every payment an agent made under a permission, and every kill switch pulled.
CREATE TABLE spend_payments (
  block_number BIGINT NOT NULL,
  log_index INTEGER NOT NULL,
  tx_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  account TEXT,
  spender TEXT,
  payee TEXT NOT NULL,
  amount NUMERIC(78, 0) NOT NULL,
  PRIMARY KEY (block_number, log_index)
);
CREATE INDEX spend_payments_by_hash ON spend_payments (hash, block_number, log_index);

CREATE TABLE spend_kills (
  account TEXT PRIMARY KEY,
  epoch BIGINT NOT NULL,
  updated_block BIGINT NOT NULL
);

-- Agent identities: the owner, the URI and the wallet (the reserved agentWallet key).
CREATE TABLE agents (
  id BIGINT PRIMARY KEY,
  owner TEXT NOT NULL,
  uri TEXT NOT NULL,
  wallet TEXT,
  metadata JSONB NOT NULL DEFAULT '{}',
  registered_block BIGINT NOT NULL,
  registered_tx TEXT NOT NULL,
  updated_block BIGINT NOT NULL
);
CREATE INDEX agents_by_owner ON agents (owner);

CREATE TABLE validations (
  request_hash TEXT PRIMARY KEY,
  validator TEXT NOT NULL,
  agent_id BIGINT NOT NULL,
  request_uri TEXT NOT NULL,
  response INTEGER,
  response_uri TEXT,
  response_hash TEXT,
  tag TEXT,
  requested_block BIGINT NOT NULL,
  responded_block BIGINT
);
CREATE INDEX validations_by_agent ON validations (agent_id);

-- Every feedback entry, and per subject and tag the count and sum (the score).
CREATE TABLE reputation_feedback (
  block_number BIGINT NOT NULL,
  log_index INTEGER NOT NULL,
  tx_hash TEXT NOT NULL,
  subject TEXT NOT NULL,
  source TEXT NOT NULL,
  tag TEXT NOT NULL,
  value NUMERIC(78, 0) NOT NULL,
  evidence TEXT NOT NULL,
  PRIMARY KEY (block_number, log_index)
);
CREATE INDEX reputation_feedback_by_subject ON reputation_feedback (subject, block_number, log_index);

CREATE TABLE reputation_scores (
  subject TEXT NOT NULL,
  tag TEXT NOT NULL,
  entries INTEGER NOT NULL,
  total NUMERIC(78, 0) NOT NULL,
  updated_block BIGINT NOT NULL,
  PRIMARY KEY (subject, tag)
);

CREATE TABLE fl_tasks (
  id BIGINT PRIMARY KEY,
  owner TEXT NOT NULL,
  config JSONB NOT NULL,
  initial_model_cid TEXT NOT NULL,
  aggregator TEXT NOT NULL,
  reward_pool NUMERIC(78, 0) NOT NULL,
  rounds INTEGER NOT NULL,
  participants INTEGER NOT NULL DEFAULT 0,
  aggregator_staked NUMERIC(78, 0),
  finished_at BIGINT,
  model_root TEXT,
  closed BOOLEAN NOT NULL DEFAULT FALSE,
  refunded NUMERIC(78, 0),
  model_id TEXT,
  royalties TEXT,
  created_block BIGINT NOT NULL,
  created_tx TEXT NOT NULL,
  updated_block BIGINT NOT NULL
);

CREATE TABLE fl_participants (
  task_id BIGINT NOT NULL,
  account TEXT NOT NULL,
  member_index INTEGER NOT NULL,
  examples BIGINT NOT NULL,
  dataset_hash TEXT NOT NULL,
  slashed BOOLEAN NOT NULL DEFAULT FALSE,
  returned NUMERIC(78, 0),
  forfeited NUMERIC(78, 0),
  joined_block BIGINT NOT NULL,
  PRIMARY KEY (task_id, account)
);

CREATE TABLE fl_rounds (
  task_id BIGINT NOT NULL,
  round BIGINT NOT NULL,
  opened_at BIGINT,
  submit_end BIGINT,
  status TEXT NOT NULL,
  submissions INTEGER NOT NULL DEFAULT 0,
  aggregate_root TEXT,
  aggregate_cid TEXT,
  excluded JSONB,
  selected JSONB,
  challenge_end BIGINT,
  model_root TEXT,
  score_sum NUMERIC(78, 0),
  round_pool NUMERIC(78, 0),
  paid NUMERIC(78, 0),
  updated_block BIGINT NOT NULL,
  PRIMARY KEY (task_id, round)
);

CREATE TABLE fl_submissions (
  block_number BIGINT NOT NULL,
  log_index INTEGER NOT NULL,
  tx_hash TEXT NOT NULL,
  task_id BIGINT NOT NULL,
  round BIGINT NOT NULL,
  account TEXT NOT NULL,
  member_index INTEGER NOT NULL,
  root TEXT NOT NULL,
  cid TEXT NOT NULL,
  PRIMARY KEY (block_number, log_index)
);
CREATE INDEX fl_submissions_by_round ON fl_submissions (task_id, round);

-- Challenges of aggregates, slashes of aggregators and participants, rewards credited,
-- and money paid out (reward claims from the coordinator, royalties to contributors),
-- each one row per event, told apart by kind.
CREATE TABLE fl_outcomes (
  block_number BIGINT NOT NULL,
  log_index INTEGER NOT NULL,
  tx_hash TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (
    kind IN ('challenge', 'aggregator_slashed', 'participant_slashed', 'reward', 'stake_returned', 'claim', 'royalties_collected', 'royalties_paid')
  ),
  task_id BIGINT,
  round BIGINT,
  account TEXT,
  amount NUMERIC(78, 0) NOT NULL,
  details JSONB NOT NULL,
  PRIMARY KEY (block_number, log_index)
);
CREATE INDEX fl_outcomes_by_task ON fl_outcomes (task_id, block_number, log_index);
