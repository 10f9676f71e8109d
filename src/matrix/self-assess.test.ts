import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { evaluate } from './evaluate.ts';
import { selfAssessment } from './self-assess.ts';

function tempRepo(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'trellis-self-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

test('an empty repository claims nothing as running: every mechanism and figure is missing', () => {
  const root = tempRepo({});
  try {
    const { profile } = selfAssessment(root);
    assert.ok(profile.mechanisms.length > 0);
    assert.ok(profile.mechanisms.every((m) => m.status === 'missing'));
    assert.ok((profile.evidence.figures ?? []).every((f) => f.status === 'missing'));
    assert.deepEqual(profile.token.role, ['none']);
    const ev = evaluate(profile);
    assert.equal(ev.alignment, 0);
    assert.deepEqual(ev.alignedCells, []);
    assert.ok(ev.flags.some((f) => f.rule === 'token-without-role'));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('mechanisms appear as their code lands, and figures as bench results land', () => {
  const root = tempRepo({
    'contracts/src/Registry.sol': 'contract ProviderRegistry { function register() external {} function slash(address p) external {} }',
    'contracts/src/DisputeGame.sol': 'contract DisputeGame { function bisect(uint256 step) external {} }',
    'contracts/src/Token.sol': 'contract Token is ERC20 {}',
    'src/matrix/notes.ts': '// redundant execution is described here but not implemented',
    'src/gateway/router.test.ts': 'redundant',
    'bench/results/gas.jsonl':
      '{"suite":"gas","figure":"redeem_gas_per_request_n1000","value":95.8,"unit":"gas"}\nnot json\n{"suite":"gas","figure":"extra","value":1,"unit":"x"}\n',
  });
  try {
    const { profile, problems } = selfAssessment(root);
    const status = (name: string) => profile.mechanisms.find((m) => m.name === name)?.status;
    assert.equal(status('optimistic verification / dispute games'), 'present');
    assert.equal(status('staking and slashing'), 'present');
    assert.equal(status('redundant execution'), 'missing', 'matrix code and tests do not count');
    assert.equal(profile.operators.kind, 'many');
    assert.deepEqual(profile.token.role, ['payment', 'staking collateral']);
    const figure = (profile.evidence.figures ?? []).find((f) => f.name === 'gas.redeem_gas_per_request_n1000');
    assert.equal(figure?.status, 'measured');
    assert.equal(figure?.value, 95.8);
    assert.ok((profile.evidence.figures ?? []).some((f) => f.name === 'gas.extra' && f.status === 'measured'));
    assert.deepEqual(problems, ['bench/results/gas.jsonl:2: not a figure line']);
    const cell = evaluate(profile).cells.find((c) => c.id === 'verifiability/security')!;
    assert.ok(cell.aligned);
    assert.equal(cell.evidence, 2);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('slashing without any dispute or proof contract counts only as partial', () => {
  const root = tempRepo({ 'contracts/src/Registry.sol': 'contract R { function slash(address p) external {} }' });
  try {
    const { profile } = selfAssessment(root);
    assert.equal(profile.mechanisms.find((m) => m.name === 'staking and slashing')?.status, 'partial');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
