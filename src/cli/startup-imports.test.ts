// `trellis --help` must answer on a fresh clone, before the contracts are compiled, and
// at once: the modules the CLI loads at start may import no generated contract binding
// and no package but commander (viem alone takes longer to load than all the rest;
// each command loads what it needs in its action). Follows the static imports from
// src/cli/main.ts (type-only and dynamic imports load nothing at start) and fails
// naming the chain of imports that reaches a binding or a package.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../repo-root.ts';

const root = repoRoot();
/** The packages the CLI may load before it knows the command. */
const STARTUP_PACKAGES = new Set(['commander']);

/** Static imports of `file`: module files in the project, and package names. */
function staticImports(file: string): { files: string[]; packages: string[] } {
  const source = readFileSync(file, 'utf8');
  const files: string[] = [];
  const packages: string[] = [];
  // `import x from '…'`, `import { a } from '…'`, `export { a } from '…'`, `import '…'`; not `import type`.
  for (const match of source.matchAll(/^(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?'([^']+)'/gm)) {
    const specifier = match[1]!;
    if (specifier.startsWith('.')) files.push(resolve(dirname(file), specifier));
    else if (!specifier.startsWith('node:')) packages.push(specifier);
  }
  return { files, packages };
}

test('the modules the CLI loads at start import no contract binding and no package but commander', () => {
  const start = join(root, 'src', 'cli', 'main.ts');
  const via = new Map<string, string>([[start, '']]);
  const chain = (f: string): string[] => (f === start ? [relative(root, f)] : [...chain(via.get(f)!), relative(root, f)]);
  const queue = [start];
  const packagesSeen = new Set<string>();
  while (queue.length > 0) {
    const file = queue.shift()!;
    const { files, packages } = staticImports(file);
    for (const name of packages) {
      packagesSeen.add(name);
      assert.ok(STARTUP_PACKAGES.has(name), `package ${name} loaded at start: ${chain(file).join(' -> ')} -> ${name}`);
    }
    for (const imported of files) {
      if (via.has(imported)) continue;
      via.set(imported, file);
      assert.ok(!imported.includes(join('src', 'chain', 'generated')), `loaded at start: ${chain(imported).join(' -> ')}`);
      queue.push(imported);
    }
  }
  // The walk really followed the command files and reached the one allowed package.
  assert.ok(via.size > 20, `followed only ${via.size} modules`);
  assert.ok(packagesSeen.has('commander'), 'the walk never reached commander');
});
