// Runs the real binary: `node bin/trellis.js matrix ...`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../repo-root.ts';

const root = repoRoot();

function trellis(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(root, 'bin', 'trellis.js'), 'matrix', ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('matrix show prints the grid with strengths', () => {
  const r = trellis('show');
  assert.equal(r.status, 0);
  assert.match(r.stdout, /performance\s+moderate\s+strong\s+weak/);
});

test('matrix evaluate prints a table, and json on request', () => {
  const table = trellis('evaluate', 'iexec');
  assert.equal(table.status, 0);
  assert.match(table.stdout, /^iExec \(compute\) {2}alignment \d+\/100 {2}evidence \d+\/100/);
  const json = trellis('evaluate', 'together-ai', '--format', 'json');
  assert.equal(json.status, 0);
  const parsed = JSON.parse(json.stdout) as { flags: { rule: string }[] };
  assert.ok(parsed.flags.some((f) => f.rule === 'single-operator-decentralization'));
});

test('matrix evaluate of an unknown name suggests the closest and exits non-zero without a stack trace', () => {
  const r = trellis('evaluate', 'bitensor');
  assert.equal(r.status, 1);
  assert.equal(r.stderr, 'error: no project named "bitensor" in the catalog\n  did you mean: bittensor?\n');
  assert.doesNotMatch(r.stderr, /\bat \S+:\d+/);
});

test('matrix evaluate of an invalid profile file names the field', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trellis-cli-'));
  try {
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      'name: Bad\nurl: https://example.org\ncategory: compute\nsummary: s\noperators: {kind: many, source: {url: "https://example.org", says: s}}\nclaims: []\nmechanisms: [{name: magic, evidence: []}]\n',
    );
    const r = trellis('evaluate', file);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^error: profile field "mechanisms\[0\]\.name" is invalid in .*bad\.yaml \(line 7\)\n {2}expected: one of zk proofs, /);
    assert.match(r.stderr, /\n {2}got: "magic"\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('matrix compare puts projects side by side, and needs two', () => {
  const r = trellis('compare', 'akash', 'render', 'self');
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^cell\s+strength\s+Akash Network\s+Render Network\s+Trellis/);
  assert.match(r.stdout, /\nalignment\s+\d+\s+\d+\s+\d+/);
  assert.match(r.stdout, /\nevidence\s+\d+\s+\d+\s+\d+/);
  assert.equal(trellis('compare', 'akash').status, 1);
});

test('matrix list shows the catalog', () => {
  const r = trellis('list', '--format', 'json');
  assert.equal(r.status, 0);
  const rows = JSON.parse(r.stdout) as { id: string; alignment: number; evidence: number | null; alignedCells: string[] }[];
  assert.ok(rows.length >= 20);
  const sorachain = rows.find((row) => row.id === 'sorachain')!;
  assert.ok(sorachain.alignedCells.includes('privacy/decentralization') && sorachain.alignment > 0);
  const table = trellis('list');
  assert.match(table.stdout, /^id\s+name\s+category\s+alignment\s+evidence\s+flags\s+aligned cells\n/);
});

test('matrix report writes a self-contained HTML page with Trellis and the catalog', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trellis-cli-'));
  try {
    const out = join(dir, 'report.html');
    const r = trellis('report', '--out', out);
    assert.equal(r.status, 0);
    const html = readFileSync(out, 'utf8');
    assert.match(html, /<h2>Trellis<\/h2>/);
    assert.match(html, /<h2>Filecoin<\/h2>/);
    assert.match(html, /<th>alignment<\/th><th>evidence<\/th>/);
    assert.doesNotMatch(html, /<script|<link|src=/i);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('matrix self evaluates Trellis from the repository, in markdown on request', () => {
  const r = trellis('self', '--format', 'md');
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^## Trellis\n/);
  assert.match(r.stdout, /Alignment \d+\/100, evidence \d+\/100/);
  assert.equal(trellis('self', '--format', 'pdf').status, 1);
});
