// `npm run bench -- <suite>`: runs bench/<suite>.ts. Each suite prints a readable
// table and, for every figure, one JSON line (see bench/README.md).
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureContractBindings } from '../src/chain/bindings-build.ts';

const here = dirname(fileURLToPath(import.meta.url));
const suites = readdirSync(here)
  .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts') && !['run.ts', 'report.ts'].includes(name))
  .map((name) => name.slice(0, -3))
  .sort();

const suite = process.argv[2];
if (!suite || !suites.includes(suite) || !existsSync(join(here, `${suite}.ts`))) {
  console.error(`${suite ? `unknown benchmark suite "${suite}"` : 'no benchmark suite given'}; choose one of: ${suites.join(', ')}`);
  console.error('usage: npm run bench -- <suite>');
  process.exit(2);
}
// Suites on a chain import the contract bindings, which a fresh clone has not built yet.
const CHAIN_FREE = ['engine', 'fl', 'privacy', 'security'];
if (!CHAIN_FREE.includes(suite)) {
  try {
    await ensureContractBindings((line) => console.error(`bench: ${line}`));
  } catch (error) {
    console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
const module = (await import(join(here, `${suite}.ts`))) as { main: (args: string[]) => Promise<void> };
await module.main(process.argv.slice(3));
