// Compiles test files to JavaScript for scripts/run-tests.ts, so that Node's test runner
// loads plain modules instead of running a TypeScript loader in every test process. A
// loader's hooks run for every module a process loads, node_modules included (viem alone
// is hundreds of files), which cost each test file a few seconds of CPU.
//
// One esbuild build for all the selected files: each is an entry point, the code they
// share lands once in chunks, packages stay external and load from node_modules (found by
// walking up from the build folder, which lives inside the repository). The output keeps
// the repository's layout under .test-build/run-<pid>/ (test/x.test.ts becomes
// .test-build/run-<pid>/test/x.test.js); a folder per run, so that two runs in one
// checkout never overwrite each other's chunks. A run leaves its folder behind for
// reading stack traces; the next run removes the folders of runs that have ended.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const testBuildDir = join(root, '.test-build');

/**
 * Code that finds files next to itself (`new URL('../examples/digit-3.json',
 * import.meta.url)`, repoRoot()) must see its own source file's location, not the bundle
 * chunk it was copied into: each module's `import.meta.url`, `.filename` and `.dirname`
 * become literals naming the original file. esbuild's `define` cannot do this, since it
 * applies one value to every file.
 */
const originalLocation = {
  name: 'original-location',
  setup(build) {
    build.onLoad({ filter: /\.(?:[cm]?ts|[cm]?js)$/ }, (args) => {
      if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('import.meta')) return undefined;
      const values = { url: pathToFileURL(args.path).href, filename: args.path, dirname: dirname(args.path) };
      const contents = source.replace(/\bimport\.meta\.(url|filename|dirname)\b/g, (_, key) => JSON.stringify(values[key]));
      return { contents, loader: extname(args.path).includes('ts') ? 'ts' : 'js' };
    });
  },
};

/** Whether process `pid` is still running. */
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** Removes the build folders of runs that have ended. */
function removeEndedRuns() {
  for (const name of readdirSync(testBuildDir, { withFileTypes: true }).filter((entry) => entry.isDirectory())) {
    const pid = Number(/^run-(\d+)$/.exec(name.name)?.[1]);
    if (!(pid > 0 && alive(pid))) rmSync(join(testBuildDir, name.name), { recursive: true, force: true });
  }
}

/**
 * Compiles `files` (paths of `*.test.ts` files inside the repository, relative to the
 * working folder or absolute) into this process's
 * folder under .test-build; returns the compiled files in the same order and the
 * milliseconds the build took.
 */
export async function buildTests(files) {
  const started = Date.now();
  const sources = files.map((file) => resolve(file));
  const outside = sources.find((file) => relative(root, file).startsWith('..'));
  if (outside !== undefined) throw new Error(`${outside} is outside the repository ${root}: only its own test files can be compiled`);
  const { build } = await import('esbuild');
  const outDir = join(testBuildDir, `run-${process.pid}`);
  rmSync(outDir, { recursive: true, force: true });
  try {
    removeEndedRuns();
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
  }
  await build({
    absWorkingDir: root,
    entryPoints: sources,
    outbase: root,
    outdir: outDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    chunkNames: 'chunks/[name]-[hash]',
    // Bundling renames a class or function whose name another module also uses; the
    // code reads `.name` (errors name themselves after their class), so names stay.
    keepNames: true,
    // Costs nothing unless a run enables them (scripts/run-tests.ts says how).
    sourcemap: 'linked',
    sourcesContent: false,
    plugins: [originalLocation],
    logLevel: 'warning',
  });
  const compiled = sources.map((file) => join(outDir, relative(root, file).replace(/\.[cm]?ts$/, '.js')));
  return { compiled, ms: Date.now() - started };
}
