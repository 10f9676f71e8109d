// Runs every TypeScript test file (`*.test.ts` under src/, test/ and bench/) with
// Node's own test runner. Node 20 cannot glob test files itself, so this lists them.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ensureContractBindings } from '../src/chain/bindings-build.ts';

function findTests(dir: string): string[] {
  let found: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found = found.concat(findTests(path));
    else if (name.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

const roots = process.argv.length > 2 ? process.argv.slice(2) : ['src', 'test', 'bench'];
const files = roots.flatMap((root) => (statSync(root, { throwIfNoEntry: false })?.isDirectory() ? findTests(root) : [root])).sort();
if (files.length === 0) {
  console.error('no test files found under', roots.join(', '));
  process.exit(1);
}
// `npm run test:ts` on its own, on a fresh clone: most tests import the contract bindings.
await ensureContractBindings((line) => console.error(`test: ${line}`));
// Two files at a time: each spends much of its time waiting on its own anvil and servers
// (every server binds port 0, every file its own temporary folders), so two keep two cores
// busy; the suite passes unchanged under a load several times the core count.
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
