// The repository's root folder, where the non-code files live (catalog/, models/,
// data/, examples/, migrations, package.json). Found by walking up from this module
// to the first package.json, so the answer is the same whether this code runs from
// src/ through tsx or from the bundle in dist/cli/.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TrellisError } from './errors.ts';

let root: string | undefined;

export function repoRoot(): string {
  if (root !== undefined) return root;
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) {
      root = dir;
      return dir;
    }
    if (dirname(dir) === dir) throw new TrellisError('NO_REPOSITORY', `No package.json above ${fileURLToPath(import.meta.url)}: the repository is incomplete.`);
  }
}

/** A path inside the repository, e.g. `repoPath('catalog')`. */
export function repoPath(...parts: string[]): string {
  return join(repoRoot(), ...parts);
}
