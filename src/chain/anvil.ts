// Runs anvil, the EVM node shipped in the @foundry-rs/anvil npm package, as the
// embedded local chain. It listens on 127.0.0.1 only and persists its whole state
// (accounts, contracts, blocks and logs) to a file, so a stopped network starts again
// where it left off. Who owns a running anvil is kept in the folder's pid file
// (src/chain/anvil-ownership.ts): an anvil that outlived its process is refused, or
// adopted when asked, never silently reused.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { refusePortInUse, refuseRunning, removePidFile, runningAnvil, stopAdopted, watchParent, writePidFile, type RunningAnvil } from './anvil-ownership.ts';
import { ChainError } from './errors.ts';

export type AnvilOptions = {
  /** Folder holding `state.json` and `anvil.log`. */
  stateDir: string;
  /** 0 lets the system pick a free port (anvil reports which). */
  port: number;
  chainId?: number;
  /**
   * Seconds between state dumps while running. anvil also dumps on a clean exit;
   * the periodic dump bounds what a crash (SIGKILL) can lose.
   */
  stateIntervalSeconds?: number;
  /** Take over an anvil of this folder left running by a process that is gone (else refused). */
  adopt?: boolean;
};

export type Anvil = {
  rpcUrl: string;
  port: number;
  /** True when this is an earlier run's anvil, taken over rather than started. */
  adopted: boolean;
  /** Stops anvil cleanly, which writes its final state dump. */
  stop(): Promise<void>;
};

/** The path of the anvil binary for this platform, from its npm package. */
export function anvilBinary(): string {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const pkg = `@foundry-rs/anvil-${process.platform}-${arch}`;
  try {
    return join(dirname(createRequire(import.meta.url).resolve(`${pkg}/package.json`)), 'bin', 'anvil');
  } catch (cause) {
    throw new ChainError('ANVIL_START_FAILED', `No anvil binary for this platform (${process.platform}-${process.arch}).`, {
      details: [`expected the npm package ${pkg}; run npm install`],
      cause,
    });
  }
}

export async function startAnvil(options: AnvilOptions): Promise<Anvil> {
  mkdirSync(options.stateDir, { recursive: true });
  const running = runningAnvil(options.stateDir);
  if (running) {
    if (!(options.adopt && running.orphan)) throw refuseRunning(running, options.stateDir);
    return adopt(running, options.stateDir);
  }
  if (options.port !== 0 && (await answersRpc(`http://127.0.0.1:${options.port}`))) throw refusePortInUse(options.port);
  const log = createWriteStream(join(options.stateDir, 'anvil.log'), { flags: 'a' });
  const args = [
    '--host',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--chain-id',
    String(options.chainId ?? 31337),
    '--state',
    join(options.stateDir, 'state.json'),
    '--state-interval',
    String(options.stateIntervalSeconds ?? 1),
  ];
  // A process group of its own: Ctrl-C in a terminal signals the whole foreground
  // group, and anvil must not stop before the providers have flushed their vouchers
  // to it. Its owner stops it last; the watchdog below stops it if the owner dies.
  const child = spawn(anvilBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const announced = announcedPort(child);
  // Read only for port 0; a later exit must not surface as an unhandled rejection.
  announced.catch(() => undefined);
  let rpcUrl = `http://127.0.0.1:${options.port}`;
  let port = options.port;
  try {
    if (port === 0) {
      port = await announced;
      rpcUrl = `http://127.0.0.1:${port}`;
    }
    await waitUntilListening(child, rpcUrl);
  } catch (error) {
    child.kill('SIGKILL');
    log.end();
    throw error;
  }
  const pid = child.pid!;
  writePidFile(options.stateDir, { pid, port, parentPid: process.pid });
  child.once('exit', () => removePidFile(options.stateDir, pid));
  watchParent(pid);
  let stopping: Promise<void> | undefined;
  return {
    rpcUrl,
    port,
    adopted: false,
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }).finally(() => log.end());
      return stopping;
    },
  };
}

/** Takes over an orphaned anvil: this process now owns it, watches it and stops it. */
async function adopt(running: RunningAnvil, stateDir: string): Promise<Anvil> {
  const rpcUrl = `http://127.0.0.1:${running.port}`;
  if (!(await answersRpc(rpcUrl))) {
    throw new ChainError('ANVIL_START_FAILED', `The leftover anvil (pid ${running.pid}) does not answer on ${rpcUrl}.`, {
      details: [`stop it and start again: kill ${running.pid}`],
    });
  }
  writePidFile(stateDir, { pid: running.pid, port: running.port, parentPid: process.pid });
  watchParent(running.pid);
  let stopping: Promise<void> | undefined;
  return {
    rpcUrl,
    port: running.port,
    adopted: true,
    stop: () => (stopping ??= stopAdopted(running.pid).then(() => removePidFile(stateDir, running.pid))),
  };
}

async function answersRpc(rpcUrl: string): Promise<boolean> {
  try {
    const response = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(2_000),
    });
    return response.ok;
  } catch {
    return false;
  }
}

/** The port of anvil's "Listening on 127.0.0.1:PORT" line on its standard output. */
function announcedPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen = (seen + chunk.toString('utf8')).slice(-4096);
      const match = /Listening on [^\s:]+:(\d+)/.exec(seen);
      if (match) {
        child.stdout?.off('data', onData);
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code, signal) =>
      reject(
        new ChainError('ANVIL_START_FAILED', 'anvil ended before it announced its port.', {
          details: [`anvil ended with exit code ${code ?? signal}`, 'see anvil.log in the chain state folder'],
        }),
      ),
    );
  });
}

async function waitUntilListening(child: ChildProcess, rpcUrl: string): Promise<void> {
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = `exit code ${code ?? signal}`));
  for (let attempt = 0; attempt < 100; attempt++) {
    if (exited) break;
    // Not listening yet: try again shortly.
    if (await answersRpc(rpcUrl)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new ChainError('ANVIL_START_FAILED', `anvil did not start on ${rpcUrl}.`, {
    details: [exited ? `anvil ended with ${exited}` : 'no answer after 10 s', 'see anvil.log in the chain state folder; is the port already in use?'],
  });
}
