// `trellis watch` runs a watcher on its own: it follows a gateway's disagreement file
// (redundant mode), re-executes every disagreeing result, and challenges the wrong
// receipts on chain with its own key and bond until each dispute is settled.
import { join } from 'node:path';
import type { Command } from 'commander';
import { TrellisError } from '../../errors.ts';
import { DISAGREEMENT_INPUTS_FILE } from '../../verify/disagreement-inputs.ts';
import { addNetworkOptions, signerContext, type NetworkOptions } from '../context.ts';
import { untilStopSignal } from '../stop-signal.ts';

/**
 * The dev account a standalone watcher signs with on the local chain when no key is
 * set: one no other local role uses (the gateway's own watcher under `up --faulty` is 8).
 */
const WATCH_DEV_ACCOUNT = 6;

/** A share from 0 to 1, e.g. "0.25". */
export function parseRateOption(name: string, value: string): number {
  const rate = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !(rate >= 0 && rate <= 1)) {
    throw new TrellisError('INVALID_OPTION', `${name} must be a number from 0 to 1, got "${value}".`);
  }
  return rate;
}

type WatchOptions = NetworkOptions & { gatewayData?: string; state?: string; modelsDir?: string; intervalMs: string };

export function registerWatchCommands(program: Command): void {
  addNetworkOptions(
    program
      .command('watch')
      .description("run a watcher: re-execute redundant-mode disagreements from a gateway's files and challenge wrong receipts on chain")
      .option('--gateway-data <path>', "the gateway's data folder holding disagreements.jsonl (default: <data-dir>/gateway)")
      .option('--state <path>', 'where the watcher keeps its journal (default: <data-dir>/watch)')
      .option('--models-dir <path>', "models folder to re-execute with (default: the repository's models/)")
      .option('--interval-ms <ms>', 'milliseconds between rounds', '1000'),
  ).action(async (options: WatchOptions) => {
    const { lineLogger } = await import('../../log.ts');
    const { parseIntegerOption } = await import('../options.ts');
    const context = await signerContext(options, WATCH_DEV_ACCOUNT);
    const [{ DISAGREEMENTS_FILE }, { startWatcher }] = await Promise.all([import('../../gateway/server.ts'), import('../../verify/watcher.ts')]);
    const gatewayData = options.gatewayData ?? join(context.dataDir, 'gateway');
    const log = lineLogger((line) => process.stderr.write(`${line}\n`), 'watch');
    const watcher = startWatcher({
      connection: context.connection,
      deployment: context.deployment,
      dataDir: options.state ?? join(context.dataDir, 'watch'),
      modelsDir: options.modelsDir,
      intervalMs: parseIntegerOption('--interval-ms', options.intervalMs, 50, 3_600_000),
      disagreements: { file: join(gatewayData, DISAGREEMENTS_FILE), inputsFile: join(gatewayData, DISAGREEMENT_INPUTS_FILE) },
      log,
    });
    console.log(`Watching ${join(gatewayData, DISAGREEMENTS_FILE)} as ${watcher.address}; Ctrl-C to stop (disputes resume on the next start).`);
    await untilStopSignal();
    await watcher.stop();
    const byStatus = new Map<string, number>();
    for (const d of watcher.disputes()) byStatus.set(d.status, (byStatus.get(d.status) ?? 0) + 1);
    console.log(
      `Stopped. Checked ${watcher.stats.checked} results, ${watcher.stats.wrong} wrong; disputes: ${[...byStatus].map(([s, n]) => `${s} ${n}`).join(', ') || 'none'}.`,
    );
  });
}
