// `trellis store ...`: content-addressed model packages in the local store. `add`
// turns a folder into its IPFS CID, `get` fetches a CID from trellis stores, IPFS
// gateways or an IPFS node, checking every block, and writes the folder out; `list`
// names the complete packages held; `serve` answers for them over HTTP, so that the
// first provider of a model just published has somewhere to fetch it from. The store
// modules load only when a command runs.
import { join } from 'node:path';
import type { Command } from 'commander';
import { TrellisError } from '../../errors.ts';
import { resolveDataDir } from '../data-dir.ts';
import { collect } from '../collect.ts';
import { untilStopSignal } from '../stop-signal.ts';

type StoreOptions = { store?: string };
type GetOptions = StoreOptions & { out: string; from: string[]; kubo: string[]; mode: string; timeoutMs: string };

/** Where the store lives: --store, else `store/` in the data folder the other commands use. */
const storeDir = (options: StoreOptions) => options.store ?? join(resolveDataDir(undefined).dataDir, 'store');

export function registerStoreCommands(program: Command): void {
  const store = program
    .command('store')
    .description('content-addressed model packages: add a folder as an IPFS CID, fetch one by CID')
    .option('--store <dir>', 'folder of the local block store (default: <data-dir>/store)');

  store
    .command('add')
    .description('add a folder of files to the store and print its CID (the one `ipfs add -r --cid-version=1` gives)')
    .argument('<dir>', 'the package folder')
    .option('--kubo <url>', "also hand the package to this IPFS node's RPC API (e.g. http://127.0.0.1:5001), which pins it")
    .action(async (dir: string, options: { kubo?: string }, command: Command) => {
      const { parseUrlOption } = await import('../options.ts');
      const { BlockStore, addDirectory, kuboImportPackage, toIpfsUri } = await import('../../store/index.ts');
      const blocks = await BlockStore.open(storeDir(command.optsWithGlobals<StoreOptions>()));
      const root = await addDirectory(blocks, dir);
      if (options.kubo !== undefined) {
        const url = parseUrlOption('--kubo', options.kubo);
        await kuboImportPackage(url, blocks, root, { timeoutMs: 600_000, idleTimeoutMs: 60_000 });
        process.stderr.write(`handed to the IPFS node at ${url}\n`);
      }
      process.stderr.write(`metadata URI: ${toIpfsUri(root)}\n`);
      process.stdout.write(`${root.toString()}\n`);
    });

  store
    .command('get')
    .description('fetch a package by CID (or ipfs:// URI), checking every block against its CID, and write its files')
    .argument('<cid>', 'the root CID, or ipfs://<cid>')
    .requiredOption('--out <dir>', 'folder to write the package into (new or empty)')
    .option('--from <url>', 'a trellis store or IPFS trustless gateway to fetch from; repeat to add fallbacks, tried in order', collect, [])
    .option('--kubo <url>', "an IPFS node's RPC API to fetch from, tried before the --from sources; may be repeated", collect, [])
    .option('--mode <mode>', 'car: one CAR per gateway, then single blocks for what it lacks; blocks: single blocks only', 'car')
    .option('--timeout-ms <ms>', 'milliseconds one request may take', '120000')
    .action(async (ref: string, options: GetOptions, command: Command) => {
      const { parseUrlOption, parseIntegerOption } = await import('../options.ts');
      const { lineLogger } = await import('../../log.ts');
      const { BlockStore, exportDirectory, fetchPackage, parseCid, parseIpfsUri } = await import('../../store/index.ts');
      if (options.mode !== 'car' && options.mode !== 'blocks') throw new TrellisError('INVALID_OPTION', `--mode must be car or blocks, got "${options.mode}".`);
      const root = ref.startsWith('ipfs://') ? parseIpfsUri(ref) : parseCid(ref);
      const sources = [
        ...options.kubo.map((url) => ({ kind: 'kubo' as const, url: parseUrlOption('--kubo', url) })),
        ...options.from.map((url) => ({ kind: 'gateway' as const, url: parseUrlOption('--from', url) })),
      ];
      const blocks = await BlockStore.open(storeDir(command.optsWithGlobals<StoreOptions>()));
      const result = await fetchPackage(blocks, root, {
        sources,
        mode: options.mode,
        timeoutMs: parseIntegerOption('--timeout-ms', options.timeoutMs, 100, 86_400_000),
        log: lineLogger((line) => process.stderr.write(`${line}\n`), 'store'),
      });
      await exportDirectory(blocks, root, options.out);
      process.stdout.write(`${root.toString()}: ${result.blocks} blocks, ${result.bytes} bytes (${result.fetched} fetched) written to ${options.out}\n`);
    });

  store
    .command('list')
    .description('print the root CID of every complete package in the store')
    .action(async (_options: unknown, command: Command) => {
      const { BlockStore } = await import('../../store/index.ts');
      const blocks = await BlockStore.open(storeDir(command.optsWithGlobals<StoreOptions>()));
      for (const root of await blocks.roots()) process.stdout.write(`${root.toString()}\n`);
    });

  store
    .command('serve')
    .description("serve the store read-only at /ipfs/<cid> (IPFS trustless gateway conventions), e.g. as a provider's storeSources entry")
    .option('--port <port>', 'HTTP port (0: a free port)', '8570')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .action(async (options: { port: string; host: string }, command: Command) => {
      const { parseIntegerOption } = await import('../options.ts');
      const [{ BlockStore, storeRoutes }, { listen }] = await Promise.all([import('../../store/index.ts'), import('../../net/http.ts')]);
      const dir = storeDir(command.optsWithGlobals<StoreOptions>());
      const blocks = await BlockStore.open(dir);
      const server = await listen(storeRoutes(blocks), options.host, parseIntegerOption('--port', options.port, 0, 65_535));
      const held = (await blocks.roots()).length;
      process.stdout.write(`serving ${held} package(s) of ${dir} at ${server.url}/ipfs/<cid>; Ctrl-C to stop\n`);
      await untilStopSignal();
      await server.close();
    });
}
