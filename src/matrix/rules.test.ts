// Every hype rule with a profile that must trigger it and one that must not.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { agentWrapper } from './rules/agent-wrapper.ts';
import { claimWithoutMechanism } from './rules/claim-without-mechanism.ts';
import { HYPE_RULES } from './rules/index.ts';
import { privacyWithoutMechanism } from './rules/privacy-without-mechanism.ts';
import { singleOperatorDecentralization } from './rules/single-operator-decentralization.ts';
import { tokenWithoutRole } from './rules/token-without-role.ts';
import { unevidencedPerformance } from './rules/unevidenced-performance.ts';
import { verifiableWithoutMechanism } from './rules/verifiable-without-mechanism.ts';
import { claim, mechanism, testProfile, testSource } from './test-profile.ts';

test('the base test profile raises no flag under any rule', () => {
  assert.deepEqual(
    HYPE_RULES.flatMap((r) => r.check(testProfile())),
    [],
  );
});

test('verifiable-without-mechanism: "verifiable" with only staking is flagged', () => {
  const flags = verifiableWithoutMechanism.check(
    testProfile({ claims: [claim('verifiability/security', { text: 'results are verifiable' })], mechanisms: [mechanism('staking and slashing')] }),
  );
  assert.equal(flags.length, 1);
  assert.equal(flags[0]!.cell, 'verifiability/security');
  assert.equal(flags[0]!.claim, 'results are verifiable');
});

test('verifiable-without-mechanism: a running dispute game backs the claim', () => {
  const profile = testProfile({ claims: [claim('verifiability/security')], mechanisms: [mechanism('optimistic verification / dispute games')] });
  assert.deepEqual(verifiableWithoutMechanism.check(profile), []);
});

test('verifiable-without-mechanism: a claimed mechanism that is only planned does not count', () => {
  const flags = verifiableWithoutMechanism.check(
    testProfile({ claims: [claim('verifiability/scalability', { mechanisms: ['zk proofs'] })], mechanisms: [mechanism('zk proofs', 'planned')] }),
  );
  assert.equal(flags.length, 1);
  assert.match(flags[0]!.message, /names zk proofs \(planned\)$/);
});

test('privacy-without-mechanism: privacy claimed with nothing private is flagged, with a TEE it is not', () => {
  assert.equal(privacyWithoutMechanism.check(testProfile({ claims: [claim('privacy/security')] })).length, 1);
  assert.deepEqual(privacyWithoutMechanism.check(testProfile({ claims: [claim('privacy/security')], mechanisms: [mechanism('TEEs')] })), []);
});

test('claim-without-mechanism: a performance claim without an enabling technique is flagged', () => {
  const flags = claimWithoutMechanism.check(
    testProfile({ claims: [claim('performance/scalability', { kind: 'capability' })], mechanisms: [mechanism('on-chain payments')] }),
  );
  assert.equal(flags.length, 1);
  assert.equal(flags[0]!.rule, 'claim-without-mechanism');
  assert.deepEqual(
    claimWithoutMechanism.check(testProfile({ claims: [claim('performance/scalability')], mechanisms: [mechanism('distributed compute')] })),
    [],
  );
});

test('unevidenced-performance: a cost claim with only a claimed figure is flagged', () => {
  const profile = testProfile({
    claims: [claim('verifiability/security', { kind: 'cost', figures: ['savings'] })],
    evidence: { figures: [{ name: 'savings', value: 70, unit: '%', status: 'claim', source: testSource() }] },
  });
  const flags = unevidencedPerformance.check(profile);
  assert.equal(flags.length, 1);
  assert.equal(flags[0]!.message, 'cost or performance claim cites savings (claim); no measured figure');
});

test('unevidenced-performance: a performance claim citing a measured figure passes; a capability claim is not a performance claim', () => {
  const measured = testProfile({
    claims: [claim('performance/scalability', { figures: ['rps'] })],
    evidence: { figures: [{ name: 'rps', value: 900, unit: 'req/s', status: 'measured', source: testSource() }] },
  });
  assert.deepEqual(unevidencedPerformance.check(measured), []);
  assert.deepEqual(unevidencedPerformance.check(testProfile({ claims: [claim('performance/scalability', { kind: 'capability' })] })), []);
  assert.equal(unevidencedPerformance.check(testProfile({ claims: [claim('performance/scalability')] })).length, 1);
});

test('token-without-role: a governance-only token claimed as stake is flagged', () => {
  const flags = tokenWithoutRole.check(
    testProfile({ token: { name: 'GOV', role: 'governance only', claimed_role: 'staking collateral', source: testSource() } }),
  );
  assert.equal(flags.length, 1);
  assert.equal(flags[0]!.message, 'GOV is claimed to be staking collateral, but its role is governance only');
});

test('token-without-role: no token while relying on staking is flagged; a staking token is not', () => {
  const relies = testProfile({ token: { role: 'none', source: testSource() }, mechanisms: [mechanism('staking and slashing')] });
  assert.equal(tokenWithoutRole.check(relies).length, 1);
  const staked = testProfile({
    token: { role: ['staking collateral', 'payment'], claimed_role: 'staking collateral', source: testSource() },
    mechanisms: [mechanism('staking and slashing')],
  });
  assert.deepEqual(tokenWithoutRole.check(staked), []);
  assert.deepEqual(tokenWithoutRole.check(testProfile({ token: { role: 'none', source: testSource() } })), []);
});

test('agent-wrapper: an agents project with nothing on chain is flagged, one with a registry is not', () => {
  assert.equal(agentWrapper.check(testProfile({ category: 'agents', mechanisms: [mechanism('distributed compute')] })).length, 1);
  assert.equal(agentWrapper.check(testProfile({ claims: [claim('performance/scalability', { text: 'autonomous AI agents trade for you' })] })).length, 1);
  assert.deepEqual(agentWrapper.check(testProfile({ category: 'agents', mechanisms: [mechanism('on-chain registry')] })), []);
  assert.deepEqual(agentWrapper.check(testProfile({ category: 'compute' })), []);
});

test('single-operator-decentralization: a single operator claiming decentralization is flagged, many operators are not', () => {
  const source = testSource();
  const claims = [claim('privacy/decentralization'), claim('privacy/security')];
  const flags = singleOperatorDecentralization.check(testProfile({ operators: { kind: 'single', source }, claims }));
  assert.deepEqual(
    flags.map((f) => f.cell),
    ['privacy/decentralization'],
  );
  assert.deepEqual(singleOperatorDecentralization.check(testProfile({ operators: { kind: 'many', source }, claims })), []);
});
