// The project's version, from package.json: what `trellis --version` prints and what a
// model package records as the tool that made it.
import { readFileSync } from 'node:fs';

export const packageVersion = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
