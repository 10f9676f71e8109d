// The project's version, from package.json: what `trellis --version` prints and what a
// model package records as the tool that made it.
import { readFileSync } from 'node:fs';
import { repoPath } from './repo-root.ts';

export const packageVersion = (JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as { version: string }).version;
