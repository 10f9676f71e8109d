// The catalog of project profiles: catalog/<id>.yaml at the repository root. A
// project is found by file id or by its profile name, ignoring case and punctuation.
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { repoRoot } from '../repo-root.ts';
import { closestMatch, normalizeName } from './closest-match.ts';
import { UnknownProjectError } from './errors.ts';
import { loadProfileFile } from './load-profile.ts';
import type { Profile } from './profile.ts';

export function defaultCatalogDir(): string {
  return join(repoRoot(), 'catalog');
}

export type CatalogEntry = { id: string; file: string; profile: Profile };

/** Every profile in the catalog, sorted by id; an invalid file throws with its path. */
export function loadCatalog(dir: string = defaultCatalogDir()): CatalogEntry[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .map((name) => {
      const file = join(dir, name);
      return { id: basename(name, '.yaml'), file, profile: loadProfileFile(file) };
    });
}

/**
 * A profile from a path to a YAML file, or a catalog project by id or name. An
 * unknown name raises UnknownProjectError with the closest known id.
 */
export function resolveProfile(ref: string, dir: string = defaultCatalogDir()): CatalogEntry {
  if (ref.endsWith('.yaml') || ref.endsWith('.yml') || ref.includes('/')) {
    return { id: basename(ref).replace(/\.ya?ml$/, ''), file: ref, profile: loadProfileFile(ref) };
  }
  const ids = existsSync(dir)
    ? readdirSync(dir)
        .filter((n) => n.endsWith('.yaml'))
        .map((n) => basename(n, '.yaml'))
        .sort()
    : [];
  const wanted = normalizeName(ref);
  const byId = ids.find((id) => normalizeName(id) === wanted);
  if (byId) return { id: byId, file: join(dir, `${byId}.yaml`), profile: loadProfileFile(join(dir, `${byId}.yaml`)) };
  const entries = loadCatalog(dir);
  const byName = entries.find((e) => normalizeName(e.profile.name) === wanted);
  if (byName) return byName;
  throw new UnknownProjectError(ref, closestMatch(ref, ids), ids);
}
