import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { defaultCatalogDir, loadCatalog, resolveProfile } from './catalog.ts';
import { closestMatch, editDistance } from './closest-match.ts';
import { UnknownProjectError } from './errors.ts';

test('edit distance counts insertions, deletions and substitutions', () => {
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('same', 'same'), 0);
});

test('the closest match ignores case and punctuation and gives up when nothing is near', () => {
  const names = ['render', 'akash', 'bittensor', 'fetch-ai'];
  assert.equal(closestMatch('Rendr', names), 'render');
  assert.equal(closestMatch('bitensor', names), 'bittensor');
  assert.equal(closestMatch('Fetch.AI', names), 'fetch-ai');
  assert.equal(closestMatch('zzzzzzzzzzzz', names), undefined);
});

test('every catalog file validates, and the catalog holds the twenty projects', () => {
  const files = readdirSync(defaultCatalogDir()).filter((n) => n.endsWith('.yaml'));
  const entries = loadCatalog();
  assert.equal(entries.length, files.length);
  assert.ok(entries.length >= 20);
  for (const want of [
    'render',
    'akash',
    'theta',
    'golem',
    'iexec',
    'ocean-protocol',
    'singularitynet',
    'fetch-ai',
    'bittensor',
    'together-ai',
    'oasis',
    'secret-network',
    'sorachain',
    'filecoin',
    'arweave',
    'grass',
    'numerai',
    'cortex',
    'molecule',
    'x402',
  ]) {
    assert.ok(
      entries.some((e) => e.id === want),
      `catalog has ${want}`,
    );
  }
});

test('catalog figures taken from the source analyses are never marked measured', () => {
  for (const { id, profile } of loadCatalog()) {
    for (const figure of profile.evidence.figures ?? []) {
      if (figure.source.url.startsWith('analysis:')) assert.notEqual(figure.status, 'measured', `${id}: ${figure.name}`);
    }
  }
});

test('a project is found by id or by name', () => {
  assert.equal(resolveProfile('bittensor').profile.name, 'Bittensor');
  assert.equal(resolveProfile('Render Network').id, 'render');
  assert.equal(resolveProfile('OCEAN protocol').id, 'ocean-protocol');
});

test('an unknown project suggests the closest catalog id', () => {
  assert.throws(
    () => resolveProfile('akashh'),
    (error: unknown) =>
      error instanceof UnknownProjectError &&
      error.code === 'MATRIX_UNKNOWN_PROJECT' &&
      error.suggestion === 'akash' &&
      error.message === 'no project named "akashh" in the catalog\n  did you mean: akash?',
  );
});
