#!/usr/bin/env node
// The `trellis` binary. The project runs its TypeScript sources directly through tsx,
// so a clone needs no compile step; the one build output the CLI needs, the typed
// contract bindings, is generated here on first use if `npm run build` has not run.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

const root = fileURLToPath(new URL('..', import.meta.url));
if (!existsSync(`${root}src/chain/generated/Escrow.ts`)) {
  process.stderr.write('trellis: compiling the contracts first (npm run build)...\n');
  const build = spawnSync(process.execPath, ['--import', 'tsx', `${root}scripts/build-contracts.ts`], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

register();
await import('../src/cli/main.ts');
