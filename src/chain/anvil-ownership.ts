// Who owns the anvil of a chain state folder. Each start writes `anvil.pid` there (the
// anvil's process id, its port, and the process that started it), and a small watchdog
// stops anvil cleanly when that process dies, even by SIGKILL. If an anvil of the
// folder is still running at the next start anyway (the watchdog was killed too, or the
// pid file predates it), the start refuses to run against a chain it does not own,
// naming the process and port, unless told to adopt it.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChainError } from './errors.ts';

export const PID_FILE = 'anvil.pid';

export type PidRecord = { pid: number; port: number; parentPid: number };

/** A running anvil of this folder that no live process owns, or that another one does. */
export type RunningAnvil = PidRecord & { orphan: boolean };

export function writePidFile(stateDir: string, record: PidRecord): void {
  const path = join(stateDir, PID_FILE);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(record)}\n`);
  renameSync(`${path}.tmp`, path);
}

export function removePidFile(stateDir: string, pid: number): void {
  // Only our own record: an adopted or newer anvil may have replaced it.
  if (readPidFile(stateDir)?.pid === pid) rmSync(join(stateDir, PID_FILE), { force: true });
}

function readPidFile(stateDir: string): PidRecord | undefined {
  const path = join(stateDir, PID_FILE);
  if (!existsSync(path)) return undefined;
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as Partial<PidRecord>;
    if ([value.pid, value.port, value.parentPid].every((n) => Number.isSafeInteger(n) && (n as number) > 0)) return value as PidRecord;
  } catch {
    // A torn or foreign file says nothing about a running anvil.
  }
  return undefined;
}

/** True while `pid` is a live process (a zombie, dead but not yet reaped, counts as gone). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  const stat = procText(`/proc/${pid}/stat`);
  return stat === undefined || !/^\d+ \(.*\) Z/.test(stat);
}

function procText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The anvil the folder's pid file names, if that process still runs and is that anvil
 * (where the system says what a process runs, its command line names the folder).
 * A stale pid file is removed.
 */
export function runningAnvil(stateDir: string): RunningAnvil | undefined {
  const record = readPidFile(stateDir);
  if (!record) return undefined;
  const cmdline = procText(`/proc/${record.pid}/cmdline`);
  const same = isAlive(record.pid) && (cmdline === undefined || cmdline.includes(stateDir));
  if (!same) {
    rmSync(join(stateDir, PID_FILE), { force: true });
    return undefined;
  }
  return { ...record, orphan: record.parentPid !== process.pid && !isAlive(record.parentPid) };
}

/** Refuses to start next to a running anvil of the folder, saying whose it is and what to do. */
export function refuseRunning(running: RunningAnvil, stateDir: string): ChainError {
  if (!running.orphan) {
    return new ChainError('ANVIL_IN_USE', `The chain in ${stateDir} is already running (anvil pid ${running.pid}, port ${running.port}).`, {
      details: [`it belongs to the running process ${running.parentPid}`, 'stop that one first, or use another --data-dir'],
    });
  }
  return new ChainError('ANVIL_ORPHANED', `An anvil left over from an earlier run still serves ${stateDir} (pid ${running.pid}, port ${running.port}).`, {
    details: [
      `the process that started it (pid ${running.parentPid}) is gone, so nothing here owns that chain`,
      `stop it and start again: kill ${running.pid}`,
      'or take it over as it is: trellis up --adopt-chain',
    ],
  });
}

/**
 * Starts a watchdog that stops anvil (SIGTERM, so it writes its state) once this
 * process is gone, and ends by itself once anvil is. POSIX only: elsewhere an anvil
 * outliving a SIGKILL is caught by the pid file at the next start.
 */
export function watchParent(anvilPid: number): void {
  if (process.platform === 'win32') return;
  const script = 'while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 1; done; kill -TERM "$2" 2>/dev/null; exit 0';
  // Detached like anvil, so that a Ctrl-C meant for the network does not end the watchdog first.
  const watchdog = spawn('sh', ['-c', script, 'trellis-anvil-watchdog', String(process.pid), String(anvilPid)], { stdio: 'ignore', detached: true });
  watchdog.on('error', () => undefined);
  watchdog.unref();
}

/** Stops an adopted anvil (not our child) and waits, bounded, until it is gone. */
export async function stopAdopted(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}

/**
 * A chain node already answering on the port anvil is to take: refused, since running
 * against it would mean using a chain no one here owns. Names the processes listening
 * there, where the system says (Linux /proc).
 */
export function refusePortInUse(port: number): ChainError {
  const holders = listeners(port);
  return new ChainError('ANVIL_PORT_IN_USE', `A chain node already answers on 127.0.0.1:${port}.`, {
    details: [
      ...(holders.length > 0 ? holders.map((h) => `process ${h.pid} (${h.name}) listens there`) : ['it is no anvil this data folder knows of']),
      holders.length > 0 ? `stop it (kill ${holders.map((h) => h.pid).join(' ')}), or choose another --port` : 'stop it, or choose another --port',
    ],
  });
}

/** Processes holding a listening TCP socket on 127.0.0.1:port or any address. */
function listeners(port: number): { pid: number; name: string }[] {
  const table = procText('/proc/net/tcp');
  if (table === undefined) return [];
  const inodes = new Set<string>();
  for (const line of table.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const [address, hexPort] = (fields[1] ?? '').split(':');
    // State 0A is LISTEN; 0100007F is 127.0.0.1 and 00000000 any address.
    if (fields[3] === '0A' && (address === '0100007F' || address === '00000000') && Number.parseInt(hexPort ?? '', 16) === port)
      inodes.add(`socket:[${fields[9]}]`);
  }
  if (inodes.size === 0) return [];
  const found: { pid: number; name: string }[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // Another user's process, or gone.
    }
    const holds = fds.some((fd) => {
      try {
        return inodes.has(readlinkSync(`/proc/${pid}/fd/${fd}`));
      } catch {
        return false;
      }
    });
    if (holds) found.push({ pid: Number(pid), name: procText(`/proc/${pid}/comm`)?.trim() ?? 'unknown' });
  }
  return found;
}
