// Runs every TypeScript test file (`*.test.ts` under src/, test/ and bench/), or the files
// and folders given, with Node's own test runner. Node 20 cannot glob test files itself,
// so this lists them. The files are compiled to JavaScript first (scripts/build-tests.js)
// and the runner loads that: no TypeScript loader in the test processes, which saves each
// one seconds of CPU. TRELLIS_TESTS_TSX=1 runs the sources through tsx instead.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ensureContractBindings } from '../src/chain/bindings-build.ts';

/** scripts/build-tests.js: plain JavaScript, typed here. */
type TestBuild = {
  buildTests(files: string[]): Promise<{ compiled: string[]; ms: number }>;
  testBuildDir: string;
};

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
// `npm run test:ts` on its own, on a fresh clone: most tests import the contract bindings,
// and the build below bundles them.
await ensureContractBindings((line) => console.error(`test: ${line}`));

const throughTsx = process.env.TRELLIS_TESTS_TSX === '1';
let run = files;
if (!throughTsx) {
  const { buildTests, testBuildDir } = (await import(new URL('./build-tests.js', import.meta.url).href)) as TestBuild;
  const { compiled, ms } = await buildTests(files);
  run = compiled;
  console.error(`test: compiled ${files.length} test files into ${relative(process.cwd(), testBuildDir)} in ${ms} ms`);
  // Stack traces name the compiled files; with source maps on they name the .ts lines.
  if (!process.env.NODE_OPTIONS?.includes('--enable-source-maps')) {
    console.error('test: for stack traces in the .ts sources: NODE_OPTIONS=--enable-source-maps; to run through tsx: TRELLIS_TESTS_TSX=1');
  }
}
// Two files at a time: each spends much of its time waiting on its own anvil and servers
// (every server binds port 0, every file its own temporary folders), so two keep two cores
// busy; the suite passes unchanged under a load several times the core count.
const loader = throughTsx ? ['--import', 'tsx'] : [];
const result = spawnSync(process.execPath, [...loader, '--test', '--test-concurrency=2', ...run], { stdio: 'inherit' });
process.exit(result.status ?? 1);
