#!/usr/bin/env node
// A stand-in for a native solc binary, backed by the solc npm package (solcjs).
// forge cannot download a compiler offline, so `forge build --use tools/solc.mjs`
// calls this: it answers `--version` the way native solc does and otherwise
// compiles the standard-JSON input read from stdin.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const require = createRequire(import.meta.url);
const solc = require('solc');

if (process.argv.includes('--version')) {
  // Native solc prints two lines; forge parses the version from the second.
  process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
  process.exit(0);
}

// forge passes --allow-paths / --base-path; sources it references by path are read
// through this callback, relative to the working directory forge runs us in.
const input = readFileSync(0, 'utf8');
const findImports = (path) => {
  try {
    return { contents: readFileSync(resolve(path), 'utf8') };
  } catch (error) {
    return { error: `cannot read ${path}: ${error.message}` };
  }
};
process.stdout.write(solc.compile(input, { import: findImports }));
