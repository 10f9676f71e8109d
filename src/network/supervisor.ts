// The parent's side of a role process: forks the compiled CLI (`trellis role`, never a
// TypeScript loader), hands it its spec over IPC, waits for its URL, forwards its log
// lines and keeps the last few, makes its calls, stops it on request, and says which
// role died, how, and what it logged last when one exits on its own.
import { type ChildProcess, fork } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { createInterface } from 'node:readline';
import { repoPath } from '../repo-root.ts';
import { NetworkError } from './errors.ts';
import type { ChildMessage, ParentMessage, RoleCall, RoleReady, RoleSpec } from './role-messages.ts';

/** Log lines kept per role, for the report when it dies. */
const LAST_LINES = 20;
/** A role that has not exited this long after being told to stop is killed. */
const STOP_TIMEOUT_MS = 120_000;

/** How a role process ended on its own. */
export type RoleExit = { role: string; code: number | null; signal: NodeJS.Signals | null; lastLines: string[] };

export type RoleProcess = RoleReady & {
  role: RoleSpec['role'];
  name: string;
  pid: number;
  call(call: RoleCall): Promise<void>;
  /** Tells it to stop its parts in order and waits for it to exit; `onStopped` hears each part. */
  stop(onStopped: (part: string) => void): Promise<void>;
};

export type StartRoleOptions = {
  spec: RoleSpec;
  /** Each line the role logs (stderr and stdout), as it logs it. */
  onLogLine?: (line: string) => void;
  /** Called once if the role exits without being told to stop, after it was ready. */
  onExit: (exit: RoleExit) => void;
};

/** The compiled CLI, built first when a source is newer (as bin/trellis.js does). */
export async function compiledCli(): Promise<string> {
  const build = (await import(pathToFileURL(repoPath('scripts', 'build-cli.js')).href)) as {
    buildCli(): Promise<number>;
    cliBuildFresh(): boolean;
    cliEntry: string;
  };
  if (!build.cliBuildFresh()) await build.buildCli();
  return build.cliEntry;
}

export function describeExit(exit: RoleExit): string {
  return exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
}

export async function startRole(cli: string, options: StartRoleOptions): Promise<RoleProcess> {
  const { spec } = options;
  // None of this process's execArgv: under tsx it names the TypeScript loader. No
  // source maps either: reading them costs a role a tenth of its start.
  const child = fork(cli, ['role'], { execArgv: [], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  const lastLines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream! }).on('line', (line) => {
      lastLines.push(line);
      if (lastLines.length > LAST_LINES) lastLines.shift();
      options.onLogLine?.(line);
    });
  }
  // 'close' comes after the exit once its output streams are drained: the report has its last lines.
  const exited = new Promise<RoleExit>((resolve) =>
    child.once('close', (code, signal) => resolve({ role: spec.name, code, signal, lastLines: [...lastLines] })),
  );
  const send = (message: ParentMessage) => {
    if (child.connected) child.send(message);
  };
  send({ type: 'start', spec });

  const ready = await new Promise<RoleReady>((resolve, reject) => {
    const onMessage = (message: ChildMessage) => {
      if (message.type === 'ready') {
        child.off('message', onMessage);
        const { type: _, ...rest } = message;
        resolve(rest);
      }
      if (message.type === 'start-failed') {
        child.off('message', onMessage);
        reject(new NetworkError('ROLE_START_FAILED', `${spec.name} could not start.`, { details: message.message.split('\n') }));
      }
    };
    child.on('message', onMessage);
    exited.then((exit) =>
      reject(
        new NetworkError('ROLE_DIED', `${spec.name} exited before it was ready (${describeExit(exit)}).`, {
          details: exit.lastLines.length > 0 ? ['its last log lines:', ...exit.lastLines] : ['it logged nothing'],
        }),
      ),
    );
  }).catch(async (error: unknown) => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    throw error;
  });

  let stopping = false;
  exited.then((exit) => {
    if (!stopping) options.onExit(exit);
  });

  let nextCall = 0;
  const pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  child.on('message', (message: ChildMessage) => {
    if (message.type !== 'answer') return;
    const waiting = pending.get(message.id);
    pending.delete(message.id);
    if (message.error === undefined) waiting?.resolve();
    else waiting?.reject(new NetworkError('ROLE_CALL_FAILED', `${spec.name} could not do what it was asked.`, { details: [message.error] }));
  });
  exited.then((exit) => {
    for (const waiting of pending.values()) {
      waiting.reject(new NetworkError('ROLE_CALL_FAILED', `${spec.name} exited before it answered (${describeExit(exit)}).`));
    }
    pending.clear();
  });

  return {
    ...ready,
    role: spec.role,
    name: spec.name,
    pid: child.pid!,
    call(call) {
      if (!child.connected) return Promise.reject(new NetworkError('ROLE_CALL_FAILED', `${spec.name} is not running.`, { details: [`call: ${call}`] }));
      const id = nextCall++;
      return new Promise<void>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        send({ type: 'call', id, call });
      });
    },
    async stop(onStopped) {
      stopping = true;
      const onMessage = (message: ChildMessage) => {
        if (message.type === 'stopped') onStopped(message.part);
      };
      child.on('message', onMessage);
      if (child.exitCode === null && child.signalCode === null) {
        send({ type: 'stop' });
        await stopWithin(child, exited, STOP_TIMEOUT_MS);
      }
      child.off('message', onMessage);
    },
  };
}

/** Waits for the exit; a role that hangs past the timeout is killed, and that is said. */
async function stopWithin(child: ChildProcess, exited: Promise<RoleExit>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), timeoutMs);
  });
  const outcome = await Promise.race([exited, late]);
  clearTimeout(timer);
  if (outcome === 'late') {
    child.kill('SIGKILL');
    const exit = await exited;
    throw new NetworkError('ROLE_DIED', `${exit.role} did not stop within ${timeoutMs / 1000} s and was killed.`, {
      details: ['its last log lines:', ...exit.lastLines],
    });
  }
}
