// Lists the source files of the repository the self-assessment inspects, with their
// text, skipping generated output and dependencies. Bounded in depth and size.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

export type RepoFile = { path: string; text: string };

const SKIP_DIRS = new Set(['node_modules', '.git', 'out', 'cache', 'lib', 'generated']);
const MAX_DEPTH = 8;
const MAX_BYTES = 1_000_000;

/** Files under `root/dir` whose name ends with one of `extensions`; paths are repo-relative with `/`. */
export function repoFiles(root: string, dir: string, extensions: readonly string[]): RepoFile[] {
  const found: RepoFile[] = [];
  const walk = (abs: string, depth: number) => {
    if (depth > MAX_DEPTH) return;
    let names: string[];
    try {
      names = readdirSync(abs);
    } catch {
      return; // a folder that does not exist yet simply has no files
    }
    for (const name of names.sort()) {
      const path = join(abs, name);
      const stat = statSync(path, { throwIfNoEntry: false });
      if (!stat) continue;
      if (stat.isDirectory()) {
        if (!SKIP_DIRS.has(name)) walk(path, depth + 1);
      } else if (extensions.some((e) => name.endsWith(e)) && stat.size <= MAX_BYTES) {
        found.push({ path: relative(root, path).split(sep).join('/'), text: readFileSync(path, 'utf8') });
      }
    }
  };
  walk(join(root, dir), 0);
  return found;
}
