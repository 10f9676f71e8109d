// The synergy grid as data: for each of the nine cells, how strongly the AI
// property and the blockchain property help each other, why, which mechanisms make
// the cell real, what it costs, and projects that work in it. The evaluator reads
// the techniques to place a profile; docs/matrix.md argues each strength. A catalogued
// example must align with its cell (alignment-pins.test.ts checks it), so that the
// grid does not name a project for a cell its own profile does not reach.
import { AXES, PROPERTIES, cellId, splitCellId, type Axis, type CellId, type Mechanism, type Property } from './vocabulary.ts';

export const STRENGTHS = ['strong', 'moderate', 'weak'] as const;
export type Strength = (typeof STRENGTHS)[number];

/** Weight of a cell's strength in the alignment score: a strong cell counts three times a weak one. */
export const STRENGTH_WEIGHT: Readonly<Record<Strength, number>> = { strong: 3, moderate: 2, weak: 1 };

export type GridCell = {
  id: CellId;
  property: Property;
  axis: Axis;
  strength: Strength;
  /** Where the strength comes from: `source analysis` when the source articles state it, `trellis` when decided here. */
  decidedBy: 'source analysis' | 'trellis';
  why: string;
  /** Techniques that make the cell real on their own. */
  core: readonly Mechanism[];
  /** Techniques that strengthen the cell only alongside a core one (stake behind a proof, say). */
  supporting: readonly Mechanism[];
  /** Every enabling technique: core, then supporting. */
  techniques: readonly Mechanism[];
  tradeOffs: readonly string[];
  examples: readonly string[];
};

type CellInput = Omit<GridCell, 'id' | 'property' | 'axis' | 'techniques'>;

const CELLS: Readonly<Record<CellId, CellInput>> = {
  'verifiability/security': {
    strength: 'strong',
    decidedBy: 'source analysis',
    why: 'A result that can be checked lets a chain enforce it: a proof or a lost dispute turns a wrong answer into a slashed stake, so the chain secures AI work instead of trusting it.',
    core: ['zk proofs', 'optimistic verification / dispute games', 'redundant execution', 'TEEs', 'storage proofs'],
    supporting: ['staking and slashing'],
    tradeOffs: [
      'zk proving of neural networks costs orders of magnitude more than running them, so only small models are practical today',
      'dispute games need deterministic execution and a challenge window before payment is final',
      'TEE attestations move trust to the hardware vendor and are exposed to side channels',
    ],
    examples: ['EZKL', 'Giza', 'Modulus Labs', 'Truebit'],
  },
  'verifiability/scalability': {
    strength: 'moderate',
    decidedBy: 'trellis',
    why: 'Succinct proofs and proving by exception keep on-chain cost flat as work grows, but producing a proof or holding a challenge window adds prover time or delay to every result.',
    core: ['zk proofs', 'optimistic verification / dispute games'],
    supporting: ['batched settlement'],
    tradeOffs: [
      'a zk proof verifies in constant gas but its generation grows with model size',
      'optimistic schemes are cheap only while disputes are rare and watchers are paid to look',
    ],
    examples: ['Truebit', 'EZKL'],
  },
  'verifiability/decentralization': {
    strength: 'strong',
    decidedBy: 'trellis',
    why: 'Checks only mean something when no single party does them: open watching and redundancy across independent providers need many operators, and verifiability is what makes untrusted operators safe to admit.',
    core: ['redundant execution', 'optimistic verification / dispute games', 'zk proofs'],
    supporting: ['staking and slashing', 'reputation and scoring'],
    tradeOffs: [
      'redundancy multiplies compute by the replication factor',
      'independent providers must agree bit for bit, which float kernels on mixed hardware do not guarantee',
      'colluding replicas defeat redundancy unless assignment is random and stake is at risk',
    ],
    examples: ['Golem', 'Truebit', 'Cortex'],
  },
  'privacy/security': {
    strength: 'moderate',
    decidedBy: 'trellis',
    why: 'Encryption and enclaves keep inputs and weights from the operator while the chain keeps the rules, but hidden data is harder to audit, so privacy and checkability pull against each other.',
    core: ['TEEs', 'end-to-end encryption', 'zk proofs', 'MPC and secure aggregation', 'homomorphic encryption'],
    supporting: [],
    tradeOffs: [
      'private inputs cannot be re-executed by an outside watcher, so disputes need the data owner to take part',
      'TEE secrets have leaked through side channels in the past',
      'homomorphic encryption remains far too slow for most models',
    ],
    examples: ['Oasis', 'Secret Network', 'iExec'],
  },
  'privacy/scalability': {
    strength: 'moderate',
    decidedBy: 'source analysis',
    why: 'Privacy techniques add work that grows with participants or data, so they scale, but at a price: secure aggregation cost grows with the number of clients and encrypted computation is slow.',
    core: ['MPC and secure aggregation', 'TEEs', 'differential privacy', 'federated learning'],
    supporting: [],
    tradeOffs: ['pairwise masking in secure aggregation grows with the square of the clients', 'differential privacy trades accuracy for privacy budget'],
    examples: ['Secret Network', 'Oasis'],
  },
  'privacy/decentralization': {
    strength: 'strong',
    decidedBy: 'source analysis',
    why: 'Federated learning is decentralized by nature: data stays with its owners and only updates travel, and a chain can coordinate rounds and reward contributors without anyone holding all the data.',
    core: ['federated learning', 'MPC and secure aggregation', 'differential privacy', 'compute-to-data'],
    supporting: ['staking and slashing'],
    tradeOffs: [
      'model updates can still leak training data without secure aggregation or noise',
      'poisoned updates from dishonest owners need robust aggregation',
    ],
    examples: ['SoraChain', 'Ocean Protocol'],
  },
  'performance/security': {
    strength: 'moderate',
    decidedBy: 'trellis',
    why: 'Stake at risk lets a fast path skip per-request consensus, so security need not cost latency; but the guarantee only holds after verification, and heavier checks cost throughput.',
    core: ['staking and slashing', 'optimistic verification / dispute games'],
    supporting: ['batched settlement'],
    tradeOffs: [
      'economic security is bounded by the stake, so large jobs need proportionally large stakes',
      'finality of payment waits for the challenge window',
    ],
    examples: ['Akash', 'iExec'],
  },
  'performance/scalability': {
    strength: 'strong',
    decidedBy: 'source analysis',
    why: 'Pooling idle GPUs and settling in bulk scales AI work horizontally while the chain only handles money and rules, so both sides grow together.',
    core: ['distributed compute', 'batched settlement'],
    supporting: ['load balancing and routing'],
    tradeOffs: ['heterogeneous hardware and nodes dropping offline make capacity uneven', 'training across the internet is limited by bandwidth between nodes'],
    examples: ['Render', 'Akash', 'Golem', 'Together.ai'],
  },
  'performance/decentralization': {
    strength: 'weak',
    decidedBy: 'source analysis',
    why: 'Independent nodes vary in speed and availability, sit far apart and must agree through consensus, so latency-sensitive inference and tightly coupled training suffer as decentralization grows.',
    core: ['distributed compute', 'load balancing and routing'],
    supporting: ['reputation and scoring'],
    tradeOffs: ['latency grows with geographic spread and consensus rounds', 'node variability forces over-provisioning or retries'],
    examples: ['Bittensor', 'Akash'],
  },
};

/** The grid in row-major order (verifiability, privacy, performance x security, scalability, decentralization). */
export function synergyGrid(): readonly GridCell[] {
  return PROPERTIES.flatMap((property) =>
    AXES.map((axis) => {
      const id = cellId(property, axis);
      return gridCell(id);
    }),
  );
}

export function gridCell(id: CellId): GridCell {
  const { property, axis } = splitCellId(id);
  const input = CELLS[id];
  return { id, property, axis, ...input, techniques: [...input.core, ...input.supporting] };
}
