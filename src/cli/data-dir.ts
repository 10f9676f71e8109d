// Which data folder a command uses. `trellis up --data-dir X` leaves a pointer to X in
// the default folder (.trellis/data-dir, relative to where it ran), so that commands
// run later from the same folder find the network without repeating --data-dir.
//
// The pointer lives beside the project rather than in the user's home: two clones, or
// two checkouts of one project, each run their own network, and a pointer in the home
// folder would send one clone's commands to the other's chain. `.trellis/` is already
// ignored by git, so the pointer never shows up as a change.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { DATA_DIR_VARIABLE, DEFAULT_DATA_DIR, readEnvironment } from '../config.ts';

const POINTER_FILE = 'data-dir';

export type DataDirSource = 'option' | 'environment' | 'pointer' | 'default';
export type ResolvedDataDir = { dataDir: string; source: DataDirSource };

const pointerPath = (cwd: string) => join(cwd, DEFAULT_DATA_DIR, POINTER_FILE);

/** --data-dir, then $TRELLIS_DATA_DIR, then the folder the last `trellis up` here recorded, then .trellis. */
export function resolveDataDir(option: string | undefined, cwd = process.cwd(), env = readEnvironment()): ResolvedDataDir {
  if (option !== undefined) return { dataDir: option, source: 'option' };
  if (env.dataDirFromEnvironment) return { dataDir: env.dataDir, source: 'environment' };
  const recorded = readPointer(cwd);
  if (recorded !== undefined) return { dataDir: recorded, source: 'pointer' };
  return { dataDir: DEFAULT_DATA_DIR, source: 'default' };
}

function readPointer(cwd: string): string | undefined {
  const path = pointerPath(cwd);
  if (!existsSync(path)) return undefined;
  const recorded = readFileSync(path, 'utf8').trim();
  // A folder deleted since is no longer where the network runs.
  return recorded !== '' && existsSync(recorded) ? recorded : undefined;
}

/**
 * Records the folder `trellis up` runs in, as an absolute path. The default folder
 * needs no pointer, so starting there removes an older one.
 */
export function recordDataDir(dataDir: string, cwd = process.cwd()): void {
  const absolute = isAbsolute(dataDir) ? dataDir : resolve(cwd, dataDir);
  const path = pointerPath(cwd);
  if (absolute === resolve(cwd, DEFAULT_DATA_DIR)) {
    rmSync(path, { force: true });
    return;
  }
  mkdirSync(join(cwd, DEFAULT_DATA_DIR), { recursive: true });
  writeFileSync(path, `${absolute}\n`);
}

/** The hint of every "no network here" error: the two ways to name another folder. */
export const dataDirHint = `pass --data-dir <folder> or set $${DATA_DIR_VARIABLE} to the folder \`trellis up\` uses`;
