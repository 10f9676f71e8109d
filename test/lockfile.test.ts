// The committed lock file is what `npm install` writes for package.json, so a fresh
// clone stays clean after installing: the root entry lists each kind of dependency
// exactly as package.json does (optional ones only under optionalDependencies), and
// every optional platform binary has its locked entry for `npm ci` to install.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

type Manifest = { dependencies?: Record<string, string>; devDependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
type Lock = { packages: Record<string, Manifest & { version?: string; optional?: boolean; os?: string[]; cpu?: string[] }> };

const read = <T>(file: string): T => JSON.parse(readFileSync(new URL(`../${file}`, import.meta.url), 'utf8')) as T;

test('the lock file root lists the dependencies exactly as package.json does', () => {
  const pkg = read<Manifest>('package.json');
  const root = read<Lock>('package-lock.json').packages['']!;
  for (const kind of ['dependencies', 'devDependencies', 'optionalDependencies'] as const) {
    assert.deepEqual(root[kind] ?? {}, pkg[kind] ?? {}, `${kind} differ between package.json and package-lock.json`);
  }
});

test('every optional platform binary is locked at its version, for its platform', () => {
  const pkg = read<Manifest>('package.json');
  const lock = read<Lock>('package-lock.json');
  for (const [name, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    const entry = lock.packages[`node_modules/${name}`];
    assert.ok(entry, `${name} has no entry in package-lock.json`);
    assert.equal(entry.version, version);
    assert.equal(entry.optional, true);
    assert.ok(entry.os?.length && entry.cpu?.length, `${name} names its platform`);
  }
});
