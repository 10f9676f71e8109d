import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UnknownFormatError } from './errors.ts';
import { evaluate } from './evaluate.ts';
import { escapeHtml } from './format/html.ts';
import { synergyGrid } from './grid.ts';
import { parseFormat, renderEvaluations, renderGrid } from './render.ts';
import { claim, mechanism, testProfile } from './test-profile.ts';
import { CELL_IDS } from './vocabulary.ts';

const grid = synergyGrid();
const sample = () =>
  evaluate(
    testProfile({ name: 'Sample <Net>', mechanisms: [mechanism('distributed compute')], claims: [claim('performance/scalability', { text: 'fast & cheap' })] }),
  );

test('table: both scores, the aligned cells and a 3x3 grid with the flags', () => {
  const text = renderEvaluations('table', grid, [sample()], 't');
  assert.match(text, /^Sample <Net> \(compute\) {2}alignment 66\/100 {2}evidence 50\/100 {2}hype flags 1\n/);
  assert.match(text, /\naligned cells: performance\/scalability \(strong\), performance\/decentralization \(weak\)\n/);
  assert.match(text, /performance\s+- moderate ev 0\/3\s+A strong ev 1\/3 \*\s+A weak ev 2\/3/);
  assert.match(text, /\[unevidenced-performance\] performance\/scalability "fast & cheap"/);
});

test('compare: each cell as aligned or not with its evidence, then both scores', () => {
  const text = renderEvaluations('table', grid, [sample(), evaluate(testProfile({ name: 'Other' }))], 't');
  assert.match(text, /\nperformance\/scalability\s+strong\s+A 1\*\s+- 0\n/);
  assert.match(text, /\nalignment\s+66\s+0\n/);
  assert.match(text, /\nevidence\s+50\s+n\/a\n/);
});

test('json: the evaluation round-trips', () => {
  const parsed = JSON.parse(renderEvaluations('json', grid, [sample()], 't')) as {
    name: string;
    alignment: number;
    evidence: number;
    alignedCells: string[];
    cells: unknown[];
    flags: unknown[];
  };
  assert.equal(parsed.name, 'Sample <Net>');
  assert.equal(parsed.alignment, 66);
  assert.equal(parsed.evidence, 50);
  assert.deepEqual(parsed.alignedCells, ['performance/scalability', 'performance/decentralization']);
  assert.equal(parsed.cells.length, 9);
  assert.equal(parsed.flags.length, 1);
});

test('markdown: a table with a heading row and one row per property', () => {
  const md = renderEvaluations('md', grid, [sample()], 't');
  assert.match(md, /^## Sample <Net>/);
  assert.match(md, /Alignment 66\/100, evidence 50\/100, 1 hype flag\(s\)\./);
  assert.match(md, /Aligned cells: performance\/scalability \(strong\), performance\/decentralization \(weak\)\./);
  assert.match(md, /\| \| Security \| Scalability \| Decentralization \|/);
  assert.match(md, /\| \*\*Performance\*\* \| - moderate ev 0\/3 \| A strong ev 1\/3 \* \| A weak ev 2\/3 \|/);
});

test('html: self-contained, escaped, with all nine cells for each project', () => {
  const html = renderEvaluations('html', grid, [sample(), evaluate(testProfile({ name: 'Other' }))], 'Report');
  assert.match(html, /^<!doctype html>/);
  assert.ok(html.includes('<style>'));
  assert.doesNotMatch(html, /<script|<link|<img|src=|url\(|https?:\/\//i);
  assert.ok(html.includes('Sample &lt;Net&gt;') && !html.includes('Sample <Net>'));
  for (const id of CELL_IDS) assert.equal(html.split(`data-cell="${id}"`).length - 1, 2, id);
  assert.ok(html.includes('<h2>Summary</h2>'));
  assert.ok(html.includes('alignment 66/100 &middot; evidence 50/100'));
  assert.ok(html.includes('<th>alignment</th><th>evidence</th>'));
  assert.match(
    html,
    /data-cell="performance\/scalability" data-aligned="true"[^>]*><span class="score">aligned strong<\/span><span class="mech">evidence 1\/3/,
  );
});

test('the grid renders in every format', () => {
  assert.match(renderGrid('table', grid), /verifiability\s+strong\s+moderate\s+strong/);
  assert.equal((JSON.parse(renderGrid('json', grid)) as unknown[]).length, 9);
  assert.match(renderGrid('md', grid), /\| \*\*Performance\*\* \| moderate \| strong \| weak \|/);
  assert.match(renderGrid('html', grid), /data-kind="grid"/);
});

test('an unknown format is an error naming the choices', () => {
  assert.equal(parseFormat('md'), 'md');
  assert.throws(
    () => parseFormat('pdf'),
    (e: unknown) => e instanceof UnknownFormatError && e.message === 'unknown output format "pdf"\n  expected: one of table, json, md, html',
  );
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
});
