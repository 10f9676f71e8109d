// `trellis --help` must answer on a fresh clone, before the contracts are compiled: no
// module the CLI loads at start may import the generated contract bindings. Follows
// the static imports from src/cli/main.ts (type-only and dynamic imports load nothing
// at start) and fails naming the chain of imports that reaches src/chain/generated/.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function staticImports(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const found: string[] = [];
  // `import x from '…'`, `import { a } from '…'`, `export { a } from '…'`; not `import type`.
  for (const match of source.matchAll(/^(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?'(\.[^']+)'/gm)) found.push(resolve(dirname(file), match[1]!));
  return found;
}

test('the modules the CLI loads at start import no contract binding', () => {
  const start = join(root, 'src', 'cli', 'main.ts');
  const via = new Map<string, string>([[start, '']]);
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const imported of staticImports(file)) {
      if (via.has(imported)) continue;
      via.set(imported, file);
      const chain = (f: string): string[] => (f === start ? [relative(root, f)] : [...chain(via.get(f)!), relative(root, f)]);
      assert.ok(!imported.includes(join('src', 'chain', 'generated')), `loaded at start: ${chain(imported).join(' -> ')}`);
      queue.push(imported);
    }
  }
  assert.ok(via.size > 10, `followed only ${via.size} modules`);
});
