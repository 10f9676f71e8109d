-- What the gateway reports of its own traffic (src/gateway/request-log.ts), taken when
-- the indexer is given a gateway URL. Not chain data: a rewind or a restarted chain
-- leaves it alone. `gateway` is the gateway instance as 0x-hex (its id changes when
-- it restarts and its sequence numbers start over).
CREATE TABLE gateway_requests (
  gateway TEXT NOT NULL,
  seq BIGINT NOT NULL,
  at_ms BIGINT NOT NULL,
  request_hash TEXT,
  model_id TEXT,
  providers JSONB NOT NULL,
  attempts INTEGER,
  latency_ms INTEGER NOT NULL,
  status TEXT NOT NULL,
  verification TEXT,
  PRIMARY KEY (gateway, seq)
);
CREATE INDEX gateway_requests_by_time ON gateway_requests (at_ms);

-- The gateway's latest measurements per provider: moving averages of latency and error
-- rate, and its health check.
CREATE TABLE gateway_provider_stats (
  provider TEXT PRIMARY KEY,
  latency_ms DOUBLE PRECISION,
  error_rate DOUBLE PRECISION NOT NULL,
  healthy BOOLEAN NOT NULL,
  health_reason TEXT NOT NULL,
  updated_ms BIGINT NOT NULL
);
