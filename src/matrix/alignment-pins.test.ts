// Pins where every catalogued project aligns, one assertion per project, and checks
// the placements against the judgements of the source analyses the matrix comes from
// (/work/shared/sources): a project an analysis names as an example of a cell must
// align with that cell, whatever its evidence. A change to the grid, the evaluator or
// a profile that moves a project shows up here by name.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadCatalog } from './catalog.ts';
import { normalizeName } from './closest-match.ts';
import { evaluate } from './evaluate.ts';
import { synergyGrid } from './grid.ts';
import { CELL_IDS, type CellId } from './vocabulary.ts';

type Pin = {
  /** Exactly the cells the project aligns with, in grid order. */
  cells: CellId[];
  /** Where a source analysis names the project as an example: the cell and the analysis. */
  namedFor?: { cell: CellId; by: string };
  why?: string;
};

// The synergy-matrix analysis (001) gives SoraChain as its example of privacy x
// decentralization, and maps distributed compute and training to performance x
// scalability; the report (004) lists Render, Akash, Theta, Golem and iExec as
// decentralized compute networks and Together.ai as decentralized training.
const COMPUTE_NETWORK = {
  cell: 'performance/scalability',
  by: 'analysis:004_dfd8c7a80ead4898 (compute networks), mapped by analysis:001_8314a9d114c6ee7f',
} as const;

const PINS: Readonly<Record<string, Pin>> = {
  akash: { cells: ['performance/security', 'performance/scalability', 'performance/decentralization'], namedFor: COMPUTE_NETWORK },
  arweave: { cells: ['verifiability/security'], why: 'storage proofs; analysis 003 names it for decentralized storage, which is no cell of the grid' },
  bittensor: {
    cells: ['performance/security', 'performance/scalability', 'performance/decentralization'],
    why: 'validators score miners (a supporting technique), so verifiability/decentralization is claimed but not aligned',
  },
  cortex: { cells: ['verifiability/security', 'verifiability/decentralization'], why: 'nodes re-run inference (partial): aligned, with low evidence' },
  'fetch-ai': { cells: ['performance/security', 'performance/scalability', 'performance/decentralization'] },
  filecoin: {
    cells: [
      'verifiability/security',
      'verifiability/scalability',
      'verifiability/decentralization',
      'privacy/security',
      'performance/security',
      'performance/scalability',
      'performance/decentralization',
    ],
    why: 'privacy/security comes from zk proofs, which the grid counts as a privacy technique although Filecoin proofs only verify storage; pinned so that a finer vocabulary shows up here',
  },
  golem: {
    cells: ['verifiability/security', 'verifiability/decentralization', 'performance/scalability', 'performance/decentralization'],
    namedFor: COMPUTE_NETWORK,
  },
  grass: { cells: [], why: 'zk proofs only planned, incentives alone address no cell' },
  iexec: {
    cells: [
      'verifiability/security',
      'verifiability/decentralization',
      'privacy/security',
      'privacy/scalability',
      'performance/security',
      'performance/scalability',
      'performance/decentralization',
    ],
    namedFor: COMPUTE_NETWORK,
  },
  molecule: { cells: [], why: 'an on-chain registry of research IP addresses no cell' },
  numerai: { cells: ['performance/security'], why: 'a single operator: its decentralization claim aligns with nothing' },
  oasis: {
    cells: ['verifiability/security', 'privacy/security', 'privacy/scalability', 'performance/security'],
    why: 'report 004 names Oasis among its privacy projects and lists it under federated learning; its own documentation describes enclaves, not federated learning, so it lands in the privacy cells its TEEs reach and the federated-learning listing stays a flagged claim',
  },
  'ocean-protocol': { cells: ['privacy/decentralization'], why: 'compute-to-data keeps data with its owners' },
  render: { cells: ['performance/scalability', 'performance/decentralization'], namedFor: COMPUTE_NETWORK },
  'secret-network': {
    cells: ['verifiability/security', 'privacy/security', 'privacy/scalability', 'performance/security'],
    why: 'as Oasis: named by report 004 for privacy and listed under federated learning, while its documentation describes enclaves',
  },
  singularitynet: { cells: ['performance/scalability'] },
  sorachain: {
    cells: ['privacy/scalability', 'privacy/decentralization'],
    namedFor: { cell: 'privacy/decentralization', by: 'analysis:001_8314a9d114c6ee7f (its example of a strong privacy x decentralization synergy)' },
    why: 'known only from the analysis, no figures: aligned all the same, with low evidence',
  },
  theta: { cells: ['performance/security', 'performance/scalability', 'performance/decentralization'], namedFor: COMPUTE_NETWORK },
  'together-ai': {
    cells: ['performance/scalability'],
    namedFor: { cell: 'performance/scalability', by: 'analysis:004_dfd8c7a80ead4898 (decentralized training), mapped by analysis:001_8314a9d114c6ee7f' },
    why: 'a single operator, so its distributed compute reaches no decentralization cell',
  },
  x402: { cells: [], why: 'payments and agent wallets address no cell of the grid' },
};

const catalog = loadCatalog();
const inGridOrder = (cells: readonly CellId[]) => CELL_IDS.filter((id) => cells.includes(id));

test('every catalog project has an alignment pin, and every pin a project', () => {
  assert.deepEqual(
    catalog.map((e) => e.id),
    Object.keys(PINS).sort(),
  );
});

for (const { id, profile } of catalog) {
  const pin = PINS[id];
  test(`${id} aligns with ${pin && pin.cells.length > 0 ? pin.cells.join(', ') : 'no cell'}`, () => {
    assert.ok(pin, `no pin for ${id}`);
    const ev = evaluate(profile);
    assert.deepEqual(inGridOrder(ev.alignedCells), pin.cells, pin.why);
    if (pin.namedFor) {
      const cell = ev.cells.find((c) => c.id === pin.namedFor!.cell)!;
      assert.ok(cell.aligned, `${id} is named for ${pin.namedFor.cell} by ${pin.namedFor.by}`);
    }
  });
}

test("the analyses' example of privacy x decentralization keeps its alignment without figures; only its evidence is low", () => {
  const ev = evaluate(catalog.find((e) => e.id === 'sorachain')!.profile);
  assert.equal(ev.alignment, 83);
  assert.equal(ev.evidence, 33);
  assert.ok((ev.evidence ?? 0) < ev.alignment);
});

test('every catalogued project the grid names as an example of a cell aligns with that cell', () => {
  const byName = new Map(catalog.flatMap((e) => [[normalizeName(e.id), e] as const, [normalizeName(e.profile.name), e] as const]));
  for (const cell of synergyGrid()) {
    for (const example of cell.examples) {
      const entry = byName.get(normalizeName(example));
      if (!entry) continue;
      const aligned = evaluate(entry.profile).cells.find((c) => c.id === cell.id)!.aligned;
      assert.ok(aligned, `${example} is a grid example of ${cell.id}`);
    }
  }
});
