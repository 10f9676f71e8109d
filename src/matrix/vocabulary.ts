// The fixed words the matrix speaks in: the two axes, the nine cell ids, the
// mechanisms a project can rely on, the roles a token can play, project categories.
// Profiles are validated against these lists, so a typo is an error, not a new word.

/** The three properties of decentralized AI (rows of the grid). */
export const PROPERTIES = ['verifiability', 'privacy', 'performance'] as const;
export type Property = (typeof PROPERTIES)[number];

/** The blockchain trilemma (columns of the grid). */
export const AXES = ['security', 'scalability', 'decentralization'] as const;
export type Axis = (typeof AXES)[number];

export type CellId = `${Property}/${Axis}`;
export const CELL_IDS: readonly CellId[] = PROPERTIES.flatMap((p) => AXES.map((a) => `${p}/${a}` as CellId));

export function cellId(property: Property, axis: Axis): CellId {
  return `${property}/${axis}`;
}

export function splitCellId(id: CellId): { property: Property; axis: Axis } {
  const [property, axis] = id.split('/') as [Property, Axis];
  return { property, axis };
}

export const MECHANISMS = [
  'zk proofs',
  'optimistic verification / dispute games',
  'redundant execution',
  'TEEs',
  'MPC and secure aggregation',
  'federated learning',
  'differential privacy',
  'homomorphic encryption',
  'end-to-end encryption',
  'compute-to-data',
  'staking and slashing',
  'reputation and scoring',
  'distributed compute',
  'load balancing and routing',
  'batched settlement',
  'on-chain payments',
  'agent wallets and spending limits',
  'on-chain registry',
  'storage proofs',
  'data marketplace contracts',
  'token-curated incentives',
] as const;
export type Mechanism = (typeof MECHANISMS)[number];

/**
 * What each mechanism is good for. `verifies`: it lets someone check a result;
 * `private`: it keeps data or weights from the party computing on them;
 * `onChain`: it is enforced by a contract or the chain itself, which is what the
 * agent-wrapper rule looks for.
 */
export const MECHANISM_TRAITS: Readonly<Record<Mechanism, { verifies: boolean; private: boolean; onChain: boolean }>> = {
  'zk proofs': { verifies: true, private: true, onChain: true },
  'optimistic verification / dispute games': { verifies: true, private: false, onChain: true },
  'redundant execution': { verifies: true, private: false, onChain: false },
  TEEs: { verifies: true, private: true, onChain: false },
  'MPC and secure aggregation': { verifies: false, private: true, onChain: false },
  'federated learning': { verifies: false, private: true, onChain: false },
  'differential privacy': { verifies: false, private: true, onChain: false },
  'homomorphic encryption': { verifies: false, private: true, onChain: false },
  'end-to-end encryption': { verifies: false, private: true, onChain: false },
  'compute-to-data': { verifies: false, private: true, onChain: false },
  'staking and slashing': { verifies: false, private: false, onChain: true },
  'reputation and scoring': { verifies: false, private: false, onChain: false },
  'distributed compute': { verifies: false, private: false, onChain: false },
  'load balancing and routing': { verifies: false, private: false, onChain: false },
  'batched settlement': { verifies: false, private: false, onChain: true },
  'on-chain payments': { verifies: false, private: false, onChain: true },
  'agent wallets and spending limits': { verifies: false, private: false, onChain: true },
  'on-chain registry': { verifies: false, private: false, onChain: true },
  'storage proofs': { verifies: true, private: false, onChain: true },
  'data marketplace contracts': { verifies: false, private: false, onChain: true },
  'token-curated incentives': { verifies: false, private: false, onChain: true },
};

export const TOKEN_ROLES = ['staking collateral', 'payment', 'incentive rewards', 'governance only', 'none'] as const;
export type TokenRole = (typeof TOKEN_ROLES)[number];

export const CATEGORIES = ['compute', 'storage', 'data market', 'model market', 'agents', 'privacy', 'training', 'inference', 'payments', 'science'] as const;
export type Category = (typeof CATEGORIES)[number];

/** How many independent parties run the service; `single` is one company or host. */
export const OPERATOR_KINDS = ['single', 'few', 'many', 'unknown'] as const;
export type OperatorKind = (typeof OPERATOR_KINDS)[number];

/**
 * Whether a mechanism runs today. `present` earns full points; `partial` (runs with
 * gaps) and `unverified` (reported only by a secondary source) earn half; `planned`
 * and `missing` earn nothing and back no claim.
 */
export const MECHANISM_STATUSES = ['present', 'partial', 'unverified', 'planned', 'missing'] as const;
export type MechanismStatus = (typeof MECHANISM_STATUSES)[number];

/** `measured`: a number with a reproducible source; `claim`: asserted, no evidence; `missing`: expected, not yet produced. */
export const FIGURE_STATUSES = ['measured', 'claim', 'missing'] as const;
export type FigureStatus = (typeof FIGURE_STATUSES)[number];

export const CONFIDENCE = ['high', 'medium', 'low'] as const;
export type Confidence = (typeof CONFIDENCE)[number];

export const CLAIM_KINDS = ['capability', 'cost', 'performance'] as const;
export type ClaimKind = (typeof CLAIM_KINDS)[number];
