// Reads of the index API (docs/indexer.md), which serves this dashboard on the same
// origin. Every answer other than 2xx carries { error: { code, message, details } };
// it is thrown as an ApiError so that a page can show what was wrong.
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: string[],
  ) {
    super(message);
  }
}

export async function getJson<T>(path: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { headers: { accept: 'application/json' } });
  } catch (cause) {
    throw new ApiError(0, 'INDEX_UNREACHABLE', 'The index API does not answer: is `trellis up` (or `trellis indexer`) still running?', [String(cause)]);
  }
  const body = (await response.json().catch(() => null)) as { error?: { code: string; message: string; details?: string[] } } | null;
  if (!response.ok) {
    const error = body?.error;
    throw new ApiError(response.status, error?.code ?? 'HTTP_ERROR', error?.message ?? `The index API answered ${response.status}.`, error?.details ?? []);
  }
  return body as T;
}

export type Page<T> = { items: T[]; nextCursor: string | null };

export type Status = {
  chainId: number;
  deploymentBlock: number;
  indexedBlock: number;
  head: number | null;
  confirmations: number;
  lag: number | null;
  skippedLogs: number;
  failures: number;
  lastError: string | null;
};

/** A list row carries what the providers page shows: prices (with the model's metadata URI, for its name), the latest slashes, reputation per tag. */
export type Provider = {
  address: string;
  endpoint: string;
  activeStake: string;
  unbondingStake: string;
  slashedTotal: string;
  slashCount: number;
  jailedUntil: number | null;
  openDisputes: number;
  registeredBlock: number;
  prices: (Price & { metadataURI: string | null })[];
  slashes: Slash[];
  reputation: ReputationScore[];
};
export type Price = { provider: string; modelId: string; price: string; updatedBlock: number };
export type Slash = { blockNumber: number; txHash: string; recipient: string; requested: string; fromActive: string; fromUnbonding: string };

export type Model = {
  id: string;
  owner: string;
  contentHash: string;
  metadataURI: string;
  royaltyBps: number;
  pendingRoyalty: { royaltyBps: number; effectiveAt: number } | null;
  deprecated: boolean;
  publishedBlock: number;
};
/** A model as its list row carries it: the providers pricing it and what its redemptions earned. */
export type ListedModel = Model & { prices: Price[]; earnings: Split & { redemptions: number } };

export type Payment = {
  blockNumber: number;
  logIndex: number;
  txHash: string;
  kind: 'deposit' | 'withdrawal_requested' | 'withdrawal' | 'redemption' | 'claim';
  account: string;
  provider: string | null;
  modelId: string | null;
  amount: string;
  balance: string | null;
  cumulativeAmount: string | null;
  shortfall: string | null;
};

export type Dispute = {
  id: string;
  challenger: string;
  provider: string;
  receiptId: string;
  client: string;
  modelId: string;
  bond: string;
  lastMove: string;
  deadline: number;
  resolved: boolean;
  providerLost: boolean | null;
  outcome: number | null;
  winner: string | null;
  openedBlock: number;
};
export type Move = { blockNumber: number; logIndex: number; txHash: string; name: string; args: Record<string, unknown> };
export type Payout = { blockNumber: number; logIndex: number; kind: string; account: string | null; amount: string; details: Record<string, unknown> };
/** A dispute as its list row carries it: every move and payout. */
export type ListedDispute = Dispute & { moves: Move[]; payouts: Payout[] };

export type IndexedEvent = { blockNumber: number; logIndex: number; txHash: string; contract: string; name: string; args: Record<string, unknown> };

export type Split = { providerAmount: string; royalty: string; protocolFee: string };
export type Overview = {
  providers: { count: number; activeStake: string; slashedTotal: string; slashes: number };
  models: { count: number; deprecated: number };
  disputes: { open: number; resolved: number; providerLost: number };
  escrow: { deposited: string; withdrawn: string; redeemed: string; redemptions: number };
  fees: Split;
  earningsByModel: (Split & { modelId: string; redemptions: number })[];
  earningsByProvider: (Split & { provider: string; redemptions: number })[];
  latestBlockTime: number | null;
};
export type Activity = {
  bucketSeconds: number;
  buckets: { start: number; redemptions: number; paid: string; deposited: string; protocolFee: string; royalty: string }[];
};

export type SearchResult = {
  hash: string;
  transaction: { txHash: string; blockNumber: number; events: IndexedEvent[]; payments: Payment[] } | null;
  receipt: { receiptId: string; disputes: Dispute[] } | null;
  dispute: Dispute | null;
  model: Model | null;
};

export type Strength = 'strong' | 'moderate' | 'weak';
export type GridCell = { id: string; property: string; axis: string; strength: Strength; why: string };
export type CellEvaluation = { id: string; strength: Strength; aligned: boolean; evidence: number; claimed: boolean; mechanisms: string[] };
export type Evaluation = { name: string; category: string; cells: CellEvaluation[]; alignment: number; evidence: number | null };
export type Matrix = { grid: GridCell[]; trellis: Evaluation; catalog: { id: string; evaluation: Evaluation }[] };

export type Validation = { requestHash: string; validator: string; agentId: number; requestURI: string; response: number | null; tag: string | null };
/** A list row carries the agent's latest validations, so the page needs no read per agent. */
export type Agent = { id: number; owner: string; uri: string; wallet: string | null; registeredBlock: number; validations: Validation[] };
export type ReputationScore = { subject: string; tag: string; entries: number; total: string };
export type SpendPermission = {
  hash: string;
  account: string;
  spender: string;
  allowance: string;
  period: number;
  start: number;
  end: number;
  revoked: boolean;
  spentTotal: string;
  /** Lists only: the latest period anything was spent in. */
  currentPeriod?: SpendPeriod | null;
};
export type SpendPeriod = { start: number; end: number; spent: string };
export type SpendPayment = {
  blockNumber: number;
  logIndex: number;
  txHash: string;
  permission: string;
  account: string | null;
  spender: string | null;
  payee: string;
  amount: string;
};
export type ReputationSubject = { subject: string; entries: number; total: string; byTag: Record<string, string> };

/** A task as its list row carries it: participants, the latest rounds with their submissions and demands, the latest outcomes. */
export type TrainingTask = {
  id: number;
  owner: string;
  aggregator: string;
  rewardPool: string;
  rounds: number;
  participants: number;
  initialModelCid: string;
  finishedAt: number | null;
  closed: boolean;
  modelId: string | null;
  participantList: { account: string; index: number; examples: number; slashed: boolean }[];
  roundList: TrainingRound[];
  /** Rounds indexed; roundList holds the latest of them. */
  roundCount: number;
  outcomes: TrainingOutcome[];
  outcomeCount: number;
};
export type Demand = {
  id: number;
  taskId: number;
  round: number;
  demander: string;
  target: number | 'aggregate';
  index: number;
  bond: string;
  deadline: number;
  status: 'pending' | 'answered' | 'unanswered';
  answerer: string | null;
  value: string | null;
  challengeEnd: number | null;
  voided: boolean | null;
  demandedBlock: number;
  settledBlock: number | null;
};
export type TrainingRound = {
  round: number;
  status: string;
  submissions: { account: string; index: number; root: string; cid: string }[];
  /** The latest demands; demandCount counts them all. */
  demands: Demand[];
  demandCount: number;
  aggregate: { root: string; cid: string; challengeEnd: number } | null;
  scores: { scoreSum: string; roundPool: string; paid: string } | null;
};
export type TrainingOutcome = { blockNumber: number; logIndex: number; kind: string; round: number | null; account: string | null; amount: string };

export type GatewayProvider = { address: string; latencyMs: number | null; errorRate: number; healthy: boolean; healthReason: string; served: number };
export type GatewaySummary = {
  requests: number;
  failed: number;
  errorRate: number | null;
  requestsPerSecond: number;
  windowSeconds: number;
  latestAt: number | null;
  providers: GatewayProvider[];
};

export type ZkVerifier = {
  modelId: string;
  metadataURI: string | null;
  verifier: string;
  commitment: string;
  registrations: number;
  registeredBlock: number;
  results: number;
  requests: number;
};
export type ZkRequest = {
  gateway: string;
  seq: number;
  at: number;
  requestHash: string | null;
  modelId: string | null;
  providers: string[];
  latencyMs: number;
  status: string;
  proofStatus: 'bound' | 'refused';
};
export type ZkResult = { blockNumber: number; logIndex: number; txHash: string; modelId: string; ioHash: string; commitment: string; submitter: string };
export type ZkSlash = {
  blockNumber: number;
  logIndex: number;
  txHash: string;
  receiptId: string;
  provider: string;
  reporter: string;
  slashed: string;
  reward: string;
};

/** Query keys and their paths: one place, so that live updates know what to refresh. One read per table: lists whose rows carry what a page shows. */
export const paths = {
  status: '/v1/status',
  overview: '/v1/overview',
  activity: '/v1/activity?bucket=10',
  providers: '/v1/providers?limit=100',
  models: '/v1/models?limit=100',
  disputes: '/v1/disputes?limit=100',
  payments: (kind: string) => `/v1/payments?limit=50${kind === 'all' ? '' : `&kind=${kind}`}`,
  search: (hash: string) => `/v1/search/${encodeURIComponent(hash)}`,
  matrix: '/v1/matrix',
  agents: '/v1/agents?limit=100',
  spendPermissions: '/v1/spend-permissions?limit=100',
  spendPayments: '/v1/spend-payments?limit=50',
  reputation: '/v1/reputation?limit=100',
  trainingTasks: '/v1/fl/tasks?limit=100',
  gateway: '/v1/gateway',
  zkVerifiers: '/v1/zk/verifiers?limit=100',
  zkRequests: '/v1/zk/requests?limit=50',
  zkResults: '/v1/zk/results?limit=50',
  zkSlashes: '/v1/zk/slashes?limit=50',
} as const;
