import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluate, MAX_CELL_EVIDENCE, percentDown } from './evaluate.ts';
import { synergyGrid, STRENGTH_WEIGHT } from './grid.ts';
import { claim, mechanism, testProfile, testSource } from './test-profile.ts';

const cellOf = (ev: ReturnType<typeof evaluate>, id: string) => ev.cells.find((c) => c.id === id)!;

test('the grid has nine cells with the strengths the source analysis gives', () => {
  const grid = synergyGrid();
  assert.equal(grid.length, 9);
  const strength = (id: string) => grid.find((c) => c.id === id)!.strength;
  assert.equal(strength('verifiability/security'), 'strong');
  assert.equal(strength('privacy/decentralization'), 'strong');
  assert.equal(strength('performance/scalability'), 'strong');
  assert.equal(strength('performance/decentralization'), 'weak');
  assert.equal(strength('privacy/scalability'), 'moderate');
  for (const cell of grid) {
    assert.ok(cell.core.length > 0, `${cell.id} has a core technique`);
    assert.ok(cell.why.length > 0 && cell.tradeOffs.length > 0 && cell.examples.length > 0);
  }
});

test('an empty profile is aligned nowhere and has no evidence score', () => {
  const ev = evaluate(testProfile());
  assert.ok(ev.cells.every((c) => !c.aligned && c.evidence === 0 && !c.placed));
  assert.equal(ev.alignment, 0);
  assert.deepEqual(ev.alignedCells, []);
  assert.equal(ev.evidence, null);
});

test('one core technique aligns a cell; a primary source gives 2 evidence points, a measured figure 3', () => {
  const one = cellOf(evaluate(testProfile({ mechanisms: [mechanism('zk proofs')] })), 'verifiability/security');
  assert.ok(one.aligned);
  assert.equal(one.evidence, 2);
  const three = cellOf(
    evaluate(
      testProfile({
        mechanisms: [mechanism('zk proofs'), mechanism('staking and slashing')],
        evidence: { figures: [{ name: 'verify_gas', value: 250000, unit: 'gas', status: 'measured', cell: 'verifiability/security', source: testSource() }] },
      }),
    ),
    'verifiability/security',
  );
  assert.ok(three.aligned);
  assert.equal(three.evidence, 3);
  assert.ok(three.reasons.includes('+1 measured: verify_gas = 250000 gas'));
});

test('supporting techniques alone align nothing; partial ones align but are weaker evidence', () => {
  const stakeOnly = cellOf(evaluate(testProfile({ mechanisms: [mechanism('staking and slashing')] })), 'verifiability/security');
  assert.ok(!stakeOnly.aligned);
  assert.equal(stakeOnly.evidence, 0);
  const partial = cellOf(evaluate(testProfile({ mechanisms: [mechanism('TEEs', 'partial')] })), 'privacy/security');
  assert.ok(partial.aligned);
  assert.equal(partial.evidence, 1);
  const planned = cellOf(evaluate(testProfile({ mechanisms: [mechanism('TEEs', 'planned')] })), 'privacy/security');
  assert.ok(!planned.aligned);
});

test('a mechanism known only from a source analysis aligns fully; only its evidence is lower', () => {
  const fromAnalysis = { name: 'federated learning', status: 'present', evidence: [{ url: 'analysis:001_8314a9d114c6ee7f', says: 'described there' }] };
  const analysed = evaluate(testProfile({ mechanisms: [fromAnalysis], claims: [claim('privacy/decentralization')] }));
  const documented = evaluate(testProfile({ mechanisms: [mechanism('federated learning')], claims: [claim('privacy/decentralization')] }));
  assert.deepEqual(analysed.alignedCells, documented.alignedCells);
  assert.equal(analysed.alignment, documented.alignment);
  assert.equal(cellOf(analysed, 'privacy/decentralization').evidence, 1);
  assert.equal(cellOf(documented, 'privacy/decentralization').evidence, 2);
  assert.ok(analysed.evidence! < documented.evidence!);
});

test('a single operator aligns with no decentralization cell', () => {
  const operators = { kind: 'single', source: testSource() };
  const ev = evaluate(testProfile({ operators, mechanisms: [mechanism('distributed compute')] }));
  assert.deepEqual(ev.alignedCells, ['performance/scalability']);
  assert.ok(cellOf(ev, 'performance/decentralization').reasons.includes('not aligned: a single operator runs it'));
});

test('an audit gives the evidence point on security cells only', () => {
  const ev = evaluate(
    testProfile({ mechanisms: [mechanism('TEEs')], evidence: { audits: [{ by: 'Auditor', url: 'https://example.org/audit', says: 'audit' }] } }),
  );
  assert.equal(cellOf(ev, 'privacy/security').evidence, 3);
  assert.equal(cellOf(ev, 'privacy/scalability').evidence, 2);
});

test('a hype flag lowers its cell evidence by one and leaves alignment alone', () => {
  const ev = evaluate(testProfile({ mechanisms: [mechanism('distributed compute')], claims: [claim('performance/scalability')] }));
  const cell = cellOf(ev, 'performance/scalability');
  assert.ok(cell.aligned && cell.claimed && cell.placed);
  assert.equal(cell.evidence, 1);
  assert.ok(cell.reasons.includes('-1 hype: unevidenced-performance'));
  assert.equal(ev.flags.length, 1);
});

test('alignment is the mean grid strength of the aligned cells; evidence covers aligned and claimed cells', () => {
  // federated learning is core in privacy/decentralization (strong) and privacy/scalability (moderate).
  const ev = evaluate(
    testProfile({ mechanisms: [mechanism('federated learning')], claims: [claim('privacy/decentralization'), claim('verifiability/security')] }),
  );
  assert.deepEqual(ev.alignedCells, ['privacy/decentralization', 'privacy/scalability']);
  assert.equal(ev.alignment, percentDown(STRENGTH_WEIGHT.strong + STRENGTH_WEIGHT.moderate, 2 * STRENGTH_WEIGHT.strong));
  assert.equal(ev.alignment, 83);
  // Two aligned cells at 2 points each, and a claimed cell with nothing behind it (0, and flagged).
  assert.equal(ev.evidence, percentDown(2 + 2 + 0, 3 * MAX_CELL_EVIDENCE));
  assert.equal(percentDown(2, 3), 66);
  assert.equal(synergyGrid().length, 9);
});

test('mechanisms not running and unmeasured figures are listed', () => {
  const ev = evaluate(
    testProfile({
      mechanisms: [mechanism('zk proofs', 'missing')],
      evidence: { figures: [{ name: 'p50', unit: 'ms', status: 'missing', source: testSource() }] },
    }),
  );
  assert.deepEqual(ev.notRunning, ['zk proofs (missing)']);
  assert.deepEqual(ev.unmeasured, ['p50 (missing)']);
});
