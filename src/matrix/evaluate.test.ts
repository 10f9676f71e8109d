import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluate, percentDown } from './evaluate.ts';
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

test('an empty profile scores zero everywhere and has no backing', () => {
  const ev = evaluate(testProfile());
  assert.ok(ev.cells.every((c) => c.score === 0 && !c.placed));
  assert.equal(ev.overall, 0);
  assert.equal(ev.backing, null);
});

test('one core technique earns 1, a second technique 2, a measured figure 3', () => {
  const one = evaluate(testProfile({ mechanisms: [mechanism('zk proofs')] }));
  assert.equal(cellOf(one, 'verifiability/security').score, 1);
  const two = evaluate(testProfile({ mechanisms: [mechanism('zk proofs'), mechanism('staking and slashing')] }));
  assert.equal(cellOf(two, 'verifiability/security').score, 2);
  const three = evaluate(
    testProfile({
      mechanisms: [mechanism('zk proofs'), mechanism('staking and slashing')],
      evidence: { figures: [{ name: 'verify_gas', value: 250000, unit: 'gas', status: 'measured', cell: 'verifiability/security', source: testSource() }] },
    }),
  );
  const cell = cellOf(three, 'verifiability/security');
  assert.equal(cell.score, 3);
  assert.ok(cell.reasons.includes('+1 measured: verify_gas = 250000 gas'));
});

test('supporting techniques alone earn nothing; partial ones count half', () => {
  assert.equal(cellOf(evaluate(testProfile({ mechanisms: [mechanism('staking and slashing')] })), 'verifiability/security').score, 0);
  assert.equal(cellOf(evaluate(testProfile({ mechanisms: [mechanism('TEEs', 'partial')] })), 'privacy/security').score, 0);
  assert.equal(cellOf(evaluate(testProfile({ mechanisms: [mechanism('TEEs', 'partial'), mechanism('end-to-end encryption', 'partial')] })), 'privacy/security').score, 1);
  assert.equal(cellOf(evaluate(testProfile({ mechanisms: [mechanism('TEEs', 'planned')] })), 'privacy/security').score, 0);
});

test('an audit gives the evidence point on security cells only', () => {
  const ev = evaluate(testProfile({ mechanisms: [mechanism('TEEs')], evidence: { audits: [{ by: 'Auditor', url: 'https://example.org/audit', says: 'audit' }] } }));
  assert.equal(cellOf(ev, 'privacy/security').score, 2);
  assert.equal(cellOf(ev, 'privacy/scalability').score, 1);
});

test('a hype flag lowers its cell by one and shows why', () => {
  const ev = evaluate(testProfile({ mechanisms: [mechanism('distributed compute')], claims: [claim('performance/scalability')] }));
  const cell = cellOf(ev, 'performance/scalability');
  assert.equal(cell.score, 0);
  assert.ok(cell.claimed && cell.placed);
  assert.ok(cell.reasons.includes('-1 hype: unevidenced-performance'));
  assert.equal(ev.flags.length, 1);
});

test('overall and backing are strength-weighted percentages rounded down', () => {
  const ev = evaluate(testProfile({ mechanisms: [mechanism('federated learning')], claims: [claim('privacy/decentralization')] }));
  // federated learning is core in privacy/decentralization (strong) and privacy/scalability (moderate).
  const most = synergyGrid().reduce((sum, c) => sum + 3 * STRENGTH_WEIGHT[c.strength], 0);
  assert.equal(ev.overall, percentDown(1 * 3 + 1 * 2, most));
  assert.equal(ev.backing, percentDown(1 * 3, 3 * 3));
  assert.equal(ev.backing, 33);
  assert.equal(percentDown(2, 3), 66);
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
