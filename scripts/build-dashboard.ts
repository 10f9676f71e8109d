// `npm run build`, second step: the dashboard (dashboard/, React + Vite) into static
// files in dashboard/dist, which the index API serves. A digest of the sources and
// the lock file is kept beside the output, so an unchanged dashboard is not rebuilt.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dashboard = join(root, 'dashboard');
const stamp = join(dashboard, 'dist', '.source-digest');

function files(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? files(path) : [path];
    });
}

const inputs = [...files(join(dashboard, 'src')), join(dashboard, 'index.html'), join(dashboard, 'vite.config.ts'), join(root, 'package-lock.json')];
const digest = createHash('sha256');
for (const file of inputs) digest.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
const sources = digest.digest('hex');

if (existsSync(stamp) && readFileSync(stamp, 'utf8') === sources && existsSync(join(dashboard, 'dist', 'index.html'))) {
  console.log('dashboard unchanged: dashboard/dist is up to date');
} else {
  const vite = spawnSync(join(root, 'node_modules', '.bin', 'vite'), ['build', '--config', join(dashboard, 'vite.config.ts'), '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (vite.status !== 0) {
    console.error('dashboard build failed: see the output above');
    process.exit(vite.status ?? 1);
  }
  writeFileSync(stamp, sources);
  console.log('built the dashboard into dashboard/dist');
}
