// The dashboard's static files (built by `npm run build` into dashboard/dist), served
// by the index API itself so that the pages and the API share one origin. Only files
// inside the folder are served; anything else answers the index page, whose hash
// routes (#/providers, ...) the browser resolves.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import { repoRoot } from '../../repo-root.ts';

export function defaultDashboardDir(): string {
  return join(repoRoot(), 'dashboard', 'dist');
}

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

export type DashboardFile = { body: Uint8Array<ArrayBuffer>; type: string; immutable: boolean };

/** The file for a request path, or undefined when the folder has no index page (not built). */
export function dashboardFile(dir: string, path: string): DashboardFile | undefined {
  const root = resolve(dir);
  const wanted = resolve(root, `.${decodeSafely(path)}`);
  const inside = wanted.startsWith(root + sep) && existsSync(wanted) && statSync(wanted).isFile();
  const file = inside ? wanted : join(root, 'index.html');
  if (!existsSync(file)) return undefined;
  // Vite names built assets by content hash, so they never change under one name.
  return {
    body: new Uint8Array(readFileSync(file)),
    type: types[extname(file)] ?? 'application/octet-stream',
    immutable: inside && file.includes(`${sep}assets${sep}`),
  };
}

function decodeSafely(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return '/';
  }
}
