import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProfileInvalidError, ProfileYamlError } from './errors.ts';
import { loadProfileText } from './load-profile.ts';
import { parseProfile } from './profile.ts';
import { baseDocument, claim, testSource } from './test-profile.ts';

function invalid(document: unknown): ProfileInvalidError {
  try {
    parseProfile(document);
  } catch (error) {
    assert.ok(error instanceof ProfileInvalidError, `expected ProfileInvalidError, got ${String(error)}`);
    return error;
  }
  assert.fail('profile was accepted');
}

test('a valid profile parses, and a single token role becomes a list', () => {
  const profile = parseProfile(baseDocument());
  assert.equal(profile.name, 'Example');
  assert.deepEqual(profile.token.role, ['payment']);
});

test('a missing field names its path and what was expected', () => {
  const doc = baseDocument();
  delete doc.summary;
  const error = invalid(doc);
  assert.equal(error.code, 'MATRIX_PROFILE_INVALID');
  assert.equal(error.message, 'profile field "summary" is invalid\n  expected: a non-empty string\n  got: nothing (field missing)');
});

test('an unknown mechanism names the list path and the vocabulary', () => {
  const error = invalid({ ...baseDocument(), mechanisms: [{ name: 'quantum proofs', evidence: [testSource()] }] });
  assert.equal(error.path, 'mechanisms[0].name');
  assert.equal(error.got, '"quantum proofs"');
  assert.match(error.expected, /^one of zk proofs, optimistic verification \/ dispute games, /);
});

test('a wrong type names the nested path', () => {
  const error = invalid({ ...baseDocument(), evidence: { figures: [{ name: 'x', value: 'fast', unit: 'ms', status: 'measured', source: testSource() }] } });
  assert.equal(error.message, 'profile field "evidence.figures[0].value" is invalid\n  expected: a finite number\n  got: "fast"');
});

test('an unknown cell in a claim is rejected', () => {
  const error = invalid({ ...baseDocument(), claims: [claim('verifiability/speed')] });
  assert.equal(error.path, 'claims[0].cell');
  assert.match(error.expected, /^one of verifiability\/security, /);
});

test('an unknown field is rejected so typos do not pass', () => {
  const error = invalid({ ...baseDocument(), sumary: 'typo' });
  assert.equal(error.path, 'sumary');
  assert.match(error.expected, /^no such field \(known: name, url, /);
});

test('a source must be a URL of a known scheme', () => {
  const error = invalid({ ...baseDocument(), url: 'example.org' });
  assert.equal(error.message, 'profile field "url" is invalid\n  expected: a URL (https://..., repo:<path> or analysis:<file>)\n  got: "example.org"');
});

test('a mechanism needs at least one piece of evidence', () => {
  const error = invalid({ ...baseDocument(), mechanisms: [{ name: 'TEEs', evidence: [] }] });
  assert.equal(
    error.message,
    'profile field "mechanisms[0].evidence" is invalid\n  expected: a list of at least 1 (a mapping with fields url, says)\n  got: a list of 0',
  );
});

test('malformed YAML is reported with its line', () => {
  const source = 'name: Example\nclaims:\n  - text: "unterminated\n    cell: privacy/security\n';
  assert.throws(
    () => loadProfileText(source, 'bad.yaml'),
    (error: unknown) =>
      error instanceof ProfileYamlError &&
      error.code === 'MATRIX_PROFILE_YAML' &&
      /^profile bad\.yaml is not valid YAML at line \d+, column \d+/.test(error.message),
  );
});

test('a duplicate key is a YAML error at its line', () => {
  assert.throws(
    () => loadProfileText('name: A\nname: B\n', 'dup.yaml'),
    (error: unknown) => error instanceof ProfileYamlError && error.line === 2,
  );
});

test('a schema error in a file names the file and the line of the field', () => {
  const source = ['name: Example', 'url: https://example.org', 'category: rocketry', 'summary: s'].join('\n');
  assert.throws(
    () => loadProfileText(source, 'p.yaml'),
    (error: unknown) =>
      error instanceof ProfileInvalidError &&
      error.message.startsWith('profile field "category" is invalid in p.yaml (line 3)\n  expected: one of compute, storage,') &&
      error.message.endsWith('\n  got: "rocketry"'),
  );
});
