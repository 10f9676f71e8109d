// Trellis's own profile, derived from the repository as it is: a mechanism is
// present only when its code is found (see self-detectors.ts), a figure is measured
// only when bench/results holds it, and everything else shows as missing. Nothing
// here is hard-coded as done, so the result follows the code as it lands.
import { readBenchFigures } from './bench-figures.ts';
import { repoRoot } from '../repo-root.ts';
import { parseProfile, type Profile } from './profile.ts';
import { repoFiles, type RepoFile } from './repo-files.ts';
import { SELF_DETECTORS, type Detector } from './self-detectors.ts';
import { EXPECTED_FIGURES, SELF_CLAIMS, figureKey } from './self-expectations.ts';
import type { Mechanism, TokenRole } from './vocabulary.ts';

const CLAIMS_SOURCE = 'repo:docs/matrix.md';

export type SelfAssessment = { profile: Profile; problems: string[] };

export function selfAssessment(root: string = repoRoot()): SelfAssessment {
  const files = {
    contracts: repoFiles(root, 'contracts/src', ['.sol']),
    // Tests and the matrix's own code name every mechanism without implementing any.
    src: repoFiles(root, 'src', ['.ts']).filter((f) => !f.path.endsWith('.test.ts') && !f.path.startsWith('src/matrix/')),
  };
  const find = (detector: Detector): RepoFile | undefined =>
    files[detector.area].find((f) => detector.path.test(f.path) && (detector.content ?? []).every((re) => re.test(f.text)));

  const wanted = new Set<Mechanism>([...(Object.keys(SELF_DETECTORS) as Mechanism[]), ...SELF_CLAIMS.flatMap((c) => c.mechanisms)]);
  const found = new Map<Mechanism, { file: string; shows: string }[]>();
  for (const name of wanted) {
    const hits = (SELF_DETECTORS[name] ?? []).flatMap((d) => {
      const file = find(d);
      return file ? [{ file: file.path, shows: d.shows }] : [];
    });
    if (hits.length > 0) found.set(name, hits);
  }

  // A slash function nothing can call with evidence is only half a mechanism: slashing
  // is reserved to the dispute contracts, so it counts fully once one of them exists.
  const canConvict = found.has('optimistic verification / dispute games') || found.has('zk proofs');
  const mechanisms = [...wanted].map((name) => {
    const hits = found.get(name);
    const status = name === 'staking and slashing' && !canConvict ? ('partial' as const) : ('present' as const);
    if (hits) return { name, status, evidence: hits.map((h) => ({ url: `repo:${h.file}`, says: `${h.file}: ${h.shows}` })) };
    const looked = (SELF_DETECTORS[name] ?? []).map((d) => d.shows).join('; ') || 'no detector defined';
    return { name, status: 'missing' as const, evidence: [{ url: CLAIMS_SOURCE, says: `not found in the repository (looked for: ${looked})` }] };
  });

  const bench = readBenchFigures(root);
  const expectedKeys = new Set(EXPECTED_FIGURES.map(figureKey));
  const figures = [
    ...EXPECTED_FIGURES.map((e) => {
      const hit = bench.figures.find((f) => f.suite === e.suite && f.figure === e.figure);
      return hit
        ? {
            name: figureKey(e),
            value: hit.value,
            unit: hit.unit,
            status: 'measured' as const,
            cell: e.cell,
            source: { url: `repo:${hit.file}`, says: `last run of the ${e.suite} suite` },
          }
        : {
            name: figureKey(e),
            unit: e.unit,
            status: 'missing' as const,
            cell: e.cell,
            source: { url: `repo:bench/results/${e.suite}.jsonl`, says: `no ${e.figure} figure in the last run of the ${e.suite} suite` },
          };
    }),
    ...bench.figures
      .filter((f) => !expectedKeys.has(figureKey(f)))
      .map((f) => ({
        name: figureKey(f),
        value: f.value,
        unit: f.unit,
        status: 'measured' as const,
        source: { url: `repo:${f.file}`, says: `last run of the ${f.suite} suite` },
      })),
  ];

  const registry = found.get('on-chain registry')?.[0];
  const tokenFile = files.contracts.find((f) => /Token\w*\.sol$/.test(f.path) && /ERC20/.test(f.text));
  const roles: TokenRole[] = [];
  if (tokenFile) roles.push('payment');
  if (tokenFile && found.has('staking and slashing')) roles.push('staking collateral');

  const profile = parseProfile({
    name: 'Trellis',
    url: 'repo:README.md',
    category: 'inference',
    summary: 'Open network for verifiable AI inference on EVM chains; this profile is derived from the code present in the repository.',
    confidence: 'high',
    uncertainty: 'Derived automatically: a detector can miss code written differently from what it looks for; see docs/matrix.md.',
    operators: registry
      ? { kind: 'many', source: { url: `repo:${registry.file}`, says: 'anyone can register as a provider' } }
      : { kind: 'unknown', source: { url: CLAIMS_SOURCE, says: 'no provider registry contract found yet' } },
    claims: SELF_CLAIMS.map((c) => ({
      text: c.text,
      cell: c.cell,
      ...(c.kind ? { kind: c.kind } : {}),
      mechanisms: [...c.mechanisms],
      figures: EXPECTED_FIGURES.filter((e) => e.cell === c.cell).map(figureKey),
      source: { url: CLAIMS_SOURCE, says: `Trellis design: ${c.cell}` },
    })),
    mechanisms,
    token: {
      name: 'Trellis payment token',
      role: roles.length > 0 ? roles : ['none'],
      claimed_role: ['payment', 'staking collateral'],
      source: tokenFile ? { url: `repo:${tokenFile.path}`, says: 'ERC-20 token contract' } : { url: CLAIMS_SOURCE, says: 'no token contract found yet' },
    },
    evidence: { links: [{ url: CLAIMS_SOURCE, says: 'how the self-assessment is derived' }], figures },
  });
  return { profile, problems: bench.problems };
}
