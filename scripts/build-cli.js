// Builds the `trellis` command into dist/cli/: esbuild bundles src/cli/main.ts and
// everything it imports from src/, split at each dynamic import, so that a command
// loads only its own code; packages stay in node_modules and load from there. Plain
// JavaScript, so that bin/trellis.js can run it without a TypeScript loader.
//
// `npm run build` runs it (`node scripts/build-cli.js`); bin/trellis.js runs it too
// whenever dist/ is missing or older than a source, so a clone works before any build.
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'dist', 'cli');
/** The bundle's entry; its modification time is the time its build started. */
export const cliEntry = join(outDir, 'main.js');
/** What a build reads: a change to any of them makes dist/ stale. */
const inputs = [join(root, 'src'), join(root, 'package.json'), fileURLToPath(import.meta.url)];
const generatedDir = join(root, 'src', 'chain', 'generated');
/**
 * Files of earlier builds are kept this long: a process started from one (a provider
 * node, `trellis up`) loads its chunks lazily, maybe hours later. An edit changes only
 * the chunks that hold it, so what accumulates in a day is small.
 */
const KEEP_OLD_MS = 24 * 3_600_000;

/** Whether `path`, or anything under it (folders included: a new or deleted file changes its folder), changed after `time`. */
function changedAfter(path, time) {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (stat === undefined) return false;
  if (stat.mtimeMs > time) return true;
  return stat.isDirectory() && readdirSync(path).some((name) => changedAfter(join(path, name), time));
}

/** Whether dist/cli is at least as new as every source: one stat per file, no hashing. */
export function cliBuildFresh() {
  const built = statSync(cliEntry, { throwIfNoEntry: false })?.mtimeMs;
  return built !== undefined && !inputs.some((path) => changedAfter(path, built));
}

/**
 * A contract binding that `npm run build` has not generated yet (a fresh clone) becomes
 * a module that throws when loaded, so that commands which need no contract still
 * build and run. Once the bindings exist they are newer than the bundle, which is
 * then rebuilt; src/cli/main.ts restarts the command that compiled them.
 */
const missingBindings = {
  name: 'missing-bindings',
  setup(build) {
    build.onResolve({ filter: /generated\/[^/]+\.ts$/ }, (args) => {
      const path = join(args.resolveDir, args.path);
      if (!path.startsWith(generatedDir) || statSync(path, { throwIfNoEntry: false })) return undefined;
      return { path, namespace: 'missing-binding' };
    });
    build.onLoad({ filter: /.*/, namespace: 'missing-binding' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`${relative(root, args.path)} was missing when dist/cli was built: run \`npm run build\``)});\nmodule.exports = {};\n`,
      loader: 'js',
    }));
  },
};

/** Writes `contents` to `path` through a temporary file and a rename, so a process starting meanwhile never reads half a file. */
function writeAtomically(path, contents) {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
}

/** Builds dist/cli; returns the milliseconds it took. */
export async function buildCli() {
  const started = Date.now();
  const { build } = await import('esbuild');
  const result = await build({
    absWorkingDir: root,
    entryPoints: { main: join(root, 'src', 'cli', 'main.ts') },
    outdir: outDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    chunkNames: 'chunk-[hash]',
    // Stack traces name the .ts files and lines (bin/trellis.js enables source maps);
    // the sources themselves stay in src/, not copied into the maps.
    sourcemap: 'linked',
    sourcesContent: false,
    plugins: [missingBindings],
    write: false,
    logLevel: 'warning',
  });
  // Chunks first, the entry last: a process that reads the new entry finds every chunk it names.
  const written = new Set();
  const files = [...result.outputFiles].sort((a, b) => Number(a.path.startsWith(cliEntry)) - Number(b.path.startsWith(cliEntry)));
  mkdirSync(outDir, { recursive: true });
  for (const file of files) {
    writeAtomically(file.path, file.contents);
    written.add(file.path);
  }
  // The entry's time is the build's start: a source saved during the build is newer, and rebuilt next time.
  utimesSync(cliEntry, started / 1000, started / 1000);
  for (const name of readdirSync(outDir)) {
    const path = join(outDir, name);
    if (!written.has(path) && statSync(path).mtimeMs < started - KEEP_OLD_MS) rmSync(path, { force: true });
  }
  return Date.now() - started;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const ms = await buildCli();
  console.log(`built the CLI into ${relative(root, outDir)} in ${ms} ms`);
}
